"""The header as people see it: one row on a 1366 px laptop, in Chinese and in English, even in
the worst case (every menu entry, an administrator, a long name, 99+ unread messages); folded
behind the toggler below 1360 px (1200 px, a 390 px phone), where the bell stays in sight and
the menu opens as a column. Screenshots: test-artifacts/screenshots/header-*.png."""

import re

import pytest
from playwright.sync_api import expect

from qiao.notify.inbox import selectors as notify_selectors
from qiao.org.models import User
from tests.conftest import PASSWORD

from .conftest import PHONE

pytestmark = pytest.mark.e2e

LONG_NAME = "Alexandra Konstantinopoulou"
ONE_ROW = 60  # px: Bootstrap's navbar with one line of links is 56 px high


@pytest.fixture
def busiest_user(personas, monkeypatch):
    """The director (every menu entry), also an administrator, with a long name and 120 unread
    messages (counted by a stand-in: the live server runs in this process)."""
    User.objects.filter(pk=personas["director"].pk).update(is_staff=True, display_name=LONG_NAME)
    monkeypatch.setattr(notify_selectors, "unread_count", lambda user: 120)
    return personas["director"]


def logged_in(open_session, language, width):
    User.objects.filter(username="director").update(language=language)
    device = PHONE if width < 500 else {"viewport": {"width": width, "height": 768}}
    s = open_session(f"{language}-{width}", device=device)
    s.login("director", PASSWORD)
    return s


def nav_height(s):
    return s.page.evaluate("document.querySelector('nav.qiao-nav').getBoundingClientRect().height")


def link_tops(s):
    """The top edge of every main menu link (one value: one row)."""
    return set(s.page.evaluate("""() => [...document.querySelectorAll(
        'nav.qiao-nav .navbar-nav .nav-link')].map(a => Math.round(a.getBoundingClientRect().top))"""))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_at_1366_px_the_header_is_one_row(busiest_user, open_session, language):
    s = logged_in(open_session, language, 1366)
    page = s.page
    s.shot(f"header-1366-{language}", full_page=False)
    assert nav_height(s) <= ONE_ROW and len(link_tops(s)) == 1
    assert s.page_width() == 1366, s.widest_elements(1366)
    expect(page.get_by_test_id("nav-customers-list")).to_be_visible()
    expect(page.get_by_test_id("nav-tickets-list")).to_be_visible()
    expect(page.get_by_test_id("inbox-unread")).to_have_text("99+")
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    # What is opened less often than daily is in the "More" menu.
    expect(page.get_by_test_id("nav-promotions-list")).to_be_hidden()
    page.get_by_test_id("nav-menu-more").click()
    expect(page.get_by_test_id("nav-promotions-list")).to_be_visible()
    expect(page.get_by_test_id("nav-audit-log")).to_be_visible()
    assert s.page_width() == 1366, s.widest_elements(1366)
    s.shot(f"header-1366-{language}-more", full_page=False)

    # The person's own things are in their menu.
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text(LONG_NAME)
    expect(page.get_by_test_id("admin-link")).to_be_visible()
    expect(page.get_by_test_id("api-tokens-link")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_be_visible()
    s.shot(f"header-1366-{language}-user-menu", full_page=False)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1200, 390])
def test_below_1360_px_the_menu_folds_and_opens_as_a_column(busiest_user, open_session, language,
                                                            width):
    s = logged_in(open_session, language, width)
    page = s.page
    s.shot(f"header-{width}-{language}", full_page=False)
    assert nav_height(s) <= ONE_ROW
    assert s.page_width() == width, s.widest_elements(width)
    expect(page.get_by_test_id("nav-customers-list")).to_be_hidden()
    expect(page.get_by_test_id("inbox-unread")).to_be_visible()  # the bell stays in sight

    s.unfold_header()
    expect(page.get_by_test_id("nav-tickets-list")).to_be_visible()
    page.get_by_test_id("nav-menu-more").click()
    expect(page.get_by_test_id("nav-promotions-list")).to_be_visible()
    lefts = set(page.evaluate("""() => [...document.querySelectorAll(
        'nav.qiao-nav .navbar-nav .nav-link')].map(a => Math.round(a.getBoundingClientRect().left))"""))
    assert len(lefts) == 1  # one column
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    assert s.page_width() == width, s.widest_elements(width)
    s.shot(f"header-{width}-{language}-open", full_page=False)


def test_the_language_switch_and_log_out_work_from_the_user_menu(personas, open_session):
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    s.switch_language("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("nav-customers-list")).to_have_text(re.compile(r"^\s*Customers\s*$"))
    s.logout()


@pytest.mark.urls("tests.core.test_error_pages")  # Qiao's URLs and /boom/, a view that fails
def test_error_pages_in_the_browser(personas, open_session):
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    assert s.goto("/no-such-page/").status == 404
    expect(page.get_by_test_id("error-page")).to_contain_text("页面不存在")
    expect(page.get_by_test_id("nav-customers-list")).to_be_visible()  # the header stays
    s.shot("error-404", full_page=False)
    assert s.goto("/boom/").status == 500
    expect(page.get_by_test_id("error-page")).to_contain_text("出错了")
    s.shot("error-500", full_page=False)
    page.get_by_role("link", name="返回首页").click()
    expect(page.locator("h1")).to_have_text("工作台")
