"""Give audit.view to the roles that have it by default (org.permissions.DEFAULT_ROLES) on
installs whose roles were created before the operation log existed. Reversible."""

from django.db import migrations

ROLES = ("director", "dept_manager", "regional_manager", "supervisor")
ACTION = "audit.view"


def grant(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        if ACTION not in role.actions:
            role.actions = [*role.actions, ACTION]
            role.save(update_fields=["actions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        if ACTION in role.actions:
            role.actions = [a for a in role.actions if a != ACTION]
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_operation_log"),
        ("org", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
