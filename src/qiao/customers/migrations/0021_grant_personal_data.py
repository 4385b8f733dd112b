"""Give the default roles created before personal data requests the action to record one
(account managers and up, and agents, as customers.actions declares it). Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [("customers", "0020_personal_data_request"), ("org", "0007_reformat_mobiles")]

    operations = [grant_action("customer.personal_data", roles=(
        "director", "dept_manager", "regional_manager", "supervisor", "account_manager",
        "agent"))]
