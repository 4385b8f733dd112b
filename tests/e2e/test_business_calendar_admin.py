"""The business calendar in the admin, as an administrator meets it in December 2026: the index
warns that 2027 has no holidays, the warning leads to the calendar (listed by year, with the
weekday of each day), the administrator enters New Year's Day 2027 and the warning is gone.
Screenshots: test-artifacts/screenshots/calendar-*.png."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.core import calendar
from qiao.core.models import CalendarDay
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

WARNING = "尚未录入 2027 年的法定节假日"


def test_an_administrator_enters_the_coming_years_holidays(personas, open_session, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 6))
    calendar.seed_official_days()  # the flush after an earlier browser test removed them
    CalendarDay.objects.filter(date__year=2027).delete()
    s = open_session()
    page = s.page
    # Staff land on the admin's index after logging in (org.views).
    s.goto("/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    warning = page.get_by_test_id("calendar-warnings")
    expect(warning).to_contain_text(WARNING)
    s.shot("calendar-01-admin-index-warning")

    warning.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/admin/core/calendarday/$"))
    expect(page.locator(".messagelist .warning")).to_contain_text(WARNING)
    page.get_by_role("link", name="2025", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(33)  # the year's official days
    s.shot("calendar-02-year-2025")
    page.get_by_role("link", name="2025年10月", exact=True).click()
    national_day = page.locator("#result_list tbody tr").filter(has_text="2025年10月11日")
    expect(national_day).to_contain_text("星期六")
    expect(national_day).to_contain_text("调休上班")
    s.shot("calendar-03-october-2025")

    s.goto("/admin/core/calendarday/add/")
    page.locator("#id_date").fill("2027-01-01")
    page.locator("#id_kind").select_option("holiday")
    page.locator("#id_name").fill("元旦")
    s.shot("calendar-04-add-new-years-day")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".messagelist")).not_to_contain_text(WARNING)

    s.goto("/admin/")
    expect(page.get_by_test_id("calendar-warnings")).to_have_count(0)
    assert not calendar.is_working_day(date(2027, 1, 1))
