"""The sales statistics as Excel files (core.exports: A4, formula-safe, Chinese file names):
the same columns as their pages, the title of the handbook's table on top."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.exports import MONEY, NUMBER, Sheet, notes_for, xlsx_response

from .selectors import AGEING_BUCKETS


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    kind: str = MONEY
    wide: bool = True  # shown on a phone's width too


# 月度销售实绩统计表's columns (seed 001 第4–5条), the page's and the file's: what is judged
# first (shown on a phone too), then how it was made up.
PERFORMANCE = (
    Figure("net_sales", gettext_lazy("Net sales")),
    Figure("target", gettext_lazy("Standard sales")),
    Figure("completion", gettext_lazy("Completion rate"), NUMBER),
    Figure("collections", gettext_lazy("Collected (incl. notes)")),
    Figure("receivable", gettext_lazy("Receivable at month end")),
    Figure("new_orders", gettext_lazy("New customers' orders"), wide=False),
    Figure("fixed_orders", gettext_lazy("Fixed customers' orders"), wide=False),
    Figure("visit_orders", gettext_lazy("Orders taken on visits"), wide=False),
    Figure("phone_orders", gettext_lazy("Orders by phone or letter"), wide=False),
    Figure("returns_late", gettext_lazy("Returns: late delivery"), wide=False),
    Figure("returns_business", gettext_lazy("Returns: supply and business"), wide=False),
    Figure("returns_quality", gettext_lazy("Returns: quality"), wide=False),
    Figure("returns_other", gettext_lazy("Returns: other"), wide=False),
    Figure("cancellations", gettext_lazy("Cancellations"), wide=False),
    Figure("discounts", gettext_lazy("Discounts"), wide=False),
    Figure("commissions", gettext_lazy("Commissions"), wide=False),
    Figure("gross_margin", gettext_lazy("Gross margin"), wide=False),
    Figure("notes", gettext_lazy("Of which notes"), wide=False),
    Figure("note_interest", gettext_lazy("Note interest gain/loss"), wide=False),
)


def ageing_labels() -> list[str]:
    """The ageing buckets' headings: 1–30 days, 31–60 days, 61–90 days, over 90 days."""
    return [_("1–%(days)s days") % {"days": AGEING_BUCKETS[0]}, *(
        _("%(start)s–%(end)s days") % {"start": start + 1, "end": end}
        for start, end in zip(AGEING_BUCKETS, AGEING_BUCKETS[1:], strict=False)),
        _("Over %(days)s days") % {"days": AGEING_BUCKETS[-1]}]


class _File:
    rows = 0

    def response(self, user, report, filters):
        def build(book, formats):
            sheet = Sheet(book, formats, str(report.short_label or report.label), landscape=True)
            self.write(sheet, str(report.label), notes_for(user, filters))

        return xlsx_response(report.label, build)


class PerformanceFile(_File):
    def __init__(self, table):
        self.table = table
        self.rows = len(table["lines"])

    def write(self, sheet, title, notes):
        first = _("Account manager") if self.table["by"] == "manager" else _("Unit")
        headers = [_("Rank"), first, *(str(f.label) for f in PERFORMANCE)]
        sheet.heading(title, [f"{self.table['month']:%Y-%m}", *notes], len(headers))
        sheet.widths([6, 12] + [12] * len(PERFORMANCE))
        sheet.header(headers, repeat=True)
        kinds = [NUMBER, None, *(f.kind for f in PERFORMANCE)]
        for line in self.table["lines"]:
            sheet.values([line["rank"], line["name"], *(line[f.key] for f in PERFORMANCE)],
                         kinds=kinds)
        total = self.table["total"]
        sheet.values(["", _("Total"), *(total[f.key] for f in PERFORMANCE)], "total",
                     kinds=kinds)


class SeasonalFile(_File):
    def __init__(self, table):
        self.table = table
        self.rows = 12

    def write(self, sheet, title, notes):
        years = self.table["years"]
        headers = [_("Month"), *(str(year) for year in years), _("Total"), _("Monthly average"),
                   _("Seasonal index")]
        sheet.heading(title, notes, len(headers))
        sheet.widths([8] + [14] * (len(headers) - 1))
        sheet.header(headers)
        kinds = [NUMBER, *([MONEY] * (len(years) + 2)), NUMBER]
        for row in self.table["rows"]:
            sheet.values([row["month"], *row["values"], row["total"], row["average"],
                          row["index"]], kinds=kinds)
        sheet.values([_("Total"), *self.table["totals"], self.table["grand"],
                      self.table["average_month"], 100], "total", kinds=kinds)


class ArrearsFile(_File):
    def __init__(self, table):
        self.table = table
        self.rows = len(table["lines"])

    def write(self, sheet, title, notes):
        headers = [_("Customer"), _("Account manager"), _("Credit rating"),
                   _("Credit-sale limit"), _("Receivable"), _("Not yet due"), _("Overdue"),
                   *ageing_labels(), _("Days overdue"), _("Promised"), _("Last dunning"),
                   _("Escalated")]
        sheet.heading(title, notes, len(headers))
        sheet.widths([28, 10, 8] + [13] * (len(headers) - 3))
        sheet.header(headers, repeat=True)
        keys = ["receivable", "current", "overdue", *(f"d{b}" for b in AGEING_BUCKETS), "over"]
        kinds = [None, None, None, MONEY, *([MONEY] * len(keys)), NUMBER, None, None, None]
        for line in self.table["lines"]:
            customer = line["customer"]
            promise, action = line.get("open_promise"), line.get("last_action")
            escalation = line.get("escalation")
            sheet.values([customer.name, str(customer.owner or ""), line["rating"], line["limit"],
                          *(line[key] for key in keys), line["oldest_days"],
                          f"¥{promise.amount:,.2f} {promise.due_on:%Y-%m-%d}" if promise else "",
                          f"{action.acted_on:%Y-%m-%d} {action.get_method_display()}: "
                          f"{action.result}" if action else "",
                          str(escalation.get_reason_display()) if escalation else ""],
                         kinds=kinds)
        total = self.table["total"]
        sheet.values([_("Total"), "", "", None, *(total[key] for key in keys), None, "", "", ""],
                     "total", kinds=kinds)
