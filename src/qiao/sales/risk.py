"""The sales ledger's at-risk rules (CUS-9, `core.registry.risk_rules`, registered in
SalesConfig.ready): a debt overdue longer than `overdue_days`, and orders falling by
`order_drop_percent` or more against the same three months of last year."""

from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.registry import RiskRule
from qiao.customers.selectors import risk_threshold as threshold

from . import selectors
from .models import CustomerMonth

ZERO = Decimal("0.00")


def overdue_long(customers, today) -> dict:
    """Part of the receivable overdue more than `overdue_days` days (four queries)."""
    days = threshold("overdue_days")
    owing = (CustomerMonth.objects.filter(customer_id__in=customers).values("customer_id")
             .annotate(balance=Sum(F("net_sales") - F("collections"))).filter(balance__gt=0)
             .values("customer_id"))
    files = selectors.latest_credit_files(owing)
    ageing = selectors.ageing_of(owing, files, today)
    return {pk: _("%(amount)s overdue, the oldest for %(days)s days") % {
        "amount": f"¥{row['overdue']:,.2f}", "days": row["oldest_days"]}
        for pk, row in ageing.items() if row["oldest_days"] > days}


def _sum(condition):
    return Coalesce(Sum("net_sales", filter=condition), Value(ZERO),
                    output_field=DecimalField(max_digits=18, decimal_places=2))


def orders_falling(customers, today) -> dict:
    """Net sales of the last three complete months down by `order_drop_percent` % or more
    against the same three months a year before (one query)."""
    drop = Decimal(threshold("order_drop_percent"))
    end = today.replace(day=1)  # this month, not complete, is left out
    start = selectors._shift(end, -3)
    before_start, before_end = selectors._shift(start, -12), selectors._shift(end, -12)
    rows = (CustomerMonth.objects.filter(customer_id__in=customers)
            .filter(Q(month__gte=start, month__lt=end)
                    | Q(month__gte=before_start, month__lt=before_end))
            .values("customer_id")
            .annotate(now=_sum(Q(month__gte=start)), before=_sum(Q(month__lt=before_end))))
    flagged = {}
    for row in rows:
        before, now = selectors._cents(row["before"]), selectors._cents(row["now"])
        if before > 0 and (before - now) * 100 >= drop * before:
            flagged[row["customer_id"]] = _(
                "Net sales %(now)s in the last three months against %(before)s a year before "
                "(−%(percent)s%%)") % {"now": f"¥{now:,.2f}", "before": f"¥{before:,.2f}",
                                      "percent": selectors.percent(before - now, before)}
    return flagged


RULES = (
    RiskRule("overdue", gettext_lazy("Receivables long overdue"), overdue_long, order=10),
    RiskRule("falling", gettext_lazy("Orders falling"), orders_falling, order=20),
)
