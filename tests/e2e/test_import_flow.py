"""The director imports a customer sheet in a real browser: a GBK CSV with a bad row, the dry
run's report and its xlsx download, the corrected file, the import (issue 13's browser test)."""

import csv
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from qiao.customers.models import Customer
from tests.conftest import PASSWORD
from tests.factories import valid_credit_code

pytestmark = pytest.mark.e2e


def gbk_csv(rows):
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return {"name": "客户清单.csv", "mimeType": "text/csv", "buffer": text.getvalue().encode("gbk")}


def test_director_imports_a_sheet_with_errors_downloads_the_report_fixes_it_and_imports(
        personas, open_session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, second = valid_credit_code(), valid_credit_code()
    header = ["客户名称", "统一社会信用代码", "联系电话", "联系人", "手机"]
    s = open_session()
    s.login("director", PASSWORD)
    page = s.page
    s.goto("/customers/")
    page.get_by_test_id("import-customers").click()
    page.locator("#id_file").set_input_files(gbk_csv([
        header, ["浏览器导入甲公司", first, "021-12345678", "张三", "13812345678"],
        ["浏览器导入乙公司", second, "12345", "李四", "13912345678"]]))
    page.get_by_test_id("import-upload-submit").click()
    expect(page.get_by_test_id("import-mapping")).to_contain_text("统一社会信用代码")
    expect(page.locator("#id_col_4")).to_have_value("contact_mobile")
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("count-created")).to_have_text("1")
    expect(page.get_by_test_id("import-errors")).to_contain_text("联系电话")
    expect(page.get_by_test_id("import-blocked")).to_be_visible()  # all or none: no run
    with page.expect_download() as download:
        page.get_by_test_id("import-errors-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert [(r[0], r[1], r[2]) for r in sheet.iter_rows(values_only=True)
            if r[0] == 3] == [(3, "C", "联系电话")]
    s.shot("import-checked")

    s.goto("/import/")
    page.locator("#id_file").set_input_files(gbk_csv([
        header, ["浏览器导入甲公司", first, "021-12345678", "张三", "13812345678"],
        ["浏览器导入乙公司", second, "021-87654321", "李四", "13912345678"]]))
    page.get_by_test_id("import-upload-submit").click()
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("count-created")).to_have_text("2")
    page.get_by_test_id("import-run").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已导入")
    s.shot("import-done")
    assert set(Customer.objects.filter(name__startswith="浏览器导入").values_list(
        "name", "owner__username")) == {("浏览器导入甲公司", "director"),
                                        ("浏览器导入乙公司", "director")}
