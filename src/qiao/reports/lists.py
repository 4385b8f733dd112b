"""The customer tables of the seeds (CUS-10, RPT-2) as lists (core.lists): each its filters,
its count tables above the list, its columns and its order. The same declaration gives the
screen (25 rows a page), the print layout (`?print=1`) and the Excel file (the count tables on
the first sheet, the list on the second)."""

from functools import partial

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.lists import ListSpec
from qiao.customers.actions import CUSTOMER_EXPORT
from qiao.org.permissions import can

from . import columns as cols
from . import exports, selectors
from .definitions import CLASSIFICATION, GRADES, KEY_CUSTOMERS, REGIONS, REGISTRATION
from .forms import CustomerSearchForm, ReportFilterForm


def _form(fields, key_only, request):
    return ReportFilterForm(request.GET or None, user=request.user, fields=fields,
                            key_only=key_only)


def _customers(user, form):
    """The customers a table is about: the user's scope narrowed by its filters."""
    return selectors.report_customers(user, form.filters())


def _rows(listed, user, form):
    return listed(_customers(user, form))


def _summary(tables, user, form):
    return tables(_customers(user, form), form)


def _context(report, request, form) -> dict:
    return {"report": report, "filters_text": form.description(),
            "today": timezone.localdate(),
            "can_export": can(request.user, CUSTOMER_EXPORT),
            "export_url": f"{report.url_name}_export"}


def _table(report, *, fields, tables, listed, columns, group_by, key_only=False) -> ListSpec:
    """A customer table: `tables(customers, form)` its count tables, `listed(customers)` its
    list in order, `columns` the list's, grouped on paper by `group_by`."""
    return ListSpec(
        url_name=report.url_name, template="reports/table.html",
        form=partial(_form, fields, key_only), rows=partial(_rows, listed),
        title=report.label, columns=columns, cells=True, group_by=group_by,
        context=partial(_context, report),
        summary=partial(_summary, tables),
        summary_sheet=partial(exports.summary_sheet, name=report.short_label),
        sheet=_("Customer list"), no_filters=exports.NO_FILTERS)


def _by_region(customers, form):
    by = form.columns_by()
    return [selectors.region_summary(customers, by),
            selectors.region_area_summary(customers, by)]


GRADE_TABLE = _table(
    GRADES, fields=["grade", "region", "owner", "status", "category"],
    tables=lambda customers, form: [selectors.grade_summary(customers)],
    listed=selectors.grade_list, columns=cols.GRADE_COLUMNS, group_by=cols.GRADE)
REGION_TABLE = _table(
    REGIONS, fields=["region", "district", "grade", "owner", "status", "columns"],
    tables=_by_region, listed=selectors.region_list, columns=cols.REGION_COLUMNS,
    group_by=cols.REGION)
CLASSIFICATION_TABLE = _table(
    CLASSIFICATION,
    fields=["category", "industry", "nature", "grade", "region", "owner", "status"],
    tables=lambda customers, form: selectors.classification_summaries(customers),
    listed=selectors.classification_list, columns=cols.CLASSIFICATION_COLUMNS,
    group_by=cols.CATEGORY)
KEY_CUSTOMER_TABLE = _table(
    KEY_CUSTOMERS, fields=["category", "grade", "region", "owner", "status"], key_only=True,
    tables=lambda customers, form: [selectors.key_customer_summary(customers)],
    listed=selectors.key_customer_list, columns=cols.KEY_CUSTOMER_COLUMNS,
    group_by=cols.CATEGORY)


def _search_form(request):
    return CustomerSearchForm(request.GET or None)


# 客户信息登记表: choose the customer whose form to open (the archive's search, within scope).
REGISTRATION_PICK = ListSpec(
    url_name="reports:registration_pick", template="reports/registration_pick.html",
    form=_search_form,
    rows=lambda user, form: selectors.registration_candidates(user, form.search()),
    context=lambda request, form: {"report": REGISTRATION})
