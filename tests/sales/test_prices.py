"""Price lists (价目表, SPEC SAL-1): which list prices a line (the customer's grade and the
order channel before the general list, quantity breaks, the days in force, the product's list
price as fallback), order lines priced from them on the form, the API and in a batch, the
pages in zh-Hans with their permissions and the refusals of bad lists."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qiao.audit.models import OperationLog
from qiao.sales import selectors, services
from qiao.sales.models import Order, PriceList, PriceListLine

from .factories import grade_customers, make_order, make_price_list, make_product

pytestmark = pytest.mark.django_db
D = Decimal


def _today():
    return timezone.localdate()


@pytest.fixture
def graded(personas):
    return grade_customers(personas)


# --- resolution ------------------------------------------------------------------------------

def test_without_a_list_the_products_own_price_holds(personas):
    product = make_product("P1", "100.00")
    assert selectors.price_for(personas.customers["am01"][0], product, _today()) == D("100.00")


def test_the_grades_list_beats_the_general_one_and_quantity_breaks_apply(graded):
    first, other, top = graded
    p1, p2 = make_product("P1", "100.00"), make_product("P2", "50.00")
    make_price_list("通用", [(p1, "98.00", 1), (p1, "95.00", 50), (p2, "48.00", 1)])
    make_price_list("一级", [(p1, "94.00", 1), (p1, "90.00", 20)], grade=top)
    today = _today()
    assert selectors.price_for(first, p1, today, 1) == D("94.00")
    assert selectors.price_for(first, p1, today, 19) == D("94.00")
    assert selectors.price_for(first, p1, today, 20) == D("90.00")
    assert selectors.price_for(first, p1, today, 500) == D("90.00")  # the grade's list wins
    assert selectors.price_for(first, p2, today) == D("48.00")  # not on it: the general list
    assert selectors.price_for(other, p1, today, 49) == D("98.00")
    assert selectors.price_for(other, p1, today, 50) == D("95.00")


def test_a_channels_list_applies_to_its_channel_only(graded):
    first, _other, _top = graded
    p1 = make_product("P1", "100.00")
    make_price_list("通用", [(p1, "98.00", 1)])
    make_price_list("通信订货", [(p1, "97.00", 1)], channel="phone")
    assert selectors.price_for(first, p1, _today(), channel="phone") == D("97.00")
    assert selectors.price_for(first, p1, _today(), channel="visit") == D("98.00")


def test_only_lists_in_force_and_in_use_price_and_the_later_start_wins(graded):
    first, _other, _top = graded
    p1 = make_product("P1", "100.00")
    today = _today()
    make_price_list("去年", [(p1, "90.00", 1)], valid_from=today - timedelta(days=400),
               until=today - timedelta(days=40))
    make_price_list("停用", [(p1, "80.00", 1)], active=False)
    make_price_list("下月", [(p1, "85.00", 1)], valid_from=today + timedelta(days=10))
    assert selectors.price_for(first, p1, today) == D("100.00")
    assert selectors.price_for(first, p1, today - timedelta(days=40)) == D("90.00")
    assert selectors.price_for(first, p1, today + timedelta(days=10)) == D("85.00")
    # Two general lists in force on one day (made around the services' check): the later wins.
    make_price_list("春季", [(p1, "96.00", 1)], valid_from=today - timedelta(days=5))
    make_price_list("年度", [(p1, "99.00", 1)], valid_from=today - timedelta(days=300))
    assert selectors.price_for(first, p1, today) == D("96.00")


def test_prices_of_many_products_take_one_query(graded, django_assert_num_queries):
    first, _other, top = graded
    products = [make_product(f"P{i}", f"{100 + i}.00") for i in range(30)]
    make_price_list("通用", [(product, "90.00", 1) for product in products[:20]])
    make_price_list("一级", [(product, "80.00", 1) for product in products[:10]], grade=top)
    with django_assert_num_queries(1):
        prices = selectors.prices_for(first, products, _today())
    assert [prices[p.pk] for p in products] == [D("80.00")] * 10 + [D("90.00")] * 10 + [
        D(f"{100 + i}.00") for i in range(20, 30)]


# --- orders priced from the lists ------------------------------------------------------------

def test_a_blank_price_takes_the_list_and_a_lower_one_shows_its_discount(personas, graded):
    first, _other, top = graded
    p1, p2 = make_product("P1", "100.00"), make_product("P2", "50.00")
    make_price_list("一级", [(p1, "94.00", 1), (p2, "48.00", 1)], grade=top)
    order = services.order_post(actor=personas["am01"], customer=first, ordered_on=_today(),
                                channel="visit", lines=[(p1, 10, None), (p2, 4, D("45.00"))])
    lines = list(order.lines.order_by("id"))
    assert [(line.price, line.list_price, line.amount) for line in lines] == [
        (D("94.00"), D("94.00"), D("940.00")), (D("45.00"), D("48.00"), D("180.00"))]
    assert [line.list_discount for line in lines] == [0, D("12.00")]
    assert order.amount == D("1120.00") and order.net_amount == D("1120.00")  # as ever
    page = personas.client("am01").get(reverse("sales:order", args=[order.pk]))
    assert "价目表价 ¥48.00，低 ¥12.00" in page.content.decode()


def test_the_order_form_fills_a_blank_price_from_the_list(personas, graded):
    first, _other, top = graded
    p1 = make_product("P1", "100.00")
    make_price_list("一级", [(p1, "94.00", 1)], grade=top)
    client = personas.client("am01")
    response = client.post(reverse("sales:order_new"), {
        "customer": first.pk, "ordered_on": _today().isoformat(), "channel": "visit",
        "discount": "0", "commission": "0", "lines-TOTAL_FORMS": "6",
        "lines-INITIAL_FORMS": "0", "lines-0-product": p1.pk, "lines-0-quantity": "3"})
    assert response.status_code == 302
    assert Order.objects.get().lines.get().price == D("94.00")


def test_the_order_forms_lookup_gives_the_customers_prices(personas, graded):
    first, other, top = graded
    p1, p2 = make_product("P1", "100.00"), make_product("P2", "50.00")
    make_price_list("一级", [(p1, "94.00", 1)], grade=top)
    client = personas.client("am01")
    url = reverse("sales:order_prices")
    mine = client.get(url, {"customer": first.pk, "ordered_on": _today().isoformat(),
                            "channel": "visit"}).json()["prices"]
    assert mine == {str(p1.pk): "94.00", str(p2.pk): "50.00"}
    assert client.get(url, {"customer": other.pk}).json()["prices"][str(p1.pk)] == "100.00"
    theirs = client.get(url, {"customer": personas.customers["am02"][0].pk})
    assert theirs.status_code == 404
    assert client.get(url, {"customer": first.pk, "ordered_on": "0001-01-01"}).status_code == 400
    assert client.get(url).json() == {"prices": {}}
    page = client.get(reverse("sales:order_new")).content.decode()
    assert 'data-prices-url="/sales/orders/prices/"' in page and "order-prices.js" in page


def test_orders_posted_before_a_list_keep_their_prices(personas, graded):
    first, _other, top = graded
    p1 = make_product("P1", "100.00")
    order = make_order(personas["am01"], first, lines=[(p1, 2)])
    make_price_list("一级", [(p1, "94.00", 1)], grade=top)
    assert order.lines.get().price == D("100.00") and Order.objects.get().amount == D("200.00")


# --- the pages -------------------------------------------------------------------------------

def _form(product, **changes):
    data = {"name": "2026年通用价目表", "valid_from": _today().isoformat(), "valid_to": "",
            "grade": "", "channel": "", "active": "on", "note": "年初定价",
            "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk, "lines-0-price": "98.00",
            "lines-0-min_quantity": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_supervisor_creates_and_edits_a_list_in_zh_hans(personas):
    p1 = make_product("P1", "100.00")
    client = personas.client("sup1")
    blank = client.get(reverse("sales:price_list_new")).content.decode()
    assert "新建价目表" in blank and "起始数量" in blank and "生效日期" in blank
    response = client.post(reverse("sales:price_list_new"), _form(
        p1, **{"lines-1-product": p1.pk, "lines-1-price": "95.00",
               "lines-1-min_quantity": "50"}))
    made = PriceList.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:price_list", args=[made.pk])
    assert sorted(made.lines.values_list("min_quantity", "price")) == [
        (1, D("98.00")), (50, D("95.00"))]
    page = client.get(response["Location"]).content.decode()
    assert "2026年通用价目表" in page and "¥95.00" in page and "编辑" in page
    edit_url = reverse("sales:price_list_edit", args=[made.pk])
    edit = client.get(edit_url).content.decode()
    assert "2026年通用价目表" in edit and 'value="95.00"' in edit
    changed = client.post(edit_url, _form(
        p1, **{"lines-INITIAL_FORMS": "0", "lines-0-price": "97.50"}))
    assert changed.status_code == 302
    assert list(made.lines.values_list("price", flat=True)) == [D("97.50")]
    listing = client.get(reverse("sales:price_lists")).content.decode()
    assert "价目表" in listing and "2026年通用价目表" in listing and "¥97.50" in listing


def test_an_account_manager_reads_prices_but_does_not_edit_lists(personas):
    p1 = make_product("P1", "100.00")
    made = make_price_list("通用", [(p1, "98.00", 1)])
    client = personas.client("am01")
    listing = client.get(reverse("sales:price_lists")).content.decode()
    assert "通用" in listing and "¥98.00" in listing and "新建价目表" not in listing
    page = client.get(reverse("sales:price_list", args=[made.pk]))
    assert page.status_code == 200 and "price-list-form" not in page.content.decode()
    assert "price-list-lines" in page.content.decode()
    assert "edit-price-list" not in page.content.decode()
    edit_url = reverse("sales:price_list_edit", args=[made.pk])
    assert client.get(edit_url).status_code == 404
    assert client.post(edit_url, _form(p1, **{"lines-0-price": "1.00"})).status_code == 404
    assert client.get(reverse("sales:price_list_new")).status_code == 404
    assert made.lines.get().price == D("98.00")
    assert personas.client("agent01").get(reverse("sales:price_lists")).status_code == 404


def test_a_list_exports_to_excel_and_is_logged(personas):
    p1 = make_product("P1", "100.00")
    made = make_price_list("通用", [(p1, "98.00", 1), (p1, "95.00", 50)])
    response = personas.client("am01").get(reverse("sales:price_list_export", args=[made.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "P1" in values and 95 in values and 98 in values
    assert OperationLog.objects.filter(action="export").exists()


# --- bad lists -------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"lines-0-price": "0"}, "0.01"),
    ({"lines-0-price": "-5"}, "0.01"),
    ({"lines-0-price": "99999999999999"}, ""),
    ({"lines-0-min_quantity": "0"}, ""),
    ({"valid_from": "0001-01-01"}, "日期"),
    ({"valid_to": "2000-01-01"}, "失效日期不早于生效日期"),
    ({"lines-0-product": None, "lines-0-price": None}, "至少需要一行"),
    ({"lines-1-product": "P1", "lines-1-price": "90.00", "lines-1-min_quantity": "1"},
     "定了两次价"),
    ({"lines-0-product": "OFF"}, "已停售"),
    ({"name": "\u200b"}, ""),
])
def test_bad_lists_are_refused_with_nothing_written(personas, changes, message):
    p1 = make_product("P1", "100.00")
    off = make_product("OFF", "10.00")
    off.active = False
    off.save()
    ids = {"P1": p1.pk, "OFF": off.pk}
    changes = {k: ids.get(v, v) for k, v in changes.items()}
    response = personas.client("sup1").post(reverse("sales:price_list_new"), _form(p1, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PriceList.objects.exists() and not PriceListLine.objects.exists()


def test_overlapping_lists_of_one_grade_and_channel_are_refused(personas):
    p1 = make_product("P1", "100.00")
    top = personas.grades[0]
    sup1 = personas["sup1"]

    def save(name, start, end=None, grade=None, channel=""):
        return services.price_list_save(actor=sup1, price_list=None, data={
            "name": name, "valid_from": start, "valid_to": end, "grade": grade,
            "channel": channel, "active": True, "note": ""},
            lines=[{"product": p1, "price": D("95.00"), "min_quantity": 1}])

    save("上半年", date(2026, 1, 1), date(2026, 6, 30))
    save("下半年", date(2026, 7, 1))  # after it: fine
    save("一级", date(2026, 3, 1), grade=top)  # another grade: fine
    save("拜访", date(2026, 3, 1), channel="visit")  # another channel: fine
    with pytest.raises(services.ValidationError, match="上半年"):
        save("春季", date(2026, 3, 1), date(2026, 3, 31))
    with pytest.raises(services.ValidationError, match="下半年"):
        save("明年", date(2027, 1, 1))
    with pytest.raises(services.ValidationError, match="一级"):
        save("一级春季", date(2026, 4, 1), date(2026, 4, 30), grade=top)
    assert PriceList.objects.count() == 4
    with pytest.raises(services.PermissionDenied):
        services.price_list_save(actor=personas["am01"], price_list=None, data={}, lines=[])
