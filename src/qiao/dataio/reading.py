"""Reading an uploaded sheet: xlsx (one sheet of the workbook, chosen) or CSV in UTF-8, UTF-8
with a byte-order mark, GBK or GB18030 (recognised from the bytes). The first row with
anything in it is the header; rows with nothing in them are left out; row numbers are those
the spreadsheet shows, so a bad row is found where the report says.

Rows are streamed (`open_table`): an xlsx through openpyxl's read-only parser, a CSV line by
line, so an import of 100k rows holds one row at a time, not the sheet. `read_table` is the
same reading, kept whole, for the mapping page's header and first row (and small files).

An xlsx is a zip: its directory is read before anything is unpacked, and a file of more than
MAX_ZIP_ENTRIES parts or more uncompressed bytes than settings.QIAO_IMPORT_MAX_UNPACKED is
refused there (CHECKS C11). A file of more rows than settings.QIAO_IMPORT_MAX_ROWS is refused
by `count_rows` (a scan of the bytes, without parsing) before a run begins, and again while
streaming should the scan have counted short."""

import codecs
import contextlib
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .normalize import cell_text

MAX_ZIP_ENTRIES = 10_000
XLSX, CSV = "xlsx", "csv"
# Tried in this order: GBK is a part of GB18030, so a file GBK reads is called GBK.
ENCODINGS = (("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030"))
CHUNK = 1 << 16
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")  # a row of a sheet's XML (not <rowBreaks>)


def max_rows() -> int:
    return getattr(settings, "QIAO_IMPORT_MAX_ROWS", 200_000)


def max_unpacked() -> int:
    return getattr(settings, "QIAO_IMPORT_MAX_UNPACKED", 256 * 1024 * 1024)


@dataclass
class Table:
    kind: str
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""
    headers: list[str] = field(default_factory=list)
    # (row number, cells): a list from read_table, an iterator read as it goes from open_table.
    rows: "list[tuple[int, list]] | Iterator[tuple[int, list]]" = field(default_factory=list)


def kind_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in (XLSX, CSV):
        raise ValidationError({"file": _("Upload an Excel workbook (.xlsx) or a CSV file "
                                         "(.csv).")})
    return ext


def read_table(handle, kind: str, *, sheet: str = "", header_only: bool = False) -> Table:
    """The table in the binary file `handle`, its rows in a list (ValidationError for a file
    that cannot be read as one). `header_only`: the sheets, the headers and the first row only
    (for the mapping page)."""
    with open_table(handle, kind, sheet=sheet) as table:
        table.rows = list(itertools.islice(table.rows, 1) if header_only else table.rows)
    return table


@contextlib.contextmanager
def open_table(handle, kind: str, *, sheet: str = "") -> Iterator[Table]:
    """The table in the binary file `handle`, its rows an iterator that reads the file as it
    is consumed (inside the `with`). The headers are read and one row is known to follow
    before the body runs; a file that cannot be read, an empty sheet or a header with no rows
    is a ValidationError."""
    opener = _open_xlsx if kind == XLSX else _open_csv
    with opener(handle, sheet) as table:
        yield table


def count_rows(handle, kind: str, *, sheet: str = "") -> int:
    """At most how many rows below the header `handle` holds, from its bytes (rows of an
    xlsx sheet's XML, lines of a CSV) without parsing: what a run's progress counts towards,
    and what is refused when above max_rows() before anything is written."""
    if kind == XLSX:
        lines = _count_xlsx(handle, sheet)
    else:
        lines = newlines = returns = 0
        last = b""
        while chunk := handle.read(CHUNK):
            newlines += chunk.count(b"\n")
            returns += chunk.count(b"\r")
            last = chunk[-1:]
        handle.seek(0)
        lines = max(newlines, returns) + (1 if last not in (b"", b"\n", b"\r") else 0)
    rows = max(lines - 1, 0)
    if rows > max_rows():
        _too_many()
    return rows


def _too_many():
    limit = max_rows()
    raise ValidationError({"file": _(
        "The sheet has more than %(limit)s rows; import at most %(limit)s rows at once "
        "(split the file).") % {"limit": f"{limit:,}"}})


def _body(table: Table, lines) -> Iterator[tuple[int, list]]:
    """The header (into `table`) and the rows after it of `lines`, rows with nothing in them
    left out, at most max_rows()."""
    limit, count = max_rows(), 0
    for number, cells in lines:
        cells = list(cells)
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue
        if not table.headers:
            table.headers = [cell_text(c) for c in cells]
            while table.headers and not table.headers[-1]:
                table.headers.pop()
            continue
        count += 1
        if count > limit:
            _too_many()
        yield number, cells


