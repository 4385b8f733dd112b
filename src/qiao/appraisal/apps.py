from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "qiao.appraisal"
    verbose_name = _("Performance appraisal")

    def ready(self):
        from qiao.core.registry import NavEntry, actions, navigation, reports, scopes

        from . import services
        from .actions import ACTIONS, APPRAISAL_VIEW
        from .reports import REPORTS
        from .scopes import SCOPES

        for action in ACTIONS:
            actions.register(action)
        for scope in SCOPES:
            scopes.register(scope)
        services.register_kinds()
        for report in REPORTS:
            reports.register(report)
        navigation.register(NavEntry("appraisal:list", _("Performance appraisal"),
                                     "bi-clipboard-check", (APPRAISAL_VIEW,), order=95,
                                     menu="more"))
