"""An account manager's day with the customer archive, in a real browser.

Each step asserts what the user sees on the page (in Simplified Chinese, the default), not
what the database holds: log in through the form, find a customer by pinyin while typing,
create one and meet the duplicate warning, edit it and read its history, switch the language,
and — as a colleague — fail to find it. Phone-width checks are in test_phone.py.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import make_contact, make_customer, valid_credit_code

pytestmark = pytest.mark.e2e


def region_of(personas, username):
    user = personas[username]
    return next(r for r in personas.org.regions if user.unit.path.startswith(r.path))


def result_names(page):
    return page.get_by_test_id("customer-table").locator("tbody td:first-child a")


def fill_new_customer(page, *, name, phone="", credit_code="", legal_representative="",
                      region="华东区"):
    form = page.get_by_test_id("customer-form")
    form.locator("#id_name").fill(name)
    form.locator("#id_credit_code").fill(credit_code)
    form.locator("#id_phone").fill(phone)
    form.locator("#id_legal_representative").fill(legal_representative)
    form.locator("#id_region").select_option(label=region)
    form.locator("#id_address").fill("上海市浦东新区张江路88号")
    # Leaving a field fires `change`, which runs the live duplicate check (htmx).
    form.locator("#id_address").press("Tab")


def create_customer_through_form(session, **fields):
    """Fill /customers/new/ and save; returns the new customer's id from the page's URL."""
    page = session.page
    session.goto("/customers/new/")
    fill_new_customer(page, **fields)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("customer-name")).to_have_text(fields["name"])
    return int(re.search(r"/customers/(\d+)/$", page.url).group(1))


def test_login_then_pinyin_search_updates_the_list_and_opens_the_customer(personas,
                                                                           open_session):
    zhang = make_customer(personas["am01"], name="张三五金有限公司",
                          region=region_of(personas, "am01"))
    make_contact(personas.customers["am01"][0], personas["am01"], name="李四")
    # Same pinyin, another manager's customer: am01's search must not show it.
    make_customer(personas["am02"], name="张三丰贸易有限公司", region=region_of(personas, "am02"))

    s = open_session()
    page = s.page
    s.goto("/customers/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/customers/"))
    expect(page.locator("label[for=id_username]")).to_have_text("用户名")
    s.shot("01-login")
    s.login("am01", PASSWORD)
    page.get_by_test_id("desk").wait_for()  # the start page is the desk
    s.goto("/customers/")

    expect(page.locator("h1")).to_have_text("客户档案")
    expect(page.get_by_test_id("current-user")).to_contain_text(personas["am01"].display_name)
    own = len(personas.customers["am01"]) + 1
    expect(result_names(page)).to_have_count(own)
    expect(page.get_by_test_id("result-count")).to_contain_text(f"共 {own} 条记录")
    s.shot("02-list")

    # Typing updates the results in place (htmx): the page is never reloaded, which the
    # marker on `window` proves, and the address bar follows the query.
    page.evaluate("window.qiaoSamePage = true")
    search = page.get_by_test_id("search")
    search.press_sequentially("zhangsan", delay=30)
    expect(result_names(page)).to_have_text(["张三五金有限公司"])
    expect(page).to_have_url(re.compile(r"[?&]q=zhangsan"))
    assert page.evaluate("window.qiaoSamePage") is True
    s.shot("03-search-zhangsan")

    search.fill("")
    search.press_sequentially("zs", delay=30)
    expect(page).to_have_url(re.compile(r"[?&]q=zs(&|$)"))
    expect(result_names(page)).to_have_text(["张三五金有限公司"])

    # A contact's name finds the customer too (CUS-6).
    search.fill("lisi")
    expect(result_names(page)).to_have_text([personas.customers["am01"][0].name])

    search.fill("没有这个客户")
    expect(page.get_by_test_id("no-results")).to_have_text("没有符合条件的客户。")
    assert page.evaluate("window.qiaoSamePage") is True

    search.fill("zs")
    result_names(page).filter(has_text="张三五金有限公司").click()
    expect(page).to_have_url(re.compile(rf"/customers/{zhang.pk}/$"))
    expect(page.get_by_test_id("customer-name")).to_have_text("张三五金有限公司")
    expect(page.locator(".breadcrumb")).to_contain_text("客户")
    expect(page.get_by_role("tab", name="客户资料")).to_be_visible()
    s.shot("04-customer-page-zhangsan")


def test_create_meets_duplicate_warning_then_edit_shows_history(personas, open_session):
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    s.goto("/customers/")  # the desk first; the list keeps its own address

    # 1. A new customer through the form, reached from the list's button.
    page.get_by_test_id("new-customer").click()
    expect(page.locator("h1")).to_have_text("客户信息登记表")
    fill_new_customer(page, name="上海桥联测试贸易有限公司", phone="13912345678",
                      credit_code=valid_credit_code(), legal_representative="王五")
    expect(page.get_by_test_id("duplicate-warning")).to_have_count(0)
    page.get_by_test_id("save").click()
    expect(page.get_by_role("alert")).to_contain_text("客户“上海桥联测试贸易有限公司”已建档。")
    expect(page.get_by_test_id("customer-name")).to_have_text("上海桥联测试贸易有限公司")
    expect(page.get_by_test_id("status")).to_have_text("潜在")
    # Left as the form came, the account manager is the one who created it.
    expect(page.locator("#profile dt", has_text="客户经理").locator("+ dd")).to_have_text(
        personas["am01"].display_name)
    first_url = page.url
    s.shot("05-customer-page")

    # 2. The same company again: its name differs only by the legal form and the phone is
    # the same. The warning appears while typing, and again when saving without confirming.
    s.goto("/customers/new/")
    fill_new_customer(page, name="上海桥联测试贸易有限责任公司", phone="139 1234 5678")
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("上海桥联测试贸易有限公司")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("发现可能重复的客户")
    expect(warning).to_contain_text("上海桥联测试贸易有限公司")
    expect(page.locator("#id_name")).to_have_value("上海桥联测试贸易有限责任公司")
    s.shot("06-new-customer-duplicate-warning")

    # The user sees it is the company already on file, and enters the one they meant: the
    # warning goes away as they type, and the customer is saved without any confirmation.
    fill_new_customer(page, name="上海桥联测试物流有限公司", phone="13987654321")
    expect(warning).to_have_count(0)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("上海桥联测试物流有限公司")

    # 3. Edit the first customer; its history lists the change as before → after.
    page.goto(first_url)
    page.get_by_test_id("edit").click()
    expect(page.locator("h1")).to_have_text("编辑客户")
    expect(page.locator("#id_legal_representative")).to_have_value("王五")
    page.locator("#id_legal_representative").fill("赵六")
    page.locator("#id_staff_count").fill("120")
    page.get_by_test_id("save").click()
    expect(page.get_by_role("alert")).to_contain_text("修改已保存。")
    expect(page.locator("#profile")).to_contain_text("赵六")

    page.get_by_test_id("history").click()
    expect(page.locator("h1")).to_have_text("变更历史")
    rows = page.get_by_test_id("history-table").locator("tbody tr")
    expect(rows).to_have_count(2)  # created, then edited: newest first
    edited = rows.first
    expect(edited).to_contain_text(personas["am01"].display_name)
    change = edited.locator("div", has_text="法人代表")
    expect(change.locator("del")).to_have_text("王五")
    expect(change.locator("ins")).to_have_text("赵六")
    expect(edited.locator("div", has_text="员工人数").locator("ins")).to_have_text("120")
    s.shot("07-history")

    # The customer's timeline tells the same story in words.
    page.goto(first_url)
    page.get_by_test_id("tab-timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("法人代表")


def test_duplicate_can_be_saved_after_ticking_the_confirmation(personas, open_session):
    existing = make_customer(personas["am01"], name="宁波甬江测试机电有限公司", phone="13700001111",
                             region=region_of(personas, "am01"))
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    s.goto("/customers/new/")
    fill_new_customer(page, name="宁波甬江测试机电有限责任公司", phone="+86 137 0000 1111")
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning.get_by_role("link", name=existing.name)).to_be_visible()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_test_id("customer-name")).to_have_count(0)

    page.get_by_test_id("confirm-duplicate").check()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("宁波甬江测试机电有限责任公司")
    s.goto("/customers/?q=13700001111")
    expect(result_names(page)).to_have_text(
        ["宁波甬江测试机电有限责任公司", "宁波甬江测试机电有限公司"], use_inner_text=True)


def test_switching_language_changes_the_labels_and_back(personas, open_session):
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    s.goto("/customers/")
    customers_link = page.locator("nav.qiao-nav a.nav-link[href='/customers/']")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(customers_link).to_have_text(re.compile(r"^\s*客户\s*$"))
    expect(page.locator("h1")).to_have_text("客户档案")

    s.switch_language("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(customers_link).to_have_text(re.compile(r"^\s*Customers\s*$"))
    expect(page.locator("h1")).to_have_text("Customer archive")
    expect(page.get_by_test_id("new-customer")).to_have_text("New customer")
    expect(page.locator("thead")).to_contain_text("Customer name")
    s.shot("08-list-english")

    # The choice sticks to the user: another page, a fresh load, still English.
    page.get_by_role("link", name=personas.customers["am01"][0].name).click()
    expect(page.get_by_role("tab", name="Profile")).to_be_visible()
    s.shot("09-customer-page-english")

    s.switch_language("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("tab", name="客户资料")).to_be_visible()
    s.goto("/customers/")
    expect(customers_link).to_have_text(re.compile(r"^\s*客户\s*$"))
    expect(page.locator("h1")).to_have_text("客户档案")


def test_colleague_cannot_find_or_open_the_new_customer(personas, open_session):
    owner = open_session("am01")
    owner.login("am01", PASSWORD)
    pk = create_customer_through_form(owner, name="杭州西湖测试茶叶有限公司",
                                      phone="13811112222", credit_code=valid_credit_code())
    owner.goto("/customers/?q=xihu")
    expect(result_names(owner.page)).to_have_text(["杭州西湖测试茶叶有限公司"])

    colleague = open_session("am02")
    page = colleague.page
    colleague.login("am02", PASSWORD)
    colleague.goto("/customers/")
    # am02's own customers, nothing of am01's.
    own = {c.name for c in personas.customers["am02"]}
    expect(result_names(page)).to_have_count(len(own))
    assert set(result_names(page).all_inner_texts()) == own
    for query in ("xihu", "杭州西湖", "13811112222"):
        page.get_by_test_id("search").fill(query)
        expect(page).to_have_url(re.compile(r"[?&]q="))
        expect(page.get_by_test_id("no-results")).to_be_visible()
        expect(page.get_by_test_id("customer-table")).not_to_contain_text("杭州西湖")

    for path in (f"/customers/{pk}/", f"/customers/{pk}/edit/", f"/customers/{pk}/history/"):
        response = colleague.goto(path)
        assert response.status == 404, path
        expect(page.locator("body")).not_to_contain_text("杭州西湖")
    colleague.shot("10-colleague-404")



def test_peak_months_and_tags_can_be_chosen(personas, open_session):
    s = open_session()
    page = s.page
    s.login("am01", PASSWORD)
    s.goto("/customers/new/")
    fill_new_customer(page, name="厦门鹭岛测试海产有限公司")
    peak = page.locator("fieldset").filter(has=page.locator("legend", has_text="旺季月份"))
    peak.get_by_label("3月", exact=True).check()
    peak.get_by_label("4月", exact=True).check()
    page.get_by_label(personas.tags[0].name, exact=True).check()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("厦门鹭岛测试海产有限公司")
    expect(page.locator("#profile dt", has_text="旺季月份").locator("+ dd")).to_have_text("3、4")
    expect(page.get_by_text(personas.tags[0].name, exact=True)).to_be_visible()
