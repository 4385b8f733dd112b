"""The handover pages: who is listed for whom (leavers first, with their customer count and the
number of customers still owned by disabled accounts), the per-person page, its refusals, and
constant query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.customers.models import Customer
from qiao.customers.services import fill_search_keys
from qiao.org.models import User

from .test_handover import REASON, make_leaver_customers, orphans
from .test_pool import fresh

LIST = reverse("customers:handover")
ROW = re.compile(r'<tr data-testid="staff-row">(.*?)</tr>', re.S)


@pytest.fixture
def leaver_customers(personas):
    return make_leaver_customers(personas)


def page_of(user):
    return reverse("customers:handover_user", args=[user.pk])


def rows(response):
    """[(username, is marked leaver, customer count)] in the order shown."""
    found = []
    for row in ROW.findall(response.content.decode()):
        username = re.search(r'<span class="text-muted small">([^<]+)</span>', row).group(1)
        count = int(re.search(r'data-testid="customer-count">(\d+)<', row).group(1))
        found.append((username, 'data-testid="leaver-badge"' in row, count))
    return found


def test_the_list_shows_leavers_first_with_their_counts(personas, leaver_customers):
    response = personas.client("sup1").get(LIST)
    assert response.status_code == 200
    assert rows(response) == [("leaver", True, 3), ("am01", False, 2), ("am02", False, 2)]
    orphaned = response.content.decode().split('data-testid="orphaned"')[1][:400]
    assert "3" in orphaned

    region1 = rows(personas.client("region1").get(LIST))
    assert region1[0] == ("leaver", True, 3)
    assert {r[0] for r in region1} == {"leaver", "am01", "am02", "am03", "am04"}
    assert len(rows(personas.client("director").get(LIST))) == 1 + 12


def test_the_pages_are_hidden_without_the_reassign_right(personas, leaver_customers):
    for persona in ("am01", "agent01", "admin"):
        client = personas.client(persona)
        assert client.get(LIST).status_code == 404, persona
        assert client.get(page_of(personas["leaver"])).status_code == 404, persona
        assert client.post(page_of(personas["leaver"]), {
            "to_user": personas["am02"].pk, "reason": REASON, "scope": "all"}).status_code == 404
    assert orphans() == 3


def test_staff_outside_scope_answer_404(personas):
    client = personas.client("sup1")
    for username in ("am03", "am05", "director"):
        user = User.objects.get(username=username)
        assert client.get(page_of(user)).status_code == 404, username
        assert client.post(page_of(user), {"to_user": personas["am02"].pk, "reason": REASON,
                                           "scope": "all"}).status_code == 404
    assert all(fresh(c).owner_id == personas["am03"].pk for c in personas.customers["am03"])


def test_the_handover_page_lists_the_customers_and_the_possible_new_owners(personas,
                                                                         leaver_customers):
    html = personas.client("sup1").get(page_of(personas["leaver"])).content.decode()
    for customer in leaver_customers:
        assert f'name="customers" value="{customer.pk}"' in html
        assert customer.name in html
    select = html[html.index('name="to_user"'):html.index("</select>", html.index('name="to_user"'))]
    options = set(re.findall(r'<option value="(\d+)"', select))
    assert options == {str(personas[u].pk) for u in ("sup1", "am01", "am02")}


def test_handing_over_ticked_customers_from_the_page(personas, leaver_customers):
    first, second, third = leaver_customers
    response = personas.client("sup1").post(page_of(personas["leaver"]), {
        "to_user": personas["am02"].pk, "reason": REASON, "scope": "chosen",
        "customers": [first.pk, third.pk]})
    assert response.status_code == 302 and response["Location"] == LIST
    assert [fresh(c).owner_id for c in leaver_customers] == [
        personas["am02"].pk, personas["leaver"].pk, personas["am02"].pk]


def test_handing_over_all_from_the_page_leaves_no_orphans(personas, leaver_customers):
    client = personas.client("region1")
    response = client.post(page_of(personas["leaver"]), {
        "to_user": personas["am03"].pk, "reason": REASON, "scope": "all"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert orphans() == 0
    assert ("leaver", True, 3) not in rows(response)
    assert all(fresh(c).owner_id == personas["am03"].pk for c in leaver_customers)


def test_bad_posts_are_refused_with_nothing_changed(personas, leaver_customers):
    client = personas.client("sup1")
    url = page_of(personas["leaver"])
    am02 = personas["am02"].pk
    for data in (
        {"to_user": am02, "reason": REASON, "scope": "chosen"},  # nothing ticked
        {"to_user": am02, "reason": "", "scope": "all"},
        {"to_user": personas["am03"].pk, "reason": REASON, "scope": "all"},  # out of scope
        {"to_user": personas["leaver"].pk, "reason": REASON, "scope": "all"},
        {"to_user": am02, "reason": REASON, "scope": "chosen",
         "customers": [leaver_customers[0].pk, personas.customers["am01"][0].pk]},
        {"to_user": am02, "reason": REASON, "scope": "chosen", "customers": ["x"]},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert orphans() == 3, data
    assert fresh(personas.customers["am01"][0]).owner_id == personas["am01"].pk


def test_list_and_page_queries_do_not_grow_with_staff_and_customers(personas, leaver_customers):
    client = personas.client("director")
    leaver = personas["leaver"]
    client.get(LIST)  # warm up

    def add(owner, count):
        rows = []
        for i in range(count):
            customer = Customer(kind="enterprise", name=f"交接批量{owner.pk}-{i:04d}",
                                owner=owner, owner_unit_id=owner.unit_id,
                                region=personas.org.regions[0])
            fill_search_keys(customer)
            rows.append(customer)
        Customer.objects.bulk_create(rows)

    def counts():
        result = []
        for url in (LIST, page_of(leaver), page_of(leaver) + "?page=2"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx))
        return result

    add(leaver, 30)
    small = counts()
    for i in range(20):
        gone = User.objects.create(username=f"gone{i:02d}", unit=leaver.unit,
                                   position=leaver.position, is_active=i % 2 == 0)
        add(gone, 10)
    add(leaver, 400)
    large = counts()
    assert small == large
    assert max(large) <= 15, large
