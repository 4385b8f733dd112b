"""Export files (SPEC DAT-2, RPT-2): the one way the product writes Excel and CSV files.

A list is declared once as `Column`s (header, value getter, kind: text / number / money /
date); the same declaration gives the Excel file and the CSV file, so both hold the same cells.

Memory stays flat whatever the number of rows:
- Excel: xlsxwriter in constant-memory mode writes each row to a temporary file as soon as it
  is complete (rows go top to bottom, never back), the rows come from the database cursor in
  chunks of CHUNK (`QuerySet.iterator`, a server-side cursor on PostgreSQL), and the finished
  workbook — a zip that can only be assembled at the end — is sent from a temporary file in
  blocks (FileResponse).
- CSV: a StreamingHttpResponse whose generator reads the cursor CHUNK rows at a time and sends
  each chunk as it is written; nothing holds more than one chunk.

Formula safety (CHECKS C08): every text cell is written as a string, never a formula
(xlsxwriter's strings_to_formulas is off), and a text that starts with = + - @, tab or carriage
return gets one apostrophe in front (`neutralise`), in both formats. The apostrophe is what keeps
the value inert where the file's types are lost: a CSV opened in Excel or WPS, a cell edited and
confirmed, a sheet saved again as CSV. Nothing else of the text changes: a phone number
`+86 138 0013 8000` is the text cell `'+86 138 0013 8000` — its digits and spaces as typed, not
the number 8.61380013800E+12 and not a formula's #NAME? — and a name `-2` is the text `'-2`.
Numbers, amounts and dates are written as such only from numeric and date values (never from
text), so they cannot carry a formula.

File names are the export's title in Chinese plus the date, sent per RFC 6266 / RFC 5987:
`filename="export-20260101.xlsx"` for old clients, `filename*=utf-8''<percent-encoded UTF-8>`
for every current browser.

Exports are capped at settings.QIAO_EXPORT_MAX_ROWS rows (`check_size`): beyond it the user is
told to narrow the filters; a file is never cut short. Every list's export is logged by
core.lists.list_export (audit.services.export_record: rows, filters, format) before the file is
sent; a file that is no list (one customer's registration form) is logged by its view.
"""

import csv
import datetime
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qiao.core.masking import masked, sensitive_kind

# Announced (core.registry.emit) before a list's file or print layout is sent; the operation log
# records them inside the request's transaction (audit subscribes), so no file leaves unlogged.
EXPORTED = "core.list_exported"
PRINTED = "core.list_printed"

TEXT, NUMBER, MONEY, DATE = "text", "number", "money", "date"
KINDS = (TEXT, NUMBER, MONEY, DATE)
FORMATS = ("xlsx", "csv")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BOM = "\ufeff"  # tells Excel the CSV is UTF-8 (without it, Chinese opens as mojibake)
CHUNK = 2000
A4 = 9  # Excel's paper size code
_SHEET_NAME_BAD = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
_FILENAME_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def neutralise(text: str) -> str:
    """The text, with an apostrophe in front if a spreadsheet could read it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def sheet_name(title: str) -> str:
    return str(title).translate(_SHEET_NAME_BAD).strip("'")[:31] or "Sheet"


def field_value(path: str) -> Callable[[Any], Any]:
    """A getter of the dotted field `path` of a row ("phone", "grade.name"): a sensitive field
    masked as anyone sees it before revealing it (core.masking), a choice field's label, nothing
    where a relation on the way is empty."""
    *steps, last = path.split(".")

    def get(row):
        obj = row
        for step in steps:
            obj = getattr(obj, step)
            if obj is None:
                return ""
        if sensitive_kind(obj, last):
            return masked(obj, last)
        label = getattr(obj, f"get_{last}_display", None)
        value = label() if label is not None else getattr(obj, last)
        return "" if value is None else value

    return get


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (a lazy translation), how to get the value from a
    row — a function, or a field path read by `field_value` (masked when sensitive) — its width
    in characters in Excel, and its kind (TEXT, NUMBER, MONEY or DATE)."""

    header: Any
    value: Callable[[Any], Any] | str
    width: int = 12
    kind: str = field(default=TEXT, kw_only=True)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}; one of {KINDS}.")
        if isinstance(self.value, str):
            object.__setattr__(self, "value", field_value(self.value))


