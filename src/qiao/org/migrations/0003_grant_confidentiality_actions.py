"""Give the default roles created before secret levels, masking, the public pool and the API
their clearance and the new actions (as org.permissions.DEFAULT_ROLES has them). Reversible."""

from django.db import migrations

# code: (clearance, actions added)
GRANTS = {
    "director": (3, ["customer.secret_level", "field.reveal", "pool.claim", "api.use"]),
    "dept_manager": (3, ["customer.secret_level", "field.reveal", "pool.claim", "api.use"]),
    "regional_manager": (2, ["customer.secret_level", "field.reveal", "pool.claim", "api.use"]),
    "supervisor": (2, ["customer.secret_level", "field.reveal", "pool.claim", "api.use"]),
    "account_manager": (1, ["field.reveal", "pool.claim", "api.use"]),
    "brand_manager": (0, []),
    "admin": (0, ["api.use"]),
}


def grant(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=GRANTS):
        clearance, actions = GRANTS[role.code]
        role.clearance = clearance
        role.actions = [*role.actions, *(a for a in actions if a not in role.actions)]
        role.save(update_fields=["clearance", "actions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=GRANTS):
        _clearance, actions = GRANTS[role.code]
        role.actions = [a for a in role.actions if a not in actions]
        role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [("org", "0002_clearance_and_api_tokens")]

    operations = [migrations.RunPython(grant, revoke)]
