"""Reading an uploaded sheet: xlsx (one sheet of the workbook, chosen) or CSV in UTF-8, UTF-8
with a byte-order mark, GBK or GB18030 (recognised from the bytes). The first row with
anything in it is the header; rows with nothing in them are left out; row numbers are those
the spreadsheet shows, so a bad row is found where the report says.

An xlsx is a zip: its directory is read before anything is unpacked, and a file of more than
MAX_ZIP_ENTRIES parts or more uncompressed bytes than settings.QIAO_IMPORT_MAX_UNPACKED is
refused there (CHECKS C11), as is a file with more rows than settings.QIAO_IMPORT_MAX_ROWS
(imports run while the page waits: larger files are split)."""

import codecs
import csv
import io
import zipfile
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


def max_rows() -> int:
    return getattr(settings, "QIAO_IMPORT_MAX_ROWS", 5000)


def max_unpacked() -> int:
    return getattr(settings, "QIAO_IMPORT_MAX_UNPACKED", 256 * 1024 * 1024)


@dataclass
class Table:
    kind: str
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)


def kind_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in (XLSX, CSV):
        raise ValidationError({"file": _("Upload an Excel workbook (.xlsx) or a CSV file "
                                         "(.csv).")})
    return ext


def read_table(handle, kind: str, *, sheet: str = "", header_only: bool = False) -> Table:
    """The table in the binary file `handle` (ValidationError for a file that cannot be read
    as one). `header_only`: the sheets, the headers and the first row only (for the mapping
    page)."""
    read = _read_xlsx if kind == XLSX else _read_csv
    table = read(handle, sheet, header_only)
    if not table.headers:
        raise ValidationError({"file": _("The sheet is empty.")})
    if not table.rows:
        raise ValidationError({"file": _("The sheet has a header row and no rows below it.")})
    return table


def _collect(table: Table, lines, header_only: bool) -> Table:
    limit = max_rows()
    for number, cells in lines:
        cells = list(cells)
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue
        if not table.headers:
            table.headers = [_header_text(c) for c in cells]
            while table.headers and not table.headers[-1]:
                table.headers.pop()
            continue
        if len(table.rows) >= limit:
            raise ValidationError({"file": _(
                "The sheet has more than %(limit)s rows; import at most %(limit)s rows at once "
                "(split the file).") % {"limit": f"{limit:,}"}})
        table.rows.append((number, cells))
        if header_only:  # the header, and the first row to show there is one
            break
    return table


def _header_text(value) -> str:
    return cell_text(value)


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


def _read_xlsx(handle, sheet: str, header_only: bool) -> Table:
    from openpyxl import load_workbook

    _check_zip(handle)
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- openpyxl raises many kinds for a damaged file
        raise ValidationError({"file": _("The file is not a readable Excel workbook.")}) from None
    try:
        names = list(book.sheetnames)
        # Unless one is chosen, the first sheet with rows (not a cover page of notes).
        for name in [sheet] if sheet in names else names:
            table = Table(XLSX, sheets=names, sheet=name)
            lines = ((number, row) for number, row in
                     enumerate(book[name].iter_rows(values_only=True), start=1))
            _collect(table, lines, header_only)
            if table.rows:
                break
        return table
    finally:
        book.close()


def detect_encoding(data: bytes) -> tuple[str, str]:
    """(codec, name shown) of CSV bytes: a byte-order mark, else the first of UTF-8, GBK and
    GB18030 that reads every byte; ValidationError for none."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 (BOM)"
    for codec, name in ENCODINGS:
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec, name
    raise ValidationError({"file": _("The CSV file's encoding is not recognised: save it as "
                                     "UTF-8 or GBK (in Excel: CSV UTF-8).")})


def _read_csv(handle, sheet: str, header_only: bool) -> Table:  # noqa: ARG001 (one sheet)
    data = handle.read()
    codec, name = detect_encoding(data)
    text = data.decode(codec)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    table = Table(CSV, encoding=name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = ((reader.line_num, row) for row in reader)
        return _collect(table, lines, header_only)
    except csv.Error as exc:
        raise ValidationError({"file": _("The CSV file cannot be read (line %(line)s: %(error)s).")
                               % {"line": reader.line_num, "error": exc}}) from None
