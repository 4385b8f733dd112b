from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "qiao.sales"
    verbose_name = _("Sales and credit")

    def ready(self):
        from qiao.core.registry import (
            DeskWidget,
            NavEntry,
            actions,
            desk_widgets,
            importers,
            navigation,
            reports,
            scopes,
            timeline_kinds,
        )

        # Its domain events, offered to the integrations' webhooks (core.registry.events).
        from qiao.core.registry import events as domain_events

        from .events import EVENTS

        for event in EVENTS:
            domain_events.register(event)

        from . import desk, services
        from .actions import ACTIONS, SALES_VIEW
        from .importers import IMPORTERS
        from .reports import REPORTS
        from .scopes import SCOPES

        for action in ACTIONS:
            actions.register(action)
        for scope in SCOPES:
            scopes.register(scope)
        for kind in services.TIMELINE_KINDS:
            timeline_kinds.register(kind)
        services.register_kinds()
        services.register_dunning_kinds()
        services.register_plan_kinds()
        from . import bonus

        bonus.register_kinds()
        from . import credit_requests

        credit_requests.register()
        for importer in IMPORTERS:
            importers.register(importer)
        for report in REPORTS:
            reports.register(report)
        navigation.register(NavEntry("sales:home", _("Sales"), "bi-graph-up-arrow",
                                     (SALES_VIEW,), order=28))
        desk_widgets.register(DeskWidget(
            "sales", _("My sales this month"), "sales/_desk.html", desk.my_month,
            (SALES_VIEW,), order=12, url_name="sales:home", icon="bi-graph-up-arrow"))
        # Its at-risk rules (CUS-9, core.registry.risk_rules).
        from qiao.core.registry import risk_rules as risk_rules

        from .risk import RULES as RISK_RULES

        for rule in RISK_RULES:
            risk_rules.register(rule)
