"""An export above the approval threshold, in a real browser (issue 13's browser test, C07).

am01 (given the customer-export action here) exports her 201 customers to Excel: no file, the
message 已提交导出申请，待上级审批 and the request, waiting, in 我的导出. sup1 finds it under 待我审批,
reads what the file will hold (the list, its filters, 201 rows) and approves it. am01 downloads
it from 我的导出: the workbook's first line and its properties carry her name and username, and
the operation log holds the SHA-256 of exactly those bytes. 我的导出 is also opened at phone
width. Screenshots go to test-artifacts/screenshots/ (exports-*.png).
"""

import hashlib
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from qiao.audit.models import OperationLog
from qiao.dataio.models import ExportRequest
from tests.conftest import PASSWORD
from tests.customers.test_queries import add_customers
from tests.reports.conftest import grant_export

from .conftest import PHONE, SLOW_MS

pytestmark = pytest.mark.e2e


def test_am01_asks_sup1_approves_am01_downloads_the_watermarked_file(personas, open_session):
    grant_export()
    am01 = personas["am01"]
    add_customers(personas, am01, 0, 199)  # with her two: 201, one above the threshold
    s = open_session("desktop")
    s.context.set_default_timeout(SLOW_MS)
    page = s.page

    # 1. am01 exports the customer list: a request, no file.
    s.login("am01", PASSWORD)
    s.goto("/customers/")
    page.get_by_test_id("export-xlsx").click()
    expect(page.get_by_role("alert").filter(has_text="已提交导出申请，待上级审批")).to_be_visible()
    expect(page.locator("h1")).to_have_text("我的导出")
    row = page.get_by_test_id("export-request-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("export-state")).to_have_text("待审批")
    expect(row.get_by_test_id("export-download")).to_have_count(0)
    s.shot("exports-01-am01-requested")
    assert not OperationLog.objects.filter(action=OperationLog.Kind.EXPORT).exists()
    s.logout()

    # 2. sup1 reads what the file will hold and approves.
    s.login("sup1", PASSWORD)
    s.goto("/approvals/waiting/")
    page.get_by_test_id("waiting-row").filter(has_text="数据导出").click()
    subject = page.get_by_test_id("export-subject")
    expect(subject).to_contain_text("客户档案")
    expect(page.get_by_test_id("export-subject-rows")).to_have_text("201")
    s.shot("exports-02-sup1-decide")
    form = page.get_by_test_id("decision-form")
    form.locator("textarea[name=comment]").fill("同意导出")
    form.get_by_test_id("approve").click()
    expect(page.get_by_role("alert").filter(has_text="审批意见已记录。")).to_be_visible()
    s.logout()

    # 3. am01 downloads it from 我的导出.
    s.login("am01", PASSWORD)
    s.goto("/import/exports/")
    row = page.get_by_test_id("export-request-row")
    expect(row.get_by_test_id("export-state")).to_have_text("已通过")
    s.shot("exports-03-am01-approved")
    with page.expect_download() as download:
        row.get_by_test_id("export-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        data = handle.read()
    book = openpyxl.load_workbook(io.BytesIO(data))
    mark = book.active["A1"].value
    assert mark.startswith(f"导出人：{am01.display_name}（am01） 导出时间：") and "来源：桥 Qiao" in mark
    assert book.properties.creator == f"{am01.display_name}（am01）"
    assert book.properties.keywords == mark
    log = OperationLog.objects.get(action=OperationLog.Kind.EXPORT)
    assert log.actor == am01 and log.details["rows"] == 201
    assert log.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert ExportRequest.objects.get().downloads == 1
    s.goto("/import/exports/")
    expect(page.get_by_test_id("export-request-row").locator("td").nth(6)).to_have_text("1")

    # 4. The same page on a phone.
    phone = open_session("phone", device=PHONE)
    phone.login("am01", PASSWORD)
    phone.goto("/import/exports/")
    width = phone.page_width()
    assert width <= PHONE["viewport"]["width"] + 1, phone.widest_elements(PHONE["viewport"]["width"])
    phone.shot("exports-04-am01-phone")
