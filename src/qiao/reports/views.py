"""The customer tables of the seeds (CUS-10, RPT-2): a screen with filters, a print layout that
reproduces the paper form (`?print=1`), and an Excel file of each. Thin: parse the filters →
selectors (always from `visible_to(user)`) → render or export. Every print layout rendered and
every export is in the operation log (what, rows, filters)."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qiao.audit import services as audit_services
from qiao.core.decorators import requires
from qiao.core.lists import list_export, list_page
from qiao.org.permissions import Action, can

from . import columns as cols
from . import exports, selectors
from .lists import (
    CLASSIFICATION,
    CLASSIFICATION_TABLE,
    GRADE_TABLE,
    GRADES,
    KEY_CUSTOMER_TABLE,
    KEY_CUSTOMERS,
    REGION_TABLE,
    REGIONS,
    REGISTRATION,
    REGISTRATION_PICK,
)

PRINT_LIMIT = 1000  # rows on paper; the Excel file has them all

# The seed handbook's chapters: 客户信息管理表格 (ch. 7) and 客户关系管理表格 (ch. 3).
SECTIONS = [
    (_("Customer information management forms"), [GRADES, REGIONS, REGISTRATION]),
    (_("Customer relationship management forms"), [CLASSIFICATION, KEY_CUSTOMERS]),
]


@requires(Action.REPORT_VIEW)
def index(request):
    return render(request, "reports/index.html", {"sections": SECTIONS})


# --- The four count tables (reports.lists): on screen, on paper, in Excel -----------------------

def _screen(request, table):
    return list_page(request, table, print_limit=PRINT_LIMIT)


@requires(Action.REPORT_VIEW)
def grades(request):
    return _screen(request, GRADE_TABLE)


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def grades_export(request):
    return list_export(request, GRADE_TABLE)


@requires(Action.REPORT_VIEW)
def regions(request):
    return _screen(request, REGION_TABLE)


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def regions_export(request):
    return list_export(request, REGION_TABLE)


@requires(Action.REPORT_VIEW)
def classification(request):
    return _screen(request, CLASSIFICATION_TABLE)


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def classification_export(request):
    return list_export(request, CLASSIFICATION_TABLE)


@requires(Action.REPORT_VIEW)
def key_customers(request):
    return _screen(request, KEY_CUSTOMER_TABLE)


@requires(Action.REPORT_VIEW)
@requires(Action.CUSTOMER_EXPORT)
def key_customers_export(request):
    return list_export(request, KEY_CUSTOMER_TABLE)


# --- 客户信息登记表: one customer's registration form --------------------------------------------

@requires(Action.REPORT_VIEW)
def registration_pick(request):
    """Choose the customer whose registration form to open."""
    return list_page(request, REGISTRATION_PICK)


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