class TooManyRows(Exception):
    """An export above QIAO_EXPORT_MAX_ROWS: refused whole, never cut short."""


def max_rows() -> int:
    return getattr(settings, "QIAO_EXPORT_MAX_ROWS", 50_000)


def check_size(rows: int) -> None:
    limit = max_rows()
    if rows > limit:
        raise TooManyRows(_(
            "This export would have %(rows)s rows; at most %(limit)s rows can be exported at "
            "once. Narrow the filters and export again.") % {
                "rows": f"{rows:,}", "limit": f"{limit:,}"})


def records(rows) -> Iterable:
    """`rows` read in chunks: a queryset through the cursor, anything else as it comes."""
    iterator = getattr(rows, "iterator", None)
    return iterator(chunk_size=CHUNK) if iterator is not None else rows


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _infer(value) -> str:
    if _is_number(value):
        return NUMBER
    if isinstance(value, datetime.date):
        return DATE
    return TEXT


def text_of(value) -> str:
    """The text of a value in a text cell: formula triggers neutralised."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_value(value, kind: str = TEXT) -> str:
    """The CSV text of one cell: numbers plain (2 decimals for money), dates ISO, text
    neutralised. A number or date kind given text is treated as text."""
    if value is None or value == "":
        return ""
    if kind in (NUMBER, MONEY) and _is_number(value):
        return f"{Decimal(str(value)):.2f}" if kind == MONEY else str(value)
    if kind == DATE and isinstance(value, datetime.date):
        if isinstance(value, datetime.datetime):
            return _local(value).strftime("%Y-%m-%d %H:%M")
        return value.isoformat()
    return text_of(value)


# --- Excel ----------------------------------------------------------------------------------------

def formats(book) -> dict:
    border = {"border": 1, "valign": "vcenter"}
    return {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "note": book.add_format({"font_color": "#595959", "font_size": 9}),
        "caption": book.add_format({"bold": True}),
        "header": book.add_format({**border, "bold": True, "bg_color": "#DCE6F1",
                                   "align": "center", "text_wrap": True}),
        "cell": book.add_format(border),
        "label": book.add_format({**border, "bold": True, "bg_color": "#F2F2F2"}),
        "date": book.add_format({**border, "num_format": "yyyy-mm-dd", "align": "left"}),
        "datetime": book.add_format({**border, "num_format": "yyyy-mm-dd hh:mm",
                                     "align": "left"}),
        "money": book.add_format({**border, "num_format": "#,##0.00"}),
        "total": book.add_format({**border, "bold": True}),
    }


class Sheet:
    """One worksheet on A4, written top to bottom (all that constant-memory mode allows)."""

    def __init__(self, book, formats, name, *, landscape=False):
        self.ws = book.add_worksheet(sheet_name(name))
        self.f = formats
        self.row = 0
        self.ws.set_paper(A4)
        self.ws.fit_to_pages(1, 0)
        if landscape:
            self.ws.set_landscape()

    def heading(self, title, notes, width):
        """The title across the table, then the notes (who made it, when, which filters)."""
        last = max(width - 1, 1)
        self.ws.set_row(self.row, 26)
        self.ws.merge_range(self.row, 0, self.row, last, neutralise(str(title)), self.f["title"])
        self.row += 1
        for note in notes:
            self.ws.write_string(self.row, 0, neutralise(str(note)), self.f["note"])
            self.row += 1
        self.row += 1

    def header(self, labels, *, repeat=False):
        for col, label in enumerate(labels):
            self.ws.write_string(self.row, col, neutralise(str(label)), self.f["header"])
        if repeat:  # on every printed page
            self.ws.repeat_rows(self.row)
        self.row += 1

    def values(self, values, fmt="cell", kinds=None):
        for col, value in enumerate(values):
            self.write(col, value, fmt, kinds[col] if kinds else None)
        self.row += 1

    def write(self, col, value, fmt="cell", kind=None):
        """One cell. `kind` None: as the value's type says (a label / value form, a count)."""
        ws, row, style = self.ws, self.row, self.f[fmt]
        kind = kind or _infer(value)
        plain = fmt == "cell"
        if value is None or value == "":
            ws.write_blank(row, col, None, style)
        elif kind in (NUMBER, MONEY) and _is_number(value):
            ws.write_number(row, col, value, self.f["money"] if kind == MONEY and plain
                            else style)
        elif kind == DATE and isinstance(value, datetime.datetime):
            ws.write_datetime(row, col, _local(value), self.f["datetime"] if plain else style)
        elif kind == DATE and isinstance(value, datetime.date):
            ws.write_datetime(row, col, value, self.f["date"] if plain else style)
        else:
            ws.write_string(row, col, text_of(value), style)

    def skip(self, rows=1):
        self.row += rows

    def widths(self, widths):
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def rows(self, columns, rows, *, numbered=True):
        """The header (repeated on every printed page), then a line per row of `rows`, read
        from the database in chunks."""
        self.header([_("No.")] * numbered + [c.header for c in columns], repeat=True)
        kinds = [NUMBER] * numbered + [c.kind for c in columns]
        for number, row in enumerate(records(rows), start=1):
            self.values([number] * numbered + [c.value(row) for c in columns], kinds=kinds)


