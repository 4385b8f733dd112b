"""The desk (工作台) in the browser, in Chinese: a supervisor's start page on a 1366 px laptop
and on a phone (390 px) — every widget there, long names cut rather than widening the page,
and the widgets' links lead to their full lists."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.notify import services as notify_services
from qiao.visits.demo import ensure_hospitality_chain
from tests.approvals.conftest import hospitality
from tests.conftest import PASSWORD
from tests.factories import make_customer

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

LONG_NAME = "上海浦东新区张江高科技园区工作台测试国际贸易有限公司"
WIDGETS = ["approvals_waiting", "approvals_mine", "inbox_unread", "customers_idle",
           "customers_licences", "customers_pool", "team_overview"]


@pytest.fixture
def busy_team(personas):
    ensure_hospitality_chain()
    hospitality(personas, "am01")
    make_customer(personas["am01"], name=LONG_NAME,
                  licence_expiry=timezone.localdate() + timedelta(days=3))
    notify_services.notify(recipients=[personas["sup1"]], kind="test",
                           title="客户" + LONG_NAME + "的营业执照即将到期，请提醒客户经理跟进")
    return personas


@pytest.mark.parametrize(("device", "width"), [(DESKTOP, 1366), (PHONE, 390)],
                         ids=["desktop", "phone"])
def test_the_desk_of_a_supervisor(busy_team, open_session, device, width):
    s = open_session(f"sup1-{width}", device=device)
    page = s.page
    s.login("sup1", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("工作台")
    for code in WIDGETS:
        expect(page.get_by_test_id(f"desk-{code}")).to_be_visible()
    waiting = page.get_by_test_id("desk-approvals_waiting")
    expect(waiting.get_by_test_id("desk-count")).to_have_text("1")
    expect(waiting.get_by_test_id("desk-waiting")).to_contain_text("已等待")
    licences = page.get_by_test_id("desk-customers_licences")
    expect(licences.get_by_test_id("desk-item")).to_contain_text(LONG_NAME)
    expect(licences.get_by_test_id("desk-days-left")).to_have_text("3 天后到期")
    # the request waiting for the supervisor, and the message above
    expect(page.get_by_test_id("desk-inbox_unread").get_by_test_id("desk-count")).to_have_text("2")
    assert s.page_width() <= width + 1, s.widest_elements(width)
    s.shot(f"desk-sup1-{width}")

    # Two widgets side by side on the laptop, one above the other on the phone.
    boxes = [page.get_by_test_id(f"desk-{code}").bounding_box() for code in WIDGETS[:2]]
    same_row = abs(boxes[0]["y"] - boxes[1]["y"]) < 1
    assert same_row == (width > 992)

    page.get_by_test_id("desk-more-customers_licences").click()
    expect(page.locator("h1")).to_have_text("客户档案")
    expect(page.locator("#id_sort option:checked")).to_have_text("许可证最先到期")
    assert s.page_width() <= width + 1, s.widest_elements(width)


def test_the_desk_of_an_account_manager_on_a_phone(busy_team, open_session):
    s = open_session("am01-phone", device=PHONE)
    page = s.page
    s.login("am01", PASSWORD)
    expect(page.get_by_test_id("desk-customers_idle").get_by_test_id("desk-item").first
           ).to_be_visible()
    expect(page.get_by_test_id("desk-team_overview")).to_have_count(0)
    expect(page.get_by_test_id("desk-approvals_mine").get_by_test_id("desk-count")).to_have_text("1")
    assert s.page_width() <= 391, s.widest_elements(390)
    s.shot("desk-am01-390")
    page.get_by_test_id("desk-more-customers_idle").click()
    expect(page.locator("h1")).to_have_text("客户档案")
    expect(page.locator("#id_sort option:checked")).to_have_text("最久未跟进")
