"""The pages themselves: the index, pagination, the print layout and the language."""

from qiao.audit.actions import AUDIT_VIEW
from qiao.core import registry
from qiao.reports import views


def test_index_lists_the_five_seed_tables(world):
    body = world.client("am01").get("/reports/").content.decode()
    for title in ["客户等级分类表", "客户区域分类表", "客户信息登记表", "客户分类表", "重点客户统计表"]:
        assert title in body
    for url in ["/reports/grades/", "/reports/regions/", "/reports/registration/",
                "/reports/classification/", "/reports/key-customers/"]:
        assert f'href="{url}"' in body
    assert 'href="/reports/"' in body  # in the navigation


def test_index_lists_the_registered_reports_by_group_to_those_who_may_open_them(world, monkeypatch):
    # A report another app registers, for those who read the operation log only.
    audit_report = registry.ReportDef(
        "test_log_summary", "日志汇总", "audit:log", (AUDIT_VIEW,),
        registry.reports.get("key_customers").group, order=60)
    monkeypatch.setitem(registry.reports._entries, audit_report.code, audit_report)

    def listed(username):
        sections = world.client(username).get("/reports/").context["sections"]
        return [(str(group), [report.code for report in reports]) for group, reports in sections]

    seed = [("客户信息管理表格", ["grades", "regions", "registration", "at_risk"]),
            ("客户关系管理表格", ["classification", "key_customers"])]
    # The visits' three seed tables join their group for those who record visits.
    visit_tables = ["visit_contacts", "visit_table", "visit_hospitality"]
    visits = [seed[0], (seed[1][0], [*seed[1][1], *visit_tables]), ("拜访统计", ["visit_coverage"])]
    sales = ("销售统计", ["sales_monthly", "sales_groups", "sales_annual", "sales_products",
                      "sales_seasonal", "sales_costs", "sales_collection", "sales_profit",
                      "sales_comparison", "sales_customer_comparison", "sales_cumulative",
                      "sales_customer_cumulative", "sales_industry_growth",
                      "sales_product_growth"])
    appraisal = ("绩效考核", ["appraisal_ranking"])
    assert listed("am01") == [*visits, sales, appraisal]
    relationship = [*seed[1][1], "visit_contacts", "test_log_summary", "visit_table",
                    "visit_hospitality"]  # by their order, the log's (60) after the first (60)
    assert listed("director") == [seed[0], (seed[1][0], relationship),
                                  ("客户服务", ["ticket_analysis", "call_statistics"]), visits[2],
                                  sales, appraisal]
    assert 'href="/audit/' in world.client("director").get("/reports/").content.decode()


def test_lists_are_paginated_by_25_and_numbered_on(world):
    client = world.client("director")
    first = client.get("/reports/grades/").context
    second = client.get("/reports/grades/?page=2").context
    assert [line.number for line in first["lines"]] == list(range(1, 26))
    assert [line.number for line in second["lines"]] == [26, 27]
    assert first["count"] == 27


def test_print_layout_is_the_paper_form(world):
    response = world.client("director").get("/reports/grades/?print=1")
    body = response.content.decode()
    assert len(response.context["lines"]) == 27  # the whole list, not one page
    assert "qiao-nav" not in body and 'data-testid="report-filters"' not in body
    assert "paper-title" in body and "paper-sign" in body and "data-print" in body
    assert "reports/reports.css" in body


def test_print_layout_stops_at_the_limit_and_says_so(world, monkeypatch):
    monkeypatch.setattr(views, "PRINT_LIMIT", 5)
    response = world.client("director").get("/reports/key-customers/?print=1")
    assert len(response.context["lines"]) == 4  # under the limit: no warning
    assert 'data-testid="print-limit"' not in response.content.decode()
    response = world.client("director").get("/reports/grades/?print=1")
    assert len(response.context["lines"]) == 5
    assert 'data-testid="print-limit"' in response.content.decode()


def test_pages_in_english(world):
    client = world.client("director")
    body = client.get("/reports/regions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Customer regional classification table" in body
    assert "Customers per region and administrative area" in body
    assert "客户区域分类表" not in body


def test_export_link_only_for_those_who_may_export(world):
    assert 'data-testid="export-link"' in world.client("sup1").get(
        "/reports/grades/").content.decode()
    assert 'data-testid="export-link"' not in world.client("am01").get(
        "/reports/grades/").content.decode()
