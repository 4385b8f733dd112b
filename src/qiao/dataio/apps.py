from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataioConfig(AppConfig):
    name = "qiao.dataio"
    verbose_name = _("Data import")

    def ready(self):
        # Its actions (core.registry.actions), its entries in the header's "More" menu (imports
        # also open from the customer list's "Import" button; backups are the administrator's)
        # and who reads its import runs (core.registry.scopes). The importers themselves are
        # registered by the apps whose records they make (customers.importers). Exports above
        # the approval threshold become export requests (core.exports.send →
        # export_requests.ask), an approval type of their own; 我的导出 lists them.
        from qiao.approvals.actions import APPROVAL_REQUEST
        from qiao.core.exports import ExportApproval
        from qiao.core.registry import NavEntry, actions, export_approvals, navigation, scopes

        from . import export_requests
        from .actions import ACTIONS, DATA_BACKUP, DATA_IMPORT
        from .scopes import SCOPES

        for action in ACTIONS:
            actions.register(action)
        navigation.register(NavEntry("dataio:index", _("Data import"), "bi-upload",
                                     (DATA_IMPORT,), order=85, menu="more"))
        navigation.register(NavEntry("dataio:backups", _("Backups"), "bi-database-check",
                                     (DATA_BACKUP,), order=98, menu="more"))
        navigation.register(NavEntry("dataio:exports", _("My exports"), "bi-download",
                                     (APPROVAL_REQUEST,), order=86, menu="more"))
        export_approvals.register(ExportApproval("dataio", export_requests.ask))
        export_requests.register()
        from . import notifications

        notifications.register_kinds()
        for scope in SCOPES:
            scopes.register(scope)
        # What an erasure of a person's data searches (core.privacy.sweep): an export's
        # filters as typed, an import's reports of its rows.
        from qiao.core.registry import PersonalCopy, personal_copies

        from .models import ExportRequest, ImportRun

        personal_copies.register(PersonalCopy(ExportRequest, ("title", "filters", "query",
                                                              "purpose")))
        personal_copies.register(PersonalCopy(ImportRun, ("results", "errors")))
