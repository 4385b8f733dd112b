"""The visits' entries of the report centre (core.registry.reports, registered in
VisitsConfig.ready): visit coverage (拜访覆盖率, issue 12 item 6) and the three seed tables of
the customer relationship forms (CUS-10) — 客户联络管理表, 客户拜访管理表, 客户招待管理表 — each
with its filters, print layout (?print=1) and Excel file (core.exports.send, logged)."""

from dataclasses import dataclass

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.exports import DATE, MONEY, NUMBER, Sheet, notes_for, workbook
from qiao.core.forms import BootstrapFormMixin, filter_description, valid_data
from qiao.core.lists import Column, ListSpec
from qiao.core.registry import ReportDef
from qiao.customers.models import FollowUpChannel
from qiao.org.permissions import can
from qiao.org.scope import visible_users

from . import coverage
from .actions import VISIT_EXPORT, VISIT_RECORD

# The seed handbook's chapter (客户关系管理表格), as the report centre's customer tables name it.
RELATIONSHIP_FORMS = gettext_lazy("Customer relationship management forms")
VISIT_STATISTICS = gettext_lazy("Visit statistics")

COVERAGE = ReportDef(
    "visit_coverage", gettext_lazy("Visit coverage statistics table"), "visits:coverage",
    (VISIT_RECORD,), VISIT_STATISTICS, order=150, icon="bi-geo", short_label=gettext_lazy(
        "Visit coverage"),
    description=gettext_lazy(
        "Visits planned on the submitted weekly schedules against those done and done on "
        "time, the visits and special visits recorded, and the customers overdue for a visit "
        "by their grade's rule at the period's end; by manager, team, region or grade, for a "
        "week, a month or a quarter."))
CONTACTS = ReportDef(
    "visit_contacts", gettext_lazy("Customer contact management table"), "visits:contacts_table",
    (VISIT_RECORD,), RELATIONSHIP_FORMS, order=60, icon="bi-telephone",
    short_label=gettext_lazy("Customer contacts"),
    description=gettext_lazy(
        "The follow-ups recorded on the customers' pages: date, customer, way of contact and "
        "content. The contact person and the result are not recorded with a follow-up, so "
        "those columns stay empty."))
VISITS_TABLE = ReportDef(
    "visit_table", gettext_lazy("Customer visit management table"), "visits:visits_table",
    (VISIT_RECORD,), RELATIONSHIP_FORMS, order=61, icon="bi-geo-alt",
    short_label=gettext_lazy("Customer visits"),
    description=gettext_lazy(
        "The visit records: date, customer, the people met, purpose and kind, content, "
        "findings, and the next visit (the return visit a fulfilled commitment calls for)."))
HOSPITALITY = ReportDef(
    "visit_hospitality", gettext_lazy("Customer hospitality management table"),
    "visits:hospitality_table", (VISIT_RECORD,), RELATIONSHIP_FORMS, order=62,
    icon="bi-cup-hot", short_label=gettext_lazy("Customer hospitality"),
    description=gettext_lazy(
        "The hospitality requests: date, customer, guests, reason, budgeted cost, the "
        "approval, the actual cost once recorded, and the manager's monthly budget and balance "
        "when the request was submitted."))

REPORTS = (COVERAGE, CONTACTS, VISITS_TABLE, HOSPITALITY)


# --- visit coverage ----------------------------------------------------------------------------

PERCENT = "percent"


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    kind: str = NUMBER
    wide: bool = True  # shown on a phone's width too


FIGURES = (
    Figure("planned", gettext_lazy("Visits planned")),
    Figure("done", gettext_lazy("Planned visits done")),
    Figure("done_rate", gettext_lazy("Done rate"), PERCENT),
    Figure("on_time", gettext_lazy("Done on time"), wide=False),
    Figure("on_time_rate", gettext_lazy("On-time rate"), PERCENT),
    Figure("visits", gettext_lazy("Visits recorded"), wide=False),
    Figure("special", gettext_lazy("Special visits"), wide=False),
    Figure("unplanned", gettext_lazy("Unplanned visits"), wide=False),
    Figure("overdue", gettext_lazy("Customers overdue for a visit")),
)
CHARTED = ("planned", "done", "on_time", "overdue")


