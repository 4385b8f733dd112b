"""The sales pages in the users' language: posting through the forms, the order's steps, the
statistics with their Excel files and print layouts (logged), the customer's tab, and query
counts that do not grow with the ledger."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qiao.audit.models import OperationLog
from qiao.sales.models import CreditFile, ManagerCost, Order, Receipt, SalesReturn, SalesTarget

from .factories import make_order, make_product

pytestmark = pytest.mark.django_db
D = Decimal


def _today():
    return timezone.localdate()


def test_an_account_manager_posts_an_order_through_the_form(personas):
    client, customer = personas.client("am01"), personas.customers["am01"][0]
    p1, p2 = make_product("P1", "100.00", "60.00"), make_product("P2", "50.00", "30.00")
    page = client.get(reverse("sales:order_new"), {"customer": customer.pk})
    assert page.status_code == 200 and "录入订单" in page.content.decode()
    data = {"customer": customer.pk, "ordered_on": _today().isoformat(), "channel": "phone",
            "discount": "10", "commission": "0", "note": "月初补货",
            "lines-TOTAL_FORMS": "6", "lines-INITIAL_FORMS": "0",
            "lines-0-product": p1.pk, "lines-0-quantity": "3",
            "lines-1-product": p2.pk, "lines-1-quantity": "2", "lines-1-price": "45"}
    response = client.post(reverse("sales:order_new"), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sales:order",
                                                                            args=[order.pk])
    assert (order.amount, order.discount, order.channel) == (D("390.00"), D("10.00"), "phone")
    assert [(line.quantity, line.price) for line in order.lines.order_by("id")] == [
        (3, D("100.00")), (2, D("45.00"))]
    detail = client.get(response["Location"]).content.decode()
    assert order.number in detail and "通信订货" in detail and "送货前作废" in detail


def test_an_order_form_without_lines_or_with_a_bad_quantity_is_refused(personas):
    client, customer = personas.client("am01"), personas.customers["am01"][0]
    product = make_product()
    base = {"customer": customer.pk, "ordered_on": _today().isoformat(), "channel": "visit",
            "discount": "0", "commission": "0", "lines-TOTAL_FORMS": "6",
            "lines-INITIAL_FORMS": "0"}
    empty = client.post(reverse("sales:order_new"), base)
    assert empty.status_code == 400 and "订单至少需要一行产品明细" in empty.content.decode()
    negative = client.post(reverse("sales:order_new"), {
        **base, "lines-0-product": product.pk, "lines-0-quantity": "-2"})
    assert negative.status_code == 400
    no_product = client.post(reverse("sales:order_new"), {**base, "lines-0-quantity": "2"})
    assert no_product.status_code == 400 and "请选择产品" in no_product.content.decode()
    theirs = client.post(reverse("sales:order_new"), {
        **base, "customer": personas.customers["am02"][0].pk, "lines-0-product": product.pk,
        "lines-0-quantity": "1"})
    assert theirs.status_code == 400
    assert Order.objects.count() == 0


def test_the_order_steps_deliver_return_and_cancel(personas):
    client, customer = personas.client("am01"), personas.customers["am01"][0]
    order = make_order(personas["am01"], customer)
    delivered = client.post(reverse("sales:order_deliver", args=[order.pk]),
                            {"delivered_on": _today().isoformat()})
    assert delivered.status_code == 302
    line = order.lines.get()
    too_many = client.post(reverse("sales:order_return", args=[order.pk]), {
        "line": line.pk, "quantity": "11", "reason": "quality",
        "returned_on": _today().isoformat()})
    assert too_many.status_code == 400 and "最多还能退 10" in too_many.content.decode()
    returned = client.post(reverse("sales:order_return", args=[order.pk]), {
        "line": line.pk, "quantity": "2", "reason": "quality",
        "returned_on": _today().isoformat()})
    assert returned.status_code == 302
    assert SalesReturn.objects.get().amount == D("200.00")
    page = client.get(reverse("sales:order", args=[order.pk])).content.decode()
    assert "品质" in page and "已送货" in page
    other = make_order(personas["am01"], customer)
    cancelled = client.post(reverse("sales:order_cancel", args=[other.pk]),
                            {"cancelled_on": _today().isoformat(), "reason": "客户取消"})
    assert cancelled.status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_receipts_and_their_reversal_through_the_pages(personas):
    customer = personas.customers["am01"][0]
    am01, sup1 = personas.client("am01"), personas.client("sup1")
    order = make_order(personas["am01"], customer, delivered_on=_today())
    bad = am01.post(reverse("sales:receipt_new"), {
        "customer": customer.pk, "received_on": _today().isoformat(), "method": "note",
        "amount": "500"})
    assert bad.status_code == 400 and "期票需要填写到期日" in bad.content.decode()
    posted = am01.post(reverse("sales:receipt_new"), {
        "customer": customer.pk, "received_on": _today().isoformat(), "method": "note",
        "amount": "¥500.00", "note_due": (_today() + timedelta(days=30)).isoformat(),
        "order": order.pk})
    assert posted.status_code == 302
    receipt = Receipt.objects.get()
    assert receipt.note_interest == D("1.79")  # 500 × 4.35 % × 30 / 365, 30 days early
    assert am01.get(reverse("sales:receipt_reverse", args=[receipt.pk])).status_code == 404
    assert sup1.post(reverse("sales:receipt_reverse", args=[receipt.pk]),
                     {"reason": ""}).status_code == 400
    assert sup1.post(reverse("sales:receipt_reverse", args=[receipt.pk]),
                     {"reason": "客户退票"}).status_code == 302
    assert Receipt.objects.filter(reverses=receipt).get().amount == D("-500.00")


def test_the_credit_investigation_form_starts_from_the_last_one(personas):
    client, customer = personas.client("am01"), personas.customers["am01"][0]
    url = reverse("sales:credit_new", args=[customer.pk])
    assert "客户信用调查表" in client.get(url).content.decode()
    data = {"investigated_on": _today().isoformat(), "rating": "B", "score": "78",
            "terms": "credit", "credit_limit": "50000", "term_days": "30",
            "payment_attitude": "prompt", "bank_credit": "good", "premises": "busy",
            "owner_character": "稳重守信"}
    assert client.post(url, {**data, "score": "101"}).status_code == 400
    assert client.post(url, data).status_code == 302
    again = client.get(url).content.decode()
    assert "稳重守信" in again and 'value="50000.00"' in again
    assert CreditFile.objects.get().investigator == personas["am01"]
    tab = client.get(reverse("customers:detail_tab", args=[customer.pk, "sales"])).content.decode()
    assert "¥50,000.00" in tab and "B：良" in tab


def test_a_supervisor_sets_the_months_targets_and_records_costs(personas):
    client = personas.client("sup1")
    month = _today().replace(day=1)
    page = client.get(reverse("sales:targets"), {"month": f"{month:%Y-%m}"}).content.decode()
    assert str(personas["am01"]) in page and str(personas["am05"]) not in page
    prefix = f"m{personas['am01'].pk}-amount"
    assert client.post(f"{reverse('sales:targets')}?month={month:%Y-%m}",
                       {prefix: "-5"}).status_code == 400
    assert client.post(f"{reverse('sales:targets')}?month={month:%Y-%m}",
                       {prefix: "120000"}).status_code == 302
    assert SalesTarget.objects.get().amount == D("120000.00")
    assert client.post(reverse("sales:cost_new"), {
        "manager": personas["am05"].pk, "month": f"{month:%Y-%m}", "kind": "fuel",
        "amount": "300"}).status_code == 400  # not in sup1's scope
    assert client.post(reverse("sales:cost_new"), {
        "manager": personas["am01"].pk, "month": "0001-01", "kind": "fuel",
        "amount": "300"}).status_code == 400
    assert client.post(reverse("sales:cost_new"), {
        "manager": personas["am01"].pk, "month": f"{month:%Y-%m}", "kind": "fuel",
        "amount": "300"}).status_code == 302
    assert ManagerCost.objects.get().amount == D("300.00")


@pytest.fixture
def some_sales(personas):
    product = make_product()
    for username in ("am01", "am02"):
        for customer in personas.customers[username]:
            make_order(personas[username], customer, lines=[(product, 5)])


def test_the_statistics_pages_files_and_print_layouts(personas, some_sales):
    client = personas.client("sup1")
    month = f"{_today():%Y-%m}"
    page = client.get(reverse("sales:monthly"), {"month": month}).content.decode()
    assert "月度销售实绩统计表" in page and "¥1,000.00" in page  # am01: 2 × 5 × ¥100
    assert page.count('data-testid="performance-row"') == 2
    file = client.get(reverse("sales:monthly"), {"month": month, "format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(file.streaming_content)), read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "月度销售实绩统计表" in cells and 2000 in cells  # the total
    assert f"筛选条件：月份: {month}" in cells
    printed = client.get(reverse("sales:monthly"), {"month": month, "print": "1"})
    assert "审核" in printed.content.decode()
    kinds = list(OperationLog.objects.values_list("action", flat=True))
    assert "export" in kinds and "print" in kinds
    for name in ("sales:groups", "sales:seasonal", "sales:arrears"):
        assert client.get(reverse(name)).status_code == 200
        assert client.get(reverse(name), {"format": "xlsx"}).status_code == 200
    assert client.get(reverse("sales:monthly"), {"month": "0001-13"}).status_code == 200


def test_the_sales_page_and_the_desk_show_the_month(personas, some_sales):
    client = personas.client("am01")
    month = f"{_today():%Y-%m}"
    page = client.get(reverse("sales:home"), {"month": month}).content.decode()
    assert "销售业绩" in page and "¥1,000.00" in page
    desk = client.get(reverse("home")).content.decode()
    assert "本月销售业绩" in desk and "本月前三名" in desk


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_ledger(personas):
    client = personas.client("sup1")
    product = make_product()
    urls = [(reverse("sales:home"), None), (reverse("sales:monthly"), None),
            (reverse("sales:groups"), None), (reverse("sales:seasonal"), None),
            (reverse("sales:orders"), None), (reverse("sales:arrears"), None),
            (reverse("customers:detail_tab", args=[personas.customers["am01"][0].pk, "sales"]),
             None)]
    make_order(personas["am01"], personas.customers["am01"][0], lines=[(product, 1)])
    for url, params in urls:  # the session's and the caches' first queries
        client.get(url, params or {})
    before = [_queries(client, url, params) for url, params in urls]
    for username in ("am01", "am02"):
        for customer in personas.customers[username]:
            for _ in range(3):
                make_order(personas[username], customer, lines=[(product, 2)],
                           delivered_on=_today())
    assert [_queries(client, url, params) for url, params in urls] == before
