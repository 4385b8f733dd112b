"""The sales statistics of the report centre (seed 001 第21条), registered in SalesConfig.ready."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ReportDef

from .actions import SALES_VIEW

GROUP = _("Sales statistics")

MONTHLY = ReportDef(
    "sales_monthly", _("Monthly sales performance statistics table"), "sales:monthly",
    (SALES_VIEW,), GROUP, order=200, icon="bi-table", short_label=_("Monthly sales"),
    description=_("Each account manager's month: orders by channel and customer, returns by "
                  "reason, cancellations, discounts, net sales against the target, collections "
                  "and receivables."))
GROUPS = ReportDef(
    "sales_groups", _("Monthly group sales performance statistics table"), "sales:groups",
    (SALES_VIEW,), GROUP, order=210, icon="bi-people", short_label=_("Monthly group sales"),
    description=_("The same figures by team and region."))
SEASONAL = ReportDef(
    "sales_seasonal", _("Sales seasonal variation index table"), "sales:seasonal",
    (SALES_VIEW,), GROUP, order=250, icon="bi-calendar3", short_label=_("Seasonal index"),
    description=_("Net sales of each calendar month over two years or more, and each month's "
                  "index against the average month."))
COLLECTION = ReportDef(
    "sales_collection", _("Customer payment collection analysis table"), "sales:arrears",
    (SALES_VIEW,), GROUP, order=260, icon="bi-cash-stack", short_label=_("Payment collection"),
    description=_("Customers who owe money, by how long it is overdue, with their credit limit."))

REPORTS = (MONTHLY, GROUPS, SEASONAL, COLLECTION)
