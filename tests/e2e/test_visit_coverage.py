"""Visit coverage (拜访覆盖率) in a browser, zh-Hans: the supervisor opens last month's table on
a desktop (1366 px) and a phone (390 px): the chart is drawn, the team's two managers are the
rows, nothing is wider than the screen; a row opens the manager's overdue customers and missed
visits; the seed table 客户拜访管理表 lists the team's visits."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.visits.factories import coverage_world

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_supervisor_reads_the_teams_coverage(personas, open_session, settings, tmp_path,
                                             device):
    settings.MEDIA_ROOT = tmp_path
    world = coverage_world(personas)
    s = open_session(device, device=DESKTOP if device == "desktop" else PHONE)
    page = s.page
    s.login("sup1", PASSWORD)
    s.goto(f"/visits/coverage/?period=month&day={world['start'].isoformat()}")
    expect(page.get_by_test_id("report-title")).to_have_text("拜访覆盖率统计表")
    expect(page.get_by_test_id("coverage-row")).to_have_count(2)
    expect(page.locator("[data-testid=chart-coverage] canvas")).to_be_attached()
    expect(page.get_by_test_id("coverage-total").locator('[data-figure="planned"]')
           ).to_have_text("3")
    width = page.viewport_size["width"]
    assert s.page_width() <= width + 1, s.widest_elements(width)
    s.shot(f"80-{device}-visit-coverage")
    page.locator(f'[data-testid=coverage-row][data-key="{personas["am02"].pk}"] '
                 '[data-testid=coverage-drill]').click()
    expect(page.get_by_test_id("drill-overdue-row")).to_have_count(2)
    expect(page.get_by_test_id("drill-missed-row")).to_have_count(1)
    assert s.page_width() <= width + 1, s.widest_elements(width)
    s.shot(f"81-{device}-visit-coverage-manager")
    s.goto("/visits/tables/visits/")
    expect(page.get_by_test_id("report-title")).to_have_text("客户拜访管理表")
    expect(page.get_by_test_id("table-row")).to_have_count(3)
    s.shot(f"82-{device}-visit-table")
