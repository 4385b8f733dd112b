"""Constant query count (DESIGN: "query counts are asserted on lists"): every table, printout
and export needs as many queries for 200 customers as for 10."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiao.customers.models import Contact, Customer

from .conftest import grant_export

_serial = itertools.count()
CATEGORIES = ["big", "key", "ordinary"]
STATUSES = ["prospect", "active", "suspended"]
INDUSTRIES = ["retail", "it", ""]

URLS = [
    "/reports/grades/", "/reports/grades/?print=1", "/reports/grades/export/",
    "/reports/regions/", "/reports/regions/?print=1&columns=status", "/reports/regions/export/",
    "/reports/classification/", "/reports/classification/?print=1",
    "/reports/classification/export/",
    "/reports/key-customers/", "/reports/key-customers/?print=1",
    "/reports/key-customers/export/",
    "/reports/registration/", "/reports/registration/?q=pl",
]


def add_customers(world, owner, n):
    """`n` customers of `owner` in bulk (the services are not what is measured here), spread
    over grades, classifications, statuses, industries and areas, each with two contacts."""
    region = next(r for r in world.org.regions if owner.unit.path.startswith(r.path))
    customers = Customer.objects.bulk_create([
        Customer(name=f"批量客户{i:05d}", name_normalized=f"批量客户{i:05d}",
                 search_text=f"批量客户{i:05d} pl", owner=owner, owner_unit_id=owner.unit_id,
                 region=region, grade=world.grades[i % 5], category=CATEGORIES[i % 3],
                 status=STATUSES[i % 3], industry=INDUSTRIES[i % 3], district=f"第{i % 7}区")
        for i in (next(_serial) for _ in range(n))])
    Contact.objects.bulk_create([
        Contact(customer=c, name=f"联系人{c.pk}-{k}", is_key_person=(k == 0),
                mobile="13800138000") for c in customers for k in range(2)])
    return customers


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("username", ["am01", "region1", "director"])
def test_query_count_does_not_grow_with_customers(world, username, settings):
    grant_export()
    settings.QIAO_EXPORT_APPROVAL_ROWS = 10_000  # the files themselves, not their approval
    owner = world["am01"]
    client = world.client(username)
    add_customers(world, owner, 10)
    queries(client, URLS[0])  # warm up: session, user, content types
    small = {url: queries(client, url) for url in URLS}
    add_customers(world, owner, 190)
    large = {url: queries(client, url) for url in URLS}
    assert large == small
    # 16: the account-manager filter reads which roles may own customers (one small query).
    assert max(small.values()) <= 16, small


def test_registration_form_query_count_does_not_grow_with_contacts(world):
    client = world.client("am01")
    (customer,) = add_customers(world, world["am01"], 1)
    url = f"/reports/registration/{customer.pk}/"
    queries(client, url)
    few = queries(client, url)
    Contact.objects.bulk_create([Contact(customer=customer, name=f"关键人{k}", is_key_person=True)
                                 for k in range(30)])
    assert queries(client, url) == few
