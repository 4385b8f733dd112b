"""Excel files of the customer tables (RPT-2): what is particular to the tables — the count
tables on the first sheet (the list on the second is core.lists'), the registration form as on
paper. Files are written by qiao.core.exports (constant memory, formula-safe cells, A4, Chinese
file names)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.exports import Sheet, neutralise, notes_for, workbook
from qiao.core.lists import display

# The note of a table with no filter: it holds every customer the user sees.
NO_FILTERS = gettext_lazy("Filters: none (every customer you may see)")


def report_notes(user, filters):
    """Who made the table and when, and its filters."""
    return notes_for(user, filters, no_filters=NO_FILTERS)


def count_table(sheet: Sheet, table):
    """A count table: its caption, a row per member (and indented sub-rows), a total row."""
    if table.caption:
        sheet.ws.write_string(sheet.row, 0, neutralise(table.caption), sheet.f["caption"])
        sheet.skip()
    sheet.header([table.row_header, *[c.label for c in table.columns], _("Total")])
    for row in table.rows:
        sheet.values([row.member.label, *row.cells, row.total])
        for child in row.children:
            sheet.values(["　" + child.member.label, *child.cells, child.total])
    sheet.values([_("Total"), *table.totals, table.total], "total")


def summary_sheet(book, formats, *, name, tables, title, notes):
    """The first sheet of a customer table's file: its count tables (core.lists.list_export
    writes the list on the second)."""
    summary = Sheet(book, formats, name)
    width = max([len(t.columns) + 2 for t in tables] or [2])
    summary.heading(title, notes, width)
    summary.widths([16] + [10] * (width - 1))
    for table in tables:
        count_table(summary, table)
        summary.skip()


def registration_file(*, title, sheet, customer, notes, rows, contact_columns, contacts):
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

    return workbook(f"{title}-{customer.name}", build)


def at_risk_file(user, report, lines, filters):
    """危险客户统计表 as an Excel file: one row per customer, its reasons one per line."""
    def build(book, formats):
        sheet = Sheet(book, formats, str(report.short_label or report.label), landscape=True)
        headers = [_("Customer"), _("Account manager"), _("grade"), _("Reasons")]
        sheet.heading(str(report.label), notes_for(user, filters), len(headers))
        sheet.widths([28, 12, 8, 70])
        sheet.header(headers, repeat=True)
        for line in lines:
            customer = line["customer"]
            sheet.values([customer.name, str(customer.owner or ""),
                          str(customer.grade or ""),
                          "\n".join(f"{label}: {text}" for _code, label, text in line["reasons"])])

    return workbook(report.label, build)
