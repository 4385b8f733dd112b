"""Give the default roles created before the approval engine the action to raise requests
(account managers and up, as approvals.actions declares it). Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial"), ("org", "0003_grant_confidentiality_actions")]

    operations = [grant_action("approval.request", roles=(
        "director", "dept_manager", "regional_manager", "supervisor", "account_manager"))]
