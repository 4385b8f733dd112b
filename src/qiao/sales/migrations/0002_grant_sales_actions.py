"""Give the default roles created before sales and credit its actions (as sales.actions
declares them). Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial"), ("org", "0007_reformat_mobiles")]

    operations = [
        grant_action("sales.view", roles=(
            "director", "dept_manager", "regional_manager", "supervisor", "account_manager")),
        grant_action("sales.post", roles=(
            "director", "dept_manager", "regional_manager", "supervisor", "account_manager")),
        grant_action("sales.manage", roles=(
            "director", "dept_manager", "regional_manager", "supervisor")),
    ]
