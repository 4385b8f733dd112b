"""Arrears collection in the browser, in Chinese: an account manager opens the collection
table (客户货款回收分析表) on a desktop, records a phone dunning with a promise to pay from
the customer's row, and sees the promise and the action on the row; then, on a phone, records
a visit on the customer's 销售与信用 tab. Neither page is wider than the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.sales.models import DunningAction, PaymentPromise
from tests.conftest import PASSWORD
from tests.sales.factories import make_order

from .conftest import PHONE

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]


def test_a_dunning_with_a_promise_from_the_arrears_list_then_a_visit_on_the_phone(
        personas, open_session):
    customer = personas.customers["am01"][0]
    today = timezone.localdate()
    make_order(personas["am01"], customer, ordered_on=today - timedelta(days=80),
               delivered_on=today - timedelta(days=80))  # ¥1,000.00, 50 days overdue

    desk = open_session("desktop")
    page = desk.page
    desk.login("am01", PASSWORD)
    desk.goto("/sales/statistics/arrears/")
    expect(page.get_by_test_id("report-title")).to_have_text("客户货款回收分析表")
    page.get_by_test_id("arrears-dunning").first.click()
    expect(page.locator("h1")).to_contain_text("登记催缴")
    page.locator("#id_method").select_option("phone")
    page.locator("#id_result").fill("财务答应下周五前付一半")
    page.locator("#id_promise_amount").fill("500")
    page.locator("#id_promise_due").fill((today + timedelta(days=7)).isoformat())
    desk.shot("90-dunning-form-desktop")
    page.get_by_test_id("save-dunning").click()
    expect(page.get_by_test_id("report-title")).to_have_text("客户货款回收分析表")
    expect(page.get_by_test_id("arrears-promise").first).to_contain_text("¥500.00")
    expect(page.get_by_test_id("arrears-last-action").first).to_contain_text("财务答应下周五前付一半")
    desk.shot("91-arrears-with-collection-desktop")
    promise = PaymentPromise.objects.get()
    assert promise.amount == 500 and promise.status == "open"

    phone = open_session("phone", device=PHONE)
    page = phone.page
    phone.login("am01", PASSWORD)
    phone.goto(f"/sales/credit/{customer.pk}/dunning/")
    expect(page.locator("h1")).to_contain_text("登记催缴")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    page.locator("#id_method").select_option("visit")
    page.locator("#id_result").fill("上门对账，客户确认欠款")
    page.get_by_test_id("save-dunning").click()
    expect(page.get_by_test_id("dunning-action").first).to_contain_text("上门对账，客户确认欠款")
    expect(page.get_by_test_id("payment-promise").first).to_contain_text("待兑现")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    phone.shot("92-customer-sales-tab-phone")
    assert DunningAction.objects.filter(customer=customer).count() == 2
