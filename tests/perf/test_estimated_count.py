"""The count above a paged list (core.pagination): exact, except for a huge list with no
condition but "not deleted" on PostgreSQL — the customer list of a user who sees everything,
at a million customers — which shows the planner's estimate ("约 1,000,000") instead of a
COUNT(*) that alone takes longer than the page's budget (docs/benchmarks.md, scale L)."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from qiao.core import pagination
from qiao.customers.models import Customer
from qiao.customers.selectors import CustomerFilters, customer_list, deleted_customers

pytestmark = pytest.mark.django_db


def first_page(rows):
    return pagination.paginate(RequestFactory().get("/customers/"), rows, 25)[0]


def test_only_the_unconditional_list_may_be_estimated(personas):
    director = personas["director"]
    assert pagination._only_alive(customer_list(director, CustomerFilters()))
    assert pagination._only_alive(customer_list(director, CustomerFilters(sort="name")))
    for rows in (
        customer_list(personas["am01"], CustomerFilters()),  # data scope
        customer_list(personas["region1"], CustomerFilters()),  # scope and secret level
        customer_list(director, CustomerFilters(q="有限公司")),
        customer_list(director, CustomerFilters(status="active")),
        customer_list(director, CustomerFilters(tag=personas.tags[0].pk)),
        deleted_customers(director),
        Customer.objects.all(),  # deleted ones too: not the list of anyone
    ):
        assert not pagination._only_alive(rows), rows.query


def test_counts_are_exact_below_the_threshold(personas):
    page = first_page(customer_list(personas["director"], CustomerFilters()))
    assert page.paginator.count == Customer.objects.alive().count()
    assert not page.paginator.count_estimated
    assert type(page.paginator.count) is int


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner estimate")
def test_a_huge_unconditional_list_shows_the_estimate(personas, monkeypatch):
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    exact = Customer.objects.alive().count()

    page = first_page(customer_list(personas["director"], CustomerFilters()))
    assert page.paginator.count_estimated
    assert page.paginator.count == exact  # a fresh ANALYZE of a small table: exact
    assert page.paginator.num_pages == -(-exact // 25) and len(page.object_list) == 25
    with translation.override("en"):
        html = render_to_string("_pagination.html", {"page": page, "query": ""})
    assert f"about {exact} records" in html

    scoped = first_page(customer_list(personas["am01"], CustomerFilters()))
    assert not scoped.paginator.count_estimated and scoped.paginator.count == 2


def test_estimates_round_to_three_digits():
    assert pagination.approximate(1_234_567) == 1_230_000
    assert pagination.approximate(999_874.4) == 1_000_000
    assert pagination.approximate(200_001) == 200_000
    assert str(pagination.approximate(1_000_000)) in ("about 1,000,000", "约 1,000,000")


def test_the_count_is_one_query_below_and_above_the_threshold(personas, monkeypatch,
                                                               django_assert_num_queries):
    rows = customer_list(personas["director"], CustomerFilters())
    with django_assert_num_queries(1):
        exact = pagination.EstimatingPaginator(rows, 25).count
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    with django_assert_num_queries(1):
        either = pagination.EstimatingPaginator(rows, 25).count
    assert exact == either == Customer.objects.alive().count()
