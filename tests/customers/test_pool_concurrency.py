"""Claims at the same moment, on a real database (the SQLite file with the production options,
and PostgreSQL in the second pass): of managers claiming one pool customer at once exactly one
wins and the others are told someone else was faster; a manager claiming two at once cannot
pass the daily limit. Each thread is one person with a connection of its own."""

import threading

import pytest
from django.urls import reverse
from django.utils import translation

from qiao.customers import selectors, services
from qiao.customers.models import Customer, CustomerEvent, PoolMove, PoolRule
from qiao.customers.services import ClaimLimitReached, NotInPool
from qiao.org.models import User

from ..factories import make_customer
from .test_concurrency import BARRIER_TIMEOUT, run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

# Everyone who works in the East region's pool and may claim.
CLAIMERS = ("am01", "am02", "am03", "am04", "sup1", "region1", "deptmgr", "director")
ROUNDS = 4


def east(personas):
    return personas.org.regions[0]


def new_pool_customer(personas):
    return make_customer(None, actor=personas["director"], region=east(personas))


def test_concurrent_claims_of_one_customer_make_exactly_one_owner(personas):
    users = [User.objects.get(username=name) for name in CLAIMERS]
    for _round in range(ROUNDS):
        customer = new_pool_customer(personas)
        history_before = customer.history.count()
        opened = [selectors.pool_customer_get(user, customer.pk) for user in users]
        outcomes = {}
        barrier = threading.Barrier(len(users), timeout=BARRIER_TIMEOUT)

        def person(i, opened=opened, outcomes=outcomes, barrier=barrier):
            barrier.wait()
            try:
                services.pool_claim(actor=users[i], customer=opened[i])
                outcomes[i] = "won"
            except NotInPool:
                outcomes[i] = "taken"

        errors = run_threads(len(users), person, barrier)
        assert not errors, "\n".join(errors)
        winners = [i for i, result in outcomes.items() if result == "won"]
        assert len(winners) == 1, outcomes
        assert sorted(outcomes.values()).count("taken") == len(users) - 1
        row = Customer.objects.get(pk=customer.pk)
        assert row.owner_id == users[winners[0]].pk
        assert row.version == customer.version + 1
        assert customer.history.count() == history_before + 1
        assert PoolMove.objects.filter(customer=customer).count() == 1
        assert CustomerEvent.objects.filter(customer=customer, kind="pool_claim").count() == 1


def test_concurrent_claims_through_the_pool_page(personas):
    customer = new_pool_customer(personas)
    url = reverse("customers:pool_claim", args=[customer.pk])
    clients = [personas.client(name) for name in CLAIMERS]
    for client in clients:  # everyone has the pool page open, with the customer on it
        assert customer.name in client.get(reverse("customers:pool")).content.decode()
    responses = {}
    barrier = threading.Barrier(len(clients), timeout=BARRIER_TIMEOUT)

    def person(i):
        barrier.wait()
        responses[i] = clients[i].post(url)

    errors = run_threads(len(clients), person, barrier)
    assert not errors, "\n".join(errors)
    locations = sorted(r["Location"] for r in responses.values() if r.status_code == 302)
    assert len(locations) == len(clients), {i: r.status_code for i, r in responses.items()}
    detail, pool = reverse("customers:detail", args=[customer.pk]), reverse("customers:pool")
    assert locations.count(detail) == 1
    assert locations.count(pool) == len(clients) - 1
    taken = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            taken.add(translation.gettext("Someone else claimed %s a moment ago.") % customer.name)
    for i, response in responses.items():
        if response["Location"] == pool:  # the loser sees why, on the pool page
            page = clients[i].get(pool).content.decode()
            assert any(text in page for text in taken)
    assert PoolMove.objects.filter(customer=customer).count() == 1


def test_one_manager_claiming_two_at_once_cannot_pass_the_daily_limit(personas):
    rule = PoolRule.objects.create(region=east(personas), daily_claim_limit=1)
    for limit in range(1, ROUNDS + 1):
        rule.daily_claim_limit = limit  # one claim left today
        rule.save()
        customers = [new_pool_customer(personas) for _ in range(2)]
        outcomes = []
        barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)

        def person(i, customers=customers, outcomes=outcomes, barrier=barrier):
            am01 = User.objects.get(username="am01")
            barrier.wait()
            try:
                services.pool_claim(actor=am01, customer=customers[i])
                outcomes.append("won")
            except ClaimLimitReached:
                outcomes.append("limit")

        errors = run_threads(2, person, barrier)
        assert not errors, "\n".join(errors)
        assert sorted(outcomes) == ["limit", "won"]
        assert selectors.pool_claims_today(personas["am01"]) == limit
