"""The persona fixture with a few customers made big or key, placed in administrative areas
and given key people, so every table has something to count. The expected figures in the
tests are counted by hand from this list:

    am01[0]  一级  key       active     retail         state   浦东新区  王总 (key person), 小李
    am01[1]  二级  ordinary  prospect                           黄浦区
    am02[0]  一级  big       active     manufacturing          浦东新区  陈经理 (decision power)
    am03[1]  二级  key       suspended  retail
    am05[0]  一级  big       active     it                             (region 2, 华北区)
    every other customer: ordinary, prospect; each manager's first customer 一级, second
    二级, pool customers no grade. (The grade is set here: customer_create leaves it to
    customer_change_grade, so the persona fixture's `grade=` does not stick.)
"""

import io

import openpyxl
import pytest

from qiao.customers.actions import CUSTOMER_EXPORT
from qiao.customers.models import Customer
from qiao.org.models import Role
from tests.factories import make_contact


def _set(customer, **fields):
    Customer.objects.filter(pk=customer.pk).update(**fields)


@pytest.fixture
def world(personas):
    c = personas.customers
    for username, customers in c.items():
        for customer, grade in zip(customers, personas.grades, strict=False):
            _set(customer, grade=grade if username.startswith("am") else None)
    _set(c["am01"][0], category="key", status="active", industry="retail", nature="state",
         district="浦东新区")
    _set(c["am01"][1], district="黄浦区")
    _set(c["am02"][0], category="big", status="active", industry="manufacturing",
         district="浦东新区")
    _set(c["am03"][1], category="key", status="suspended", industry="retail")
    _set(c["am05"][0], category="big", status="active", industry="it")
    make_contact(c["am01"][0], personas["am01"], name="王总", title="总经理", is_key_person=True,
                 mobile="13800138000")
    make_contact(c["am01"][0], personas["am01"], name="小李", mobile="13900139000")
    make_contact(c["am02"][0], personas["am02"], name="陈经理", has_decision_power=True,
                 phone="021-62345678")
    return personas


def grant_export(role_code="account_manager"):
    role = Role.objects.get(code=role_code)
    role.actions = [*role.actions, str(CUSTOMER_EXPORT)]
    role.save()


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


LIST_HEADER_ROW = 6  # watermark, title, two notes, a blank line, then the header


def listed(sheet, column=1):
    """The values of one column of an exported list (column 0 is the row number)."""
    return [row[column] for row in sheet.iter_rows(min_row=LIST_HEADER_ROW + 1, values_only=True)]


def cell_values(book):
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]
