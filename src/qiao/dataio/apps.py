from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataioConfig(AppConfig):
    name = "qiao.dataio"
    verbose_name = _("Data import")

    def ready(self):
        # Its action (core.registry.actions) and who reads its import runs
        # (core.registry.scopes). The importers themselves are registered by the apps whose
        # records they make (customers.importers). No header entry: the header has no room
        # left at 1366 px in English; the import page opens from the customer list's
        # "Import" button (and from the exports and backups pages when they come).
        from qiao.core.registry import actions, scopes

        from .actions import ACTIONS
        from .scopes import SCOPES

        for action in ACTIONS:
            actions.register(action)
        for scope in SCOPES:
            scopes.register(scope)
