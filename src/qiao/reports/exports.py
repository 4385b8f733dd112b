"""Excel files of the customer tables (RPT-2).

xlsxwriter in constant-memory mode: rows are streamed from a database cursor and written top
to bottom, so a file of a million customers needs no more memory than one of ten. Every text
cell is written as a string (never a formula) and neutralised: a text starting with = + - @,
tab or carriage return gets a leading apostrophe, so no spreadsheet runs it (CHECKS C08).
"""

import datetime
import tempfile
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .columns import display

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
A4 = 9  # Excel's paper size code
_SHEET_NAME_BAD = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def neutralise(text: str) -> str:
    """The text, with an apostrophe in front if a spreadsheet could read it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def sheet_name(title: str) -> str:
    return str(title).translate(_SHEET_NAME_BAD).strip("'")[:31] or "Sheet"


def _formats(book):
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
        "total": book.add_format({**border, "bold": True}),
    }


class Sheet:
    """One worksheet, written top to bottom (all that constant-memory mode allows)."""

    def __init__(self, book, formats, name, *, landscape=False):
        self.ws = book.add_worksheet(sheet_name(name))
        self.f = formats
        self.row = 0
        self.ws.set_paper(A4)
        self.ws.fit_to_pages(1, 0)
        if landscape:
            self.ws.set_landscape()

    def heading(self, title, notes, width):
        """The form's title across the table, then who made it, when, and for which filters."""
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

    def values(self, values, fmt="cell"):
        for col, value in enumerate(values):
            self.write(col, value, fmt)
        self.row += 1

    def write(self, col, value, fmt="cell"):
        ws, row, style = self.ws, self.row, self.f[fmt]
        if value is None or value == "":
            ws.write_blank(row, col, None, style)
        elif isinstance(value, bool):
            ws.write_string(row, col, _("Yes") if value else _("No"), style)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(row, col, value, style)
        elif isinstance(value, datetime.date):
            ws.write_datetime(row, col, value, self.f["date"] if fmt == "cell" else style)
        else:
            ws.write_string(row, col, neutralise(str(value)), style)

    def skip(self, rows=1):
        self.row += rows

    def widths(self, widths):
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def count_table(self, table):
        """A count table: its caption, a row per member (and indented sub-rows), a total row."""
        if table.caption:
            self.ws.write_string(self.row, 0, neutralise(table.caption), self.f["caption"])
            self.row += 1
        self.header([table.row_header, *[c.label for c in table.columns], _("Total")])
        for row in table.rows:
            self.values([row.member.label, *row.cells, row.total])
            for child in row.children:
                self.values(["　" + child.member.label, *child.cells, child.total])
        self.values([_("Total"), *table.totals, table.total], "total")

    def customer_list(self, columns, customers):
        """Every customer of the list, streamed from the database in chunks."""
        self.header([_("No."), *[c.header for c in columns]], repeat=True)
        for number, customer in enumerate(customers.iterator(chunk_size=CHUNK), start=1):
            self.values([number, *[c.value(customer) for c in columns]])


def notes_for(user, filters):
    """The lines under a form's title: who made it and when, and the filters in force."""
    made = _("Prepared by %(user)s on %(date)s") % {
        "user": user, "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    if not filters:
        return [made, _("Filters: none (every customer you may see)")]
    return [made, _("Filters: %(filters)s") % {
        "filters": "; ".join(f"{label}: {value}" for label, value in filters)}]


def xlsx_response(title, build) -> FileResponse:
    """Run `build(book, formats)` on a new workbook written to a temporary file, and send it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    book = xlsxwriter.Workbook(handle, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "remove_timezone": True,
    })
    build(book, _formats(book))
    book.close()
    handle.seek(0)
    filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


def report_response(*, title, sheet, notes, tables, columns, customers, landscape=True):
    """A customer table as a workbook: the counts on the first sheet, the list on the second."""

    def build(book, formats):
        summary = Sheet(book, formats, sheet)
        width = max([len(t.columns) + 2 for t in tables] or [2])
        summary.heading(title, notes, width)
        summary.widths([16] + [10] * (width - 1))
        for table in tables:
            summary.count_table(table)
            summary.skip()
        detail = Sheet(book, formats, _("Customer list"), landscape=landscape)
        detail.heading(title, notes, len(columns) + 1)
        detail.widths([6, *[c.width for c in columns]])
        detail.customer_list(columns, customers)

    return xlsx_response(title, build)


def registration_response(*, title, sheet, customer, notes, rows, contact_columns, contacts):
    """The registration form of one customer: label / value pairs as on paper, then the
    key people."""

    def build(book, formats):
        form = Sheet(book, formats, sheet)
        form.heading(title, notes, 4)
        form.widths([16, 28, 16, 28, 14, 16, 24])
        for pairs in rows:
            for i, (label, value) in enumerate(pairs):
                form.write(2 * i, label, "label")
                if len(pairs) == 1:
                    form.ws.merge_range(form.row, 1, form.row, 3, neutralise(value),
                                        formats["cell"])
                else:
                    form.write(2 * i + 1, value)
            form.skip()
        form.skip()
        form.values([_("Key people")], "total")
        form.header([header for header, _value in contact_columns])
        for contact in contacts:
            form.values([display(value(contact)) for _header, value in contact_columns])

    return xlsx_response(f"{title}-{customer.name}", build)
