from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "qiao.reports"
    verbose_name = _("Customer tables")

    def ready(self):
        # Its action and header entry (core.registry.actions, navigation).
        from qiao.core.registry import NavEntry, actions, navigation

        from .actions import ACTIONS, REPORT_VIEW

        for action in ACTIONS:
            actions.register(action)
        navigation.register(NavEntry("reports:index", _("Customer tables"), "bi-table",
                                     (REPORT_VIEW,), order=20))
        # Its customer tables in the report centre (core.registry.reports).
        from qiao.core.registry import reports

        from .definitions import REPORTS

        for report in REPORTS:
            reports.register(report)
        # The start page's block for those who look after a team (工作台: 团队概况).
        from qiao.core.registry import desk_widgets

        from .desk import WIDGETS

        for widget in WIDGETS:
            desk_widgets.register(widget)
