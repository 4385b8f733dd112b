"""The sales dashboard (销售看板, issue 14 item 8): every figure on a small ledger computed by
hand, each figure's drill-down rows adding up to it for the supervisor, the regional manager
and the director, random ledgers (C03, hypothesis) giving totals equal to the Decimal sum of
the rows the viewer may see, scope and clearance, and fixed query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiao.core.models import Clearance
from qiao.customers.models import Customer
from qiao.org.models import User
from qiao.sales import selectors, services

from ..factories import make_customer
from .factories import make_order, make_product

pytestmark = pytest.mark.django_db

NOV, OCT, YEAR_AGO = date(2026, 11, 1), date(2026, 10, 1), date(2025, 11, 1)
TODAY = date(2026, 12, 6)
D = Decimal


@pytest.fixture
def ledger(personas):
    """November 2026, by hand (P1 ¥100, cost ¥60; P2 ¥50, cost ¥30):
    am01 (region 1, team 1): A 11-03 10 × P1 = ¥1,000, discount ¥50 (net ¥950, cost ¥600),
      delivered 11-04; B 10-10 5 × P2 = ¥250 (cost ¥150) cancelled 11-05 (−¥250 in November);
      return 11-20 of 2 × P1 of A for quality: 200 − 50 × 200 / 1000 = ¥190 (cost ¥120 back);
      receipt 11-25 ¥300. Net sales 950 − 250 − 190 = ¥510, cost 600 − 150 − 120 = ¥330.
      A year before, 2025-11-10: 8 × P1 = ¥800 (cost ¥480), never paid.
      A secret customer's order 11-08 (posted by the director, credited to am01): 3 × P1 = ¥300,
      cost ¥180 — only the director (cleared for secret) counts it.
    am03 (region 1, team 2): C 11-12 4 × P1 = ¥400 (cost ¥240); receipt 11-28 ¥100 cash.
    am05 (region 2): D 11-15 2 × P2 = ¥100 (cost ¥60); receipt 11-16 ¥100.
    Targets of November: am01 ¥1,000, am03 ¥500, am05 ¥200."""
    users = personas.users
    am01, am03, am05 = users["am01"], users["am03"], users["am05"]
    c1, c3, c5 = (personas.customers[name][0] for name in ("am01", "am03", "am05"))
    p1, p2 = make_product("P1", "100.00", "60.00"), make_product("P2", "50.00", "30.00")
    a = make_order(am01, c1, lines=[(p1, 10)], ordered_on=date(2026, 11, 3),
                   discount=D("50.00"), delivered_on=date(2026, 11, 4))
    b = make_order(am01, c1, lines=[(p2, 5)], ordered_on=date(2026, 10, 10), channel="phone")
    services.order_cancel(actor=am01, order=b, cancelled_on=date(2026, 11, 5), reason="取消")
    services.return_post(actor=am01, line=a.lines.get(), quantity=2, reason="quality",
                         returned_on=date(2026, 11, 20))
    services.receipt_post(actor=am01, customer=c1, amount=D("300.00"), method="transfer",
                          received_on=date(2026, 11, 25))
    make_order(am01, c1, lines=[(p1, 8)], ordered_on=date(2025, 11, 10))
    secret = make_customer(am01, region=personas.org.regions[0])
    Customer.objects.filter(pk=secret.pk).update(secret_level=Clearance.SECRET)
    secret.refresh_from_db()
    make_order(users["director"], secret, lines=[(p1, 3)], ordered_on=date(2026, 11, 8))
    make_order(am03, c3, lines=[(p1, 4)], ordered_on=date(2026, 11, 12))
    services.receipt_post(actor=am03, customer=c3, amount=D("100.00"), method="cash",
                          received_on=date(2026, 11, 28))
    make_order(am05, c5, lines=[(p2, 2)], ordered_on=date(2026, 11, 15))
    services.receipt_post(actor=am05, customer=c5, amount=D("100.00"), method="cash",
                          received_on=date(2026, 11, 16))
    services.targets_set(actor=users["region1"], month=NOV,
                         amounts={am01: D("1000.00"), am03: D("500.00")})
    services.targets_set(actor=users["director"], month=NOV, amounts={am05: D("200.00")})
    return {"a": a, "b": b, "p1": p1, "p2": p2, "secret": secret}


def _kpis(board):
    figures = board["figures"]
    return {"net_sales": figures["net_sales"], "target": figures["target"],
            "completion": figures["completion"], "collections": figures["collections"],
            "receivable": figures["receivable"], "gross_margin": figures["gross_margin"],
            "margin_rate": figures["margin_rate"], "year_ago": board["year_ago"],
            "growth": board["growth"], "growth_rate": board["growth_rate"]}


def test_region_kpis_by_hand(personas, ledger):
    board = selectors.dashboard(personas["region1"], NOV, today=TODAY)
    # Receivable: am01 800 + 250 (B's October) + 510 − 300 = 1,260; am03 400 − 100 = 300.
    assert _kpis(board) == {
        "net_sales": D("910.00"), "target": D("1500.00"), "completion": D("60.7"),
        "collections": D("400.00"), "receivable": D("1560.00"), "gross_margin": D("340.00"),
        "margin_rate": D("37.4"), "year_ago": D("800.00"), "growth": D("110.00"),
        "growth_rate": D("13.8")}
    units = board["units"]
    assert units["base"] == personas["region1"].unit
    assert [(line["name"], line["net_sales"]) for line in units["lines"]] == [
        (personas["am01"].unit.name, D("510.00")), (personas["am03"].unit.name, D("400.00"))]
    assert units["rest"] == D("0.00")
    assert [(line["name"], line["net_sales"], line["quantity"]) for line in board["products"]] \
        == [("P1 产品P1", D("1160.00"), 12), ("P2 产品P2", D("-250.00"), -5)]
    managers = {line["key"]: (line["net_sales"], line["target"], line["completion"])
                for line in board["managers"]}
    assert managers == {personas["am01"].pk: (D("510.00"), D("1000.00"), D("51.0")),
                        personas["am03"].pk: (D("400.00"), D("500.00"), D("80.0"))}
    trend = {row["month"]: row["net_sales"] for row in board["trend"]}
    assert trend[NOV] == D("910.00") and trend[OCT] == D("250.00")
    assert trend[date(2025, 12, 1)] == D("0.00")


def test_director_counts_the_secret_customer_and_the_other_region(personas, ledger):
    board = selectors.dashboard(personas["director"], NOV, today=TODAY)
    assert _kpis(board) == {
        "net_sales": D("1310.00"), "target": D("1700.00"), "completion": D("77.1"),
        "collections": D("500.00"), "receivable": D("1860.00"), "gross_margin": D("500.00"),
        "margin_rate": D("38.2"), "year_ago": D("800.00"), "growth": D("510.00"),
        "growth_rate": D("63.8")}
    regions = {line["name"]: line["net_sales"] for line in board["units"]["lines"]}
    assert regions == {personas.org.regions[0].name: D("1210.00"),
                       personas.org.regions[1].name: D("100.00")}
    assert sum(regions.values(), board["units"]["rest"]) == D("1310.00")


def test_a_supervisors_sales_go_by_account_manager(personas, ledger):
    board = selectors.dashboard(personas["sup1"], NOV, today=TODAY)
    assert board["figures"]["net_sales"] == D("510.00")
    assert board["units"]["by"] == "manager"
    assert [(line["manager_id"], line["net_sales"]) for line in board["units"]["lines"]] == [
        (personas["am01"].pk, D("510.00"))]


def test_a_region_manager_never_sees_another_regions_numbers(personas, ledger):
    region1 = personas["region1"]
    assert selectors.movements(region1, NOV, manager=personas["am05"])["rows"] == []
    other = personas.org.regions[1]
    board = selectors.dashboard(region1, NOV, unit=other, today=TODAY)
    assert board["figures"]["net_sales"] == D("0.00")
    assert selectors.movements(region1, NOV, unit=other)["total"]["net_sales"] == D("0.00")
    assert personas["am05"].pk not in {line["key"] for line in
                                       selectors.dashboard(region1, NOV)["managers"]}
    # The unit filter offers only units of the region.
    assert set(selectors.dashboard_units(region1)) == set(
        type(other).objects.filter(path__startswith=region1.unit.path))


def test_secret_rows_are_left_out_of_the_drill_down_without_clearance(personas, ledger):
    secret = ledger["secret"]
    region_rows = selectors.movements(personas["region1"], NOV)["rows"]
    director_rows = selectors.movements(personas["director"], NOV)["rows"]
    assert secret.pk not in {row["customer"].pk for row in region_rows}
    assert secret.pk in {row["customer"].pk for row in director_rows}


def _drilled(user, month, **narrow):
    """{figure: the sum of its drill-down rows} for `user`."""
    moves = selectors.movements(user, month, **narrow)
    receipts = selectors.movements(user, month, figure="collections", **narrow)
    owed = selectors.receivable_rows(user, month, **narrow)
    return {"net_sales": sum((row["net_sales"] for row in moves["rows"]), D("0")),
            "gross_margin": sum((row["gross_margin"] for row in moves["rows"]), D("0")),
            "collections": sum((row["amount"] for row in receipts["rows"]), D("0")),
            "receivable": sum((row["receivable"] for row in owed["rows"]), D("0"))}


def _units_add_up(user, board):
    """Each bar of the sales by unit (or, below a team, by manager) is the sum of its rows."""
    units = board["units"]
    for line in units["lines"]:
        narrow = ({"unit": line["unit"]} if units["by"] == "unit"
                  else {"manager": User.objects.get(pk=line["manager_id"])})
        assert _drilled(user, NOV, **narrow)["net_sales"] == line["net_sales"]
    if units["by"] == "unit":
        assert _drilled(user, NOV, rest=True)["net_sales"] == units["rest"]
    assert units["total"] == board["figures"]["net_sales"]


def _figures_of(board):
    figures = board["figures"]
    return {name: figures[name] for name in ("net_sales", "gross_margin", "collections",
                                              "receivable")}


@pytest.mark.parametrize("username", ["am01", "sup1", "region1", "director"])
def test_every_kpis_rows_add_up_to_it(personas, ledger, username):
    user = personas[username]
    board = selectors.dashboard(user, NOV, today=TODAY)
    assert _drilled(user, NOV) == _figures_of(board)
    _units_add_up(user, board)
    for line in board["managers"]:
        manager = User.objects.get(pk=line["key"])
        assert _drilled(user, NOV, manager=manager)["net_sales"] == line["net_sales"]
    for line in board["products"]:
        product = ledger["p1"] if line["key"] == ledger["p1"].pk else ledger["p2"]
        rows = selectors.movements(user, NOV, product=product)["rows"]
        assert sum((row["net_sales"] for row in rows), D("0")) == line["net_sales"]
        assert sum(row["quantity"] for row in rows) == line["quantity"]
    year_ago = selectors.movements(user, YEAR_AGO)["total"]["net_sales"]
    assert year_ago == board["year_ago"]


def test_region_drill_down_rows_by_hand(personas, ledger):
    rows = selectors.movements(personas["region1"], NOV)["rows"]
    assert [(row["day"], row["kind"], row["net_sales"], row["marginal_cost"]) for row in rows] == [
        (date(2026, 11, 3), "order", D("950.00"), D("600.00")),
        (date(2026, 11, 5), "cancellation", D("-250.00"), D("-150.00")),
        (date(2026, 11, 12), "order", D("400.00"), D("240.00")),
        (date(2026, 11, 20), "return", D("-190.00"), D("-120.00"))]
    owed = selectors.receivable_rows(personas["region1"], NOV)["rows"]
    assert [(row["customer"].pk, row["receivable"]) for row in owed] == [
        (personas.customers["am01"][0].pk, D("1260.00")),
        (personas.customers["am03"][0].pk, D("300.00"))]


def test_the_pages_link_every_number_to_rows_that_add_up(personas, ledger):
    client = personas.client("region1")
    page = client.get(reverse("sales:dashboard"), {"month": "2026-11"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "销售看板" in html
    net_link = page.context["links"]["net_sales"]
    drilled = client.get(net_link)
    assert drilled.status_code == 200
    assert drilled.context["table"]["total"]["net_sales"] == D("910.00")
    assert 'data-testid="drill-total">¥910.00' in drilled.content.decode()
    for name, total in (("collections", D("400.00")), ("receivable", D("1560.00"))):
        answer = client.get(page.context["links"][name])
        key = "amount" if name == "collections" else "receivable"
        assert answer.context["table"]["total"][key] == total
    for line in page.context["board"]["units"]["lines"]:
        assert client.get(line["link"]).context["table"]["total"]["net_sales"] == line["net_sales"]
    arrears = client.get(page.context["links"]["overdue"])
    assert arrears.status_code == 200


def test_the_dashboard_is_linked_for_those_who_see_more_than_themselves(personas, ledger):
    # An account manager is not sent there; opening it, they see only their own month.
    am01 = personas.client("am01").get(reverse("sales:dashboard"), {"month": "2026-11"})
    assert am01.status_code == 200
    assert am01.context["figures"]["net_sales"] == D("510.00")
    rows = personas.client("am01").get(reverse("sales:dashboard_rows"), {"month": "2026-11"})
    assert {row["manager"].pk for row in rows.context["table"]["rows"]} == {personas["am01"].pk}
    home = personas.client("am01").get(reverse("sales:home")).content.decode()
    assert 'data-testid="dashboard-link"' not in home
    home = personas.client("sup1").get(reverse("sales:home")).content.decode()
    assert 'data-testid="dashboard-link"' in home
    assert personas.client("sup1").get(reverse("sales:dashboard")).status_code == 200


def test_bad_filters_fall_back_and_never_fail(personas, ledger):
    client = personas.client("region1")
    other = personas.org.regions[1]
    answer = client.get(reverse("sales:dashboard_rows"), {
        "month": "0001-01", "unit": other.pk, "figure": "nonsense", "manager": "x"})
    assert answer.status_code == 200
    # The other region is not a choice: the rows are the region's own month.
    assert answer.context["chosen"]["unit"] is None


def _more_orders(personas, count):
    product = make_product("P1", "100.00", "60.00")
    customers = [personas.customers[name][0] for name in ("am01", "am03", "am05")]
    for i in range(count):
        customer = customers[i % 3]
        order = make_order(customer.owner, customer, lines=[(product, 1 + i % 4)],
                           ordered_on=date(2026, 11, 1 + i % 25), discount=D(i % 3))
        services.receipt_post(actor=customer.owner, customer=customer, amount=D("10.00"),
                              method="cash", received_on=date(2026, 11, 2 + i % 25))
        if i % 4 == 0:
            services.order_cancel(actor=customer.owner, order=order,
                                  cancelled_on=date(2026, 11, 27), reason="取消")


def test_queries_do_not_grow_with_the_rows(personas, ledger, django_assert_max_num_queries):
    client = personas.client("director")
    url = reverse("sales:dashboard")
    rows = reverse("sales:dashboard_rows")
    client.get(url, {"month": "2026-11"})  # the session and the menus' first reads
    counts = []
    for _round in range(2):
        measured = []
        for path, params in ((url, {"month": "2026-11"}), (rows, {"month": "2026-11"}),
                             (rows, {"month": "2026-11", "figure": "receivable"}),
                             (rows, {"month": "2026-11", "figure": "collections"}),
                             (rows, {"month": "2026-11", "product": ledger["p1"].pk})):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path, params).status_code == 200
            measured.append(len(captured))
        counts.append(measured)
        _more_orders(personas, 12)
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(60):
        client.get(url, {"month": "2026-11"})


# --- C03: random ledgers -----------------------------------------------------------------------

documents = st.lists(st.tuples(
    st.sampled_from(["am01", "am02", "am03", "am05"]),  # whose customer
    st.integers(min_value=1, max_value=5),  # quantity of P1
    st.integers(min_value=0, max_value=30),  # discount, yuan
    st.sampled_from(["keep", "cancel", "return", "pay"]),
    st.booleans(),  # the customer secret
    st.integers(min_value=1, max_value=28),  # day of November
), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(entries=documents)
def test_c03_dashboard_totals_are_the_sum_of_the_visible_rows(personas, entries):
    with transaction.atomic():
        product = make_product("P1", "100.00", "60.00")
        director = personas["director"]
        for name, quantity, discount, fate, secret, day in entries:
            customer = personas.customers[name][0]
            Customer.objects.filter(pk=customer.pk).update(
                secret_level=Clearance.SECRET if secret else Clearance.INTERNAL)
            customer.refresh_from_db()
            order = make_order(director, customer, lines=[(product, quantity)],
                               ordered_on=date(2026, 11, day), discount=D(discount),
                               delivered_on=date(2026, 11, day) if fate == "return" else None)
            if fate == "cancel":
                services.order_cancel(actor=director, order=order,
                                      cancelled_on=date(2026, 11, 28), reason="取消")
            elif fate == "return":
                services.return_post(actor=director, line=order.lines.get(), quantity=1,
                                     reason="other", returned_on=date(2026, 11, 28))
            elif fate == "pay":
                services.receipt_post(actor=director, customer=customer,
                                      amount=D(quantity * 33) + D("0.33"), method="cash",
                                      received_on=date(2026, 11, day))
        for username in ("sup1", "region1", "deptmgr", "director"):
            user = personas[username]
            board = selectors.dashboard(user, NOV, today=TODAY)
            assert _drilled(user, NOV) == _figures_of(board)
            _units_add_up(user, board)
        transaction.set_rollback(True)
