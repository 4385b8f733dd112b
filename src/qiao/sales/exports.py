"""The sales statistics as Excel files (core.exports: A4, formula-safe, Chinese file names):
the same columns as their pages, the title of the handbook's table on top."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.exports import MONEY, NUMBER, Column, Sheet, list_file, notes_for, workbook

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

    def file(self, user, report, filters):
        def build(book, formats):
            sheet = Sheet(book, formats, str(report.short_label or report.label), landscape=True)
            self.write(sheet, str(report.label), notes_for(user, filters))

        return workbook(report.label, build)


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


# --- the other statistics (年度业务绩效及费用考核表 and on): one layout for the page and file -----

PERCENT = "percent"  # a rate in per cent, to one decimal (a number in the file)
COUNT = "count"  # a quantity


@dataclass
class Table:
    """A statistic as its page and its Excel file show it: the rows' heading (`first`), the
    columns, the lines (dicts with "name" and each column's key), the total row (None: none),
    the period, what the figures mean (`note`), and the columns the chart draws (key, type)."""

    first: object
    columns: tuple
    lines: list
    total: dict | None
    period: str
    note: object = ""
    chart: tuple = ()
    shown_of: str = ""  # "the 100 biggest of 2,345" when not every row is listed

    def cells(self, line):
        return [(figure, line.get(figure.key)) for figure in self.columns]


def _period(start, end) -> str:
    return f"{start:%Y-%m}" if start == end else f"{start:%Y-%m} — {end:%Y-%m}"


def _first(by):
    return {"manager": _("Account manager"), "unit": _("Unit"), "customer": _("Customer"),
            "product": _("Product"), "industry": _("Industry")}[by]


def _cost_items():
    from .models import CostKind

    return {f"cost_{kind.value}": kind.label for kind in CostKind}


def annual_table(data) -> Table:
    items = _cost_items()
    columns = (
        Figure("net_sales", gettext_lazy("Net sales")),
        Figure("target", gettext_lazy("Standard sales")),
        Figure("completion", gettext_lazy("Completion rate"), PERCENT),
        Figure("gross_margin", gettext_lazy("Gross margin")),
        *(Figure(key, label, wide=False) for key, label in items.items()),
        Figure("costs", gettext_lazy("Total costs")),
        Figure("cost_ratio", gettext_lazy("Costs to net sales"), PERCENT),
        Figure("commissions", gettext_lazy("Commissions"), wide=False),
        Figure("note_interest", gettext_lazy("Note interest gain/loss"), wide=False),
        Figure("net_profit", gettext_lazy("Net profit")),
    )
    return Table(_first(data["by"]), columns, data["lines"], data["total"],
                 _("Year %(year)s") % {"year": data["year"]},
                 _("Net profit = gross margin + note interest gain (a loss is negative) − "
                   "commissions − costs; completion rate = net sales ÷ the year's standard "
                   "sales; cost ratio = costs ÷ net sales."),
                 (("net_sales", "bar"), ("costs", "bar"), ("net_profit", "line")))


def cost_table(data) -> Table:
    items = list(_cost_items().items())
    development, other = items[:5], items[5:]

    def item_columns(pairs):
        for key, label in pairs:
            yield Figure(key, label)
            yield Figure(f"share_{key}", _("%(item)s share") % {"item": label}, PERCENT,
                         wide=False)

    columns = (*item_columns(development),
               Figure("development_costs", gettext_lazy("Development costs")),
               *item_columns(other),
               Figure("other_costs", gettext_lazy("Other costs")),
               Figure("costs", gettext_lazy("Total costs")),
               Figure("net_sales", gettext_lazy("Net sales"), wide=False),
               Figure("cost_ratio", gettext_lazy("Costs to net sales"), PERCENT))
    return Table(_first(data["by"]), columns, data["lines"], data["total"],
                 _period(data["start"], data["end"]),
                 _("Development costs: salary, allowances, vehicle insurance, fuel and travel; "
                   "other costs: entertainment and gifts (第7条). A share is the item ÷ the "
                   "row's total costs."),
                 tuple((key, "stack") for key, _label in items))


def product_table(data) -> Table:
    columns = (Figure("quantity", gettext_lazy("Quantity"), COUNT),
               Figure("net_sales", gettext_lazy("Net sales")),
               Figure("share", gettext_lazy("Share of net sales"), PERCENT),
               Figure("marginal_cost", gettext_lazy("Marginal cost"), wide=False),
               Figure("gross_margin", gettext_lazy("Gross margin")),
               Figure("margin_rate", gettext_lazy("Margin rate"), PERCENT))
    return Table(_first("product"), columns, data["lines"], data["total"],
                 _period(data["start"], data["end"]),
                 _("Quantity and net sales that stayed sold: ordered, less cancelled and "
                   "returned; each line's net sales less its share of the order's discount. "
                   "Gross margin = net sales − marginal cost; margin rate = gross margin ÷ net "
                   "sales."),
                 (("net_sales", "pie"),))


def profit_table(data) -> Table:
    base = _("Same month last year") if data["compare"] == "year" else _("Last month")
    labels = {"net_sales": _("Net sales"), "gross_margin": _("Gross margin"),
              "costs": _("Costs"), "other": _("Note interest less commissions"),
              "net_profit": _("Net profit")}
    columns = []
    for key, label in labels.items():
        columns.append(Figure(f"{key}_0", f"{label}（{base}）", wide=key == "net_profit"))
        columns.append(Figure(f"{key}_1", f"{label}（{_('This month')}）",
                              wide=key in ("net_sales", "net_profit")))
    columns += [Figure("sales_growth", gettext_lazy("Net sales growth rate"), PERCENT),
                Figure("change", gettext_lazy("Change of net profit")),
                Figure("volume_effect", gettext_lazy("Sales volume effect")),
                Figure("margin_effect", gettext_lazy("Margin rate effect")),
                Figure("cost_effect", gettext_lazy("Cost effect")),
                Figure("other_effect", gettext_lazy("Other effect"), wide=False)]
    return Table(_first(data["by"]), tuple(columns), data["lines"], data["total"],
                 f"{data['month']:%Y-%m} / {data['base']:%Y-%m}（{base}）",
                 _("Change of net profit = sales volume effect + margin rate effect + cost "
                   "effect + other effect. Sales volume effect = the change of net sales × the "
                   "earlier margin rate (gross margin ÷ net sales; all of the gross margin's "
                   "change when there were no sales before); margin rate effect = the rest of "
                   "the gross margin's change (prices, discounts, product mix); cost effect = "
                   "the earlier costs − this month's; other effect = the change of note "
                   "interest less commissions. The total row adds up the rows."),
                 (("volume_effect", "stack"), ("margin_effect", "stack"),
                  ("cost_effect", "stack"), ("other_effect", "stack"), ("change", "line")))


def _shown_of(data) -> str:
    if data.get("limit") is None or data["count"] <= len(data["lines"]):
        return ""
    return _("The %(shown)s biggest of %(count)s customers are listed; the total is all of "
             "them.") % {"shown": len(data["lines"]), "count": data["count"]}


def comparison_table(data) -> Table:
    columns = (Figure("now", f"{_('This month')}（{data['now']:%Y-%m}）"),
               Figure("last", f"{_('Last month')}（{data['last']:%Y-%m}）"),
               Figure("ago", f"{_('Same month last year')}（{data['ago']:%Y-%m}）"),
               Figure("vs_last", gettext_lazy("Change on last month")),
               Figure("vs_last_rate", gettext_lazy("Rate on last month"), PERCENT),
               Figure("vs_ago", gettext_lazy("Change on last year")),
               Figure("vs_ago_rate", gettext_lazy("Rate on last year"), PERCENT))
    return Table(_first(data["by"]), columns, data["lines"], data["total"],
                 f"{data['month']:%Y-%m}",
                 _("Net sales (orders − cancellations − returns − discounts) of each month; a "
                   "rate is the change ÷ the earlier month's net sales."),
                 (("now", "bar"), ("last", "bar"), ("ago", "bar")), _shown_of(data))


def cumulative_table(data) -> Table:
    months = data["months"]

    def flat(line):
        return {**line, **{f"m{i}": value for i, value in enumerate(line["cumulative"], 1)}}

    last = len(months)
    columns = (*(Figure(f"m{i}", _("To %(month)s") % {"month": f"{m:%Y-%m}"},
                        wide=i == last) for i, m in enumerate(months, 1)),
               Figure("before", _("Same months last year")),
               Figure("change", gettext_lazy("Growth")),
               Figure("growth", gettext_lazy("Growth rate"), PERCENT))
    return Table(_first(data["by"]), columns, [flat(line) for line in data["lines"]],
                 flat(data["total"]), _period(months[0], months[-1]),
                 _("Net sales added up from January to each month, against the same months "
                   "last year."),
                 (("before", "bar"), (f"m{last}", "bar")), _shown_of(data))


def growth_table(data) -> Table:
    columns = (Figure("before", _("Last year %(period)s") % {
                   "period": _period(data["last_start"], data["last_end"])}),
               Figure("now", _("This year %(period)s") % {
                   "period": _period(data["start"], data["end"])}),
               Figure("change", gettext_lazy("Growth")),
               Figure("growth", gettext_lazy("Growth rate"), PERCENT),
               Figure("share", gettext_lazy("Share of net sales"), PERCENT))
    return Table(_first(data["by"]), columns, data["lines"], data["total"],
                 _period(data["start"], data["end"]),
                 _("Net sales of this year up to the month against the same months last year; "
                   "growth rate = growth ÷ last year's."),
                 (("before", "bar"), ("now", "bar")))


def _file_kind(kind):
    return NUMBER if kind in (PERCENT, COUNT) else kind


class TableFile(_File):
    def __init__(self, table: Table):
        self.table = table
        self.rows = len(table.lines)

    def write(self, sheet, title, notes):
        table = self.table
        headers = [str(table.first), *(str(f.label) for f in table.columns)]
        sheet.heading(title, [table.period, *([table.shown_of] if table.shown_of else []),
                              *notes], len(headers))
        sheet.widths([24] + [13] * len(table.columns))
        sheet.header(headers, repeat=True)
        kinds = [None, *(_file_kind(f.kind) for f in table.columns)]
        for line in table.lines:
            sheet.values([line["name"], *(value for _f, value in table.cells(line))],
                         kinds=kinds)
        if table.total is not None:
            sheet.values([_("Total"), *(value for _f, value in table.cells(table.total))],
                         "total", kinds=kinds)
        sheet.skip()
        sheet.values([str(table.note)], "note")


class BonusFile:
    """奖金发放表: a confirmed run's lines as payroll pays them (the account manager, their
    unit, each bonus item, the claw-back, the balance owed carried in, what is payable)."""

    def __init__(self, run, lines):
        self.run, self.lines = run, lines
        self.rows = len(lines)

    def file(self, user, filters):
        title = _("Bonus payment sheet")

        def build(book, formats):
            sheet = Sheet(book, formats, str(title), landscape=True)
            headers = [_("Account manager"), _("Unit"), _("Net sales"), _("Standard sales"),
                       _("Completion rate"), _("Performance bonus"), _("Rank"),
                       _("Rank bonus"), _("Claw-back"), _("Owed from last month"),
                       _("Net payable"), _("To pay"), _("Owed")]
            sheet.heading(str(title), [str(self.run), *notes_for(user, filters)], len(headers))
            sheet.widths([12, 14] + [12] * (len(headers) - 2))
            sheet.header(headers, repeat=True)
            kinds = [None, None, MONEY, MONEY, NUMBER, MONEY, NUMBER, MONEY, MONEY, MONEY,
                     MONEY, MONEY, MONEY]
            for line in self.lines:
                sheet.values([str(line.manager), line.unit.name if line.unit else "",
                              line.net_sales, line.target, line.completion,
                              line.performance_bonus, line.rank, line.rank_bonus, line.clawback,
                              line.carried, line.net_payable, max(line.net_payable, 0),
                              -min(line.net_payable, 0)], kinds=kinds)

        return workbook(title, build)


PRICE_LINE_COLUMNS = [
    Column(gettext_lazy("Product code"), "product.code", 14),
    Column(gettext_lazy("Product name"), "product.name", 28),
    Column(gettext_lazy("Unit of measure"), "product.unit", 8),
    Column(gettext_lazy("From quantity"), "min_quantity", 10, kind=NUMBER),
    Column(gettext_lazy("Unit price"), "price", 14, kind=MONEY),
    Column(gettext_lazy("List price"), "product.price", 14, kind=MONEY),
]


def price_list_file(user, price_list, rows, filters):
    """价目表 as an Excel file: its lines, its name, days, grade and channel on top."""
    days = (f"{price_list.valid_from:%Y-%m-%d} – "
            f"{price_list.valid_to:%Y-%m-%d}" if price_list.valid_to else
            f"{price_list.valid_from:%Y-%m-%d} –")
    scope = [str(price_list.grade or _("Every grade")),
             str(price_list.get_channel_display() or _("Every channel"))]
    return list_file("xlsx", title=f"{_('Price list')} {price_list.name}",
                     columns=PRICE_LINE_COLUMNS, rows=rows,
                     notes=[days, " · ".join(scope), *notes_for(user, filters)], landscape=False)
