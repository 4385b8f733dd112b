"""The public pool and the handover on a phone (390×844): an account manager claims a customer
at the counter and gives one back; a supervisor hands a leaver's customers over on the go.
Nothing makes the pages wider than the screen, the confirm dialogs and the "tick all" box
work (our own scripts: the CSP allows no inline ones)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import make_contact, make_customer

from .conftest import PHONE
from .test_phone import assert_fits

pytestmark = pytest.mark.e2e

LONG_NAME = "上海浦东新区张江高科技园区公海测试国际贸易有限公司"


def test_phone_claim_from_the_pool_and_give_back(personas, open_session):
    east = personas.org.regions[0]
    customer = make_customer(None, actor=personas["director"], name=LONG_NAME, region=east,
                             phone="021-58881234")
    make_contact(customer, personas["director"], name="王小明", mobile="13900001111",
                 title="采购经理")

    s = open_session("phone", device=PHONE)
    page = s.page
    s.login("am01", PASSWORD)
    s.goto("/customers/pool/")
    row = page.get_by_test_id("pool-row").filter(has_text=LONG_NAME)
    expect(row).to_be_visible()
    expect(row).to_contain_text("139****1111")
    assert "13900001111" not in page.content()
    expect(page.get_by_test_id("claim-counter")).to_contain_text("0 / 5")
    assert_fits(s, "pool page")
    s.shot("41-phone-pool")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_test_id("claim").click()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_test_id("customer-name")).to_contain_text(LONG_NAME)
    assert_fits(s, "claimed customer")

    card = page.get_by_test_id("pool-release")
    card.locator("input[name=reason]").fill("客户迁往外地")
    page.once("dialog", lambda dialog: dialog.accept())
    card.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/customers/pool/$"))
    expect(page.get_by_test_id("pool-row").filter(has_text=LONG_NAME)).to_be_visible()


def test_phone_handover_of_a_leavers_customers(personas, open_session):
    leaver = personas["leaver"]
    customers = [make_customer(leaver, actor=personas["director"], region=personas.org.regions[0],
                               name=f"{LONG_NAME}{i}号") for i in range(3)]

    s = open_session("phone", device=PHONE)
    page = s.page
    s.login("sup1", PASSWORD)
    s.goto("/customers/handover/")
    first = page.get_by_test_id("staff-row").first
    expect(first.get_by_test_id("leaver-badge")).to_be_visible()
    expect(page.get_by_test_id("orphaned")).to_contain_text("3")
    assert_fits(s, "handover list")
    s.shot("42-phone-handover-list")

    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/customers/handover/{leaver.pk}/$"))
    assert_fits(s, "handover page")
    boxes = page.locator("input[name=customers]")
    expect(boxes).to_have_count(3)
    page.get_by_label(re.compile("本页|this page")).check()
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    page.locator("select[name=to_user]").select_option(str(personas["am02"].pk))
    page.locator("input[name=reason]").fill("客户经理离职")
    s.shot("43-phone-handover")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("hand-over-chosen").click()
    expect(page).to_have_url(re.compile(r"/customers/handover/$"))
    expect(page.get_by_test_id("leaver-badge")).to_have_count(0)
    for customer in customers:
        customer.refresh_from_db()
        assert customer.owner_id == personas["am02"].pk
