"""The customer tables of the seeds (CUS-10, RPT-2): a screen with filters, a print layout that
reproduces the paper form (`?print=1`), and an Excel file of each. Thin: parse the filters →
selectors (always from `visible_to(user)`) → render or export. Every print layout rendered and
every export is in the operation log (what, rows, filters)."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from qiao.audit import services as audit_services
from qiao.core import registry
from qiao.core.exports import send
from qiao.core.lists import list_export, list_page
from qiao.core.origin import Origin
from qiao.customers import selectors as customer_selectors
from qiao.customers.actions import CUSTOMER_EXPORT, CUSTOMER_VIEW
from qiao.org.decorators import requires
from qiao.org.permissions import can

from . import columns as cols
from . import exports, selectors
from .actions import REPORT_VIEW
from .definitions import AT_RISK, REGISTRATION
from .forms import AtRiskFilter
from .lists import (
    CLASSIFICATION_TABLE,
    GRADE_TABLE,
    KEY_CUSTOMER_TABLE,
    REGION_TABLE,
    REGISTRATION_PICK,
)

PRINT_LIMIT = 1000  # rows on paper; the Excel file has them all


@requires(REPORT_VIEW)
def index(request):
    """The report centre: every registered report (core.registry.reports) the user may open,
    under its group, in order."""
    reports = [report for report in registry.reports
               if any(can(request.user, action) for action in report.actions)]
    sections = [(group, list(entries))
                for group, entries in groupby(reports, key=lambda report: report.group)]
    return render(request, "reports/index.html", {"sections": sections})


# --- The four count tables (reports.lists): on screen, on paper, in Excel -----------------------

def _screen(request, table):
    return list_page(request, table, print_limit=PRINT_LIMIT)


@requires(REPORT_VIEW)
def grades(request):
    return _screen(request, GRADE_TABLE)


@requires(REPORT_VIEW)
@requires(CUSTOMER_EXPORT)
def grades_export(request):
    return list_export(request, GRADE_TABLE)


@requires(REPORT_VIEW)
def regions(request):
    return _screen(request, REGION_TABLE)


@requires(REPORT_VIEW)
@requires(CUSTOMER_EXPORT)
def regions_export(request):
    return list_export(request, REGION_TABLE)


@requires(REPORT_VIEW)
def classification(request):
    return _screen(request, CLASSIFICATION_TABLE)


@requires(REPORT_VIEW)
@requires(CUSTOMER_EXPORT)
def classification_export(request):
    return list_export(request, CLASSIFICATION_TABLE)


@requires(REPORT_VIEW)
def key_customers(request):
    return _screen(request, KEY_CUSTOMER_TABLE)


@requires(REPORT_VIEW)
@requires(CUSTOMER_EXPORT)
def key_customers_export(request):
    return list_export(request, KEY_CUSTOMER_TABLE)


# --- 客户信息登记表: one customer's registration form --------------------------------------------

@requires(REPORT_VIEW)
def registration_pick(request):
    """Choose the customer whose registration form to open."""
    return list_page(request, REGISTRATION_PICK)


def _registration(request, customer_id):
    customer = selectors.registration_customer(request.user, customer_id)
    rows = cols.registration_rows(customer, selectors.registration_tags(customer),
                                  selectors.registration_attachments(request.user, customer))
    return customer, rows, selectors.registration_contacts(request.user, customer)


@requires(REPORT_VIEW)
def registration(request, customer_id):
    """The form on A4: the page is its print layout, so opening it is logged as a print."""
    customer, rows, contacts = _registration(request, customer_id)
    audit_services.print_record(actor=request.user, origin=Origin.of(request),
                                what=f"{REGISTRATION.label}: {customer.name}", rows=1,
                                filters={"customer": customer.pk}, customer=customer)
    return render(request, "reports/registration.html", {
        "report": REGISTRATION, "customer": customer, "rows": rows,
        "contact_headers": [header for header, _value in cols.CONTACT_COLUMNS],
        "contacts": [[value(c) for _header, value in cols.CONTACT_COLUMNS] for c in contacts],
        "today": timezone.localdate(),
        "can_export": can(request.user, CUSTOMER_EXPORT),
        "can_view_customer": can(request.user, CUSTOMER_VIEW),
    })


@requires(REPORT_VIEW)
@requires(CUSTOMER_EXPORT)
def registration_export(request, customer_id):
    customer, rows, contacts = _registration(request, customer_id)
    notes = [*exports.report_notes(request.user, [])[:1],
             gettext("Customer No. %(number)s") % {"number": customer.pk}]
    file = exports.registration_file(
        title=str(REGISTRATION.label), sheet=str(REGISTRATION.short_label), customer=customer,
        notes=notes, rows=rows,
        contact_columns=cols.CONTACT_COLUMNS, contacts=contacts)
    return send(request, file, rows=1, filters={"customer": customer.pk},
                what=f"{REGISTRATION.label}: {customer.log_label}", customer=customer)


# --- 危险客户统计表 (CUS-9): the customers the at-risk rules flag, with the reasons ---------------

@requires(REPORT_VIEW)
def at_risk(request):
    form = AtRiskFilter(request.GET or None, user=request.user,
                        rules=customer_selectors.rule_choices())
    chosen = form.values()
    lines = customer_selectors.at_risk(request.user, manager=chosen["manager"],
                                       rule=chosen["rule"])
    described = dict(form.description())
    wanted, printing = request.GET.get("format"), request.GET.get("print") == "1"
    if wanted == "xlsx":
        if not can(request.user, CUSTOMER_EXPORT):
            raise Http404
        return send(request, exports.at_risk_file(request.user, AT_RISK, lines,
                                                  form.description()),
                    rows=len(lines), filters=described)
    if printing:
        audit_services.print_record(actor=request.user, origin=Origin.of(request),
                                    what=str(AT_RISK.label), rows=len(lines), filters=described)
    query = request.GET.copy()
    for name in ("print", "format"):
        query.pop(name, None)
    return render(request, "reports/at_risk.html", {
        "report": AT_RISK, "form": form, "lines": lines, "printing": printing,
        "query": query.urlencode(), "filters_text": form.description(),
        "today": timezone.localdate(), "can_export": can(request.user, CUSTOMER_EXPORT)})
