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
from tests.factories import make_customer

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


# --- a search's count, capped ---------------------------------------------------------------

def searched_page(rows, number, per_page=2):
    return pagination.EstimatingPaginator(rows, per_page, capped=True).get_page(number)


def test_a_search_counts_only_up_to_a_point(personas, monkeypatch, django_assert_num_queries):
    """A word most customers contain is counted to COUNT_AT_MOST, or to the end of the page
    after the one asked for: "4+" records, and the pages up to there and the next work."""
    monkeypatch.setattr(pagination, "COUNT_AT_MOST", 3)
    rows = customer_list(personas["director"], CustomerFilters(q="有限公司"))
    total = rows.count()
    assert total > 8

    with django_assert_num_queries(1):
        count = pagination.EstimatingPaginator(rows, 2, capped=True).count
    assert count == 4 and isinstance(count, pagination.CappedCount)  # pages 1 and 2 known

    page = searched_page(rows, "1")
    assert page.paginator.count_capped and page.has_next() and page.paginator.num_pages == 2
    with translation.override("en"):
        html = render_to_string("_pagination.html", {"page": page, "query": "q=x"})
    assert "4+ records" in html and "1 / 2+" in html
    with translation.override("zh-hans"):
        html = render_to_string("_pagination.html", {"page": page, "query": "q=x"})
    assert "共 4+ 条记录" in html

    page = searched_page(rows, "3")  # further on: counted to the end of page 4
    assert page.number == 3 and page.paginator.count == 8 and page.has_next()
    assert list(page.object_list) == list(rows[4:6])
    for bad in ("x", None):
        assert searched_page(rows, bad).number == 1

    last = searched_page(rows, str(total))  # past the end: counted exactly, the last page
    assert not last.paginator.count_capped and last.paginator.count == total
    assert last.number == -(-total // 2) and not last.has_next()


def test_a_search_with_few_matches_is_counted_exactly(personas, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_AT_MOST", 3)
    name = Customer.objects.alive().order_by("pk").first().name
    rows = customer_list(personas["director"], CustomerFilters(q=name))
    page = searched_page(rows, 1)
    assert page.paginator.count == 1 and not page.paginator.count_capped
    assert type(page.paginator.count) is int


def test_the_customer_list_caps_its_count_only_for_a_search(personas, client, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_AT_MOST", 3)
    for n in range(51 - Customer.objects.alive().count()):  # more than two pages of 25
        make_customer(personas["am01"], name=f"测试加开{n}有限公司")
    client.force_login(personas["director"])
    searched = client.get("/customers/", {"q": "有限公司"})
    assert searched.context["page"].paginator.count == 50  # to the end of page 2
    assert "50+" in searched.content.decode()
    listed = client.get("/customers/").context["page"]
    assert not listed.paginator.count_capped
    assert listed.paginator.count == Customer.objects.alive().count()
