"""Who reads the sales ledger (core.registry.scopes, registered in apps.ready).

The documents are the customer's: seen exactly when the customer is, whoever manages it now.
The figures are the manager's: a manager's month is seen by those whose scope holds the
manager or the manager's unit then, for the customers' secret levels they are cleared for."""

from qiao.core.registry import Scope, ScopeMode

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
