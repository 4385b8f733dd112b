"""The customer list as an Excel or CSV file (DAT-2, CHECKS C08): the rows the user sees on the
list with its filters, in its order, masked as on screen, formula-safe; logged with rows,
filters and format; refused (404) without customer.export; capped; a constant number of
queries whatever the rows."""

import csv
import hashlib
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiao.audit.models import OperationLog
from qiao.core.exports import FORMULA_TRIGGERS
from qiao.customers.actions import CUSTOMER_EXPORT
from qiao.customers.models import Customer
from qiao.org.models import Role
from tests.factories import make_customer

from .test_queries import add_customers

HOSTILE = ["=1+1", "@SUM(A1)", "-2", "\t x"]
PHONE = "+86 138 0013 8000"
MASKED_PHONE = "138****8000"
HEADER_ROW = 6  # the watermark, the title, two notes, a blank line, then the header
HEADER = ["序号", "客户名称", "等级", "客户分类", "状态", "区域", "电话", "客户经理", "更新时间"]


def grant_export(role_code="account_manager"):
    role = Role.objects.get(code=role_code)
    role.actions = [*role.actions, str(CUSTOMER_EXPORT)]
    role.save()


@pytest.fixture
def hostile(personas):
    """am01's customers named like formulas; the first two active, one with a +86 phone."""
    am01 = personas["am01"]
    region = personas.customers["am01"][0].region
    customers = personas.customers["am01"] + [make_customer(am01, region=region)
                                              for _ in range(2)]
    for customer, name in zip(customers, HOSTILE, strict=True):
        Customer.objects.filter(pk=customer.pk).update(name=name)
    Customer.objects.filter(pk__in=[c.pk for c in customers[:2]]).update(status="active")
    Customer.objects.filter(pk=customers[0].pk).update(phone=PHONE)
    grant_export()
    return personas


def xlsx_rows(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in sheet[HEADER_ROW]] == HEADER
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1))
    assert all(r[1].data_type == "s" and r[6].data_type in ("s", "n") for r in rows)
    return sheet, [[c.value for c in r] for r in rows]


def csv_rows(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][0].startswith("导出人：") and len(rows[0]) == 1  # the watermark's line
    assert rows[1] == HEADER
    return rows[2:]


def test_export_holds_the_rows_of_the_list_with_its_filters(hostile):
    client = hostile.client("am01")
    query = "?status=active&sort=name"
    page = client.get("/customers/" + query)
    shown = [c.name for c in page.context["page"].object_list]
    assert len(shown) == 2
    _sheet, rows = xlsx_rows(client.get("/customers/export/xlsx/" + query))
    assert [r[1] for r in rows] == ["'" + name for name in shown]  # same rows, same order
    assert [r[0] for r in rows] == [1, 2]
    assert [r[4] for r in rows] == ["活跃", "活跃"]
    csv_names = [r[1] for r in csv_rows(client.get("/customers/export/csv/" + query))]
    assert csv_names == ["'" + name for name in shown]


def test_every_hostile_name_is_text_never_a_formula(hostile):
    client = hostile.client("am01")
    sheet, rows = xlsx_rows(client.get("/customers/export/xlsx/"))
    assert sorted(r[1] for r in rows) == sorted("'" + name for name in HOSTILE)
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert [t for t in texts if t.startswith(FORMULA_TRIGGERS)] == []
    rows = csv_rows(client.get("/customers/export/csv/"))
    assert sorted(r[1] for r in rows) == sorted("'" + name for name in HOSTILE)
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_TRIGGERS)] == []


def test_a_manager_exports_only_their_own_customers(hostile):
    own = {c.pk for c in Customer.objects.filter(owner=hostile["am01"])}
    others = [c.name for c in Customer.objects.exclude(pk__in=own)]
    assert others
    _sheet, rows = xlsx_rows(hostile.client("am01").get("/customers/export/xlsx/"))
    assert len(rows) == len(own) == 4
    names = {r[1] for r in rows}
    assert not names & set(others)
    assert {r[7] for r in rows} == {str(hostile["am01"])}


