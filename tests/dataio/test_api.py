"""The import jobs' REST API (issue 13, item 7): upload, configure, dry run, run, status and the
error report over a personal API token, on the pages' services; one's own jobs only; bad input
refused with the service's message and nothing kept."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from qiao.customers.models import Customer
from qiao.dataio.models import ImportedRow, ImportMapping, ImportRun
from qiao.demo.generator import credit_code
from tests.api.conftest import API, Api, token_secret

from .conftest import csv_file, xlsx_file

HEADER = ["客户名称", "统一社会信用代码", "电话"]


def code(n):
    return credit_code(970_000 + n, "310115", individual=False)


def upload(client, upload_file, importer="customers", **extra):
    """POST /imports as multipart form data (the file and the importer's code)."""
    return client.client.post(API + "/imports", {"importer": importer, "file": upload_file},
                              **client.headers, **extra)


def sheet(rows, **kwargs):
    return csv_file([HEADER, *rows], **kwargs)


@pytest.fixture
def api_as(personas):
    """api_as("am01") → an /api/v1 client with a personal token of am01."""
    return lambda username: Api(token_secret(personas[username]))


def imported():
    return set(Customer.objects.filter(name__startswith="接口导入").values_list("name", flat=True))


def test_a_whole_import_over_the_api(api_as, personas):
    am01 = api_as("am01")
    importers = am01.get("/importers").json()
    customers = next(i for i in importers if i["code"] == "customers")
    assert {"code": "name", "label": "客户名称", "required": True, "kind": "text"}.items() \
        <= next(f for f in customers["fields"] if f["code"] == "name").items()
    assert "客户名称" in next(f for f in customers["fields"] if f["code"] == "name")["headers"]
    assert [d["code"] for d in customers["duplicates"]] == ["skip", "update", "create"]

    bad_check_digit = code(2)[:-1] + ("0" if code(2)[-1] != "0" else "1")
    response = upload(am01, sheet([["接口导入甲公司", code(1), "021-12345678"],
                                   ["接口导入乙公司", bad_check_digit, "021-87654321"]],
                                  encoding="gbk"))
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["importer"], job["file_name"], job["status"], job["encoding"]) == (
        "customers", "客户.csv", "uploaded", "GBK")
    assert job["size"] > 0 and job["headers"] == HEADER and job["sheets"] == []
    assert job["mapping"] == {"0": "name", "1": "credit_code", "2": "phone"}
    url = f"/imports/{job['id']}"

    # A run before a dry run is refused as the page refuses it; nothing is written.
    response = am01.post(url + "/run")
    assert response.status_code == 409 and "试运行" in response.json()["detail"]
    assert ImportRun.objects.get().status == ImportRun.Status.UPLOADED

    response = am01.post(url + "/configure", {"mapping": job["mapping"], "duplicates": "skip",
                                              "all_or_none": False})
    assert response.status_code == 200, response.content
    assert (response.json()["all_or_none"], response.json()["status"]) == (False, "uploaded")

    response = am01.post(url + "/dry-run")  # in tests the worker's task runs at once
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["job"], job["total_rows"], job["created"], job["failed"]) == (
        "checked", "check", 2, 1, 1)
    assert job["preview"] == [{"row": 2, "outcome": "created", "note": job["preview"][0]["note"]}]
    assert [(e["row"], e["column"], e["header"]) for e in job["errors"]] == [
        (3, "B", "统一社会信用代码")] and job["errors_count"] == 1
    assert imported() == set()  # a dry run writes nothing

    report = am01.get(url + "/errors.xlsx")
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    bad = [r for r in book.iter_rows(values_only=True) if r[0] == 3]
    assert [(r[1], r[2]) for r in bad] == [("B", "统一社会信用代码")] and bad[0][3]

    response = am01.post(url + "/run")
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["job"], job["created"], job["failed"]) == ("done", "run", 1, 1)
    assert imported() == {"接口导入甲公司"}
    assert Customer.objects.get(name="接口导入甲公司").owner == personas["am01"]

    status = am01.get(url).json()
    assert (status["status"], status["percent"], status["created"], status["updated"],
            status["skipped"], status["failed"]) == ("done", 0, 1, 0, 0, 1)
    listed = am01.get("/imports").json()
    assert (listed["count"], [i["id"] for i in listed["items"]]) == (1, [job["id"]])
    assert listed["items"][0]["status_label"] == "已导入"
    # Done: neither cancelled nor run again.
    assert am01.post(url + "/cancel").status_code == 409
    assert am01.post(url + "/run").status_code == 409
    assert ImportedRow.objects.count() == 1


