"""Staff appraisal in the browser, in Chinese: the regional manager drafts last quarter's
appraisal of an account manager from a scheme at 1366 px, writes the evaluation, adds a
reward and submits it; the director confirms it; the account manager reads their own
appraisal and the ranking on a phone (390 px) without the page growing wider than the screen;
the department manager's sheet shows the handbook's four dimensions on a phone."""

from datetime import date

import pytest
from playwright.sync_api import expect

from qiao.appraisal import services
from qiao.appraisal.models import Appraisal
from tests.appraisal.factories import TODAY, make_quarter, make_scheme
from tests.conftest import PASSWORD

from .conftest import PHONE

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]


def test_draft_submit_confirm_then_read_on_a_phone(personas, open_session):
    make_quarter(personas)
    make_scheme(personas["region1"])
    desk = open_session("desktop")
    page = desk.page
    desk.login("region1", PASSWORD)
    desk.goto("/appraisal/new/")
    expect(page.locator("h1")).to_have_text("新建考核")
    page.locator("#id_scorecard").select_option(label="客户经理季度考核")
    page.locator("#id_person").select_option(str(personas["am01"].pk))
    page.locator("#id_day").fill("2026-08-15")
    page.get_by_test_id("draft-button").click()
    expect(page.get_by_test_id("appraisee")).to_have_text(str(personas["am01"]))
    expect(page.get_by_test_id("period")).to_contain_text("2026年第3季度")
    expect(page.get_by_test_id("score")).to_have_text("85.50")
    page.locator("#id_evaluation").fill("销售超额完成，回款需加快。")
    page.get_by_test_id("save-button").click()
    page.locator("#id_kind").select_option("reward")
    page.locator("#id_reason").fill("季度新客户开发奖")
    page.locator("#id_amount").fill("500")
    page.locator("#id_points").fill("3")
    page.get_by_test_id("line-add").click()
    expect(page.get_by_test_id("final-score")).to_have_text("88.50")
    desk.shot("90-appraisal-desktop")
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("appraisal-status")).to_have_text("已提交")

    director = open_session("director")
    page = director.page
    director.login("director", PASSWORD)
    appraisal = Appraisal.objects.get()
    director.goto(f"/appraisal/{appraisal.pk}/")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("appraisal-status")).to_have_text("已确认")

    phone = open_session("phone", device=PHONE)
    page = phone.page
    phone.login("am01", PASSWORD)
    phone.goto("/appraisal/")
    expect(page.get_by_test_id("appraisal-row")).to_have_count(1)
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    page.get_by_test_id("appraisal-row").get_by_role("link").click()
    expect(page.get_by_test_id("final-score")).to_have_text("88.50")
    expect(page.get_by_test_id("kpi-table")).to_contain_text("目标完成率")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    phone.shot("91-appraisal-phone")
    phone.goto("/appraisal/ranking/?period_kind=quarter&day=2026-08-15")
    expect(page.get_by_test_id("ranking-row")).to_have_count(1)
    expect(page.get_by_test_id("ranking-final")).to_have_text("88.50")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)


def test_the_department_managers_sheet_on_a_phone(personas, open_session):
    services.sheet_draft(actor=personas["director"], person=personas["deptmgr"],
                         period_kind="year", day=date(2025, 6, 1), today=TODAY)
    phone = open_session("phone", device=PHONE)
    page = phone.page
    phone.login("director", PASSWORD)
    phone.goto(f"/appraisal/{Appraisal.objects.get().pk}/")
    expect(page.get_by_test_id("dimension")).to_have_count(4)
    expect(page.get_by_test_id("criterion")).to_have_count(32)
    expect(page.locator("body")).to_contain_text("指导协调")
    page.get_by_test_id("criterion-score").first.select_option("5")
    page.get_by_test_id("save-button").click()
    expect(page.get_by_test_id("score")).to_have_text("3.13")  # 5 of 160 points
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    phone.shot("92-appraisal-sheet-phone")
