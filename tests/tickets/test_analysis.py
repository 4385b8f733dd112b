"""The service analysis against figures worked out by hand on a small year (2025)."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from qiao.core import calendar
from qiao.tickets import selectors, services

from .factories import make_ticket

pytestmark = pytest.mark.django_db


def at(month, day, hour, minute=0, year=2025):
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def year_2025(personas):
    """am01's year (default policy: 24 h to respond, 72 h to resolve, business hours):
    T1 complaint 3 Mar, answered in 1 h, resolved (product) in 2 h, rated 4;
    T2 complaint 10 Mar (a repeat of T1), never answered;
    T3 inquiry 12 May, answered and resolved on 20 May (response late: due 15 May 10:30;
       resolution in time: due 23 May), rated 2;
    T4 complaint 1 Jul (113 days after T2: no repeat), answered in 30 min, then waiting on
       the customer (its resolution clock stopped: not counted);
    and, not counted: am01's after-sales ticket of 31 Dec 2024, am03's complaint of 2025."""
    calendar.seed_official_days()
    am01, customer = personas["am01"], personas.customers["am01"][0]
    t1 = make_ticket(am01, customer, now=at(3, 3, 9))
    services.ticket_reply(actor=am01, ticket=t1, body="已受理", now=at(3, 3, 10))
    services.ticket_resolve(actor=am01, ticket=t1, resolution="调换", cause="product",
                            now=at(3, 3, 11))
    services.ticket_close(actor=am01, ticket=t1, rating=4, now=at(3, 3, 15))
    make_ticket(am01, customer, now=at(3, 10, 9), category="delivery")
    t3 = make_ticket(am01, customer, kind="inquiry", now=at(5, 12, 9))
    services.ticket_reply(actor=am01, ticket=t3, body="答复", now=at(5, 20, 9))
    services.ticket_resolve(actor=am01, ticket=t3, resolution="已答复", now=at(5, 20, 10))
    services.ticket_close(actor=am01, ticket=t3, rating=2, now=at(5, 20, 11))
    t4 = make_ticket(am01, customer, now=at(7, 1, 9), category="service")
    services.ticket_reply(actor=am01, ticket=t4, body="请提供照片", now=at(7, 1, 9, 30))
    services.ticket_wait(actor=am01, ticket=t4, now=at(7, 1, 9, 40))
    make_ticket(am01, customer, kind="after_sales", now=at(12, 31, 10, year=2024))
    make_ticket(personas["am03"], personas.customers["am03"][0], now=at(4, 1, 9))


def test_the_figures_of_am01s_year(personas, year_2025):
    figures = selectors.analysis(personas["am01"], 2025, now=at(1, 1, 9, year=2026))
    assert figures["total"] == 4
    assert figures["response"] == 50.0     # T1, T4 of T1-T4
    assert figures["resolution"] == 66.7   # T1, T3 of T1-T3 (T4 waits)
    kinds = {k["kind"]: k for k in figures["kinds"]}
    complaint, inquiry = kinds["complaint"], kinds["inquiry"]
    assert complaint["months"] == [0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert inquiry["months"] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert (complaint["total"], complaint["response"], complaint["resolution"]) == (3, 66.7, 50.0)
    assert (complaint["rating"], complaint["rated"], complaint["repeat"]) == (4.0, 1, 1)
    assert (inquiry["response"], inquiry["resolution"], inquiry["rating"]) == (0.0, 100.0, 2.0)
    assert kinds["after_sales"]["total"] == 0
    assert [(str(c["label"]), c["n"]) for c in figures["by_cause"]] == [("待查明", 2), ("产品缺陷", 1)]
    assert sorted((str(c["label"]), c["n"]) for c in figures["by_category"]) == [
        ("产品质量", 1), ("服务态度", 1), ("送货配送", 1)]
    assert figures["by_manager"] == [{"customer__owner__display_name": str(personas["am01"]),
                                      "n": 3}]


def test_scope_and_the_page(personas, year_2025):
    assert selectors.analysis(personas["am03"], 2025)["total"] == 1
    assert selectors.analysis(personas["director"], 2025)["total"] == 5
    assert personas.client("am01").get(reverse("tickets:analysis")).status_code == 404
    page = personas.client("sup1").get(reverse("tickets:analysis"), {"year": "2025"})
    body = page.content.decode()
    assert page.status_code == 200 and "服务分析 2025" in body
    assert 'data-testid="figure-total">4<' in body and "ticket-chart-data" in body
    assert personas.client("sup1").get(reverse("tickets:analysis"),
                                       {"year": "0001"}).status_code == 200  # this year
    centre = personas.client("sup1").get(reverse("reports:index")).content.decode()
    assert 'data-testid="report-ticket_analysis"' in centre
