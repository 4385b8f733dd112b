"""Give audit.view to the roles that have it by default (supervisors and up, as audit.actions
declares it) on installs whose roles were created before the operation log existed.
Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_operation_log"),
        ("org", "0001_initial"),
    ]

    operations = [grant_action("audit.view", roles=(
        "director", "dept_manager", "regional_manager", "supervisor"))]
