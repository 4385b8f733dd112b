from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "qiao.visits"
    verbose_name = _("Visits")

    def ready(self):
        # Its actions, header entry and block of the start page (core.registry).
        from qiao.core.registry import NavEntry, actions, desk_widgets, navigation

        from .actions import ACTIONS, HOSPITALITY_BUDGET, VISIT_RECORD
        from .desk import WIDGETS

        for action in ACTIONS:
            actions.register(action)
        navigation.register(NavEntry("visits:list", _("Visits"), "bi-geo-alt",
                                     (VISIT_RECORD,), order=15))
        navigation.register(NavEntry("visits:work_reports", _("Work logs"), "bi-journal-check",
                                     (VISIT_RECORD,), order=55, menu="more"))
        navigation.register(NavEntry("visits:hospitality_budgets", _("Hospitality budgets"),
                                     "bi-wallet2", (HOSPITALITY_BUDGET,), order=56, menu="more"))
        navigation.register(NavEntry("visits:intel_reports", _("Market intelligence"),
                                     "bi-binoculars", (VISIT_RECORD,), order=82, menu="more"))
        for widget in WIDGETS:
            desk_widgets.register(widget)
        # The approval engine learns the "hospitality" request type here, as models register
        # with the admin; a returned request is changed through services.hospitality_request_edit.
        # Its form is reached from the approval pages' "new request" buttons (create_url) and
        # the customer page; it needs approvals' approval.request action. A hospitality request
        # is read on its approval request's page (an approval subject): no scope of its own.
        from qiao.approvals import registry

        from . import forms, services
        from .models import HospitalityRequest

        registry.register("hospitality", HospitalityRequest, _("Hospitality request"),
                          amount_field="amount", customer_field="customer",
                          detail_template="visits/_subject_hospitality.html",
                          title=services.approval_title, title_params=services.approval_title_params,
                          edit_form=forms.returned_hospitality_form,
                          on_edit=services.hospitality_request_edit,
                          create_url="visits:hospitality_new",
                          create_label=_("New hospitality request"),
                          # Over the manager's monthly budget: the next approval level too.
                          over_limit=services.hospitality_over_budget,
                          over_limit_label=_("Over budget: next approval level"))
        # Its lines on the customer's timeline (a visit is a follow-up of the customer), and
        # the commitments that move with the customers handed over to another manager.
        from qiao.core.registry import handover_steps, timeline_kinds

        for kind in services.TIMELINE_KINDS:
            timeline_kinds.register(kind)
        handover_steps.register(services.commitments_hand_over)
        handover_steps.register(services.schedules_hand_over)
        # A schedule carries its manager's unit (its scope): it follows the manager.
        from qiao.core.registry import owner_moved

        owner_moved.register(services.schedules_follow_manager)
        services.register_message_kinds()
        # Work reports and going-out registrations carry their author's unit likewise.
        from . import worklog

        owner_moved.register(worklog.reports_follow_author)
        worklog.register_message_kinds()
        from . import intel

        intel.register_message_kinds()
        from . import reminders

        reminders.register_kinds()
        # Who reads visits and commitments (core.registry.scopes).
        from qiao.core.registry import scopes

        from .scopes import SCOPES

        for scope in SCOPES:
            scopes.register(scope)
        # Its report-centre entries: visit coverage and the three seed tables (visits.reports).
        from qiao.core.registry import reports

        from .reports import REPORTS

        for report in REPORTS:
            reports.register(report)
        # Its at-risk rules (CUS-9, core.registry.risk_rules).
        from qiao.core.registry import risk_rules as risk_rules

        from .risk import RULES as RISK_RULES

        for rule in RISK_RULES:
            risk_rules.register(rule)
