"""Export files (SPEC DAT-2, RPT-2): the one way the product writes Excel and CSV files.

A list is declared once as `Column`s (header, value getter, kind: text / number / money /
date); the same declaration gives the Excel file and the CSV file, so both hold the same cells.

Memory stays flat whatever the number of rows:
- Excel: xlsxwriter in constant-memory mode writes each row to a temporary file as soon as it
  is complete (rows go top to bottom, never back), the rows come from the database cursor in
  chunks of CHUNK (`QuerySet.iterator`, a server-side cursor on PostgreSQL), and the finished
  workbook — a zip that can only be assembled at the end — is sent from a temporary file in
  blocks (FileResponse).
- CSV: the generator reads the cursor CHUNK rows at a time and writes each chunk to a temporary
  file as it is made; nothing holds more than one chunk. Both files are then hashed and sent
  from the temporary file in blocks (`send`).

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
told to narrow the filters; a file is never cut short.

Every file of business rows leaves through `send` (CHECKS C07), whichever page made it — a list
(core.lists.list_export), a statistics table, the ranking, a registration form:
- more rows than settings.QIAO_EXPORT_APPROVAL_ROWS (default 200) and no approval: no file; the
  export approval registered in core.registry.export_approvals (dataio's export requests) takes
  the request to the user's superior instead. Approved, the requester downloads it later: the
  file is made again then, as the requester sees the rows (scope, masking) with the approved
  filters, under a `Grant`; more rows than were approved are refused;
- every file is watermarked with who made it and when (`watermark`: the first line of every
  sheet and the workbook's properties; the first line of a CSV);
- the file is written to a temporary file (constant memory), its SHA-256 computed, the export
  logged with its rows, filters, format and that SHA-256 (the event EXPORTED, which
  audit.services.export_record records in the same transaction), then the file is sent in
  blocks (FileResponse).
"""

import csv
import datetime
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core import registry
from qiao.core.masking import masked, sensitive_kind
from qiao.core.origin import Origin

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
CONTENT_TYPES = {"xlsx": XLSX, "csv": CSV, "zip": "application/zip"}
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
        mark = getattr(book, "watermark", "")
        if mark:  # the first line of every sheet of a watermarked workbook
            self.ws.write_string(0, 0, neutralise(mark), formats["note"])
            self.row = 1

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


# --- files ----------------------------------------------------------------------------------------

