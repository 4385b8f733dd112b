"""Sales in the browser, in Chinese: an account manager posts an order with two lines on a
phone at the customer's counter; then opens last month's sales analysis report from the desk,
writes the analysis and submits it; the regional manager returns it with a comment, which the
manager sees. The sales page and the monthly statistics draw their charts."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.sales import services
from qiao.sales.models import Order, SalesReport
from tests.conftest import PASSWORD
from tests.sales.factories import make_order, make_product

from .conftest import PHONE

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]


def _last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def test_an_order_on_the_phone_then_the_monthly_report_returned_with_a_comment(
        personas, open_session):
    customer = personas.customers["am01"][0]
    p1, p2 = make_product("P1", "100.00", "60.00", "中华（硬）"), make_product("P2", "50.00",
                                                                             "30.00", "玉溪（软）")
    make_order(personas["am01"], customer, ordered_on=_last_month() + timedelta(days=9),
               lines=[(p1, 20)])
    services.report_drafts_create(_last_month())

    phone = open_session("phone", device=PHONE)
    page = phone.page
    phone.login("am01", PASSWORD)
    phone.goto(f"/sales/orders/new/?customer={customer.pk}")
    expect(page.locator("h1")).to_have_text("录入订单")
    page.locator("#id_channel").select_option("visit")
    page.locator("#id_lines-0-product").select_option(str(p1.pk))
    page.locator("#id_lines-0-quantity").fill("3")
    page.locator("#id_lines-1-product").select_option(str(p2.pk))
    page.locator("#id_lines-1-quantity").fill("2")
    page.locator("#id_lines-1-price").fill("45")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    phone.shot("80-order-form-phone")
    page.get_by_test_id("save-order").click()
    expect(page.get_by_test_id("order-number")).to_contain_text("XS")
    expect(page.get_by_test_id("order-lines")).to_contain_text("¥390.00")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    assert Order.objects.filter(status="posted").latest("id").amount == 390

    desk = open_session("desktop")
    page = desk.page
    desk.login("am01", PASSWORD)
    desk.goto("/")
    page.get_by_test_id("desk-report").click()
    expect(page.locator("h1")).to_contain_text("客户月度销售情况分析报告")
    expect(page.get_by_test_id("report-figures")).to_contain_text("¥2,000.00")
    page.locator("#id_problems").fill("两家客户资金紧张，回款放缓；已约定月底前分期回款。")
    page.locator("#id_forecast").fill("节前备货，预计下月实销额增长一成。")
    desk.shot("81-report-draft-desktop")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交")

    regional = open_session("regional")
    page = regional.page
    regional.login("region1", PASSWORD)
    regional.goto("/sales/reports/")
    page.get_by_role("link", name=re.compile(f"{_last_month():%Y-%m}")).first.click()
    page.locator("#id_comment").fill("请补充两家客户的名称和回款计划。")
    page.get_by_test_id("return-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已退回")

    page = desk.page
    desk.goto("/sales/reports/")
    expect(page.get_by_test_id("report-row").first).to_contain_text("已退回")
    page.get_by_test_id("report-row").first.get_by_role("link").click()
    expect(page.get_by_test_id("review-comment")).to_contain_text("请补充两家客户的名称")
    expect(page.locator("#id_problems")).to_have_value(re.compile("两家客户资金紧张"))
    report = SalesReport.objects.get(manager=personas["am01"])
    assert report.status == "returned" and report.reviewer == personas["region1"]

    desk.goto("/sales/")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    desk.goto(f"/sales/statistics/monthly/?month={_last_month():%Y-%m}")
    expect(page.get_by_test_id("performance-row")).to_have_count(1)
    expect(page.locator("#chart-performance canvas")).to_have_count(1)
    desk.shot("82-monthly-statistics-desktop")
