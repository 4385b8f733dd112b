"""The customer tables of the seeds (CUS-10, RPT-2): a screen with filters, a print layout that
reproduces the paper form (`?print=1`), and an Excel file of each. Thin: parse the filters →
selectors (always from `visible_to(user)`) → render or export. Every print layout rendered and
every export is in the operation log (what, rows, filters)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qiao.audit import services as audit_services
from qiao.core.exports import TooManyRows, check_size
from qiao.core.pagination import paginate, query_without
from qiao.org.decorators import requires
from qiao.org.permissions import Action, can

from . import columns as cols
from . import exports, selectors
from .forms import ReportFilterForm

PAGE_SIZE = 25
PRINT_LIMIT = 1000  # rows on paper; the Excel file has them all


@dataclass(frozen=True)
class Report:
    url_name: str
    title: Any  # the seed's name of the form (客户等级分类表 in Chinese)
    sheet: Any  # a short name for the Excel sheet (31 characters at most)
    description: Any
    icon: str


GRADES = Report("grades", _("Customer grade classification table"), _("Customers by grade"),
                _("How many customers each grade has, by status, and who they are."),
                "bi-bar-chart-steps")
REGIONS = Report("regions", _("Customer regional classification table"),
                 _("Customers by region"),
                 _("Customers per region and administrative area, by grade or by status."),
                 "bi-geo-alt")
REGISTRATION = Report("registration_pick", _("Customer information registration form"),
                      _("Registration form"),
                      _("One customer's registration form with its key people, to print on A4."),
                      "bi-file-earmark-person")
CLASSIFICATION = Report("classification", _("Customer classification table"),
                        _("Customer classification"),
                        _("Big, key and ordinary customers by grade, industry and enterprise "
                          "nature."),
                        "bi-diagram-3")
KEY_CUSTOMERS = Report("key_customers", _("Key customer statistics table"), _("Key customers"),
                       _("Big and key customers with their manager, contacts and key person."),
                       "bi-star")

# The seed handbook's chapters: 客户信息管理表格 (ch. 7) and 客户关系管理表格 (ch. 3).
SECTIONS = [
    (_("Customer information management forms"), [GRADES, REGIONS, REGISTRATION]),
    (_("Customer relationship management forms"), [CLASSIFICATION, KEY_CUSTOMERS]),
]


@requires(Action.REPORT_VIEW)
def index(request):
    return render(request, "reports/index.html", {"sections": SECTIONS})


# --- The four count tables ----------------------------------------------------------------------

@dataclass
class Table:
    """What one customer table shows for the request: filters, count tables and the list."""

    form: ReportFilterForm
    tables: list
    columns: list
    customers: Any  # a queryset, not yet evaluated
    group_by: Any = None


def _form(request, fields, **kwargs):
    return ReportFilterForm(request.GET or None, user=request.user, fields=fields, **kwargs)


def _grades(request) -> Table:
    form = _form(request, ["grade", "region", "owner", "status", "category"])
    qs = selectors.report_customers(request.user, form.filters())
    return Table(form, [selectors.grade_summary(qs)], cols.GRADE_COLUMNS,
                 selectors.grade_list(qs), cols.GRADE)


def _regions(request) -> Table:
    form = _form(request, ["region", "district", "grade", "owner", "status", "columns"])
    qs = selectors.report_customers(request.user, form.filters())
    by = form.columns_by()
    return Table(form, [selectors.region_summary(qs, by), selectors.region_area_summary(qs, by)],
                 cols.REGION_COLUMNS, selectors.region_list(qs), cols.REGION)


def _classification(request) -> Table:
    form = _form(request, ["category", "industry", "nature", "grade", "region", "owner",
                           "status"])
    qs = selectors.report_customers(request.user, form.filters())
    return Table(form, selectors.classification_summaries(qs), cols.CLASSIFICATION_COLUMNS,
                 selectors.classification_list(qs), cols.CATEGORY)


def _key_customers(request) -> Table:
    form = _form(request, ["category", "grade", "region", "owner", "status"], key_only=True)
    qs = selectors.report_customers(request.user, form.filters())
    return Table(form, [selectors.key_customer_summary(qs)], cols.KEY_CUSTOMER_COLUMNS,
                 selectors.key_customer_list(qs), cols.CATEGORY)


def _screen(request, report: Report, table: Table):
    """The table on screen (25 rows a page), or on paper with `?print=1`."""
    printing = request.GET.get("print") == "1"
    if printing:
        page, count = None, table.customers.count()
        lines = cols.lines(table.columns, table.customers[:PRINT_LIMIT], group_by=table.group_by)
        audit_services.print_record(actor=request.user, request=request, what=str(report.title),
                                    rows=len(lines), filters=dict(table.form.description()))
    else:
        page = paginate(request, table.customers, PAGE_SIZE)[0]
        count = page.paginator.count
        lines = cols.lines(table.columns, page.object_list, start=page.start_index(),
                           group_by=table.group_by)
    return render(request, "reports/table.html", {
        "report": report, "form": table.form, "tables": table.tables,
        "columns": table.columns, "lines": lines, "page": page, "count": count,
        "query": query_without(request, "page", "print"), "printing": printing, "print_limit": PRINT_LIMIT,
        "layout": "reports/print_base.html" if printing else "base.html",
        "filters_text": table.form.description(), "today": timezone.localdate(),
        "can_export": can(request.user, Action.CUSTOMER_EXPORT),
        "export_url": f"reports:{report.url_name}_export",
    })


def _export(request, report: Report, table: Table):
    """The table as an Excel file, or back to the screen when it has more rows than an export
    may (QIAO_EXPORT_MAX_ROWS)."""
    rows = table.customers.count()
    try:
        check_size(rows)
    except TooManyRows as refusal:
        messages.error(request, str(refusal))
        query = query_without(request, "page", "print")
        return redirect(reverse(f"reports:{report.url_name}") + (f"?{query}" if query else ""))
    audit_services.export_record(actor=request.user, request=request, what=str(report.title),
                                 rows=rows, filters=dict(table.form.description()))
    return exports.report_response(
        title=str(report.title), sheet=str(report.sheet),
        notes=exports.report_notes(request.user, table.form.description()),
        tables=table.tables, columns=table.columns, customers=table.customers)


@requires(Action.REPORT_VIEW)
def grades(request):
    return _screen(request, GRADES, _grades(request))


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def grades_export(request):
    return _export(request, GRADES, _grades(request))


@requires(Action.REPORT_VIEW)
def regions(request):
    return _screen(request, REGIONS, _regions(request))


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def regions_export(request):
    return _export(request, REGIONS, _regions(request))


@requires(Action.REPORT_VIEW)
def classification(request):
    return _screen(request, CLASSIFICATION, _classification(request))


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def classification_export(request):
    return _export(request, CLASSIFICATION, _classification(request))


@requires(Action.REPORT_VIEW)
def key_customers(request):
    return _screen(request, KEY_CUSTOMERS, _key_customers(request))


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def key_customers_export(request):
    return _export(request, KEY_CUSTOMERS, _key_customers(request))


# --- 客户信息登记表: one customer's registration form --------------------------------------------

@requires(Action.REPORT_VIEW)
def registration_pick(request):
    """Choose the customer whose registration form to open (search within scope)."""
    text = request.GET.get("q", "")[:100]
    page, query = paginate(request, selectors.registration_candidates(request.user, text),
                           PAGE_SIZE)
    return render(request, "reports/registration_pick.html", {
        "report": REGISTRATION, "page": page, "q": text, "query": query})


def _registration(request, customer_id):
    customer = selectors.registration_customer(request.user, customer_id)
    rows = cols.registration_rows(customer, selectors.registration_tags(customer),
                                  selectors.registration_attachments(request.user, customer))
    return customer, rows, selectors.registration_contacts(request.user, customer)


@requires(Action.REPORT_VIEW)
def registration(request, customer_id):
    """The form on A4: the page is its print layout, so opening it is logged as a print."""
    customer, rows, contacts = _registration(request, customer_id)
    audit_services.print_record(actor=request.user, request=request,
                                what=f"{REGISTRATION.title}: {customer.name}", rows=1,
                                filters={"customer": customer.pk}, customer=customer)
    return render(request, "reports/registration.html", {
        "report": REGISTRATION, "customer": customer, "rows": rows,
        "contact_headers": [header for header, _value in cols.CONTACT_COLUMNS],
        "contacts": [[value(c) for _header, value in cols.CONTACT_COLUMNS] for c in contacts],
        "today": timezone.localdate(),
        "can_export": can(request.user, Action.CUSTOMER_EXPORT),
        "can_view_customer": can(request.user, Action.CUSTOMER_VIEW),
    })


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def registration_export(request, customer_id):
    customer, rows, contacts = _registration(request, customer_id)
    notes = [*exports.report_notes(request.user, [])[:1],
             gettext("Customer No. %(number)s") % {"number": customer.pk}]
    audit_services.export_record(actor=request.user, request=request,
                                 what=f"{REGISTRATION.title}: {customer.name}", rows=1,
                                 filters={"customer": customer.pk}, customer=customer)
    return exports.registration_response(
        title=str(REGISTRATION.title), sheet=str(REGISTRATION.sheet), customer=customer,
        notes=notes, rows=rows,
        contact_columns=cols.CONTACT_COLUMNS, contacts=contacts)