def test_an_xlsx_sheet_is_chosen_and_its_headers_suggested_afresh(api_as):
    am01 = api_as("am01")
    book = xlsx_file({"说明": [["本表说明"], ["见下一页"]],
                      "客户": [["客户名称", "电话"], ["接口导入丙公司", "021-12345678"]]})
    job = upload(am01, book).json()
    assert (job["sheets"], job["sheet"], job["headers"]) == (["说明", "客户"], "说明", ["本表说明"])
    response = am01.post(f"/imports/{job['id']}/configure", {"sheet": "客户"})
    job = response.json()
    assert response.status_code == 200, job
    assert (job["sheet"], job["headers"], job["mapping"]) == (
        "客户", ["客户名称", "电话"], {"0": "name", "1": "phone"})
    job = am01.post(f"/imports/{job['id']}/dry-run").json()
    assert (job["status"], job["created"], job["failed"]) == ("checked", 1, 0)
    job = am01.post(f"/imports/{job['id']}/run").json()
    assert job["status"] == "done" and imported() == {"接口导入丙公司"}


def test_only_ones_own_jobs_and_only_with_data_import(api_as, personas):
    job = upload(api_as("am01"), sheet([["接口导入丁公司", code(3), ""]])).json()
    before = ImportRun.objects.values_list("status", "mapping", "all_or_none").get()
    calls = [("get", f"/imports/{job['id']}", None), ("get", f"/imports/{job['id']}/errors.xlsx",
                                                       None),
             ("post", f"/imports/{job['id']}/configure", {"all_or_none": False}),
             ("post", f"/imports/{job['id']}/dry-run", None),
             ("post", f"/imports/{job['id']}/run", None),
             ("post", f"/imports/{job['id']}/cancel", None)]
    # sup1 sees am01's customers, but another person's job is as missing as one that never was.
    sup1 = api_as("sup1")
    for method, path, body in calls:
        response = getattr(sup1, method)(path, body) if body else getattr(sup1, method)(path)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["detail"] == "未找到。"
    assert sup1.get("/imports").json()["count"] == 0
    # The administrator's role may use the API but not import: every route is 404.
    admin = api_as("admin")
    for method, path, body in [*calls, ("get", "/imports", None), ("get", "/importers", None)]:
        response = getattr(admin, method)(path, body) if body else getattr(admin, method)(path)
        assert response.status_code == 404, (method, path)
    assert upload(admin, sheet([["接口导入戊公司", code(4), ""]])).status_code == 404
    # Without an API token: 401.
    assert upload(type(admin)(), sheet([["接口导入戊公司", code(4), ""]])).status_code == 401
    assert ImportRun.objects.values_list("status", "mapping", "all_or_none").get() == before
    assert not ImportedRow.objects.exists() and imported() == set()


