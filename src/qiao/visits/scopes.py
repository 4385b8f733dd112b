"""Who reads visits and commitments (core.registry.scopes, registered in apps.ready)."""

from qiao.core.registry import Scope, ScopeMode

from .models import Commitment, Visit

SCOPES = (
    # A visit record is visible exactly when its customer is (data scope over the customer's
    # owner, secret level, not deleted), and its signature at or below the user's clearance.
    Scope(Visit, ScopeMode.VIA_CUSTOMER, customer_field="customer",
          clearance_field="secret_level"),
    # A commitment with its customer (copied from the visit).
    Scope(Commitment, ScopeMode.VIA_CUSTOMER, customer_field="customer"),
)