def _start(table: Table, lines) -> bool:
    """Read `table`'s header and its first row from `lines` (False when there is none); its
    rows are then that row and the rest, read as they are consumed."""
    body = _body(table, lines)
    first = next(body, None)
    if first is None:
        return False
    table.rows = itertools.chain([first], body)
    return True


def _refuse_empty(table: Table):
    if not table.headers:
        raise ValidationError({"file": _("The sheet is empty.")})
    raise ValidationError({"file": _("The sheet has a header row and no rows below it.")})


def _check_zip(handle) -> None:
    try:
        with zipfile.ZipFile(handle) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_ZIP_ENTRIES:
                raise ValidationError({"file": _(
                    "The workbook has %(count)s parts; a workbook of more than %(limit)s parts "
                    "is not read.") % {"count": f"{len(parts):,}",
                                       "limit": f"{MAX_ZIP_ENTRIES:,}"}})
            unpacked = sum(part.file_size for part in parts)
            if unpacked > max_unpacked():
                raise ValidationError({"file": _(
                    "The workbook unpacks to %(size)s; at most %(limit)s is read.") % {
                    "size": filesizeformat(unpacked), "limit": filesizeformat(max_unpacked())}})
    except zipfile.BadZipFile:
        raise ValidationError({"file": _("The file is not a readable Excel workbook.")}) from None
    finally:
        handle.seek(0)


@contextlib.contextmanager
def _workbook(handle):
    from openpyxl import load_workbook

    _check_zip(handle)
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- openpyxl raises many kinds for a damaged file
        raise ValidationError({"file": _("The file is not a readable Excel workbook.")}) from None
    try:
        yield book
    finally:
        book.close()
        handle.seek(0)


@contextlib.contextmanager
def _open_xlsx(handle, sheet: str):
    with _workbook(handle) as book:
        names = list(book.sheetnames)
        # Unless one is chosen, the first sheet with rows (not a cover page of notes).
        for name in [sheet] if sheet in names else names:
            table = Table(XLSX, sheets=names, sheet=name)
            if _start(table, enumerate(book[name].iter_rows(values_only=True), start=1)):
                break
        else:
            _refuse_empty(table)
        yield table


def _count_xlsx(handle, sheet: str) -> int:
    """The <row> elements of the sheet's XML, scanned in chunks as it is unpacked."""
    with _workbook(handle) as book:
        names = list(book.sheetnames)
        worksheet = book[sheet if sheet in names else names[0]]
        path = getattr(worksheet, "_worksheet_path", None)
        archive = getattr(book, "_archive", None)
        if path is None or archive is None:  # another openpyxl: its own reading of <dimension>
            return worksheet.max_row or 0
        count, tail = 0, b""
        with archive.open(path) as part:
            while chunk := part.read(CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # a tag that may go on in the next chunk waits for it
                count += len(ROW_TAG.findall(data, 0, cut))
                tail = data[cut:]
        return count + len(ROW_TAG.findall(tail))


def detect_encoding(data: bytes) -> tuple[str, str]:
    """(codec, name shown) of CSV bytes: a byte-order mark, else the first of UTF-8, GBK and
    GB18030 that reads every byte; ValidationError for none."""
    return _detect(io.BytesIO(data))


def _detect(handle) -> tuple[str, str]:
    """detect_encoding of a binary file, decoded a chunk at a time (then rewound)."""
    start = handle.read(len(codecs.BOM_UTF8))
    handle.seek(0)
    if start == codecs.BOM_UTF8:
        return "utf-8-sig", "UTF-8 (BOM)"
    for codec, name in ENCODINGS:
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            handle.seek(0)
        return codec, name
    raise ValidationError({"file": _("The CSV file's encoding is not recognised: save it as "
                                     "UTF-8 or GBK (in Excel: CSV UTF-8).")})


@contextlib.contextmanager
def _open_csv(handle, sheet: str):  # noqa: ARG001 (one sheet)
    codec, name = _detect(handle)
    text = io.TextIOWrapper(handle, encoding=codec, newline="")
    try:
        first = text.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        table = Table(CSV, encoding=name)
        try:
            if not _start(table, ((reader.line_num, row) for row in reader)):
                _refuse_empty(table)
            rows = table.rows
            table.rows = _csv_errors(rows, reader)
            yield table
        except csv.Error as exc:
            raise _csv_error(reader, exc) from None
    finally:
        text.detach()  # the caller's file stays open
        handle.seek(0)


def _csv_errors(rows, reader):
    try:
        yield from rows
    except csv.Error as exc:
        raise _csv_error(reader, exc) from None


def _csv_error(reader, exc) -> ValidationError:
    return ValidationError({"file": _("The CSV file cannot be read (line %(line)s: %(error)s).")
                           % {"line": reader.line_num, "error": exc}})
