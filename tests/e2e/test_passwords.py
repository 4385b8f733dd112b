"""Passwords in the browser, in Chinese: a user whose password an administrator chose lands on
the change page at the first login and continues to the page they wanted; anyone changes theirs
from the header; an administrator's reset is a link that sets a new password once. Also the
change page on a phone."""

import re

import pytest
from playwright.sync_api import expect

from qiao.audit.models import OperationLog
from qiao.org.models import User
from tests.conftest import PASSWORD

from .conftest import PHONE

pytestmark = pytest.mark.e2e

NEW = "Qiao-bridge-2027"


def fill_new_password(page, password, *, old=None):
    if old is not None:
        page.locator("#id_old_password").fill(old)
    page.locator("#id_new_password1").fill(password)
    page.locator("#id_new_password2").fill(password)


def test_the_first_login_asks_for_the_users_own_password(personas, open_session):
    User.objects.filter(username="am01").update(must_change_password=True)
    s = open_session()
    page = s.page
    s.goto("/customers/pool/")  # asked for a page: the login, then the password, then the page
    page.locator("#id_username").fill("am01")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/password/\?next="))
    expect(page.get_by_test_id("password-change-required")).to_contain_text("请先设置您自己的密码")
    expect(page.get_by_test_id("password-change")).to_contain_text("至少 10 个字符")
    s.shot("60-password-required")

    fill_new_password(page, "demo12345", old=PASSWORD)  # 9 characters: refused
    page.get_by_test_id("password-change-submit").click()
    expect(page.get_by_test_id("error-new_password2")).to_contain_text("密码太短，至少需要 10 个字符")
    s.shot("61-password-too-short")
    fill_new_password(page, NEW, old=PASSWORD)
    page.get_by_test_id("password-change-submit").click()
    expect(page).to_have_url(re.compile(r"/customers/pool/$"))
    expect(page.locator(".alert-success")).to_contain_text("密码已修改")
    assert OperationLog.objects.filter(actor__username="am01",
                                       action="password_changed_forced").count() == 1


def test_changing_ones_password_from_the_header_and_on_a_phone(personas, open_session):
    s = open_session(device=PHONE)
    page = s.page
    s.login("sup1", PASSWORD)
    s.user_menu()  # unfolds the header first, and waits for it to stand still
    page.get_by_test_id("password-change-link").click()
    expect(page.get_by_test_id("password-change")).to_be_visible()
    assert s.page_width() <= 390, s.widest_elements(390)
    s.shot("62-password-change-phone")
    fill_new_password(page, NEW, old=PASSWORD)
    page.get_by_test_id("password-change-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("密码已修改")


def test_an_administrators_reset_link_sets_a_new_password_once(personas, open_session):
    admin = open_session("admin")
    page = admin.page
    admin.goto("/login/")  # an administrator lands in the admin, which has its own header
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    admin.goto("/admin/org/user/?q=am02")
    page.locator(f"input[name=_selected_action][value='{personas['am02'].pk}']").check()
    page.locator("select[name=action]").select_option("password_reset_links")
    page.locator("button[name=index]").click()
    link_box = page.get_by_test_id("reset-link-am02")
    expect(link_box).to_be_visible()
    admin.shot("63-admin-reset-link")
    link = link_box.input_value()

    user = open_session("am02")
    user.page.goto(link)
    expect(user.page.get_by_test_id("password-reset")).to_contain_text("设置新密码")
    assert "/set-password/" in user.page.url  # the token left the address bar
    user.shot("64-password-reset")
    fill_new_password(user.page, NEW)
    user.page.get_by_test_id("password-reset-submit").click()
    expect(user.page).to_have_url(re.compile(r"/login/"))
    expect(user.page.locator(".alert-success")).to_contain_text("新密码已设置")
    user.login("am02", NEW)

    again = open_session("again")
    again.page.goto(link)
    expect(again.page.get_by_test_id("password-reset-invalid")).to_be_visible()
