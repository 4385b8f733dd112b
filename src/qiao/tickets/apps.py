from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "qiao.tickets"
    verbose_name = _("Service desk")

    def ready(self):
        from qiao.core.registry import (
            DeskWidget,
            NavEntry,
            ReportDef,
            actions,
            desk_widgets,
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
        from .actions import ACTIONS, TICKET_ASSIGN, TICKET_HANDLE
        from .scopes import SCOPES

        for action in ACTIONS:
            actions.register(action)
        navigation.register(NavEntry("tickets:list", _("Service desk"), "bi-headset",
                                     (TICKET_HANDLE, TICKET_ASSIGN), order=25))
        desk_widgets.register(DeskWidget(
            "tickets", _("My service tickets"), "tickets/_desk.html", desk.my_tickets,
            (TICKET_HANDLE,), order=15, url_name="tickets:list", icon="bi-headset"))
        for scope in SCOPES:
            scopes.register(scope)
        reports.register(ReportDef(
            "ticket_analysis", _("Service analysis"), "tickets:analysis", (TICKET_ASSIGN,),
            _("Customer service"), order=100, icon="bi-graph-up",
            description=_("Tickets by month and kind, complaints by cause, category, region "
                          "and account manager, time limits met and satisfaction.")))
        reports.register(ReportDef(
            "call_statistics", _("Agent statistics"), "tickets:call_statistics",
            (TICKET_ASSIGN,), _("Customer service"), order=110, icon="bi-telephone",
            description=_("Per agent and period: calls in and out, average handling time and "
                          "first-contact resolution.")))
        for kind in services.TIMELINE_KINDS:
            timeline_kinds.register(kind)
        services.register_kinds()
        # Its at-risk rules (CUS-9, core.registry.risk_rules).
        from qiao.core.registry import risk_rules as risk_rules

        from .risk import RULES as RISK_RULES

        for rule in RISK_RULES:
            risk_rules.register(rule)
