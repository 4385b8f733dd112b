"""The administrator's backups page on a phone (390 px): "back up now" queues a backup (the
task runs at once in tests) and its archive is listed; the page fits the screen and offers no
download."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import PHONE
from .test_phone import assert_fits

pytestmark = pytest.mark.e2e


def test_admin_backs_up_now_on_a_phone(personas, open_session, settings, tmp_path):
    settings.QIAO_BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    s = open_session("phone", device=PHONE)
    page = s.page
    # An administrator lands in the admin (its own header): log in by hand, then open the page.
    s.goto("/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/"))
    s.goto("/import/backups/")
    expect(page.locator("h1")).to_have_text("数据备份")
    expect(page.get_by_test_id("backup-list")).to_contain_text("尚无备份")
    page.get_by_test_id("backup-now").get_by_role("button").click()
    expect(page.get_by_test_id("backup-row")).to_have_count(1)
    expect(page.get_by_test_id("backup-row")).to_contain_text("sqlite" if settings.DATABASES[
        "default"]["ENGINE"].endswith("sqlite3") else "postgresql")
    expect(page.get_by_test_id("backup-list").locator("a")).to_have_count(0)
    assert_fits(s, "backups page")
    s.shot("backups-phone")
