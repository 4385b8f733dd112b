"""C15: concurrent postings to one customer never lose an amount. A thousand ¥1.00 receipts
posted at once by ten people (each a thread with its own database connection, on the SQLite
file with the production options and on PostgreSQL) leave the customer's receivable, the
month's collections and the manager's figures exactly ¥1,000.00 lower/higher; ERP repeats of
one external id under the same race post once."""

import threading
from decimal import Decimal

import pytest
from django.utils import timezone

from qiao.sales import selectors, services
from qiao.sales.models import CustomerMonth, ManagerMonth, Order, Receipt

from ..customers.test_concurrency import BARRIER_TIMEOUT, run_threads
from .factories import make_order, make_product

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

PEOPLE = 10
EACH = 100  # receipts per person: 1,000 in all


def test_a_thousand_concurrent_receipts_of_one_yuan_all_count(personas):
    customer = personas.customers["am01"][0]
    posters = [personas[name] for name in ("am01", "sup1", "region1", "deptmgr", "director")]
    make_order(personas["am01"], customer, lines=[(make_product(price="2000.00"), 1)])
    today = timezone.localdate()
    barrier = threading.Barrier(PEOPLE, timeout=BARRIER_TIMEOUT)

    def person(i):
        barrier.wait()
        for _ in range(EACH):
            services.receipt_post(actor=posters[i % len(posters)], customer=customer,
                                  amount=Decimal("1.00"), method="cash", received_on=today)

    errors = run_threads(PEOPLE, person, barrier)
    assert not errors, "\n".join(errors)
    assert Receipt.objects.count() == PEOPLE * EACH
    assert selectors.customer_receivable(customer) == Decimal("1000.00")
    month = today.replace(day=1)
    assert CustomerMonth.objects.get(customer=customer, month=month).collections == Decimal("1000.00")
    assert sum(row.collections for row in ManagerMonth.objects.filter(month=month)) \
        == Decimal("1000.00")
    assert selectors.figures(personas["am01"], today)["receivable"] == Decimal("1000.00")


def test_an_erp_repeating_one_order_at_once_posts_it_once(personas):
    customer = personas.customers["am01"][0]
    product = make_product()
    barrier = threading.Barrier(PEOPLE, timeout=BARRIER_TIMEOUT)
    posted = {}

    def erp(i):
        barrier.wait()
        posted[i] = services.order_post(
            actor=personas["am01"], customer=customer, lines=[(product, 2, None)],
            ordered_on=timezone.localdate(), channel="phone", external_id="ERP-RACE").pk

    errors = run_threads(PEOPLE, erp, barrier)
    assert not errors, "\n".join(errors)
    assert Order.objects.count() == 1 and set(posted.values()) == {Order.objects.get().pk}
    assert ManagerMonth.objects.get().order_count == 1
    assert selectors.customer_receivable(customer) == Decimal("200.00")
