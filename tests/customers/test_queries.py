"""C29: the customer pages issue as many queries for 5,000 visible customers as for 100
(no N+1), whoever looks and whatever they search for."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.customers import services
from qiao.customers.models import Customer
from qiao.customers.services import fill_search_keys
from tests.factories import make_contact

PAGES = [
    ("am01", {}), ("am01", {"q": "批量"}), ("am01", {"q": "piliang", "sort": "name", "page": "2"}),
    ("region1", {}), ("region1", {"q": "批量", "sort": "grade"}),
    ("director", {}), ("director", {"q": "批量"}), ("director", {"status": "active", "sort": "-name"}),
    ("sup1", {"owner": "am01"}),
]


def add_customers(personas, owner, start, stop):
    """Bulk rows as the services would leave them (search keys, owner unit), without the
    per-row history and events that would make 5,000 slow to build."""
    grades = personas.grades
    region = personas.org.regions[0]
    rows = []
    for i in range(start, stop):
        customer = Customer(
            kind="enterprise", name=f"批量{i:05d}商行", owner=owner, owner_unit_id=owner.unit_id,
            region=region, grade=grades[i % len(grades)], phone=f"021-6{i:07d}",
            status=Customer.Status.ACTIVE if i % 2 else Customer.Status.PROSPECT,
            created_by=owner)
        fill_search_keys(customer)
        rows.append(customer)
    Customer.objects.bulk_create(rows, batch_size=1000)


def query_counts(personas, clients):
    counts = {}
    for username, params in PAGES:
        params = {k: personas[v].pk if k == "owner" else v for k, v in params.items()}
        with CaptureQueriesContext(connection) as ctx:
            response = clients[username].get(reverse("customers:list"), params)
        assert response.status_code == 200
        counts[(username, str(params))] = len(ctx)
    return counts


def detail_count(client, customer):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    return len(ctx)


def test_list_and_detail_queries_do_not_grow_with_the_number_of_customers(personas):
    am01 = personas["am01"]
    clients = {u: personas.client(u) for u, _ in PAGES}
    for client in clients.values():  # warm up: sessions, content types, translations
        client.get(reverse("customers:list"))
    customer = personas.customers["am01"][0]

    add_customers(personas, am01, 0, 98)
    assert Customer.objects.visible_to(am01).count() == 100
    small = query_counts(personas, clients)
    small_detail = detail_count(clients["am01"], customer)

    add_customers(personas, am01, 98, 4998)
    assert Customer.objects.visible_to(am01).count() == 5000
    large = query_counts(personas, clients)
    large_detail = detail_count(clients["am01"], customer)

    assert large == small
    assert large_detail == small_detail
    # What the pages showed is what was asked: 5,000 for am01, a full page of rows; a search's
    # matches counted up to a thousand (core.pagination.COUNT_AT_MOST).
    html = clients["am01"].get(reverse("customers:list")).content.decode()
    assert "共 5000 条记录" in html
    html = clients["am01"].get(reverse("customers:list"), {"q": "批量"}).content.decode()
    assert "共 1,000+ 条记录" in html and "1 / 40+" in html
    assert html.count('class="fw-semibold text-decoration-none"') == 25
    assert max(small.values()) <= 15, small  # a budget: a handful, not one per row


def test_detail_queries_do_not_grow_with_contacts_events_and_tags(personas):
    am01 = personas["am01"]
    client = personas.client("am01")
    customer = personas.customers["am01"][0]
    client.get(reverse("customers:detail", args=[customer.pk]))
    make_contact(customer, am01, name="联系人一")
    one = detail_count(client, customer)
    for i in range(12):
        make_contact(customer, am01, name=f"联系人{i:02d}", mobile=f"1380013{i:04d}")
    services.customer_update(actor=am01, customer=Customer.objects.get(pk=customer.pk),
                             data={}, tags=personas.tags[:3], expected_version=1)
    assert detail_count(client, customer) == one
