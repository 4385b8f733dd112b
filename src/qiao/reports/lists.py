"""The customer tables of the seeds (CUS-10, RPT-2) as lists (core.lists): each its filters,
its count tables above the list, its columns and its order. The same declaration gives the
screen (25 rows a page), the print layout (`?print=1`) and the Excel file (the count tables on
the first sheet, the list on the second)."""

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.lists import ListSpec
from qiao.org.permissions import Action, can

from . import columns as cols
from . import exports, selectors
from .forms import CustomerSearchForm, ReportFilterForm


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
            "can_export": can(request.user, Action.CUSTOMER_EXPORT),
            "export_url": f"reports:{report.url_name}_export"}


def _table(report, *, fields, tables, listed, columns, group_by, key_only=False) -> ListSpec:
    """A customer table: `tables(customers, form)` its count tables, `listed(customers)` its
    list in order, `columns` the list's, grouped on paper by `group_by`."""
    return ListSpec(
        url_name=f"reports:{report.url_name}", template="reports/table.html",
        form=partial(_form, fields, key_only), rows=partial(_rows, listed),
        title=report.title, columns=columns, cells=True, group_by=group_by,
        context=partial(_context, report),
        summary=partial(_summary, tables),
        summary_sheet=partial(exports.summary_sheet, name=report.sheet),
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
