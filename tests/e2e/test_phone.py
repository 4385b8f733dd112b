"""The customer archive on a phone (390×844): account managers use it at the customer's counter.

"Usable" here means: nothing makes the page wider than the screen (no sideways scrolling of
the whole page), the menu opens, the list shows each customer's name with its grade, status
and manager under it, and the customer page's tabs and profile can be read and used.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import make_contact, make_customer

from .conftest import PHONE

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]
LONG_NAME = "上海浦东新区张江高科技园区测试国际贸易有限公司"


def assert_fits(session, what):
    width = session.page_width()
    assert width <= WIDTH + 1, (
        f"{what}: the page is {width}px wide on a {WIDTH}px screen; "
        f"sticking out: {session.widest_elements(WIDTH)}")


def test_phone_list_and_customer_page_fit_the_screen(personas, open_session):
    am01 = personas["am01"]
    region = next(r for r in personas.org.regions if am01.unit.path.startswith(r.path))
    customer = make_customer(
        am01, name=LONG_NAME, short_name="张江测试", region=region, phone="021-58881234",
        address="上海市浦东新区张江镇科苑路1500弄88号3幢1201室",
        main_products="不锈钢管材、铝型材、五金配件（长期合同）", legal_representative="张三")
    make_contact(customer, am01, name="王小明", mobile="13900001111", title="采购经理")

    s = open_session("phone", device=PHONE)
    page = s.page
    s.goto("/login/")
    assert_fits(s, "login page")
    s.shot("11-phone-login", full_page=False)
    s.login("am01", PASSWORD)
    s.goto("/customers/")

    # The list: names, with grade · status · manager under each; no wide columns.
    expect(page.locator("h1")).to_have_text("客户档案")
    row = page.get_by_test_id("customer-table").locator("tbody tr").filter(has_text=LONG_NAME)
    expect(row.get_by_role("link", name=LONG_NAME)).to_be_visible()
    expect(row.locator(".customer-row-sub")).to_be_visible()
    expect(row.locator(".customer-row-sub")).to_contain_text(am01.display_name)
    expect(page.get_by_test_id("customer-table").locator("th").filter(has_text="电话")).to_be_hidden()
    assert_fits(s, "customer list")
    s.shot("12-phone-list")

    # The menu is folded behind the toggler and opens (Bootstrap's script runs).
    menu_link = page.locator("#mainnav a.nav-link[href='/customers/']")
    expect(menu_link).to_be_hidden()
    page.locator(".navbar-toggler").click()
    expect(menu_link).to_be_visible()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))  # opened fully
    assert_fits(s, "list with the menu open")
    s.shot("13-phone-menu-open", full_page=False)
    page.locator(".navbar-toggler").click()
    expect(menu_link).to_be_hidden()

    # Search while typing works with a phone keyboard too.
    page.get_by_test_id("search").press_sequentially("zjcs", delay=30)
    expect(page.get_by_test_id("customer-table").locator("tbody td:first-child a")).to_have_text(
        [LONG_NAME])
    assert_fits(s, "search result")

    # The customer page.
    page.get_by_role("link", name=LONG_NAME).tap()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_test_id("customer-name")).to_contain_text(LONG_NAME)
    expect(page.get_by_test_id("edit")).to_be_visible()
    expect(page.locator("#profile")).to_contain_text("科苑路1500弄")
    assert_fits(s, "customer page")
    s.shot("14-phone-customer-page")

    page.get_by_test_id("tab-contacts").tap()
    expect(page.locator("#contacts")).to_contain_text("王小明")
    assert_fits(s, "contacts tab")
    s.shot("15-phone-contacts", full_page=False)

    # The forms and the history table stay within the screen (tables scroll in their card).
    page.get_by_test_id("edit").tap()
    expect(page.locator("#id_name")).to_have_value(LONG_NAME)
    assert_fits(s, "edit form")
    page.locator("#id_legal_representative").fill("李四")
    page.get_by_test_id("save").tap()
    expect(page.get_by_test_id("customer-name")).to_contain_text(LONG_NAME)
    page.get_by_test_id("history").tap()
    expect(page.get_by_test_id("history-table")).to_contain_text("李四")
    assert_fits(s, "history page")
    s.shot("16-phone-history")
