"""The benchmark's sales ledger (tests/perf/sales_data.py) must be one the services could have
posted: returns only of delivered lines and within them, receipts after delivery, cancellations
before it, new customers only on their first order; and the fact tables rebuilt from it must
hold the documents' sums."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from qiao.sales import selectors
from qiao.sales.models import (
    CustomerMonth,
    ManagerCost,
    ManagerMonth,
    Order,
    OrderLine,
    OrderStatus,
    Receipt,
    SalesReturn,
    SalesTarget,
)
from tests.perf import sales_data

pytestmark = pytest.mark.django_db
TOTAL = 3_000


@pytest.fixture
def generated(personas):
    rows = sales_data.generate(seed=7, total=TOTAL)
    facts = sales_data.rebuild_timed()
    return rows, facts


def _sum(queryset, field):
    return queryset.aggregate(total=Sum(field))["total"] or Decimal(0)


def test_a_ledger_the_services_could_have_posted(generated):
    rows, _facts = generated
    today = timezone.localdate()
    assert rows["order_lines"] == OrderLine.objects.count()
    assert abs(rows["order_lines"] - TOTAL) < TOTAL * 0.2
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == {OrderStatus.POSTED, OrderStatus.DELIVERED, OrderStatus.CANCELLED}
    first = Order.objects.order_by("ordered_on").first()
    assert first.ordered_on <= today.replace(year=today.year - 2, month=1, day=31)
    for order in Order.objects.filter(status=OrderStatus.CANCELLED)[:50]:
        assert order.delivered_on is None and order.ordered_on <= order.cancelled_on <= today
        assert order.amount == _sum(order.lines.all(), "amount")
    assert SalesReturn.objects.exists() and Receipt.objects.filter(method="note").exists()
    for sales_return in SalesReturn.objects.select_related("line__order"):
        order = sales_return.line.order
        assert order.status == OrderStatus.DELIVERED
        assert order.delivered_on <= sales_return.returned_on <= today
        assert sales_return.quantity == sales_return.line.returned <= sales_return.line.quantity
    for receipt in Receipt.objects.select_related("order")[:200]:
        assert receipt.order.delivered_on <= receipt.received_on <= today
    seen = set()
    for customer_id, kind, status in Order.objects.order_by("ordered_on", "id").values_list(
            "customer_id", "customer_kind", "status"):
        assert kind == ("fixed" if customer_id in seen else "new")
        if status != OrderStatus.CANCELLED:
            seen.add(customer_id)
    managers = Order.objects.values("manager_id").distinct().count()
    months = len(sales_data._months(today))
    assert SalesTarget.objects.count() == managers * months
    assert ManagerCost.objects.count() == managers * months * 7


def test_the_rebuilt_facts_hold_the_documents(generated):
    _rows, facts = generated
    assert facts["managers"] == ManagerMonth.objects.count() > 0
    assert facts["customers"] == CustomerMonth.objects.count() > 0
    assert _sum(ManagerMonth.objects, "orders") == _sum(Order.objects, "amount")
    assert _sum(ManagerMonth.objects, "collections") == _sum(Receipt.objects, "amount")
    returns = sum((_sum(ManagerMonth.objects, f) for f in selectors.RETURN_FIGURES), Decimal(0))
    assert returns == _sum(SalesReturn.objects, "amount")
    # Some customers owe and some of that is overdue: the arrears list has lines.
    last = timezone.localdate() - timedelta(days=1)
    assert _sum(CustomerMonth.objects.filter(month__lte=last), "net_sales") > _sum(
        CustomerMonth.objects, "collections")
