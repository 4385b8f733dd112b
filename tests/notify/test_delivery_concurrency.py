"""Sweepers racing over the same outbox, on a real database (the SQLite file with the
production options; PostgreSQL in the second pass): every message reaches the robot exactly
once. And two senders of the same keyed reminder at once leave one inbox row."""

import threading

import pytest
from django.db import connection

from qiao.notify import services
from qiao.notify.delivery import services as delivery_services
from qiao.notify.delivery.models import Delivery, Webhook
from qiao.notify.inbox.models import Notification

from ..customers.test_concurrency import BARRIER_TIMEOUT, run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

SWEEPERS = 4
MESSAGES = 30


@pytest.fixture
def lost_tasks(monkeypatch):
    """The queue loses every task queued after commit (a Redis flushed, a worker gone)."""
    monkeypatch.setattr(delivery_services, "_enqueue", lambda ids: None)


def test_committed_notification_is_sent_by_its_task_after_commit(org, robot):
    am01 = org.users["am01"]
    Webhook.objects.create(name="team", unit=am01.unit, platform="wecom", url=f"{robot.url}/r")
    services.notify(recipients=[am01], kind="k", title="now")
    assert len(robot.received) == 1 and Delivery.objects.get().status == "sent"


def test_racing_sweepers_send_each_delivery_once(org, robot, lost_tasks):
    am01 = org.users["am01"]
    Webhook.objects.create(name="team", unit=am01.unit, platform="wecom", url=f"{robot.url}/r")
    for i in range(MESSAGES):
        services.notify(recipients=[am01], kind="k", title=f"message {i}")
    # Half of them once claimed by a worker that was killed (its lease has run out).
    half = list(Delivery.objects.order_by("pk").values_list("pk", flat=True)[: MESSAGES // 2])
    Delivery.objects.filter(pk__in=half).update(status="sending", attempts=1,
                                                claimed_until="2000-01-01T00:00:00Z")
    barrier = threading.Barrier(SWEEPERS, timeout=BARRIER_TIMEOUT)
    sent = {}

    def sweeper(i):
        barrier.wait()
        sent[i] = delivery_services.deliveries_sweep()

    errors = run_threads(SWEEPERS, sweeper, barrier)
    assert not errors, "\n".join(errors)
    titles = [r.body["markdown"]["content"].split("**")[1] for r in robot.received]
    assert sorted(titles) == sorted(f"message {i}" for i in range(MESSAGES))  # each once
    assert sum(sent.values()) == MESSAGES
    assert Delivery.objects.filter(status="sent").count() == MESSAGES
    # Sweeping again finds nothing to send.
    assert delivery_services.deliveries_sweep() == 0 and len(robot.received) == MESSAGES


def test_same_delivery_sent_by_task_and_sweeper_at_once_goes_out_once(org, robot, lost_tasks):
    am01 = org.users["am01"]
    Webhook.objects.create(name="team", unit=am01.unit, platform="wecom", url=f"{robot.url}/r")
    services.notify(recipients=[am01], kind="k", title="one")
    pk = Delivery.objects.get().pk
    barrier = threading.Barrier(SWEEPERS, timeout=BARRIER_TIMEOUT)
    results = {}

    def worker(i):
        barrier.wait()
        results[i] = delivery_services.delivery_send(pk)

    errors = run_threads(SWEEPERS, worker, barrier)
    assert not errors, "\n".join(errors)
    assert sorted(results.values(), key=str) == [None] * (SWEEPERS - 1) + ["sent"]
    assert len(robot.received) == 1
    assert Delivery.objects.get().attempts == 1


def test_the_same_keyed_reminder_raised_twice_at_once_is_shown_once(org):
    am01, am02 = org.users["am01"], org.users["am02"]
    barrier = threading.Barrier(SWEEPERS, timeout=BARRIER_TIMEOUT)
    created = {}

    def raiser(i):
        barrier.wait()
        created[i] = len(services.notify(recipients=[am01, am02], kind="visit",
                                         title="Visit due", key="visit:42"))

    errors = run_threads(SWEEPERS, raiser, barrier)
    assert not errors, "\n".join(errors)
    assert sum(created.values()) == 2
    assert Notification.objects.filter(key="visit:42").count() == 2
    assert connection.vendor in ("sqlite", "postgresql")
