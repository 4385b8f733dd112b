"""Give the default roles created before staff appraisal its actions (as appraisal.actions
declares them). Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_initial"), ("org", "0007_reformat_mobiles")]

    operations = [
        grant_action("appraisal.view", roles=(
            "director", "dept_manager", "regional_manager", "supervisor", "account_manager")),
        grant_action("appraisal.manage", roles=(
            "director", "dept_manager", "regional_manager", "supervisor")),
    ]
