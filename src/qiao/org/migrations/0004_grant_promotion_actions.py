"""Give the default roles created before promotions (PRM-1) their actions, as
org.permissions.DEFAULT_ROLES has them: the brand manager, the director and the department manager run campaigns,
account managers and their managers recommend customers. Reversible."""

from django.db import migrations

MANAGE, RECOMMEND = "promotion.manage", "promotion.recommend"
GRANTS = {
    "director": [MANAGE, RECOMMEND],
    "dept_manager": [MANAGE, RECOMMEND],
    "regional_manager": [RECOMMEND],
    "supervisor": [RECOMMEND],
    "account_manager": [RECOMMEND],
    "brand_manager": [MANAGE],
}


def grant(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=GRANTS):
        role.actions = [*role.actions, *(a for a in GRANTS[role.code] if a not in role.actions)]
        role.save(update_fields=["actions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=GRANTS):
        role.actions = [a for a in role.actions if a not in GRANTS[role.code]]
        role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [("org", "0003_grant_confidentiality_actions")]

    operations = [migrations.RunPython(grant, revoke)]
