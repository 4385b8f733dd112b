"""Give the default roles created before promotions (PRM-1) their actions, as
org.permissions.DEFAULT_ROLES has them: the brand manager, the director and the department
manager run campaigns, account managers and their managers recommend customers. The brand
manager is cleared for internal (内部) customers, so that the ordinary customers recommended to
him may be shown to him. Reversible."""

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


BRAND_MANAGER_CLEARANCE = (0, 1)  # public → internal


def grant(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Role.objects.filter(code="brand_manager", clearance=BRAND_MANAGER_CLEARANCE[0]).update(
        clearance=BRAND_MANAGER_CLEARANCE[1])
    for role in Role.objects.filter(code__in=GRANTS):
        role.actions = [*role.actions, *(a for a in GRANTS[role.code] if a not in role.actions)]
        role.save(update_fields=["actions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Role.objects.filter(code="brand_manager", clearance=BRAND_MANAGER_CLEARANCE[1]).update(
        clearance=BRAND_MANAGER_CLEARANCE[0])
    for role in Role.objects.filter(code__in=GRANTS):
        role.actions = [a for a in role.actions if a not in GRANTS[role.code]]
        role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [("org", "0003_grant_confidentiality_actions")]

    operations = [migrations.RunPython(grant, revoke)]
