"""core.lists, the one list component: columns declared by field path are masked as on screen,
a list's orders are one declaration for its form, the API and its selector, every list page
refreshes its results by htmx, and every list's file is refused whole above the cap and logged
with its rows and filters when sent."""

import pytest
from django.db.models import F

from qiao.audit.models import OperationLog
from qiao.core import lists
from qiao.core.exports import Column
from qiao.core.lists import Sort, Sorts, lines
from qiao.customers.api import CustomerQuery
from qiao.customers.forms import CustomerFilterForm
from qiao.customers.models import Customer
from qiao.customers.selectors import SORTS
from tests.factories import make_contact, make_customer
from tests.reports.conftest import grant_export


def test_a_field_path_column_masks_sensitive_fields_and_reads_labels(personas):
    am01 = personas["am01"]
    customer = make_customer(am01, phone="13812345678", fax="021-50123456")
    contact = make_contact(customer, am01, mobile="13998765432")
    # Grade and status change through their own services; here only their reading matters.
    customer.status, customer.grade = Customer.Status.ACTIVE, personas.grades[0]
    assert Column("Phone", "phone").value(customer) == "138****5678"
    assert Column("Fax", "fax").value(customer) == "021****3456"
    assert Column("Mobile", "mobile").value(contact) == "139****5432"
    assert Column("Status", "status").value(customer) == str(Customer.Status.ACTIVE.label)
    assert Column("Grade", "grade.name").value(customer) == personas.grades[0].name
    assert Column("Manager", "owner").value(customer) == am01
    # A relation that is empty on the way gives an empty cell, not an error.
    customer.grade = None
    assert Column("Grade", "grade.name").value(customer) == ""
    assert Column("Customer's phone", "customer.phone").value(contact) == "138****5678"


def test_lines_number_the_rows_and_show_what_the_columns_give(personas):
    customers = personas.customers["am01"]
    name = lists.Column("Name", "name", link=lambda c: f"/c/{c.pk}/")
    status = lists.Column("Status", "status", badge=lambda c: f"badge-{c.status}")
    drawn = lines([name, status], customers, start=26, group_by=lists.Column("Owner", "owner"))
    assert [line.number for line in drawn] == [26, 27]
    first = drawn[0]
    assert [cell.text for cell in first.cells] == [customers[0].name, "潜在"]
    assert first.cells[0].url == f"/c/{customers[0].pk}/" and first.cells[1].badge == "badge-prospect"
    assert first.group == str(personas["am01"])


def test_sorts_fall_back_to_the_first_and_list_their_codes():
    sorts = Sorts(Sort("new", "Newest", ("-id",)), Sort("name", "Name", ("name", "id")))
    assert list(sorts) == ["new", "name"]
    assert sorts.order("name") == ("name", "id")
    assert sorts.order("nonsense") == ("-id",)
    assert sorts.choices() == [("new", "Newest"), ("name", "Name")]


def test_the_customer_list_orders_are_one_declaration(personas):
    """The page's <select>, the API's accepted values and the selector's ORDER BY come from
    SORTS; every order ends with the id, so that pages never repeat or skip a customer."""
    form = CustomerFilterForm(user=personas["am01"])
    assert [code for code, _label in form.fields["sort"].choices] == list(SORTS)
    assert set(CustomerQuery.model_fields["sort"].annotation.__args__) == set(SORTS)
    for code in SORTS:
        last = SORTS.order(code)[-1]
        assert last in ("id", "-id") or (isinstance(last, F) and last.name == "id"), code


@pytest.mark.parametrize(("url", "table"), [
    ("/customers/", "customer-table"), ("/customers/pool/", "pool-table")])
def test_a_list_page_refreshes_its_results_by_htmx(personas, url, table):
    client = personas.client("am01")
    page = client.get(url).content.decode()
    fragment = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()
    assert "<html" in page and f'data-testid="{table}"' in page
    assert "<html" not in fragment and f'data-testid="{table}"' in fragment
    assert 'data-testid="result-count"' in fragment


def test_a_report_file_above_the_cap_is_refused_and_the_filters_kept(personas, settings):
    grant_export()
    settings.QIAO_EXPORT_MAX_ROWS = 1
    client = personas.client("am01")
    response = client.get("/reports/grades/export/?status=prospect&page=2&print=1")
    assert response.status_code == 302
    assert response["Location"] == "/reports/grades/?status=prospect"
    assert not OperationLog.objects.filter(action="export").exists()
    settings.QIAO_EXPORT_MAX_ROWS = 2
    assert client.get("/reports/grades/export/?status=prospect").status_code == 200
    log = OperationLog.objects.get(action="export")
    assert log.details == {"rows": 2, "filters": {"状态": "潜在"}, "format": "xlsx",
                           "sha256": log.details["sha256"]}
    assert len(log.details["sha256"]) == 64