class CoverageFilter(BootstrapFormMixin, forms.Form):
    """The period (a week, month or quarter, by a day in it: today by default), how the rows
    are made, and for someone who sees several, one manager."""

    period = forms.ChoiceField(label=gettext_lazy("Statistics period"), required=False, choices=[
        (coverage.MONTH, gettext_lazy("Month")), (coverage.WEEK, gettext_lazy("Week")),
        (coverage.QUARTER, gettext_lazy("Quarter"))])
    day = forms.DateField(label=gettext_lazy("a day in the period"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label=gettext_lazy("rows by"), required=False, choices=[
        (coverage.MANAGER, gettext_lazy("Account manager")),
        (coverage.TEAM, gettext_lazy("Team")), (coverage.REGION, gettext_lazy("Region")),
        (coverage.GRADE, gettext_lazy("Customer grade"))])
    manager = forms.ModelChoiceField(label=gettext_lazy("account manager"), required=False,
                                     queryset=None, empty_label=gettext_lazy("Everyone I see"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = visible_users(user)

    def values(self) -> dict:
        data = valid_data(self)
        kind = data.get("period") or coverage.MONTH
        start, end = coverage.period_bounds(kind, data.get("day") or timezone.localdate())
        return {"period": kind, "start": start, "end": end,
                "by": data.get("by") or coverage.MANAGER, "manager": data.get("manager")}

    def description(self):
        return filter_description(self)


def cells(row) -> list:
    return [(figure, getattr(row, figure.key)) for figure in FIGURES]


def chart(table) -> dict:
    """The chart's data (sales-charts.js's "statistic"): bars of the planned, done and on-time
    visits, a line of the overdue customers, the first 20 rows."""
    shown = table["rows"][:20]
    kinds = {"overdue": "line"}
    return {"names": [str(row.name) for row in shown],
            "series": [{"name": str(figure.label), "type": kinds.get(figure.key, "bar"),
                        "data": [getattr(row, figure.key) for row in shown]}
                       for figure in FIGURES if figure.key in CHARTED]}


def first_heading(by) -> str:
    return {coverage.MANAGER: _("Account manager"), coverage.TEAM: _("Team"),
            coverage.REGION: _("Region"), coverage.GRADE: _("Customer grade")}[by]


def period_text(table) -> str:
    return f"{table['start']:%Y-%m-%d} — {table['end']:%Y-%m-%d}"


class CoverageFile:
    """The coverage table as an Excel file: the page's rows and columns, the total below."""

    def __init__(self, table):
        self.table = table
        self.rows = len(table["rows"])

    def file(self, user, report, filters):
        def build(book, formats):
            sheet = Sheet(book, formats, str(report.short_label), landscape=True)
            headers = [first_heading(self.table["by"]), *(str(f.label) for f in FIGURES)]
            sheet.heading(str(report.label), [period_text(self.table),
                                              *notes_for(user, filters)], len(headers))
            sheet.widths([16] + [12] * len(FIGURES))
            sheet.header(headers, repeat=True)
            kinds = [None, *(NUMBER for _f in FIGURES)]
            for row in self.table["rows"]:
                sheet.values([row.name, *(value for _f, value in cells(row))], kinds=kinds)
            sheet.values([_("Total"), *(value for _f, value in cells(self.table["total"]))],
                         "total", kinds=kinds)

        return workbook(report.label, build)


# --- the three seed tables (CUS-10) -------------------------------------------------------------

class TableFilter(BootstrapFormMixin, forms.Form):
    """The seed tables' filters; invalid values are ignored, never an error page."""

    q = forms.CharField(label=gettext_lazy("customer"), required=False, max_length=100)
    date_from = forms.DateField(label=gettext_lazy("from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("to"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    manager = forms.ModelChoiceField(label=gettext_lazy("account manager"), queryset=None,
                                     required=False, empty_label=gettext_lazy("All managers"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = visible_users(user)

    def filters(self) -> coverage.TableFilters:
        data = valid_data(self)
        return coverage.TableFilters(
            date_from=data.get("date_from"), date_to=data.get("date_to"),
            manager=data["manager"].pk if data.get("manager") else None,
            q=(data.get("q") or "").strip()[:100])

    def description(self):
        return filter_description(self)


def _form(request):
    return TableFilter(request.GET or None, user=request.user)


def _context(report):
    def context(request, form):
        return {"report": report, "filters_text": form.description(),
                "today": timezone.localdate(),
                "export_url": (reverse(report.url_name + "_export")
                               if can(request.user, VISIT_EXPORT) else "")}
    return context


def _channel(event) -> str:
    code = (event.params or {}).get("channel", "")
    return str(dict(FollowUpChannel.choices).get(code, code))


def _note(event) -> str:
    return (event.params or {}).get("note", "")


def _customer_url(row) -> str:
    return reverse("customers:detail", args=[row.customer_id])


NOT_RECORDED = ""  # a seed column with no source in Qiao: left empty, as the description says

CONTACT_COLUMNS = [
    Column(gettext_lazy("Contact date"), lambda e: timezone.localdate(e.occurred_at), 12,
           kind=DATE),
    Column(gettext_lazy("Customer name"), "customer.name", 28, link=_customer_url),
    Column(gettext_lazy("Contact person"), lambda e: NOT_RECORDED, 10),
    Column(gettext_lazy("Way of contact"), _channel, 12),
    Column(gettext_lazy("Contact content"), _note, 40, wrap=True),
    Column(gettext_lazy("Result and follow-up"), lambda e: NOT_RECORDED, 20),
    Column(gettext_lazy("Account manager"), "actor", 10),
]


def _people(visit) -> str:
    return "、".join(f"{c.name}（{c.title}）" if c.title else c.name
                    for c in visit.contacts.all())


def _purpose(visit) -> str:
    kind = visit.get_kind_display()
    return f"{kind}：{visit.purpose}" if visit.purpose else str(kind)


def _content(visit) -> str:
    parts = [visit.situation, visit.needs, visit.suggestions]
    return "\n".join(part for part in parts if part)


VISIT_COLUMNS = [
    Column(gettext_lazy("Visit date"), "visited_on", 12, kind=DATE),
    Column(gettext_lazy("Customer name"), "customer.name", 28, link=_customer_url),
    Column(gettext_lazy("Person visited"), _people, 18, wrap=True),
    Column(gettext_lazy("Visit purpose"), _purpose, 18, wrap=True),
    Column(gettext_lazy("Visit content"), _content, 32, wrap=True),
    Column(gettext_lazy("Findings"), "findings", 32, wrap=True),
    Column(gettext_lazy("Next visit"), "next_return", 12, kind=DATE),
    Column(gettext_lazy("Account manager"), "author", 10),
]


def _approval(request) -> str:
    return coverage.approval_label(request.approval_state)


def _actual_cost(request):
    """The actual cost once recorded (实际费用), else empty."""
    return request.actual_cost


def _over_budget(request) -> str:
    return _("Yes") if request.over_budget else ""


HOSPITALITY_COLUMNS = [
    Column(gettext_lazy("Hospitality date"), "date", 12, kind=DATE),
    Column(gettext_lazy("Customer name"), "customer.name", 28, link=_customer_url),
    Column(gettext_lazy("Guests"), "guests", 20, wrap=True),
    Column(gettext_lazy("Hospitality reason"), "purpose", 32, wrap=True),
    Column(gettext_lazy("Budgeted cost (CNY)"), "amount", 14, kind=MONEY, css="text-end"),
    Column(gettext_lazy("Approval"), _approval, 12),
    Column(gettext_lazy("Actual cost (CNY)"), _actual_cost, 14, kind=MONEY, css="text-end"),
    Column(gettext_lazy("Monthly budget (CNY)"), "budget", 14, kind=MONEY, css="text-end"),
    Column(gettext_lazy("Balance before (CNY)"), "budget_balance", 14, kind=MONEY,
           css="text-end"),
    Column(gettext_lazy("Over budget"), _over_budget, 8),
    Column(gettext_lazy("Requester"), "requester", 10),
]


def _table(report, rows, columns) -> ListSpec:
    return ListSpec(url_name=report.url_name, template="visits/seed_table.html", form=_form,
                    rows=lambda user, form: rows(user, form.filters()), title=report.label,
                    columns=columns, cells=True, context=_context(report),
                    sheet=report.short_label)


CONTACT_TABLE = _table(CONTACTS, coverage.contact_rows, CONTACT_COLUMNS)
VISIT_TABLE = _table(VISITS_TABLE, coverage.visit_rows, VISIT_COLUMNS)
HOSPITALITY_TABLE = _table(HOSPITALITY, coverage.hospitality_rows, HOSPITALITY_COLUMNS)
