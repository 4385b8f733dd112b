"""A request returned for changes, changed and resubmitted by its requester in a real browser;
and a delegation that offers only those who may stand in.

sup1 returns am01's ¥800 hospitality request with "请补充来宾名单"; am01 opens it, sees the return
comment and the form with the request as it is, adds the guests, raises the amount to ¥3,000
and replies; the request goes again — now to sup1 and then the department manager — with the
changes and the reply on its history. sup1's delegation page offers only the people above him
in his line. Desktop and phone screenshots: test-artifacts/screenshots/approvals-returned-*.png.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from qiao.approvals import services
from qiao.visits import services as visit_services
from qiao.visits.demo import ensure_hospitality_chain
from tests.conftest import PASSWORD

from .conftest import PHONE, SLOW_MS
from .test_approvals_flow import assert_fits, state_badge

pytestmark = pytest.mark.e2e


def test_a_returned_request_is_changed_and_resubmitted(personas, open_session):
    ensure_hospitality_chain()
    request = visit_services.hospitality_request_create(
        actor=personas["am01"], customer=personas.customers["am01"][0], amount=Decimal("800.00"),
        date=date(2026, 12, 1), guests="采购部 2 人", purpose="季度走访后工作午餐")
    services.task_return(actor=personas["sup1"], task=request.tasks.get(), comment="请补充来宾名单")
    s = open_session("desktop")
    s.context.set_default_timeout(SLOW_MS)
    page = s.page
    s.login("am01", PASSWORD)
    s.goto(f"/approvals/{request.pk}/")
    form = page.get_by_test_id("edit-form")
    expect(form.get_by_test_id("return-comment")).to_contain_text("请补充来宾名单")
    expect(form.locator("#id_date")).to_have_value("2026-12-01")
    expect(form.locator("#id_guests")).to_have_value("采购部 2 人")
    expect(form.locator("#id_amount")).to_have_value("800.00")
    s.shot("approvals-returned-01-edit-form")
    form.locator("#id_guests").fill("采购部王经理、李主任、财务部张会计")
    form.locator("#id_amount").fill("3000")
    form.locator("#id_comment").fill("已补充来宾名单；人数增加，预算相应调整")
    form.get_by_test_id("resubmit").click()
    expect(page.get_by_role("alert").filter(has_text="申请已重新提交")).to_be_visible()
    expect(state_badge(page)).to_have_text("已提交")
    expect(page.locator("h1")).to_contain_text("¥3,000.00")
    expect(page.get_by_test_id("edit-form")).to_have_count(0)
    steps = page.get_by_test_id("step")
    expect(steps).to_have_count(2)
    expect(steps.nth(1)).to_contain_text("部门经理审批")
    events = page.get_by_test_id("events")
    expect(events).to_contain_text("已补充来宾名单；人数增加，预算相应调整")
    expect(events.get_by_test_id("event-note")).to_have_text("已修改：金额（元）、来宾")
    s.shot("approvals-returned-02-resubmitted")

    phone = open_session("phone", device=PHONE)
    phone.context.set_default_timeout(SLOW_MS)
    services.task_return(actor=personas["sup1"], task=request.tasks.get(round=2, order=1),
                         comment="请写明用餐地点")
    phone.login("am01", PASSWORD)
    phone.goto(f"/approvals/{request.pk}/")
    expect(phone.page.get_by_test_id("edit-form")).to_be_visible()
    assert_fits(phone, "the edit form on a phone")
    phone.shot("approvals-returned-03-edit-form-phone")


def test_the_delegation_page_offers_only_who_may_stand_in(personas, open_session):
    s = open_session("desktop")
    s.context.set_default_timeout(SLOW_MS)
    s.login("sup1", PASSWORD)
    s.goto("/approvals/delegations/")
    options = s.page.locator("#id_delegate option")
    offered = {o for o in options.all_inner_texts() if not o.startswith("—")}
    assert offered == {f"{personas[u]} · {personas[u].unit}" for u in ("region1", "deptmgr",
                                                                      "director")}
    expect(s.page.get_by_test_id("delegation-rules")).to_contain_text("最长 90 天")
    s.page.locator("#id_delegate").select_option(str(personas["region1"].pk))
    s.page.locator("#id_starts_on").fill("2020-01-01")
    s.page.locator("#id_ends_on").fill("2020-01-05")
    s.page.get_by_role("button", name="保存委托").click()
    expect(s.page.get_by_test_id("delegation-form")).to_contain_text("委托不能从过去的日期开始")
    s.shot("approvals-returned-04-delegation-refused")
    assert re.search(r"/approvals/delegations/$", s.page.url)


def test_returned_lifecycle_and_transfer_requests_show_their_forms(personas, open_session):
    from tests.customers.request_factories import make_lifecycle_request, make_transfer_request

    am01 = personas["am01"]
    first, second = personas.customers["am01"]
    lifecycle = make_lifecycle_request(am01, first)
    services.task_return(actor=personas["sup1"], task=lifecycle.tasks.get(), comment="请补充关系卡")
    transfer = make_transfer_request(am01, second, to_user=personas["am02"])
    services.task_return(actor=personas["region1"], task=transfer.tasks.get(), comment="原因请写具体")
    s = open_session("desktop")
    s.context.set_default_timeout(SLOW_MS)
    s.login("am01", PASSWORD)
    s.goto(f"/approvals/{lifecycle.pk}/")
    form = s.page.get_by_test_id("edit-form")
    expect(form.locator("input[name=checklist]")).to_have_count(5)
    expect(form).to_contain_text("关键联系人关系卡（选填）")
    s.shot("approvals-returned-05-lifecycle")
    s = open_session("supervisor")
    s.context.set_default_timeout(SLOW_MS)
    s.login("sup1", PASSWORD)
    s.goto(f"/approvals/{transfer.pk}/")
    form = s.page.get_by_test_id("edit-form")
    expect(form.locator("input[name=customers]:checked")).to_have_count(1)
    expect(form.locator("input[name=customers]")).to_have_count(2)
    s.shot("approvals-returned-06-transfer")