def watermark(user, when: datetime.datetime | None = None) -> str:
    """Who made a file and when, as the file carries it: its first line and its properties."""
    return _("Exported by: %(name)s (%(username)s)  Exported at: %(time)s  Source: 桥 Qiao") % {
        "name": getattr(user, "display_name", "") or user.get_username(),
        "username": user.get_username(),
        "time": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")}


class Workbook(xlsxwriter.Workbook):
    """An xlsxwriter workbook in constant-memory mode, formula-safe; with a `watermark`, every
    Sheet's first line and the document's properties carry it."""

    watermark = ""

    def __init__(self, handle, *, title="", watermark="", creator=""):
        super().__init__(handle, {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "remove_timezone": True,
        })
        self.watermark = watermark
        if watermark:
            self.set_properties({"title": str(title), "author": creator, "comments": watermark,
                                 "keywords": watermark, "company": "桥 Qiao"})


def _temporary():
    return tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it


@dataclass(frozen=True)
class File:
    """A file about to leave: its format, its title (the file's name) and `write(user)`, which
    writes it watermarked for `user` (None: no watermark) to a temporary file, at its start."""

    fmt: str
    title: str
    write: Callable[[Any], Any]


def workbook(title, build) -> File:
    """An Excel file whose sheets `build(book, formats)` writes."""

    def write(user):
        handle = _temporary()
        mark = watermark(user) if user is not None else ""
        creator = (f"{getattr(user, 'display_name', '') or user.get_username()}"
                   f"（{user.get_username()}）") if user is not None else ""
        book = Workbook(handle, title=title, watermark=mark, creator=creator)
        build(book, formats(book))
        book.close()
        handle.seek(0)
        return handle

    return File("xlsx", str(title), write)


class _Line:
    """A file-like object for csv.writer that hands back what it is given."""

    def write(self, text):
        return text


def csv_lines(columns, rows, *, numbered=True, mark=""):
    """The CSV text: the byte-order mark, the watermark's line, the header, then CHUNK rows at
    a time."""
    writer = csv.writer(_Line())
    yield BOM + (writer.writerow([neutralise(mark)]) if mark else "") + writer.writerow(
        [_("No.")] * numbered + [neutralise(str(c.header)) for c in columns])
    lines = []
    for number, row in enumerate(records(rows), start=1):
        lines.append(writer.writerow([str(number)] * numbered
                                     + [csv_value(c.value(row), c.kind) for c in columns]))
        if len(lines) == CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_file(title, columns, rows, *, numbered=True) -> File:
    """The rows as CSV (UTF-8 with its byte-order mark), written CHUNK rows at a time."""

    def write(user):
        handle = _temporary()
        mark = watermark(user) if user is not None else ""
        for text in csv_lines(columns, rows, numbered=numbered, mark=mark):
            handle.write(text.encode("utf-8"))
        handle.seek(0)
        return handle

    return File("csv", str(title), write)


def list_file(fmt, *, title, columns, rows, notes=(), sheet=None, landscape=True,
              before=None) -> File:
    """A list as a file: in Excel the title, the notes and the numbered rows on an A4 sheet,
    after the sheets `before(book, formats)` writes (a report's count tables), if any; in CSV
    the header and the rows only (a CSV is data for another program)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; one of {FORMATS}.")
    if fmt == "csv":
        return csv_file(title, columns, rows)

    def build(book, formats):
        if before is not None:
            before(book, formats)
        page = Sheet(book, formats, sheet or title, landscape=landscape)
        page.heading(title, notes, len(columns) + 1)
        page.widths([6, *[c.width for c in columns]])
        page.rows(columns, rows)

    return workbook(title, build)


def file_response(file: File, handle) -> FileResponse:
    """`handle` (the written `file`) sent in blocks as an attachment."""
    response = FileResponse(handle, content_type=CONTENT_TYPES[file.fmt])
    response["Content-Disposition"] = content_disposition(filename(file.title, file.fmt))
    return response


def list_response(fmt, *, title, columns, rows, user=None, **options) -> FileResponse:
    """`list_file` written (watermarked for `user`, if any) and sent, unlogged: for tests and
    tools; pages send files through `send`."""
    file = list_file(fmt, title=title, columns=columns, rows=rows, **options)
    return file_response(file, file.write(user))


def sha256_of(handle) -> str:
    """The SHA-256 of a file's bytes, read in blocks; the file is back at its start."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 16), b""):
        digest.update(block)
    handle.seek(0)
    return digest.hexdigest()


# --- sending: approval, watermark, log -------------------------------------------------------------

def approval_rows() -> int:
    return getattr(settings, "QIAO_EXPORT_APPROVAL_ROWS", 200)


@dataclass(frozen=True)
class Grant:
    """An approved export being downloaded by its requester (set on the request as
    `export_grant` by the export approval's download page): at most `rows` rows; a refusal goes
    back to `back`; `sent(sha256)` is told of the file sent, inside the log's transaction."""

    rows: int
    back: str
    sent: Callable[[str], None]


@dataclass(frozen=True)
class ExportApproval:
    """How an export above QIAO_EXPORT_APPROVAL_ROWS goes to a superior instead of leaving:
    `ask(request, *, what, rows, filters, fmt)` records the request (the path and query string
    of `request` say how to make the file again) and returns the response the user gets."""

    code: str
    ask: Callable[..., Any]


def send(request, file: File, *, rows: int, filters, what=None, customer=None):
    """The one way a file of business rows leaves (C07). Above the approval threshold and not
    approved: the export approval's answer, no file. Approved (`request.export_grant`) but the
    rows now more than approved: refused. Otherwise the file is written watermarked for the
    user, hashed, logged (rows, filters as people read them, format, SHA-256), then sent."""
    grant: Grant | None = getattr(request, "export_grant", None)
    filters = dict(filters or {})
    what = str(what or file.title)
    if grant is None and rows > approval_rows():
        approval = next(iter(registry.export_approvals), None)
        if approval is None:
            raise PermissionDenied
        return approval.ask(request, what=what, rows=rows, filters=filters, fmt=file.fmt)
    if grant is not None and rows > grant.rows:
        messages.error(request, _(
            "The export now holds %(rows)s rows, more than the %(approved)s approved; no file "
            "was made. Ask for the export again.") % {"rows": f"{rows:,}",
                                                     "approved": f"{grant.rows:,}"})
        return redirect(grant.back)
    handle = file.write(request.user)
    digest = sha256_of(handle)
    with transaction.atomic():
        registry.emit(EXPORTED, actor=request.user, origin=Origin.of(request), what=what,
                      rows=rows, filters=filters, fmt=file.fmt, sha256=digest,
                      customer=customer)
        if grant is not None:
            grant.sent(digest)
    return file_response(file, handle)
