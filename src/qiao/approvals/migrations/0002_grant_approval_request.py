"""Give the default roles created before the approval engine the action to raise requests
(as org.permissions.DEFAULT_ROLES has it: account managers and up). Reversible."""

from django.db import migrations

ACTION = "approval.request"
ROLES = ("director", "dept_manager", "regional_manager", "supervisor", "account_manager")


def grant(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        if ACTION not in role.actions:
            role.actions = [*role.actions, ACTION]
            role.save(update_fields=["actions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        role.actions = [a for a in role.actions if a != ACTION]
        role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial"), ("org", "0003_grant_confidentiality_actions")]

    operations = [migrations.RunPython(grant, revoke)]