def test_phone_is_masked_as_on_screen(hostile):
    client = hostile.client("am01")
    query = "?status=active&sort=name"
    page = client.get("/customers/" + query).content.decode()
    assert MASKED_PHONE in page and "0013" not in page
    _sheet, rows = xlsx_rows(client.get("/customers/export/xlsx/" + query))
    name_row = next(r for r in rows if r[1] == "'=1+1")
    assert name_row[6] == MASKED_PHONE
    csv_row = next(r for r in csv_rows(client.get("/customers/export/csv/" + query))
                   if r[1] == "'=1+1")
    assert csv_row[6] == MASKED_PHONE
    sheet, _rows = xlsx_rows(client.get("/customers/export/xlsx/"))
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if "0013" in c]
    assert not [c for r in csv_rows(client.get("/customers/export/csv/")) for c in r
                if "0013" in c]


def test_each_export_is_in_the_operation_log(hostile):
    client = hostile.client("am01")
    csv_body = b"".join(client.get("/customers/export/csv/?status=active&sort=name")
                        .streaming_content)
    xlsx_body = b"".join(client.get("/customers/export/xlsx/").streaming_content)
    csv_log, xlsx_log = OperationLog.objects.filter(action="export").order_by("id")
    assert csv_log.actor == hostile["am01"]
    assert csv_log.object_repr == "客户档案"
    assert csv_log.details == {"rows": 2, "filters": {"状态": "活跃"}, "format": "csv",
                               "sha256": hashlib.sha256(csv_body).hexdigest()}
    assert xlsx_log.details == {"rows": 4, "filters": {}, "format": "xlsx",
                                "sha256": hashlib.sha256(xlsx_body).hexdigest()}
    # The supervisor reads them in the operation log: rows, format, filters.
    log = hostile.client("sup1").get("/audit/?action=export").content.decode()
    assert "2 行 · CSV" in log and "4 行 · XLSX" in log and "活跃" in log


def test_file_name_in_chinese(hostile):
    response = hostile.client("am01").get("/customers/export/csv/")
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="export.csv"; ')
    assert "filename*=utf-8''%E5%AE%A2%E6%88%B7%E6%A1%A3%E6%A1%88-" in header  # 客户档案-


def test_refused_without_the_export_action(personas):
    for username in ["am01", "agent01"]:  # am01's role has no customer.export by default
        client = personas.client(username)
        for fmt in ["xlsx", "csv"]:
            assert client.get(f"/customers/export/{fmt}/").status_code == 404
        assert not OperationLog.objects.filter(action="export").exists()
    page = personas.client("am01").get("/customers/").content.decode()
    assert 'data-testid="export-xlsx"' not in page


def test_export_links_keep_the_filters(hostile):
    page = hostile.client("am01").get("/customers/?status=active&page=1").content.decode()
    assert 'href="/customers/export/xlsx/?status=active"' in page
    assert 'href="/customers/export/csv/?status=active"' in page
    fragment = hostile.client("am01").get("/customers/?q=abc", HTTP_HX_REQUEST="true",
                                          HTTP_HX_TARGET="results").content.decode()
    assert 'href="/customers/export/csv/?q=abc"' in fragment


def test_unknown_format_is_404(hostile):
    assert hostile.client("am01").get("/customers/export/pdf/").status_code == 404


def test_too_many_rows_is_refused_with_a_message_not_cut(hostile, settings):
    settings.QIAO_EXPORT_MAX_ROWS = 3
    client = hostile.client("am01")
    response = client.get("/customers/export/xlsx/?sort=name", follow=True)
    assert response.redirect_chain == [("/customers/?sort=name", 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["本次导出共 4 行，超过单次导出上限 3 行。请缩小筛选范围后再导出。"]
    assert not OperationLog.objects.filter(action="export").exists()
    _sheet, rows = xlsx_rows(client.get("/customers/export/xlsx/?status=active"))
    assert len(rows) == 2  # within the cap: the whole file


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_query_count_does_not_grow_with_rows(personas, fmt):
    grant_export("supervisor")
    client = personas.client("sup1")
    url = f"/customers/export/{fmt}/?sort=grade"
    add_customers(personas, personas["am01"], 0, 5)
    _queries(client, url)  # the first request of a session fills per-process caches
    few = _queries(client, url)
    add_customers(personas, personas["am01"], 5, 50)
    many = _queries(client, url)
    assert many == few
    rows = csv_rows(client.get(url)) if fmt == "csv" else xlsx_rows(client.get(url))[1]
    assert len(rows) == Customer.objects.visible_to(personas["sup1"]).count() >= 50
