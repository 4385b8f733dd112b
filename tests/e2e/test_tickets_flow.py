"""The service desk in the browser, in Chinese: an account manager registers a complaint from
the customer's page on a laptop; it goes to the complaint group, where an agent takes it on a
phone, answers with a standard reply, resolves it with its cause and closes it with the
customer's rating. Every page fits the phone's width."""

import re

import pytest
from playwright.sync_api import expect

from qiao.tickets.models import CannedReply, Ticket
from tests.conftest import PASSWORD
from tests.tickets.factories import complaint_desk

from .conftest import PHONE

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]


def test_a_complaint_from_the_counter_to_the_customers_rating(personas, open_session):
    complaint_desk(personas)
    CannedReply.objects.create(title="致歉与受理", body="非常抱歉给您带来不便，我们已受理。")
    customer = personas.customers["am01"][0]

    desk = open_session("desktop")
    page = desk.page
    desk.login("am01", PASSWORD)
    desk.goto(f"/customers/{customer.pk}/")
    page.get_by_role("tab", name=re.compile("服务单")).click()
    page.get_by_test_id("new-customer-ticket").click()
    expect(page.locator("h1")).to_have_text("登记服务单")
    expect(page.locator("#id_customer")).to_have_value(str(customer.pk))
    page.locator("#id_kind").select_option("complaint")
    page.locator("#id_channel").select_option("walk_in")
    page.locator("#id_category").select_option("quality")
    page.locator("#id_product").fill("硬盒中华")
    page.locator("#id_batch").fill("B2611")
    page.locator("#id_subject").fill("卷烟受潮发霉")
    page.locator("#id_description").fill("客户到店反映上周到货的两条卷烟受潮发霉。")
    page.locator("#id_reporter_name").fill("王店长")
    page.locator("#id_reporter_phone").fill("138-1234-5678")
    desk.shot("60-ticket-form-desktop")
    page.get_by_test_id("save-ticket").click()
    expect(page.get_by_test_id("ticket-subject")).to_have_text("卷烟受潮发霉")
    expect(page.get_by_test_id("ticket-assignee")).to_contain_text("投诉组")
    expect(page.locator('[data-clock="first_response"]')).to_have_attribute("data-state",
                                                                            "running")
    desk.shot("61-ticket-detail-desktop")
    ticket = Ticket.objects.get()
    assert ticket.reporter_phone == "13812345678"

    phone = open_session("phone", device=PHONE)
    page = phone.page
    phone.login("agent01", PASSWORD)
    phone.unfold_header()
    page.get_by_test_id("nav-tickets-list").click()
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    phone.shot("62-ticket-queue-phone")
    page.get_by_test_id("ticket-row").get_by_role("link").click()
    page.get_by_test_id("take").click()
    expect(page.get_by_test_id("ticket-assignee")).to_contain_text(str(personas["agent01"]))
    page.get_by_test_id("canned-reply").click()
    expect(page.locator("#id_reply_body")).to_have_value("非常抱歉给您带来不便，我们已受理。")
    page.get_by_test_id("send-reply").click()
    expect(page.locator('[data-clock="first_response"]')).to_have_attribute("data-state", "met")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    phone.shot("63-ticket-detail-phone")
    form = page.get_by_test_id("resolve-form")
    form.locator("textarea").fill("已为客户调换两条，批次已反馈仓库。")
    form.get_by_role("combobox").select_option("product")
    page.get_by_test_id("resolve").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已解决待确认")
    close = page.get_by_test_id("close-form")
    close.get_by_role("combobox").select_option("5")
    close.locator("input[type=text]").fill("处理及时")
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已关闭")
    expect(page.get_by_test_id("ticket-rating")).to_contain_text("5/5")
    phone.shot("64-ticket-closed-phone")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.cause, ticket.rating) == ("closed", "product", 5)


def test_the_service_analysis_draws_its_charts(personas, open_session):
    from tests.tickets.factories import make_ticket

    for category in ("quality", "delivery", "quality"):
        make_ticket(personas["am01"], personas.customers["am01"][0], category=category)
    make_ticket(personas["am02"], personas.customers["am02"][0], kind="inquiry")
    for name, device, width in (("desktop", {}, 1366), ("phone", PHONE, WIDTH)):
        s = open_session(name, **({"device": device} if device else {}))
        page = s.page
        s.login("sup1", PASSWORD)
        s.goto("/tickets/analysis/")
        expect(page.locator("h1")).to_contain_text("服务分析")
        expect(page.get_by_test_id("figure-total")).to_have_text("4")
        expect(page.locator("#chart-monthly canvas")).to_have_count(1)
        expect(page.locator("#chart-causes canvas")).to_have_count(1)
        assert s.page_width() <= width + 1, s.widest_elements(width)
        s.shot(f"65-service-analysis-{name}")
