"""A hospitality request through its whole chain, in a real browser, as the people see it.

am01 raises ¥2,500 of hospitality (the demo chain: her supervisor sup1, then the department
manager from ¥2,000) and logs out; sup1 logs in, finds it under 待我审批 with the inbox's unread
badge, approves with a comment and logs out; deptmgr approves; am01 sees the request 已通过
(approved) and the notification in her inbox. Each screen is also opened at phone width
(390 px) in a second browser and must not be wider than the screen. Screenshots of every
step go to test-artifacts/screenshots/ (approvals-*.png).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.approvals.models import ApprovalRequest
from qiao.visits.demo import ensure_hospitality_chain
from tests.conftest import PASSWORD

from .conftest import PHONE, SLOW_MS

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]
APPROVED = str(ApprovalRequest.State.APPROVED.label)  # as the suite's language shows it


def assert_fits(session, what):
    width = session.page_width()
    assert width <= WIDTH + 1, (
        f"{what}: the page is {width}px wide on a {WIDTH}px screen; "
        f"sticking out: {session.widest_elements(WIDTH)}")


def state_badge(page):
    """The request's state, next to its title."""
    return page.locator("div:has(> h1) > [data-state]")




def open_(open_session, name, **device):
    session = open_session(name, **device)
    session.context.set_default_timeout(SLOW_MS)
    return session


def on_phone(phone, username, path, name):
    """The same screen as `username` on a phone: it fits, and a screenshot."""
    if phone.get("user") != username:
        phone["session"] = open_(phone["open"], f"phone-{username}", device=PHONE)
        phone["session"].login(username, PASSWORD)
        phone["user"] = username
    s = phone["session"]
    s.goto(path)
    assert_fits(s, f"{name} as {username}")
    s.shot(f"approvals-{name}-phone")
    return s


def decide_on_waiting_request(s, title, comment, shot):
    page = s.page
    page.get_by_test_id("nav-approvals-waiting").click()
    expect(page.locator("h1")).to_have_text("审批")
    expect(page.locator(".nav-tabs .active")).to_have_text("待我审批")
    row = page.get_by_test_id("waiting-row").filter(has_text=title)
    expect(row).to_have_count(1)
    s.shot(f"approvals-{shot}-waiting")
    row.click()
    form = page.get_by_test_id("decision-form")
    expect(form).to_be_visible()
    form.locator("textarea[name=comment]").fill(comment)
    s.shot(f"approvals-{shot}-decide")
    form.get_by_test_id("approve").click()
    expect(page.get_by_role("alert").filter(has_text="审批意见已记录。")).to_be_visible()
    expect(page.get_by_test_id("decision-form")).to_have_count(0)
    return int(re.search(r"/approvals/(\d+)/$", page.url).group(1))


def test_a_hospitality_request_through_supervisor_and_department_manager(personas,
                                                                         open_session):
    ensure_hospitality_chain()
    customer = personas.customers["am01"][0]
    phone = {"open": open_session}
    s = open_(open_session, "desktop")
    page = s.page

    # 1. am01 raises the request.
    s.login("am01", PASSWORD)
    s.goto("/approvals/mine/")
    page.get_by_test_id("new-hospitality").click()
    form = page.get_by_test_id("hospitality-form")
    form.locator("#id_customer").select_option(str(customer.pk))
    form.locator("#id_amount").fill("2500")
    form.locator("#id_date").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    form.locator("#id_guests").fill("采购部王经理等 3 人")
    form.locator("#id_purpose").fill("新品推介会后答谢晚宴")
    s.shot("approvals-01-am01-new")
    form.get_by_role("button", name="提交审批").click()
    title = f"招待费：{customer.name}，¥2,500.00"
    expect(page.locator("h1")).to_have_text(re.compile(re.escape(title)))
    expect(state_badge(page)).to_have_text("已提交")
    steps = page.get_by_test_id("step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("主管审批")
    expect(steps.nth(1)).to_contain_text("部门经理审批")
    s.shot("approvals-02-am01-submitted")
    pk = int(re.search(r"/approvals/(\d+)/$", page.url).group(1))
    on_phone(phone, "am01", f"/approvals/{pk}/", "02-am01-submitted")
    s.logout()

    # 2. sup1: the inbox badge and 待我审批 show it; approve with a comment.
    s.login("sup1", PASSWORD)
    expect(page.get_by_test_id("inbox-unread")).to_have_text("1")
    on_phone(phone, "sup1", "/approvals/waiting/", "03-sup1-waiting")
    assert decide_on_waiting_request(s, title, "同意，注意控制标准", "03-sup1") == pk
    expect(state_badge(page)).to_have_text("审批中")
    expect(page.get_by_test_id("events")).to_contain_text("同意，注意控制标准")
    s.shot("approvals-04-sup1-approved")
    on_phone(phone, "sup1", f"/approvals/{pk}/", "04-sup1-approved")
    s.logout()

    # 3. deptmgr: now waiting for the department manager.
    s.login("deptmgr", PASSWORD)
    expect(page.get_by_test_id("inbox-unread")).to_have_text("1")
    assert decide_on_waiting_request(s, title, "同意", "05-deptmgr") == pk
    expect(state_badge(page)).to_have_text(APPROVED)
    on_phone(phone, "deptmgr", "/approvals/waiting/", "05-deptmgr-waiting-empty")
    s.logout()

    # 4. am01: 已通过 in 我的申请 and on the request; the notification in the inbox.
    s.login("am01", PASSWORD)
    expect(page.get_by_test_id("inbox-unread")).to_have_text("1")
    s.goto("/approvals/mine/")
    row = page.get_by_test_id("mine-row").filter(has_text=title)
    expect(row.locator("[data-state=approved]")).to_have_text(APPROVED)
    s.shot("approvals-06-am01-mine")
    on_phone(phone, "am01", "/approvals/mine/", "06-am01-mine")
    page.get_by_test_id("inbox-link").click()
    notification = page.get_by_test_id("notification").filter(has_text=f"{title}：{APPROVED}")
    expect(notification).to_have_count(1)
    expect(notification).to_have_attribute("data-unread", "1")
    s.shot("approvals-07-am01-inbox")
    on_phone(phone, "am01", "/inbox/", "07-am01-inbox")
    notification.click()
    expect(page).to_have_url(re.compile(rf"/approvals/{pk}/$"))
    expect(page.get_by_test_id("task")).to_have_count(2)
    for task in page.get_by_test_id("task").all():
        expect(task).to_have_attribute("data-task-state", "approved")
    s.shot("approvals-08-am01-detail")
    on_phone(phone, "am01", f"/approvals/{pk}/", "08-am01-detail")
