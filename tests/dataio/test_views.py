"""The import pages: upload, map, dry run, run, the error report; one's own runs only."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from qiao.customers.models import Customer
from qiao.dataio.models import ImportRun
from qiao.demo.generator import credit_code
from tests.edit_pages import browser_post_data

from .conftest import csv_file


def code(n):
    return credit_code(950_000 + n, "310115", individual=False)


def test_upload_check_fix_and_import_through_the_pages(personas):
    client = personas.client("director")
    page = client.get(reverse("dataio:index"))
    assert page.status_code == 200 and "从 Excel 或 CSV 导入" in page.content.decode()
    bad = csv_file([["客户名称", "统一社会信用代码", "电话"],
                    ["页面导入甲公司", code(1), "021-12345678"],
                    ["页面导入乙公司", "91310115ABCDEFGH", "12"]], encoding="gbk")
    response = client.post(reverse("dataio:index"), {"importer": "customers", "file": bad})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dataio:detail",
                                                                           args=[run.pk])
    html = client.get(response["Location"]).content.decode()
    assert "GBK" in html and "客户名称" in html and "试运行" in html
    settings = {"sheet": "", "col_0": "name", "col_1": "credit_code", "col_2": "phone",
                "duplicates": "skip", "all_or_none": "1", "action": "check"}
    assert client.post(reverse("dataio:detail", args=[run.pk]), settings).status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created, run.failed) == (ImportRun.Status.CHECKED, 1, 1)
    html = client.get(reverse("dataio:detail", args=[run.pk])).content.decode()
    assert "错误行" in html and "统一社会信用代码" in html
    report = client.get(reverse("dataio:errors_xlsx", args=[run.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] == 3]
    assert {(r[1], r[2]) for r in rows} == {("B", "统一社会信用代码"), ("C", "电话")}
    # All or none: the bad rows keep the good one out too.
    client.post(reverse("dataio:detail", args=[run.pk]), {"action": "run"})
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
    assert not Customer.objects.filter(name__startswith="页面导入").exists()
    # Fixed and uploaded again: the remembered mapping, a dry run, the import.
    fixed = csv_file([["客户名称", "统一社会信用代码", "电话"],
                      ["页面导入甲公司", code(1), "021-12345678"],
                      ["页面导入乙公司", code(2), "021-87654321"]], encoding="gbk")
    client.post(reverse("dataio:index"), {"importer": "customers", "file": fixed})
    again = ImportRun.objects.order_by("-pk").first()
    assert again.mapping == {"0": "name", "1": "credit_code", "2": "phone"}
    client.post(reverse("dataio:detail", args=[again.pk]), settings)
    response = client.post(reverse("dataio:detail", args=[again.pk]), {"action": "run"})
    again.refresh_from_db()
    assert response.status_code == 302 and (again.status, again.created) == ("done", 2)
    assert Customer.objects.filter(name__startswith="页面导入").count() == 2
    # Another person's run is as missing as one that never was.
    sup1 = personas.client("sup1")
    for name in ("dataio:detail", "dataio:errors_xlsx"):
        assert sup1.get(reverse(name, args=[again.pk])).status_code == 404
    assert sup1.post(reverse("dataio:detail", args=[again.pk]), {"action": "run"}).status_code == 404


def test_a_run_needs_a_dry_run_first_and_bad_uploads_are_refused_on_the_page(personas):
    client = personas.client("am01")
    response = client.post(reverse("dataio:index"), {
        "importer": "customers", "file": csv_file([["名称"], ["某公司"]], name="a.txt")})
    assert response.status_code == 400 and "xlsx" in response.content.decode()
    client.post(reverse("dataio:index"), {"importer": "customers",
                                          "file": csv_file([["名称"], ["页面导入丙公司"]])})
    run = ImportRun.objects.get()
    response = client.post(reverse("dataio:detail", args=[run.pk]), {"action": "run"})
    assert response.status_code == 409 and "试运行" in response.content.decode()
    assert not Customer.objects.filter(name="页面导入丙公司").exists()
    # A mapping without the name column is refused with its reason.
    response = client.post(reverse("dataio:detail", args=[run.pk]), {
        "col_0": "", "duplicates": "skip", "all_or_none": "1", "action": "check"})
    assert response.status_code == 400 and "客户名称" in response.content.decode()


def test_the_customer_list_opens_the_import_page_for_those_who_may_import(personas):
    for username, shown in (("am01", True), ("director", True), ("agent01", False)):
        html = personas.client(username).get(reverse("customers:list")).content.decode()
        assert ('data-testid="import-customers"' in html) is shown, username
    assert personas.client("agent01").get(reverse("dataio:index")).status_code == 404


def test_the_settings_sent_back_unchanged_stay_as_they_were(personas):
    """Opened in zh-Hans and sent back as a browser sends it (its first button, a dry run):
    the mapping, the duplicate rule and the mode, radios included, are what was chosen."""
    client = personas.client("director")
    upload = csv_file([["客户名称", "统一社会信用代码", "电话"],
                       ["原样保存公司", code(5), "021-12345678"]], encoding="gbk")
    client.post(reverse("dataio:index"), {"importer": "customers", "file": upload})
    run = ImportRun.objects.get()
    url = reverse("dataio:detail", args=[run.pk])
    chosen = {"sheet": "", "col_0": "name", "col_1": "credit_code", "col_2": "",
              "duplicates": "update", "all_or_none": "0", "action": "save"}
    assert client.post(url, chosen).status_code == 302
    run.refresh_from_db()
    before = (run.mapping, run.duplicates, run.all_or_none)
    assert before == ({"0": "name", "1": "credit_code"}, "update", False)

    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    action, data = browser_post_data(html, ["duplicates"])
    body = {}
    for name, value in data:
        body.setdefault(name, []).append(value)
    assert client.post(action or url, body, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 302
    run.refresh_from_db()
    assert (run.mapping, run.duplicates, run.all_or_none) == before
    assert run.status == ImportRun.Status.CHECKED
