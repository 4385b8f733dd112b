"""The one writer of export files (qiao.core.exports): formula-safe cells in Excel and CSV
(CHECKS C08), column kinds, a phone number that stays a readable phone, Chinese file names
(RFC 5987), and the row cap."""

import csv
import datetime
import io
import random
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from qiao.core import exports
from qiao.core.exports import (
    DATE,
    FORMULA_TRIGGERS,
    MONEY,
    NUMBER,
    Column,
    Sheet,
    TooManyRows,
    check_size,
    content_disposition,
    formats,
    list_response,
    neutralise,
)

PHONE = "+86 138 0013 8000"


@given(st.text())
def test_neutralised_text_never_starts_like_a_formula(text):
    safe = neutralise(text)
    assert not safe.startswith(FORMULA_TRIGGERS)
    assert safe == text or safe == "'" + text


def test_a_thousand_hostile_strings_give_no_formula_cell():
    rng = random.Random(8)
    alphabet = "=+-@\t\r\n()!:;'\"AZaz09客户 "
    strings = [rng.choice(FORMULA_TRIGGERS) + "".join(rng.choices(alphabet, k=rng.randint(0, 20)))
               for _ in range(1000)]
    handle = io.BytesIO()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False})
    sheet = Sheet(book, formats(book), "C08")
    for text in strings:
        sheet.values([text])
    book.close()
    cells = [row[0] for row in openpyxl.load_workbook(handle).active.iter_rows()]
    assert [c for c in cells if c.data_type == "f"] == []
    # xlsxwriter stores a carriage return as Excel's escape _x000D_, which openpyxl keeps.
    read = [c.value.replace("_x000D_", "\r") for c in cells]
    assert read == ["'" + text for text in strings]


@dataclass
class Row:
    name: str
    phone: str
    amount: Decimal | None
    visits: int
    day: datetime.date | None


ROWS = [
    Row("=1+1", PHONE, Decimal("1234.5"), 3, datetime.date(2026, 3, 1)),
    Row("@SUM(A1)", "021-62345678", Decimal("-2"), -2, None),
    Row("-2", "", None, 0, datetime.date(2026, 12, 31)),
    Row("\t x", "13800138000", Decimal("0.10"), 7, None),
    Row("上海浦东贸易有限公司", "=HYPERLINK(\"http://evil.example\")", Decimal(0), 1, None),
]
COLUMNS = [
    Column("名称", lambda r: r.name, 20),
    Column("电话", lambda r: r.phone, 16),
    Column("金额", lambda r: r.amount, 12, kind=MONEY),
    Column("次数", lambda r: r.visits, 6, kind=NUMBER),
    Column("日期", lambda r: r.day, 10, kind=DATE),
    Column("=危险表头", lambda r: "-1", 6, kind=NUMBER),  # text in a number column stays text
]
# What each text cell holds: the text itself, or the text after one apostrophe when it starts
# like a formula. The phone keeps its plus, digits and spaces.
NAMES = ["'=1+1", "'@SUM(A1)", "'-2", "'\t x", "上海浦东贸易有限公司"]
PHONES = ["'" + PHONE, "021-62345678", None, "13800138000", "'=HYPERLINK(\"http://evil.example\")"]


def _body(response):
    return b"".join(response.streaming_content)


def test_excel_cells_are_text_numbers_and_dates_as_declared():
    response = list_response("xlsx", title="客户清单", columns=COLUMNS, rows=ROWS,
                             notes=["制表人：测试"])
    sheet = openpyxl.load_workbook(io.BytesIO(_body(response))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert sheet["A1"].value == "客户清单"
    assert sheet["A2"].value == "制表人：测试"
    header = [c.value for c in sheet[4]]
    assert header == ["序号", "名称", "电话", "金额", "次数", "日期", "'=危险表头"]
    body = list(sheet.iter_rows(min_row=5))
    assert [r[1].value for r in body] == NAMES
    assert all(r[1].data_type == "s" for r in body)
    assert [r[2].value for r in body] == PHONES
    assert body[0][2].data_type == "s"  # the phone is text, not the number 8.6138E+12
    assert [r[0].value for r in body] == [1, 2, 3, 4, 5]
    assert [r[3].value for r in body] == [1234.5, -2, None, 0.1, 0]
    assert body[0][3].number_format == "#,##0.00"
    assert [r[4].value for r in body] == [3, -2, 0, 7, 1]
    assert body[0][5].is_date and body[0][5].value.date() == datetime.date(2026, 3, 1)
    assert [r[6].value for r in body] == ["'-1"] * 5


def test_csv_has_a_bom_and_the_same_neutralised_cells():
    response = list_response("csv", title="客户清单", columns=COLUMNS, rows=ROWS)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese correctly
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["序号", "名称", "电话", "金额", "次数", "日期", "'=危险表头"]
    assert [r[1] for r in rows[1:]] == NAMES
    assert [r[2] for r in rows[1:]] == [p or "" for p in PHONES]
    assert [r[3] for r in rows[1:]] == ["1234.50", "-2.00", "", "0.10", "0.00"]
    assert [r[5] for r in rows[1:]] == ["2026-03-01", "", "2026-12-31", "", ""]
    texts = [cell for row in rows for cell in row if cell and not cell[0].isdigit()]
    # Only numbers (written from numeric values) may start with a minus sign.
    assert [t for t in texts if t.startswith(FORMULA_TRIGGERS) and t not in ("-2.00", "-2")] == []


def test_csv_is_written_in_chunks(monkeypatch):
    """CHUNK rows at a time go to the temporary file; the whole text is never held."""
    monkeypatch.setattr(exports, "CHUNK", 2)
    chunks = list(exports.csv_lines(COLUMNS[:1], ROWS))
    assert len(chunks) == 1 + 3  # the header, then 2 + 2 + 1 rows
    handle = exports.csv_file("t", COLUMNS[:1], ROWS).write(None)
    assert handle.read() == "".join(chunks).encode("utf-8")


def test_chinese_file_name_per_rfc_5987():
    response = list_response("csv", title="客户档案", columns=COLUMNS[:1], rows=[])
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="export.csv"; ')
    assert "filename*=utf-8''%E5%AE%A2%E6%88%B7%E6%A1%A3%E6%A1%88-" in header
    assert header.endswith(".csv")


def test_file_name_cannot_break_the_header():
    header = content_disposition(exports.filename('a/b\r\nSet-Cookie: x="1"', "xlsx"))
    assert "\r" not in header and "\n" not in header
    plain = content_disposition("report-20260101.xlsx")
    assert plain == ("attachment; filename=\"report-20260101.xlsx\"; "
                     "filename*=utf-8''report-20260101.xlsx")


def test_row_cap(settings):
    settings.QIAO_EXPORT_MAX_ROWS = 10
    check_size(10)
    with pytest.raises(TooManyRows, match="11"):
        check_size(11)


def test_unknown_column_kind_is_refused():
    with pytest.raises(ValueError):
        Column("x", lambda r: r, kind="phone")


def test_csv_is_written_in_the_language_of_the_request():
    columns = [Column(gettext_lazy("Status"), lambda r: gettext_lazy("Yes"))]
    with translation.override("zh-hans"):
        response = list_response("csv", title="t", columns=columns, rows=[1])
    with translation.override("en"):  # the body is read later, in another language
        body = _body(response).decode("utf-8-sig")
    assert body.splitlines() == ["序号,状态", "1,是"]
