from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "qiao.workorders"
    verbose_name = _("Work orders")

    def ready(self):
        # Its header entry (core.registry.navigation).
        from qiao.approvals.actions import APPROVAL_REQUEST
        from qiao.core.registry import NavEntry, navigation

        navigation.register(NavEntry("workorders:list", _("Work orders"), "bi-clipboard-check",
                                     (APPROVAL_REQUEST,), order=80, menu="more"))
        # The approval engine learns the "work_order" request type here, as models register
        # with the admin; the outcome comes back through services.work_order_decided, the
        # author's changes to a returned work order through services.work_order_edit_returned.
        from qiao.approvals import registry
        from qiao.core.registry import timeline_kinds

        from . import forms, services
        from .models import WorkOrder

        registry.register("work_order", WorkOrder, _("Work order"), amount_field="budget",
                          customer_field="customer",
                          detail_template="workorders/_subject_workorder.html",
                          on_decided=services.work_order_decided,
                          title=services.approval_title,
                          title_params=services.approval_title_params,
                          edit_form=forms.returned_work_order_form, on_edit=services.work_order_edit_returned)
        for kind in services.TIMELINE_KINDS:  # its lines on the customer's timeline
            timeline_kinds.register(kind)
        # Who reads which of its records (core.registry.scopes).
        from qiao.core.registry import scopes

        from .scopes import SCOPES

        for scope in SCOPES:
            scopes.register(scope)
