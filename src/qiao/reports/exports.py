"""Excel files of the customer tables (RPT-2): what is particular to the tables — the count
tables on the first sheet, the list on the second, the registration form as on paper. Files are
written by qiao.core.exports (constant memory, formula-safe cells, A4, Chinese file names)."""

from django.utils.translation import gettext as _

from qiao.core.exports import Sheet, neutralise, notes_for, xlsx_response

from .columns import display


def report_notes(user, filters):
    """Who made the table and when, and its filters (none: every customer the user sees)."""
    return notes_for(user, filters, no_filters=_("Filters: none (every customer you may see)"))


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


def report_response(*, title, sheet, notes, tables, columns, customers, landscape=True):
    """A customer table as a workbook: the counts on the first sheet, the list on the second."""

    def build(book, formats):
        summary = Sheet(book, formats, sheet)
        width = max([len(t.columns) + 2 for t in tables] or [2])
        summary.heading(title, notes, width)
        summary.widths([16] + [10] * (width - 1))
        for table in tables:
            count_table(summary, table)
            summary.skip()
        detail = Sheet(book, formats, _("Customer list"), landscape=landscape)
        detail.heading(title, notes, len(columns) + 1)
        detail.widths([6, *[c.width for c in columns]])
        detail.rows(columns, customers)

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
