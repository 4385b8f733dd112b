"""Who reads work orders (core.registry.scopes, registered in apps.ready)."""

from qiao.core.registry import Scope, ScopeMode

from .models import StageAttachment, WorkOrder

SCOPES = (
    # A work order is visible exactly when its customer is (data scope over the customer's
    # owner, secret level, not deleted).
    Scope(WorkOrder, ScopeMode.VIA_CUSTOMER, customer_field="customer"),
    # The files of the work orders the user sees, at or below the user's clearance.
    Scope(StageAttachment, ScopeMode.VIA_CUSTOMER, customer_field="record__work_order__customer",
          clearance_field="secret_level"),
)