def notes_for(user, filters, *, no_filters=None):
    """The lines under a title: who made it and when, and the filters in force
    (`filters`: (label, value) pairs as people read them)."""
    made = _("Prepared by %(user)s on %(date)s") % {
        "user": user, "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    if not filters:
        return [made, no_filters or _("Filters: none")]
    return [made, _("Filters: %(filters)s") % {
        "filters": "; ".join(f"{label}: {value}" for label, value in filters)}]


def filename(title, extension: str) -> str:
    """The title (its characters that no file name may hold replaced) and today's date."""
    stem = _FILENAME_BAD.sub("_", str(title)).strip(" ._") or "export"
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def content_disposition(name: str) -> str:
    """`attachment` with the name twice (RFC 6266): a plain ASCII fallback for old clients,
    and the UTF-8 name percent-encoded per RFC 5987 (what browsers use, so Chinese names
    arrive intact)."""
    fallback = name if _ASCII_SAFE.sub("", name) == name else "export." + name.rpartition(".")[2]
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(name, safe='')}"


def xlsx_response(title, build) -> FileResponse:
    """Run `build(book, formats)` on a new workbook written to a temporary file, and send it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    book = xlsxwriter.Workbook(handle, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "remove_timezone": True,
    })
    build(book, formats(book))
    book.close()
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename(title, "xlsx"))
    return response


class _Line:
    """A file-like object for csv.writer that hands back what it is given."""

    def write(self, text):
        return text


def csv_lines(columns, rows, *, numbered=True):
    """The CSV text: the byte-order mark and the header, then CHUNK rows at a time."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([_("No.")] * numbered
                                + [neutralise(str(c.header)) for c in columns])
    lines = []
    for number, row in enumerate(records(rows), start=1):
        lines.append(writer.writerow([str(number)] * numbered
                                     + [csv_value(c.value(row), c.kind) for c in columns]))
        if len(lines) == CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_response(title, columns, rows, *, numbered=True) -> StreamingHttpResponse:
    """The rows as CSV, sent while they are read. The body is produced after the view has
    returned, so it is written in the language the request was answered in, kept here."""
    language = translation.get_language()

    def body():
        with translation.override(language):
            for text in csv_lines(columns, rows, numbered=numbered):
                yield text.encode("utf-8")

    response = StreamingHttpResponse(body(), content_type=CSV)
    response["Content-Disposition"] = content_disposition(filename(title, "csv"))
    return response


def list_response(fmt, *, title, columns, rows, notes=(), sheet=None, landscape=True,
                  before=None):
    """A list as a file: in Excel the title, the notes and the numbered rows on an A4 sheet,
    after the sheets `before(book, formats)` writes (a report's count tables), if any; in CSV
    the header and the rows only (a CSV is data for another program)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; one of {FORMATS}.")
    if fmt == "csv":
        return csv_response(title, columns, rows)

    def build(book, formats):
        if before is not None:
            before(book, formats)
        page = Sheet(book, formats, sheet or title, landscape=landscape)
        page.heading(title, notes, len(columns) + 1)
        page.widths([6, *[c.width for c in columns]])
        page.rows(columns, rows)

    return xlsx_response(title, build)
