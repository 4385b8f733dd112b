"""Give the default roles created before the service desk its actions (as tickets.actions
declares them). Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("org", "0007_reformat_mobiles")]

    operations = [
        grant_action("ticket.handle", roles=(
            "director", "dept_manager", "regional_manager", "supervisor", "account_manager",
            "specialist", "agent")),
        grant_action("ticket.assign", roles=(
            "director", "dept_manager", "regional_manager", "supervisor")),
    ]
