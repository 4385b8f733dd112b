"""The other sales statistics of seed 001 (第21条 3, 4, 6, 8; 第11条; 第12条) on a small ledger
computed by hand: 年度业务绩效及费用考核表, 产品构成分析表 (from the ProductMonth facts, which
add up to the managers' net sales), 销售管理费用分解表, 销售总利润增减分析表 (the change of net
profit taken apart), 个人/客户业绩统计比较表, the monthly cumulative tables and the growth tables
by industry and by product; each seen only within the viewer's scope, each page with its chart,
Excel file and print layout, its queries not growing with the ledger."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from qiao.customers.models import Customer
from qiao.sales import selectors, services
from qiao.sales.models import ManagerMonth, ProductMonth
from qiao.sales.views import STATISTICS

from .factories import make_order, make_product

pytestmark = pytest.mark.django_db
D = Decimal
LAST_NOV, OCT, NOV = date(2025, 11, 1), date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def ledger(personas):
    """P1 ¥100 (cost ¥60), P2 ¥50 (cost ¥30). am01's C1 and C2, am02's C3 (sup1's team), am05's
    C5 (another region):
    O1 C1 2025-11-10: 10 × P1 = ¥1,000.            O6 C3 2025-11-15: 8 × P1 = ¥800.
    O2 C1 2026-10-05: 10 × P1 + 4 × P2 = ¥1,200, discount ¥20 (P1's line 16.67, P2's 3.33),
       commission ¥12, delivered 10-06.
    O4 C1 2026-10-20: 5 × P1 = ¥500, cancelled 11-02.
    O3 C2 2026-11-03: 5 × P2 = ¥250.                O5 C3 2026-11-08: 20 × P2 = ¥1,000.
    O7 C5 2026-11-09: 3 × P1 = ¥300 (am05).
    Return 11-10 of 2 × P1 of O2 (quality): 200 − 20 × 200 / 1200 = ¥196.67, cost ¥120 back.
    A note of ¥400 for O2 on 11-15 due 12-31: a loss of ¥1.24.
    Costs: am01 2025-11 salary 4,500; 2026-11 salary 5,000, travel 300, entertainment 200;
    am02 2026-11 salary 4,000, gifts 100. Targets 2026: am01 Oct 2,000, Nov 1,000; am02 Nov
    1,500. Industries: C1 retail, C2 none, C3 wholesale.

    Net sales: am01 2025-11 1,000; 2026-10 1,680 (GM 660, NP 648); 2026-11 250 − 500 − 196.67
    = −446.67 (GM −446.67 + 270 = −176.67, NP −176.67 − 1.24 − 5,500 = −5,677.91); am02
    2025-11 800 (GM 320); 2026-11 1,000 (GM 400, NP −3,700)."""
    am01, am02, am05, sup1 = (personas[name] for name in ("am01", "am02", "am05", "sup1"))
    c1, c2 = personas.customers["am01"]
    c3, c5 = personas.customers["am02"][0], personas.customers["am05"][0]
    Customer.objects.filter(pk=c1.pk).update(industry="retail")
    Customer.objects.filter(pk=c2.pk).update(industry="")
    Customer.objects.filter(pk=c3.pk).update(industry="wholesale")
    p1, p2 = make_product("P1", "100.00", "60.00"), make_product("P2", "50.00", "30.00")
    make_order(am01, c1, lines=[(p1, 10)], ordered_on=date(2025, 11, 10))
    make_order(am02, c3, lines=[(p1, 8)], ordered_on=date(2025, 11, 15))
    o2 = make_order(am01, c1, lines=[(p1, 10), (p2, 4)], ordered_on=date(2026, 10, 5),
                    discount=D("20.00"), commission=D("12.00"), delivered_on=date(2026, 10, 6))
    o4 = make_order(am01, c1, lines=[(p1, 5)], ordered_on=date(2026, 10, 20), channel="phone")
    services.order_cancel(actor=am01, order=o4, cancelled_on=date(2026, 11, 2), reason="客户取消")
    make_order(am01, c2, lines=[(p2, 5)], ordered_on=date(2026, 11, 3))
    make_order(am02, c3, lines=[(p2, 20)], ordered_on=date(2026, 11, 8))
    make_order(am05, c5, lines=[(p1, 3)], ordered_on=date(2026, 11, 9))
    services.return_post(actor=am01, line=o2.lines.get(product=p1), quantity=2,
                         reason="quality", returned_on=date(2026, 11, 10))
    services.receipt_post(actor=am01, customer=c1, amount=D("400.00"), method="note",
                          received_on=date(2026, 11, 15), order=o2, note_due=date(2026, 12, 31))
    for manager, month, kind, amount in (
            (am01, LAST_NOV, "salary", "4500"), (am01, NOV, "salary", "5000"),
            (am01, NOV, "travel", "300"), (am01, NOV, "entertainment", "200"),
            (am02, NOV, "salary", "4000"), (am02, NOV, "gifts", "100")):
        services.cost_post(actor=sup1, manager=manager, month=month, kind=kind,
                           amount=D(amount))
    services.targets_set(actor=sup1, month=OCT, amounts={am01: D("2000.00")})
    services.targets_set(actor=sup1, month=NOV, amounts={am01: D("1000.00"), am02: D("1500.00")})
    return {"c1": c1, "c2": c2, "c3": c3, "p1": p1, "p2": p2}


def _by_name(table):
    return {str(line["name"]): line for line in table["lines"]}


def _pick(line, *names):
    return {name: line[name] for name in names}


def test_the_annual_assessment_by_hand(personas, ledger):
    table = selectors.annual(personas["sup1"], 2026)
    am01, am02 = str(personas["am01"]), str(personas["am02"])
    assert [line["name"] for line in table["lines"]] == [am02, am01]  # the best net profit first
    assert _pick(_by_name(table)[am01], "net_sales", "target", "completion", "gross_margin",
                 "cost_salary", "cost_travel", "cost_entertainment", "costs", "cost_ratio",
                 "commissions", "note_interest", "net_profit") == {
        "net_sales": D("1233.33"), "target": D("3000.00"), "completion": D("41.1"),
        "gross_margin": D("483.33"), "cost_salary": D("5000.00"), "cost_travel": D("300.00"),
        "cost_entertainment": D("200.00"), "costs": D("5500.00"), "cost_ratio": D("445.9"),
        "commissions": D("12.00"), "note_interest": D("-1.24"), "net_profit": D("-5029.91")}
    assert _pick(_by_name(table)[am02], "net_sales", "target", "completion", "gross_margin",
                 "costs", "cost_ratio", "net_profit") == {
        "net_sales": D("1000.00"), "target": D("1500.00"), "completion": D("66.7"),
        "gross_margin": D("400.00"), "costs": D("4100.00"), "cost_ratio": D("410.0"),
        "net_profit": D("-3700.00")}
    assert _pick(table["total"], "net_sales", "target", "completion", "gross_margin", "costs",
                 "cost_ratio", "net_profit") == {
        "net_sales": D("2233.33"), "target": D("4500.00"), "completion": D("49.6"),
        "gross_margin": D("883.33"), "costs": D("9600.00"), "cost_ratio": D("429.9"),
        "net_profit": D("-8729.91")}
    # A manager sees their own line; another region's manager none of these.
    assert [line["name"] for line in selectors.annual(personas["am01"], 2026)["lines"]] == [am01]
    assert am01 not in _by_name(selectors.annual(personas["am05"], 2026))
    region = _by_name(selectors.annual(personas["region1"], 2026))  # its units' managers
    assert {am01, am02} <= set(region) and str(personas["am05"]) not in region
    units = selectors.annual(personas["sup1"], 2026, by="unit")
    assert len(units["lines"]) == 1 and units["total"]["net_profit"] == D("-8729.91")


def test_the_products_add_up_to_the_managers_net_sales(personas, ledger):
    for month in (LAST_NOV, OCT, NOV):
        for manager in (personas["am01"], personas["am02"]):
            products = ProductMonth.objects.filter(month=month, manager=manager).aggregate(
                total=Sum("net_sales"))["total"] or D("0")
            figures = selectors.figures(personas["director"], month, manager=manager)
            assert products == figures["net_sales"], (month, manager)


def test_the_product_composition_by_hand(personas, ledger):
    october = selectors.product_mix(personas["sup1"], OCT)
    p1, p2 = (f"{p.code} {p.name}" for p in (ledger["p1"], ledger["p2"]))
    assert [line["name"] for line in october["lines"]] == [p1, p2]
    # P1: 10 at 1,000 − 16.67 of the discount, and O4's 5 at 500; P2: 4 at 200 − 3.33.
    assert _pick(_by_name(october)[p1], "quantity", "net_sales", "share", "gross_margin",
                 "margin_rate") == {"quantity": 15, "net_sales": D("1483.33"),
                                    "share": D("88.3"), "gross_margin": D("583.33"),
                                    "margin_rate": D("39.3")}
    assert _pick(_by_name(october)[p2], "quantity", "net_sales", "share", "gross_margin",
                 "margin_rate") == {"quantity": 4, "net_sales": D("196.67"), "share": D("11.7"),
                                    "gross_margin": D("76.67"), "margin_rate": D("39.0")}
    assert october["total"]["net_sales"] == D("1680.00")
    # November: P1 loses O4's cancellation (5, ¥500) and the return (2, ¥196.67).
    november = selectors.product_mix(personas["sup1"], NOV)
    assert _pick(_by_name(november)[p1], "quantity", "net_sales", "gross_margin") == {
        "quantity": -7, "net_sales": D("-696.67"), "gross_margin": D("-276.67")}
    assert _pick(_by_name(november)[p2], "quantity", "net_sales", "margin_rate") == {
        "quantity": 25, "net_sales": D("1250.00"), "margin_rate": D("40.0")}
    year = selectors.product_mix(personas["sup1"], NOV, period="year")
    assert _pick(_by_name(year)[p1], "quantity", "net_sales") == {
        "quantity": 8, "net_sales": D("786.66")}
    assert year["total"]["net_sales"] == D("2233.33")  # the annual table's net sales
    mine = selectors.product_mix(personas["am01"], NOV)
    assert _by_name(mine)[p2]["net_sales"] == D("250.00")  # not am02's 1,000
    assert selectors.product_mix(personas["am05"], OCT)["lines"] == []


def test_the_cost_breakdown_by_hand(personas, ledger):
    table = selectors.cost_breakdown(personas["sup1"], NOV)
    am01, am02 = (_by_name(table)[str(personas[name])] for name in ("am01", "am02"))
    assert _pick(am01, "development_costs", "other_costs", "costs", "share_cost_salary",
                 "share_cost_travel", "share_cost_entertainment", "share_cost_gifts") == {
        "development_costs": D("5300.00"), "other_costs": D("200.00"), "costs": D("5500.00"),
        "share_cost_salary": D("90.9"), "share_cost_travel": D("5.5"),
        "share_cost_entertainment": D("3.6"), "share_cost_gifts": D("0.0")}
    assert _pick(am02, "costs", "share_cost_salary", "share_cost_gifts") == {
        "costs": D("4100.00"), "share_cost_salary": D("97.6"), "share_cost_gifts": D("2.4")}
    assert _pick(table["total"], "costs", "share_cost_salary", "share_cost_travel",
                 "share_cost_entertainment", "share_cost_gifts") == {
        "costs": D("9600.00"), "share_cost_salary": D("93.8"), "share_cost_travel": D("3.1"),
        "share_cost_entertainment": D("2.1"), "share_cost_gifts": D("1.0")}
    year = selectors.cost_breakdown(personas["sup1"], NOV, period="year")
    assert year["total"]["cost_salary"] == D("9000.00")  # 2025's salary is last year's
    assert [line["name"] for line in selectors.cost_breakdown(personas["am02"], NOV)["lines"]] \
        == [str(personas["am02"])]


def test_the_profit_change_against_last_year_taken_apart(personas, ledger):
    table = selectors.profit_analysis(personas["sup1"], NOV)
    assert table["base"] == LAST_NOV
    am01, am02 = (_by_name(table)[str(personas[name])] for name in ("am01", "am02"))
    # am01: sales 1,000 → −446.67 at the earlier rate 40 %: −578.67; the margin's change
    # −576.67 less that: 2.00; costs 4,500 → 5,500: −1,000; the note's loss −1.24.
    assert _pick(am01, "net_sales_0", "net_sales_1", "net_profit_0", "net_profit_1", "change",
                 "volume_effect", "margin_effect", "cost_effect", "other_effect",
                 "sales_growth") == {
        "net_sales_0": D("1000.00"), "net_sales_1": D("-446.67"),
        "net_profit_0": D("-4100.00"), "net_profit_1": D("-5677.91"), "change": D("-1577.91"),
        "volume_effect": D("-578.67"), "margin_effect": D("2.00"),
        "cost_effect": D("-1000.00"), "other_effect": D("-1.24"), "sales_growth": D("-144.7")}
    assert _pick(am02, "change", "volume_effect", "margin_effect", "cost_effect") == {
        "change": D("-4020.00"), "volume_effect": D("80.00"), "margin_effect": D("0.00"),
        "cost_effect": D("-4100.00")}
    total = table["total"]
    assert _pick(total, "change", "volume_effect", "margin_effect", "cost_effect",
                 "other_effect") == {
        "change": D("-5597.91"), "volume_effect": D("-498.67"), "margin_effect": D("2.00"),
        "cost_effect": D("-5100.00"), "other_effect": D("-1.24")}
    for line in (*table["lines"], total):
        assert sum(line[name] for name in selectors.EFFECTS) == line["change"]


def test_the_profit_change_against_last_month(personas, ledger):
    line = selectors.profit_analysis(personas["am01"], NOV, compare="month")["lines"][0]
    # 1,680 → −446.67 at 660 / 1,680: −835.48; margin −836.67 + 835.48; commissions 12 gone
    # and the note's loss: +10.76.
    assert _pick(line, "net_profit_0", "change", "volume_effect", "margin_effect",
                 "cost_effect", "other_effect") == {
        "net_profit_0": D("648.00"), "change": D("-6325.91"), "volume_effect": D("-835.48"),
        "margin_effect": D("-1.19"), "cost_effect": D("-5500.00"), "other_effect": D("10.76")}


def test_a_month_with_no_sales_before_puts_the_whole_margin_in_the_volume():
    before = selectors.empty_figures()
    now = selectors.derive({**{name: D("0") for name in selectors.SUMMED}, "order_count": 1,
                            "orders": D("500.00"), "marginal_cost": D("300.00")})
    line = selectors.profit_change(before, now)
    assert (line["volume_effect"], line["margin_effect"], line["change"]) == (
        D("200.00"), D("0.00"), D("200.00"))
    assert line["sales_growth"] is None


def test_the_personal_and_customer_comparisons(personas, ledger):
    table = selectors.comparison(personas["sup1"], NOV)
    am01, am02 = str(personas["am01"]), str(personas["am02"])
    assert [line["name"] for line in table["lines"]] == [am02, am01]
    assert _pick(_by_name(table)[am01], "now", "last", "ago", "vs_last", "vs_last_rate",
                 "vs_ago", "vs_ago_rate") == {
        "now": D("-446.67"), "last": D("1680.00"), "ago": D("1000.00"),
        "vs_last": D("-2126.67"), "vs_last_rate": D("-126.6"), "vs_ago": D("-1446.67"),
        "vs_ago_rate": D("-144.7")}
    assert _pick(_by_name(table)[am02], "vs_last_rate", "vs_ago", "vs_ago_rate") == {
        "vs_last_rate": None, "vs_ago": D("200.00"), "vs_ago_rate": D("25.0")}
    assert _pick(table["total"], "now", "last", "ago", "vs_last_rate", "vs_ago_rate") == {
        "now": D("553.33"), "last": D("1680.00"), "ago": D("1800.00"),
        "vs_last_rate": D("-67.1"), "vs_ago_rate": D("-69.3")}
    customers = selectors.comparison(personas["sup1"], NOV, by="customer")
    c1, c2, c3 = (ledger[name] for name in ("c1", "c2", "c3"))
    assert [line["key"] for line in customers["lines"]] == [c3.pk, c2.pk, c1.pk]
    assert _pick(customers["lines"][2], "now", "last", "ago") == {
        "now": D("-696.67"), "last": D("1680.00"), "ago": D("1000.00")}
    assert customers["total"]["now"] == D("553.33") and customers["count"] == 3
    # The biggest two listed, the total still all three.
    two = selectors.comparison(personas["sup1"], NOV, by="customer", limit=2)
    assert [line["key"] for line in two["lines"]] == [c3.pk, c2.pk]
    assert two["total"]["ago"] == D("1800.00")
    mine = selectors.comparison(personas["am01"], NOV, by="customer")
    assert {line["key"] for line in mine["lines"]} == {c1.pk, c2.pk}


def test_the_monthly_cumulative_tables(personas, ledger):
    table = selectors.cumulative(personas["sup1"], NOV)
    assert len(table["months"]) == 11 and table["months"][-1] == NOV
    am01 = _by_name(table)[str(personas["am01"])]
    assert am01["cumulative"][8:] == [D("0.00"), D("1680.00"), D("1233.33")]
    assert _pick(am01, "now", "before", "change", "growth") == {
        "now": D("1233.33"), "before": D("1000.00"), "change": D("233.33"), "growth": D("23.3")}
    assert table["total"]["cumulative"][9:] == [D("1680.00"), D("2233.33")]
    assert _pick(table["total"], "before", "change", "growth") == {
        "before": D("1800.00"), "change": D("433.33"), "growth": D("24.1")}
    customers = selectors.cumulative(personas["sup1"], NOV, by="customer")
    c1, c2, c3 = (ledger[name] for name in ("c1", "c2", "c3"))
    assert [line["key"] for line in customers["lines"]] == [c3.pk, c1.pk, c2.pk]
    line = next(line for line in customers["lines"] if line["key"] == c1.pk)
    assert line["cumulative"][9:] == [D("1680.00"), D("983.33")]
    assert _pick(line, "before", "change", "growth") == {
        "before": D("1000.00"), "change": D("-16.67"), "growth": D("-1.7")}
    assert customers["lines"][2]["growth"] is None  # C2 bought nothing last year
    assert customers["total"]["cumulative"][-1] == D("2233.33")
    assert customers["total"]["before"] == D("1800.00")


def test_the_growth_by_industry_and_by_product(personas, ledger):
    industries = selectors.growth(personas["sup1"], NOV)
    assert [(line["name"], line["now"], line["before"], line["growth"], line["share"])
            for line in industries["lines"]] == [
        ("批发", D("1000.00"), D("800.00"), D("25.0"), D("44.8")),
        ("零售", D("983.33"), D("1000.00"), D("-1.7"), D("44.0")),
        ("未填写", D("250.00"), D("0.00"), None, D("11.2"))]
    assert _pick(industries["total"], "now", "before", "change", "growth") == {
        "now": D("2233.33"), "before": D("1800.00"), "change": D("433.33"), "growth": D("24.1")}
    products = selectors.growth(personas["sup1"], NOV, by="product")
    p1 = _by_name(products)[f"{ledger['p1'].code} {ledger['p1'].name}"]
    assert _pick(p1, "now", "before", "change", "growth") == {
        "now": D("786.66"), "before": D("1800.00"), "change": D("-1013.34"),
        "growth": D("-56.3")}
    assert products["total"]["now"] == D("2233.33")
    # The director also sees am05's ¥300 of P1.
    everyone = selectors.growth(personas["director"], NOV, by="product")
    assert _by_name(everyone)[p1["name"]]["now"] == D("1086.66")
    assert selectors.growth(personas["am05"], NOV)["total"]["now"] == D("300.00")  # C5's alone


def _cells(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]


TITLES = {"annual": "年度业务绩效及费用考核表", "products": "产品构成分析表",
          "costs": "销售管理费用分解表", "profit": "销售总利润增减分析表",
          "comparison": "个人业绩统计比较表", "customer_comparison": "客户业绩统计比较表",
          "cumulative": "个人每月业绩累计比较表", "customer_cumulative": "客户业绩累计比较表",
          "industry_growth": "各业种销售总额增长一览表", "product_growth": "产品销售额增长一览表"}


def test_every_statistic_has_its_page_chart_file_and_print_layout(personas, ledger):
    client = personas.client("sup1")
    assert set(TITLES) == set(STATISTICS)
    params = {"month": "2026-11", "year": "2026"}
    for name, title in TITLES.items():
        page = client.get(reverse(f"sales:{name}"), params)
        body = page.content.decode()
        assert page.status_code == 200 and title in body, name
        assert 'data-testid="chart-statistic"' in body and "sales-chart-data" in body
        assert 'data-testid="statistic-row"' in body
        assert client.get(reverse(f"sales:{name}"), {**params, "print": "1"}).status_code == 200
        cells = _cells(client.get(reverse(f"sales:{name}"), {**params, "format": "xlsx"}))
        assert title in cells and "合计" in cells, name
    annual = _cells(client.get(reverse("sales:annual"), {"year": "2026", "format": "xlsx"}))
    assert -8729.91 in annual and 4500 in annual  # the total's net profit and targets
    page = client.get(reverse("sales:profit"), {"month": "2026-11"}).content.decode()
    assert "¥-5,597.91" in page or "-¥5,597.91" in page or "−¥5,597.91" in page
    assert "销售量影响" in page  # the decomposition explained on the page
    # A bad filter is shown and the defaults applied.
    assert client.get(reverse("sales:products"), {"month": "0001-13"}).status_code == 200
    assert client.get(reverse("sales:annual"), {"year": "1900"}).status_code == 200


def test_the_statistics_appear_in_the_report_centre(personas):
    codes = [report.code for group, reports in
             personas.client("am01").get("/reports/").context["sections"]
             if str(group) == "销售统计" for report in reports]
    assert codes[:4] == ["sales_monthly", "sales_groups", "sales_annual", "sales_products"]
    assert {"sales_costs", "sales_profit", "sales_comparison", "sales_customer_comparison",
            "sales_cumulative", "sales_customer_cumulative", "sales_industry_growth",
            "sales_product_growth"} <= set(codes)


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_ledger(personas):
    client = personas.client("sup1")
    product, other = make_product("P1"), make_product("P2", "50.00", "30.00")
    urls = [reverse(f"sales:{name}") for name in STATISTICS]
    make_order(personas["am01"], personas.customers["am01"][0], lines=[(product, 1)])
    for url in urls:  # the session's and the caches' first queries
        client.get(url)
    before = [_queries(client, url, {}) for url in urls]
    for username in ("am01", "am02"):
        for customer in personas.customers[username]:
            for _ in range(2):
                make_order(personas[username], customer, lines=[(product, 2), (other, 1)])
    assert [_queries(client, url, {}) for url in urls] == before
    assert ManagerMonth.objects.exists()
