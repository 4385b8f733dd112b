"""Amounts and phone numbers as people type and read them, in a real browser (zh-Hans): an
amount typed as 1e5 is refused with a message on the field, 100000 is shown as ¥100,000.00 in
the request's title and in 我的申请; a number typed with full-width digits and an extension is
shown masked with its extension. Screenshots: test-artifacts/screenshots/money-*.png."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.visits.demo import ensure_hospitality_chain
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_amounts_are_typed_plainly_and_shown_with_separators(personas, open_session):
    ensure_hospitality_chain()
    customer = personas.customers["am01"][0]
    s = open_session("desktop")
    s.context.set_default_timeout(30_000)
    page = s.page
    s.login("am01", PASSWORD)
    s.goto("/approvals/hospitality/new/")
    form = page.get_by_test_id("hospitality-form")
    form.locator("#id_customer").select_option(str(customer.pk))
    form.locator("#id_amount").fill("1e5")
    form.locator("#id_date").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    form.locator("#id_guests").fill("采购部 2 人")
    form.locator("#id_purpose").fill("季度走访")
    form.get_by_role("button", name="提交审批").click()
    expect(page.get_by_test_id("error-amount")).to_contain_text("科学计数法")
    s.shot("money-01-exponent-refused")
    page.get_by_test_id("hospitality-form").locator("#id_amount").fill("100000")
    page.get_by_test_id("hospitality-form").get_by_role("button", name="提交审批").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"¥100,000\.00"))
    s.shot("money-02-request")
    s.goto("/approvals/mine/")
    expect(page.get_by_text(re.compile(r"· ¥100,000\.00"))).to_be_visible()
    s.shot("money-03-mine")


def test_a_phone_with_an_extension_is_stored_and_masked(personas, open_session):
    customer = personas.customers["am01"][0]
    s = open_session("desktop")
    s.context.set_default_timeout(30_000)
    page = s.page
    s.login("am01", PASSWORD)
    s.goto(f"/customers/{customer.pk}/edit/")
    page.locator("#id_phone").fill("０２１ １２３４ ５６７８ 转 ８０１")
    page.get_by_test_id("save").click()
    expect(page.get_by_text("021****5678转801")).to_be_visible()
    s.shot("money-04-phone-extension")