def test_bad_uploads_are_refused_with_the_services_message_and_nothing_kept(api_as, settings):
    am01 = api_as("am01")
    rows = [["接口导入己公司", code(5), ""]]
    cases = [
        ({"importer": "nothing"}, "importer", "请选择文件内容。"),
        ({"importer": "customers", "name": "客户.txt"}, "file", "xlsx"),
    ]
    for options, field, message in cases:
        importer = options.pop("importer")
        response = upload(am01, sheet(rows, **options), importer=importer)
        assert response.status_code == 400, response.content
        assert any(message in m for m in response.json()["errors"][field]), response.json()
    # An unknown encoding, an empty sheet, a header alone.
    for data in (b"abc\xff\xfe\xff,\xff\n", b"", "客户名称,地址\n".encode()):
        response = upload(am01, SimpleUploadedFile("a.csv", data, "text/csv"))
        assert response.status_code == 400 and "file" in response.json()["errors"]
    # Input that is no importer code at all.
    for importer in ("x" * 41, "\x00customers"):
        assert upload(am01, sheet(rows), importer=importer).status_code == 400
    assert am01.client.post(API + "/imports", {"importer": "customers"},
                            **am01.headers).status_code == 400  # no file
    # C11: a workbook that unpacks to more than the limit is refused before it is read.
    settings.QIAO_IMPORT_MAX_UNPACKED = 1000
    response = upload(am01, xlsx_file({"客户": [HEADER, *rows]}))
    assert response.status_code == 400 and "解压后" in response.json()["errors"]["file"][0]
    # A file larger than the page takes: refused by its size, or unread past the body's limit.
    settings.QIAO_ATTACHMENT_MAX_BYTES = 2000
    response = upload(am01, sheet(rows * 100))
    assert response.status_code == 400 and "文件过大" in response.json()["errors"]["file"][0]
    response = upload(am01, sheet(rows * 4000))
    assert response.status_code == 413
    assert not ImportRun.objects.exists() and not ImportMapping.objects.exists()
    assert not Customer.objects.exists() or imported() == set()


def test_a_bad_configuration_is_refused_and_changes_nothing(api_as):
    am01 = api_as("am01")
    job = upload(am01, sheet([["接口导入庚公司", code(6), "021-12345678"]])).json()
    url = f"/imports/{job['id']}/configure"
    am01.post(f"/imports/{job['id']}/dry-run")
    before = ImportRun.objects.values_list("status", "mapping", "duplicates", "all_or_none",
                                           "checked_at").get()
    assert before[0] == "checked"
    cases = [
        ({"mapping": {"0": "name", "1": "no_such_field"}}, "mapping", "请从列表中选择字段"),
        ({"mapping": {"0": "name", "1": "name"}}, "mapping", "只能对应一列"),
        ({"mapping": {"0": "name", "7": "phone"}}, "mapping", "没有第 7 列"),
        ({"mapping": {"1": "credit_code"}}, "mapping", "客户名称"),
        ({"sheet": "另一页"}, "sheet", "请选择工作簿中的工作表"),
    ]
    for body, field, message in cases:
        response = am01.post(url, body)
        assert response.status_code == 400, (body, response.content)
        assert message in " ".join(response.json()["errors"][field]), (body, response.json())
    # Refused by the schema: an unknown mode, a column that is not a number, unknown fields,
    # a value of the wrong type.
    for body in ({"duplicates": "merge"}, {"mapping": {"A": "name"}}, {"mapping": {"-1": "name"}},
                 {"version": 1}, {"all_or_none": "maybe"}, {"mapping": ["name"]},
                 {"mapping": {"0": "x" * 41}}, {"sheet": "页" * 101}):
        response = am01.post(url, body)
        assert response.status_code == 400, (body, response.content)
    assert ImportRun.objects.values_list("status", "mapping", "duplicates", "all_or_none",
                                         "checked_at").get() == before
    for path in ("/imports/0", "/imports/-1", f"/imports/{2**63}", "/imports/abc"):
        assert am01.get(path).status_code in (400, 404), path


def test_the_list_pages_and_its_queries_do_not_grow(api_as):
    am01 = api_as("am01")

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            response = am01.get("/imports", {"page_size": 2})
        assert response.status_code == 200
        return len(queries), response.json()

    upload(am01, sheet([["接口导入辛公司", code(7), ""]]))
    few, body = list_queries()
    for n in range(8, 12):
        upload(am01, sheet([[f"接口导入{n}号公司", code(n), ""]]))
    many, body = list_queries()
    assert many == few
    assert (body["count"], len(body["items"]), body["page"]) == (5, 2, 1)
    ids = [i["id"] for i in am01.get("/imports", {"page": 3, "page_size": 2}).json()["items"]]
    assert ids == [ImportRun.objects.order_by("uploaded_at", "id").first().pk]
