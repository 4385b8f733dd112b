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

ANNUAL = ReportDef(
    "sales_annual", _("Annual business performance and cost assessment table"), "sales:annual",
    (SALES_VIEW,), GROUP, order=220, icon="bi-clipboard-data",
    short_label=_("Annual performance and costs"),
    description=_("Each account manager's year: net sales against the targets, gross margin, "
                  "every cost item, the costs against the sales and the net profit."))
PRODUCTS = ReportDef(
    "sales_products", _("Product composition analysis table"), "sales:products",
    (SALES_VIEW,), GROUP, order=230, icon="bi-pie-chart", short_label=_("Product composition"),
    description=_("Each product's quantity, net sales and share, gross margin and margin rate, "
                  "for a month or the year to it."))
COSTS = ReportDef(
    "sales_costs", _("Sales management cost breakdown table"), "sales:costs",
    (SALES_VIEW,), GROUP, order=255, icon="bi-receipt", short_label=_("Cost breakdown"),
    description=_("The costs by item of each account manager or unit, with each item's share."))
PROFIT = ReportDef(
    "sales_profit", _("Sales total profit increase and decrease analysis table"), "sales:profit",
    (SALES_VIEW,), GROUP, order=270, icon="bi-graph-up", short_label=_("Profit change"),
    description=_("The month against the same month last year or last month: net sales, gross "
                  "margin, costs and net profit, the change taken apart into its effects."))
COMPARISON = ReportDef(
    "sales_comparison", _("Personal performance comparison table"), "sales:comparison",
    (SALES_VIEW,), GROUP, order=280, icon="bi-person-lines-fill",
    short_label=_("Personal comparison"),
    description=_("Each account manager's net sales of the month against last month and the "
                  "same month last year."))
CUSTOMER_COMPARISON = ReportDef(
    "sales_customer_comparison", _("Customer performance comparison table"),
    "sales:customer_comparison", (SALES_VIEW,), GROUP, order=281, icon="bi-building",
    short_label=_("Customer comparison"),
    description=_("Each customer's net sales of the month against last month and the same "
                  "month last year."))
CUMULATIVE = ReportDef(
    "sales_cumulative", _("Personal monthly cumulative performance comparison table"),
    "sales:cumulative", (SALES_VIEW,), GROUP, order=282, icon="bi-bar-chart-steps",
    short_label=_("Personal cumulative"),
    description=_("Each account manager's net sales added up month by month this year, against "
                  "the same months last year."))
CUSTOMER_CUMULATIVE = ReportDef(
    "sales_customer_cumulative", _("Customer cumulative performance comparison table"),
    "sales:customer_cumulative", (SALES_VIEW,), GROUP, order=283, icon="bi-bar-chart-line",
    short_label=_("Customer cumulative"),
    description=_("Each customer's net sales added up month by month this year, against the "
                  "same months last year."))
INDUSTRY_GROWTH = ReportDef(
    "sales_industry_growth", _("Sales growth by industry table"), "sales:industry_growth",
    (SALES_VIEW,), GROUP, order=290, icon="bi-buildings", short_label=_("Growth by industry"),
    description=_("Net sales by the customers' industry this year against last year, and the "
                  "growth rate."))
PRODUCT_GROWTH = ReportDef(
    "sales_product_growth", _("Product sales growth table"), "sales:product_growth",
    (SALES_VIEW,), GROUP, order=291, icon="bi-box-seam", short_label=_("Growth by product"),
    description=_("Net sales of each product this year against last year, and the growth "
                  "rate."))

REPORTS = (MONTHLY, GROUPS, ANNUAL, PRODUCTS, SEASONAL, COSTS, COLLECTION, PROFIT, COMPARISON,
           CUSTOMER_COMPARISON, CUMULATIVE, CUSTOMER_CUMULATIVE, INDUSTRY_GROWTH, PRODUCT_GROWTH)
