"""An account manager records a follow-up on the customer page (the pool's reclaim clock
restarts; an edit of the record does not restart it), and a new relationship card shows its
empty choices in words, not dashes — in Chinese, as the users read it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.customers.models import Customer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_a_follow_up_recorded_on_the_timeline_restarts_the_reclaim_clock(personas,
                                                                         open_session):
    customer = personas.customers["am01"][0]
    Customer.objects.filter(pk=customer.pk).update(last_activity_at="2025-01-02T03:04:05Z")
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    s.goto(f"/customers/{customer.pk}/")
    page.get_by_test_id("tab-timeline").click()
    form = page.get_by_test_id("follow-up-form")
    expect(form.get_by_test_id("last-follow-up")).to_contain_text("最近跟进：2025-01-02")
    form.locator("#id_channel").select_option(label="电话")
    form.locator("#id_note").fill("确认下月进货计划，对方要求提前送样品")
    s.shot("follow-up-form")
    form.get_by_test_id("record-follow-up").click()

    expect(page.locator(".alert-success")).to_contain_text("已记录跟进。")
    page.get_by_test_id("tab-timeline").click()
    expect(page.get_by_test_id("timeline").locator("li").first).to_contain_text(
        "电话：确认下月进货计划，对方要求提前送样品")
    today = timezone.localdate().isoformat()
    expect(page.get_by_test_id("last-follow-up")).to_contain_text(f"最近跟进：{today}")
    s.shot("follow-up-recorded")
    assert timezone.localdate(Customer.objects.get(pk=customer.pk).last_activity_at) == \
        timezone.localdate()


def test_an_empty_choice_says_it_is_not_set(personas, open_session):
    customer = personas.customers["am01"][0]
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    s.goto(f"/customers/{customer.pk}/contacts/new/")
    expect(page.locator("#id_education option:checked")).to_have_text("— 未选择 —")
    expect(page.locator("body")).not_to_contain_text(re.compile("-{9}"))
    s.shot("contact-form-empty-choices")
