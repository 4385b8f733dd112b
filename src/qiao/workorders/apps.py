from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "qiao.workorders"
    verbose_name = _("Work orders")

    def ready(self):
        # The approval engine learns the "work_order" request type here, as models register
        # with the admin; the outcome comes back through services.work_order_decided.
        from qiao.approvals import registry
        from qiao.customers.services import FOLLOW_UP_KINDS

        from .models import WorkOrder
        from .services import STAGE_DONE, work_order_decided

        registry.register("work_order", WorkOrder, _("Work order"), amount_field="budget",
                          customer_field="customer",
                          detail_template="workorders/_subject_workorder.html",
                          on_decided=work_order_decided)
        FOLLOW_UP_KINDS.add(STAGE_DONE)
