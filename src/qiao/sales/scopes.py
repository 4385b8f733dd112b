"""Who reads the sales ledger (core.registry.scopes, registered in apps.ready).

The documents are the customer's: seen exactly when the customer is, whoever manages it now.
The figures are the manager's: a manager's month is seen by those whose scope holds the
manager or the manager's unit then, for the customers' secret levels they are cleared for."""

from qiao.core.registry import Scope, ScopeMode
from qiao.org.scope import registered_scope, scope_filter

from .models import (
    ArrearsEscalation,
    BonusLine,
    CreditFile,
    CustomerMonth,
    DunningAction,
    ManagerCost,
    ManagerMonth,
    Order,
    PaymentPromise,
    ProductMonth,
    Receipt,
    SalesReport,
    SalesReturn,
    SalesTarget,
)

SCOPES = (
    *(Scope(model, ScopeMode.VIA_CUSTOMER, customer_field="customer")
      for model in (Order, SalesReturn, Receipt, CustomerMonth, CreditFile, DunningAction,
                    PaymentPromise, ArrearsEscalation)),
    *(Scope(model, ScopeMode.OWNER_UNIT, owner_field="manager_id", unit_field="unit_id",
            clearance_field="secret_level") for model in (ManagerMonth, ProductMonth)),
    *(Scope(model, ScopeMode.OWNER_UNIT, owner_field="manager_id", unit_field="unit_id")
      for model in (ManagerCost, SalesTarget, SalesReport, BonusLine)),
)


def credited_to_visible(queryset, user, prefix: str = ""):
    """The documents of `queryset` (reached through the lookup `prefix`: "order__" from an order
    line) as the figures count them for `user`: by the manager and unit each was credited to and
    the customer's secret level then, exactly the scope of `ManagerMonth` — so a dashboard's
    drill-down rows add up to the figure they come from (a customer handed over since keeps
    its earlier documents with the manager they were credited to, as the figures do)."""
    return queryset.filter(scope_filter(registered_scope(ManagerMonth), user, prefix))
