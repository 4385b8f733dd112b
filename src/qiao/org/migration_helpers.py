"""What an app's data migrations use to give existing installs its new actions.

A fresh install's roles start from the ActionDefs' default roles (org.permissions.
default_actions); roles created before an action existed get it from a migration of the app
that declares it:

    operations = [grant_action("visit.record", roles=ACCOUNT_MANAGERS_AND_UP)]

with a dependency on `("org", "0001_initial")` or later (the Role table).
"""

from django.db import migrations


def grant_action(code: str, *, roles: tuple[str, ...]) -> migrations.RunPython:
    """A reversible operation: forwards, the roles of `roles` (codes) that exist and lack action
    `code` get it, at the end of their list; backwards, those roles lose it."""

    def grant(apps, schema_editor):
        Role = apps.get_model("org", "Role")
        for role in Role.objects.filter(code__in=roles):
            if code not in role.actions:
                role.actions = [*role.actions, code]
                role.save(update_fields=["actions"])

    def revoke(apps, schema_editor):
        Role = apps.get_model("org", "Role")
        for role in Role.objects.filter(code__in=roles):
            if code in role.actions:
                role.actions = [action for action in role.actions if action != code]
                role.save(update_fields=["actions"])

    return migrations.RunPython(grant, revoke)
