"""Who reads the sales ledger (core.registry.scopes, registered in apps.ready).

The documents are the customer's: seen exactly when the customer is, whoever manages it now.
The figures are the manager's: a manager's month is seen by those whose scope holds the
manager or the manager's unit then, for the customers' secret levels they are cleared for."""

from django.db.models import Q

from qiao.core.registry import Scope, ScopeMode
from qiao.org.scope import registered_scope, scope_filter, scope_q, sees_everything

from .models import (
    AnnualTarget,
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
    SalesPlan,
    SalesReport,
    SalesReturn,
    SalesTarget,
)


def annual_targets(queryset, user):
    """An annual target is seen by those whose scope holds its manager or its unit, and by the
    head of its unit (a supervisor sees the target of the team they split)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if sees_everything(user):
        return queryset
    return queryset.filter(scope_q(user, owner_field="manager_id", unit_field="unit_id")
                           | Q(manager__isnull=True, unit__manager_id=user.pk))


SCOPES = (
    Scope(AnnualTarget, ScopeMode.CUSTOM, custom=annual_targets),
    *(Scope(model, ScopeMode.VIA_CUSTOMER, customer_field="customer")
      for model in (Order, SalesReturn, Receipt, CustomerMonth, CreditFile, DunningAction,
                    PaymentPromise, ArrearsEscalation)),
    *(Scope(model, ScopeMode.OWNER_UNIT, owner_field="manager_id", unit_field="unit_id",
            clearance_field="secret_level") for model in (ManagerMonth, ProductMonth)),
    *(Scope(model, ScopeMode.OWNER_UNIT, owner_field="manager_id", unit_field="unit_id")
      for model in (ManagerCost, SalesTarget, SalesReport, SalesPlan, BonusLine)),
)


def credited_to_visible(queryset, user, prefix: str = ""):
    """The documents of `queryset` (reached through the lookup `prefix`: "order__" from an order
    line) as the figures count them for `user`: by the manager and unit each was credited to and
    the customer's secret level then, exactly the scope of `ManagerMonth` — so a dashboard's
    drill-down rows add up to the figure they come from (a customer handed over since keeps
    its earlier documents with the manager they were credited to, as the figures do)."""
    return queryset.filter(scope_filter(registered_scope(ManagerMonth), user, prefix))
