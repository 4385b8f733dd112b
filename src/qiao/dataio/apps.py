from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataioConfig(AppConfig):
    name = "qiao.dataio"
    verbose_name = _("Data import")

    def ready(self):
        # Its actions (core.registry.actions), its entries in the header's "More" menu (imports
        # also open from the customer list's "Import" button; backups are the administrator's)
        # and who reads its import runs (core.registry.scopes). The importers themselves are
        # registered by the apps whose records they make (customers.importers).
        from qiao.core.registry import NavEntry, actions, navigation, scopes

        from .actions import ACTIONS, DATA_BACKUP, DATA_IMPORT
        from .scopes import SCOPES

        for action in ACTIONS:
            actions.register(action)
        navigation.register(NavEntry("dataio:index", _("Data import"), "bi-upload",
                                     (DATA_IMPORT,), order=85, menu="more"))
        navigation.register(NavEntry("dataio:backups", _("Backups"), "bi-database-check",
                                     (DATA_BACKUP,), order=98, menu="more"))
        for scope in SCOPES:
            scopes.register(scope)
