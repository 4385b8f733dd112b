"""The weekly visit schedule in a browser, zh-Hans: on a desktop (1366 px) the account manager
drags a customer to another day, saves and submits; on a phone (390 px) the same with the
day's select. Nothing wider than the screen, the week's changes stored, the week submitted."""

import re

import pytest
from playwright.sync_api import expect

from qiao.customers.models import Customer
from qiao.visits import selectors
from qiao.visits.demo import ensure_visit_rules
from qiao.visits.models import ScheduledVisit, VisitSchedule
from tests.conftest import PASSWORD

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def _due_customers(personas):
    """am01's own customers graded 三级 and never visited: due, on next week's proposal."""
    ensure_visit_rules()
    grade = next(g for g in personas.grades if g.rank == 3)
    customers = personas.customers["am01"]
    Customer._base_manager.filter(pk__in=[c.pk for c in customers]).update(grade=grade)
    return customers


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_customer_is_moved_to_another_day_and_the_week_submitted(personas, open_session,
                                                                   device):
    _due_customers(personas)
    week = selectors.next_week()
    days = selectors.working_days(week)
    s = open_session(device, device=DESKTOP if device == "desktop" else PHONE)
    page = s.page
    s.login("am01", PASSWORD)
    s.goto(f"/visits/schedule/?week={week.isoformat()}")
    expect(page.get_by_test_id("schedule-title")).to_contain_text("我的拜访日程")
    expect(page.get_by_test_id("schedule-status")).to_have_text("草稿")
    schedule = VisitSchedule.objects.get(manager=personas["am01"], week_start=week)
    line = ScheduledVisit.objects.filter(schedule=schedule).order_by("day", "order").first()
    target = days[-1] if line.day != days[-1] else days[0]
    row = page.locator(f'[data-line="{line.pk}"]')
    expect(row).to_be_visible()
    width = page.viewport_size["width"]
    assert s.page_width() <= width + 1, s.widest_elements(width)
    if device == "desktop":
        row.drag_to(page.locator(f'[data-schedule-day="{target.isoformat()}"] .schedule-lines'))
        expect(page.locator(f'[data-schedule-day="{target.isoformat()}"] '
                            f'[data-line="{line.pk}"]')).to_be_visible()
        expect(row.locator("select")).to_have_value(target.isoformat())
    else:
        row.locator("select").select_option(target.isoformat())
    expect(page.get_by_test_id("schedule-unsaved")).to_be_visible()
    s.shot(f"70-{device}-schedule-week")
    page.get_by_test_id("schedule-save").click()
    expect(page.locator(".alert-success")).to_contain_text("拜访日程已保存")
    line.refresh_from_db()
    assert line.day == target
    expect(page.locator(f'[data-schedule-day="{target.isoformat()}"] '
                        f'[data-line="{line.pk}"]')).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("schedule-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交主管")
    expect(page.get_by_test_id("schedule-status")).to_have_text("已提交")
    expect(page.get_by_test_id("schedule-submit")).to_have_count(0)
    assert VisitSchedule.objects.get(pk=schedule.pk).is_submitted
    assert s.page_width() <= width + 1, s.widest_elements(width)
    # The month view shows the customer on its new day.
    s.goto(f"/visits/schedule/month/?month={target:%Y-%m}")
    expect(page.get_by_test_id("schedule-month")).to_contain_text(line.customer.name)
    assert re.search(r"/visits/schedule/month/", page.url)
    assert s.page_width() <= width + 1, s.widest_elements(width)
