"""The integrations' event webhooks (DAT-3): subscriptions to domain events, one outbox row per
subscription after the event's commit, signed POSTs to a real local server, retries with
backoff, the delivery log, replays, and addresses that are not http(s) refused."""

import hashlib
import hmac
import json
import socket
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from qiao.approvals import services as approval_services
from qiao.audit.models import OperationLog
from qiao.core.registry import events
from qiao.customers import services as customer_services
from qiao.customers.models import Customer
from qiao.notify import services as notify_services
from qiao.notify.admin import SubscriptionForm
from qiao.notify.delivery import channels
from qiao.notify.delivery import services as delivery_services
from qiao.notify.delivery.models import Delivery, Subscription, Webhook
from qiao.sales import services as sales_services
from qiao.tickets import services as ticket_services
from qiao.visits import services as visit_services
from qiao.visits.demo import ensure_hospitality_chain

from ..factories import make_customer
from ..sales.factories import make_order, make_product
from ..tickets.factories import make_ticket

pytestmark = pytest.mark.django_db

WEBHOOK_EVENTS = ["customer.created", "customer.updated", "customer.transferred",
                  "ticket.created", "ticket.closed", "order.posted", "approval.decided"]


def subscribe(url, events_=("customer.created",), name="ERP", active=True):
    hook = Subscription(name=name, url=url, events=list(events_), active=active)
    hook.full_clean()
    hook.save()
    return hook


def event_rows(**filters):
    return Delivery.objects.filter(channel=Delivery.Channel.EVENT, **filters)


def queue(code, **payload):
    """The outbox rows of an event as its after-commit subscriber writes them (their send task,
    queued on commit, does not run inside the test's transaction)."""
    return delivery_services.event_deliveries_create(events.get(code), payload)


def verify(secret, headers, raw, *, now=None, tolerance=300):
    """What the receiver does (docs/architecture.md, "Webhooks"): recompute the signature over
    "{timestamp}.{body}", compare in constant time, reject an old or future timestamp."""
    timestamp = headers["X-Qiao-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw,
                        hashlib.sha256).hexdigest()
    fresh = abs((now or time.time()) - int(timestamp)) <= tolerance
    return fresh and hmac.compare_digest(expected, headers["X-Qiao-Signature"])


@pytest.fixture
def silent_server():
    """A local address that accepts connections and never answers (the kernel's backlog
    accepts them; nobody reads or writes)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


# --- the events offered --------------------------------------------------------------------------

def test_the_webhook_events_are_registered_and_offered_to_subscriptions():
    offered = [code for code, _label in SubscriptionForm().fields["events"].choices]
    assert sorted(offered) == sorted(WEBHOOK_EVENTS)
    # The platform's own announcements (account changes, exports) are not offered.
    assert "org.password_changed" not in offered
    assert all(events.get(code).webhook for code in WEBHOOK_EVENTS)


# --- signed POSTs ----------------------------------------------------------------------------------

def test_an_event_is_posted_signed_with_the_subscriptions_secret(
        personas, robot, django_capture_on_commit_callbacks):
    hook = subscribe(f"{robot.url}/erp/hooks?token=abc")
    other = subscribe(robot.url, ["ticket.created"], name="Desk")
    assert len(hook.secret) == 64 and hook.secret != other.secret
    before = int(time.time())
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_customer(personas["am01"], phone="13812345678")
    (got,) = robot.received
    delivery = event_rows().get()
    assert delivery.subscription == hook and delivery.event == "customer.created"
    assert delivery.status == Delivery.Status.SENT and delivery.response_code == 200
    assert delivery.attempts == 1 and delivery.sent_at is not None
    assert got.path == "/erp/hooks" and got.query == {"token": "abc"}
    headers, raw = got.headers, got.raw
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Qiao-Event"] == "customer.created"
    assert headers["X-Qiao-Delivery"] == str(delivery.uuid)
    assert before <= int(headers["X-Qiao-Timestamp"]) <= int(time.time())
    body = json.loads(raw)
    assert list(body) == ["id", "event", "occurred_at", "data"]
    assert body["id"] == str(delivery.uuid) and body["event"] == "customer.created"
    assert body["data"] == {"customer_id": customer.pk, "name": customer.name, "owner": "am01"}
    assert timezone.datetime.fromisoformat(body["occurred_at"]).tzinfo is not None
    # The receiver checks the signature with the secret and the timestamp.
    assert verify(hook.secret, headers, raw)
    assert not verify(other.secret, headers, raw)  # another subscription's secret
    assert not verify(hook.secret, headers, raw.replace(b"am01", b"am02"))  # body altered
    forged = {**headers, "X-Qiao-Timestamp": str(int(headers["X-Qiao-Timestamp"]) + 1)}
    assert not verify(hook.secret, forged, raw)  # timestamp altered
    assert not verify(hook.secret, headers, raw, now=time.time() + 3600)  # replayed an hour later
    assert b"13812345678" not in raw  # no phone number leaves with an event


def test_the_signature_is_hex_hmac_sha256_of_timestamp_dot_body():
    body, headers = channels.event_request("d-1", "order.posted", {"occurred_at": "x",
                                                                   "data": {"amount": "1.00"}},
                                           "s3cret", now=1_700_000_000)
    assert headers["X-Qiao-Timestamp"] == "1700000000"
    assert headers["X-Qiao-Signature"] == hmac.new(
        b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert json.loads(body) == {"id": "d-1", "event": "order.posted", "occurred_at": "x",
                                "data": {"amount": "1.00"}}


def test_a_renewed_secret_signs_at_once_and_the_old_one_alongside_for_a_day(
        personas, robot, django_capture_on_commit_callbacks):
    hook = subscribe(robot.url)
    old = hook.secret
    admin_client = Client()
    admin_client.force_login(personas.users["admin"])
    changelist = reverse("admin:notify_subscription_changelist")
    answer = admin_client.post(changelist, {"action": "renew_secret",
                                            "_selected_action": [hook.pk]}, follow=True)
    assert answer.status_code == 200
    hook.refresh_from_db()
    assert hook.secret != old and len(hook.secret) == 64 and hook.previous_secret == old
    logged = OperationLog.objects.get(action=OperationLog.Kind.WEBHOOK_SECRET_RENEWED)
    assert logged.actor_username == "admin" and logged.object_repr == f"ERP #{hook.pk}"
    assert old not in str(logged.details) and hook.secret not in str(logged.details)
    page = admin_client.get(reverse("admin:notify_subscription_change", args=[hook.pk]))
    assert hook.secret in page.content.decode() and old in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        make_customer(personas["am01"])
    (got,) = robot.received
    assert verify(hook.secret, got.headers, got.raw)
    previous = {**got.headers, "X-Qiao-Signature": got.headers["X-Qiao-Signature-Previous"]}
    assert verify(old, previous, got.raw)  # a receiver still on the old secret accepts it

    # A day later the old secret signs nothing.
    Subscription.objects.filter(pk=hook.pk).update(
        secret_renewed_at=timezone.now() - Subscription.SECRET_OVERLAP - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(personas["am01"])
    latest = robot.received[-1]
    assert "X-Qiao-Signature-Previous" not in latest.headers
    assert verify(hook.secret, latest.headers, latest.raw)


def test_a_subscription_saved_unchanged_in_the_admin_keeps_every_field(personas, robot):
    hook = subscribe(robot.url, ["customer.created", "order.posted"])
    admin_client = Client()
    admin_client.force_login(personas.users["admin"])
    url = reverse("admin:notify_subscription_change", args=[hook.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in ("name", "url", "events")}
    data["active"] = "on" if form["active"].value() else ""
    before = Subscription.objects.filter(pk=hook.pk).values().get()
    assert admin_client.post(url, data).status_code == 302
    assert Subscription.objects.filter(pk=hook.pk).values().get() == before


# --- faults: an endpoint that hangs, one that answers 500 -------------------------------------------

def attempt_until_done(pk):
    """Every attempt the outbox makes, each at the moment its backoff allows: the waits."""
    waits, results = [], []
    while True:
        row = Delivery.objects.get(pk=pk)
        if row.status in (Delivery.Status.SENT, Delivery.Status.FAILED):
            return waits, results
        started = timezone.now()
        results.append(delivery_services.delivery_send(pk, now=row.next_attempt_at))
        row.refresh_from_db()
        if row.status == Delivery.Status.PENDING:
            waits.append(row.next_attempt_at - started)


def test_an_endpoint_answering_500_is_retried_with_backoff_then_failed_and_logged(org, robot):
    robot.default = (500, {"error": "database locked"})
    hook = subscribe(f"{robot.url}/erp", ["order.posted"])
    (delivery,) = queue("order.posted", order_id=1, amount="10.00")
    # Not due before its time: a second worker's early claim sends nothing.
    assert delivery_services.delivery_send(delivery.pk, now=delivery.next_attempt_at
                                           - timedelta(seconds=1)) is None
    waits, results = attempt_until_done(delivery.pk)
    assert results == ["retry"] * (delivery_services.MAX_ATTEMPTS - 1) + ["failed"]
    assert len(robot.received) == delivery_services.MAX_ATTEMPTS
    for n, wait in enumerate(waits, start=1):  # 30 s, 1 min, 2 min … as the outbox's backoff
        assert delivery_services.backoff(n) <= wait < delivery_services.backoff(n) + timedelta(
            seconds=5)
    assert [w.total_seconds() // 30 for w in waits[:3]] == [1, 2, 4]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == delivery_services.MAX_ATTEMPTS
    assert delivery.response_code == 500 and delivery.last_error == "HTTP 500"
    assert delivery.sent_at is None
    # The delivery log of the subscription shows it.
    assert list(hook.deliveries.values_list("status", "response_code")) == [("failed", 500)]
    # A failed delivery is not attempted again by the sweeper.
    assert delivery_services.deliveries_sweep(now=timezone.now() + timedelta(days=1)) == 0
    assert len(robot.received) == delivery_services.MAX_ATTEMPTS


def test_an_endpoint_that_never_answers_times_out_and_is_retried_then_failed(
        org, silent_server, settings):
    settings.QIAO_WEBHOOK_TIMEOUT = 0.2
    subscribe(f"{silent_server}/hook", ["ticket.created"])
    (delivery,) = queue("ticket.created", ticket_id=1)
    started = time.monotonic()
    assert delivery_services.delivery_send(delivery.pk) == "retry"
    assert time.monotonic() - started < 3  # the setting's timeout, not the default's 5 s
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert "timed out" in delivery.last_error and delivery.response_code is None
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=25)
    _waits, results = attempt_until_done(delivery.pk)
    assert results[-1] == "failed"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == delivery_services.MAX_ATTEMPTS


def test_the_default_timeout_is_five_seconds(settings):
    del settings.QIAO_WEBHOOK_TIMEOUT
    assert channels.timeout() == 5


def test_a_redirect_is_a_failed_attempt_and_not_followed(org, robot):
    robot.default = (302, {})
    subscribe(robot.url, ["order.posted"])
    (delivery,) = queue("order.posted", order_id=1)
    assert delivery_services.delivery_send(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.response_code == 302 and delivery.last_error == "HTTP 302"
    assert len(robot.received) == 1


# --- replay -------------------------------------------------------------------------------------

def test_a_failed_delivery_is_replayed_as_a_new_delivery(org, robot):
    robot.default = (500, {})
    hook = subscribe(robot.url, ["order.posted"])
    (failed,) = queue("order.posted", order_id=7, amount="2500.00")
    attempt_until_done(failed.pk)
    robot.default = (204, {})
    replay = delivery_services.delivery_replay(Delivery.objects.get(pk=failed.pk))
    assert replay.pk != failed.pk and replay.uuid != failed.uuid
    assert replay.replay_of_id == failed.pk and replay.status == Delivery.Status.PENDING
    assert delivery_services.delivery_send(replay.pk) == "sent"
    got = robot.received[-1]
    body = json.loads(got.raw)
    assert body["id"] == str(replay.uuid)
    assert body["data"] == {"order_id": 7, "amount": "2500.00"}
    assert body["occurred_at"] == failed.payload["occurred_at"]  # the event's own time
    assert verify(hook.secret, got.headers, got.raw)
    replay.refresh_from_db()
    failed.refresh_from_db()
    assert (replay.status, replay.response_code, replay.attempts) == ("sent", 204, 1)
    assert failed.status == Delivery.Status.FAILED  # its log stays as it was
    assert hook.deliveries.count() == 2


def test_a_sent_delivery_can_be_replayed_too_and_is_never_resent_itself(org, robot):
    subscribe(robot.url, ["order.posted"])
    (sent,) = queue("order.posted", order_id=1)
    assert delivery_services.delivery_send(sent.pk) == "sent"
    assert delivery_services.delivery_send(sent.pk) is None  # sent once, never again
    replay = delivery_services.delivery_replay(sent)
    assert delivery_services.delivery_send(replay.pk) == "sent"
    assert len(robot.received) == 2
    assert {json.loads(r.raw)["id"] for r in robot.received} == {str(sent.uuid),
                                                                 str(replay.uuid)}


def test_replay_is_refused_for_a_switched_off_subscription_and_for_notification_copies(
        org, robot):
    hook = subscribe(robot.url, ["order.posted"])
    (delivery,) = queue("order.posted", order_id=1)
    hook.active = False
    hook.save()
    with translation.override("en"), pytest.raises(ValidationError, match="switched off"):
        delivery_services.delivery_replay(Delivery.objects.get(pk=delivery.pk))
    assert delivery_services.delivery_send(delivery.pk) == "retry"  # and it is not sent
    assert robot.received == []
    Webhook.objects.create(name="群", unit=org.users["am01"].unit, platform="wecom",
                           url=f"{robot.url}/robot")
    notify_services.notify(recipients=[org.users["am01"]], kind="x", title="t")
    robot_copy = Delivery.objects.get(channel=Delivery.Channel.WEBHOOK)
    with translation.override("en"), pytest.raises(ValidationError, match="Only event webhook"):
        delivery_services.delivery_replay(robot_copy)
    assert event_rows().count() == 1


def test_the_admin_replays_the_selected_deliveries(org, robot):
    hook = subscribe(robot.url, ["order.posted"])
    (first,) = queue("order.posted", order_id=1)
    (second,) = queue("order.posted", order_id=2)
    admin_user = org.users["admin"]
    request = RequestFactory().post("/admin/notify/delivery/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = site._registry[Delivery]
    assert "replay" in model_admin.get_actions(request)
    model_admin.replay(request, Delivery.objects.filter(pk__in=[first.pk, second.pk]))
    replays = event_rows(replay_of__isnull=False)
    assert sorted(replays.values_list("replay_of_id", flat=True)) == [first.pk, second.pk]
    assert hook.deliveries.count() == 4
    # Someone who may only look at the outbox is not offered the action.
    viewer = org.users["am01"]
    request.user = viewer
    assert "replay" not in model_admin.get_actions(request)


# --- addresses ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://erp.example.cn/hook",
                                 "javascript:alert(1)", "gopher://127.0.0.1:70/", "//erp/hook",
                                 "erp.example.cn/hook", "http://", " "])
def test_an_address_that_is_not_http_or_https_is_refused(db, url):
    form = SubscriptionForm(data={"name": "ERP", "url": url, "events": ["order.posted"],
                                  "active": "on"})
    assert not form.is_valid()
    assert "url" in form.errors
    with pytest.raises(ValidationError) as refused:
        subscribe(url, ["order.posted"])
    assert "url" in refused.value.message_dict
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "https://erp.example.cn/qiao",
                                 "https://10.2.3.4:8443/hooks?token=abc", "http://erp-01.corp/x"])
def test_any_http_or_https_address_is_accepted(db, url):
    form = SubscriptionForm(data={"name": "ERP", "url": url, "events": ["order.posted"],
                                  "active": "on"})
    assert form.is_valid(), form.errors
    hook = form.save()
    assert hook.url == url and hook.events == ["order.posted"] and len(hook.secret) == 64


def test_a_stored_address_that_is_not_http_is_never_opened(org):
    hook = subscribe("http://127.0.0.1:9/never", ["order.posted"])
    Subscription.objects.filter(pk=hook.pk).update(url="file:///etc/passwd")
    (delivery,) = queue("order.posted", order_id=1)
    assert delivery.target == "file:///etc/passwd"
    assert delivery_services.delivery_send(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "https:// or http://" in delivery.last_error


@pytest.mark.parametrize("chosen", [[], ["customer.deleted"], ["org.password_changed"],
                                    ["order.posted", "x" * 10_000]])
def test_a_subscription_takes_only_registered_webhook_events(db, chosen):
    with pytest.raises(ValidationError) as refused:
        subscribe("https://erp.example.cn/hook", chosen)
    assert list(refused.value.message_dict) == ["events"]
    assert not Subscription.objects.exists()
    form = SubscriptionForm(data={"name": "ERP", "url": "https://erp.example.cn/hook",
                                  "events": chosen})
    assert not form.is_valid() and "events" in form.errors


def test_a_name_of_invisible_characters_is_refused(db):
    form = SubscriptionForm(data={"name": "\u200b\u200b", "url": "https://erp.example.cn/h",
                                  "events": ["order.posted"]})
    assert not form.is_valid() and "name" in form.errors


# --- what is queued ------------------------------------------------------------------------------

def test_an_event_emitted_in_a_rolled_back_transaction_queues_nothing(
        personas, robot, django_capture_on_commit_callbacks):
    subscribe(robot.url, WEBHOOK_EVENTS)
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        make_customer(personas["am01"])
        raise RuntimeError("the request failed after the customer was saved")
    assert callbacks == []
    # A service refusing after its event (a handover above the target's clearance) neither.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        customer_services.customers_handover(
            actor=personas["director"], from_user=personas["am01"],
            to_user=personas["am01"], reason="同一人")
    assert not event_rows().exists() and robot.received == []


def test_a_subscription_receives_only_the_events_it_chose(
        personas, robot, django_capture_on_commit_callbacks):
    customers_hook = subscribe(f"{robot.url}/customers", ["customer.created"], name="CRM")
    tickets_hook = subscribe(f"{robot.url}/tickets", ["ticket.created"], name="Desk")
    subscribe(f"{robot.url}/off", WEBHOOK_EVENTS, name="Off", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_customer(personas["am01"])
    assert list(event_rows().values_list("subscription", "event")) == [
        (customers_hook.pk, "customer.created")]
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(personas["am01"], customer)
    assert sorted(event_rows().values_list("subscription", "event")) == sorted([
        (customers_hook.pk, "customer.created"), (tickets_hook.pk, "ticket.created")])
    assert sorted(r.path for r in robot.received) == ["/customers", "/tickets"]


def emitted(django_capture_on_commit_callbacks, action):
    """The event rows the service call `action` queues (its commit's callbacks run)."""
    before = set(event_rows().values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        result = action()
    rows = event_rows().exclude(pk__in=before).order_by("subscription", "pk")
    return result, [(row.subscription.name, row.event, row.payload["data"]) for row in rows]


def test_each_event_is_emitted_by_its_service_once_per_matching_subscription(
        personas, robot, django_capture_on_commit_callbacks):
    subscribe(robot.url, WEBHOOK_EVENTS, name="A-ERP")
    subscribe(f"{robot.url}/b", WEBHOOK_EVENTS, name="B-BI")
    subscribe(f"{robot.url}/c", ["order.posted"], name="C-orders")
    am01, am02 = personas["am01"], personas["am02"]
    capture = django_capture_on_commit_callbacks

    def both(event, data):
        return [("A-ERP", event, data), ("B-BI", event, data)]

    customer, rows = emitted(capture, lambda: make_customer(am01, phone="13912345678"))
    assert rows == both("customer.created",
                        {"customer_id": customer.pk, "name": customer.name, "owner": "am01"})

    def edit():
        return customer_services.customer_update(
            actor=am01, customer=customer, data={"short_name": "测试"},
            expected_version=customer.version)

    customer, rows = emitted(capture, edit)
    assert rows == both("customer.updated", {"customer_id": customer.pk, "name": customer.name,
                                             "owner": "am01", "fields": ["short_name"]})
    assert "13912345678" not in json.dumps(rows)

    def hand_over():
        return customer_services.customers_handover(
            actor=personas["sup1"], from_user=am01, to_user=am02, customers=[customer.pk],
            reason="调岗")

    _moved, rows = emitted(capture, hand_over)
    assert rows == both("customer.transferred", {
        "customer_id": customer.pk, "name": customer.name, "owner": "am02",
        "previous_owner": "am01"})

    ticket, rows = emitted(capture, lambda: make_ticket(am02, customer))
    assert rows == both("ticket.created", {
        "ticket_id": ticket.pk, "number": ticket.number, "status": "new",
        "kind": "complaint", "customer_id": customer.pk})
    ticket = ticket_services.ticket_resolve(actor=am02, ticket=ticket, resolution="已换货",
                                            cause="storage")
    ticket, rows = emitted(capture, lambda: ticket_services.ticket_close(
        actor=am02, ticket=ticket, rating=5))
    assert rows == both("ticket.closed", {
        "ticket_id": ticket.pk, "number": ticket.number, "status": "closed",
        "kind": "complaint", "customer_id": customer.pk, "rating": 5})

    make_product()
    order, rows = emitted(capture, lambda: make_order(am02, customer, external_id="ERP-1"))
    data = {"order_id": order.pk, "number": order.number, "external_id": "ERP-1",
            "customer_id": customer.pk, "ordered_on": order.ordered_on.isoformat(),
            "amount": "1000.00"}
    assert rows == [*both("order.posted", data), ("C-orders", "order.posted", data)]

    def batch():
        lines = [(make_product(), 2, Decimal("50.00"))]
        entries = [{"customer_id": customer.pk, "ordered_on": timezone.localdate(),
                    "channel": "visit", "external_id": f"ERP-B{n}", "lines": lines}
                   for n in (1, 2)]
        entries.append({**entries[0], "external_id": "ERP-1"})  # posted before: no event
        return sales_services.orders_post_batch(actor=am02, entries=entries)

    results, rows = emitted(capture, batch)
    assert [outcome for outcome, _order, _why in results] == ["created", "created", "existing"]
    assert sorted((name, data["external_id"], data["amount"]) for name, _e, data in rows) == [
        (name, f"ERP-B{n}", "100.00") for name in ("A-ERP", "B-BI", "C-orders") for n in (1, 2)]

    ensure_hospitality_chain()
    request = visit_services.hospitality_request_create(
        actor=am01, customer=personas.customers["am01"][0], amount=Decimal("800.00"),
        date=date(2026, 12, 1), guests="采购部 2 人", purpose="季度走访")
    task = request.tasks.get()
    # Approving one step of several would not decide; this chain has one step below ¥2,000.
    request, rows = emitted(capture, lambda: approval_services.task_approve(
        actor=personas["sup1"], task=task))
    assert request.state == "approved"
    assert rows == both("approval.decided", {"approval_id": request.pk, "type": "hospitality",
                                             "decision": "approved",
                                             "subject_id": request.object_id})
    # Every row was sent to the local server, signed, once.
    assert event_rows().exclude(status=Delivery.Status.SENT).count() == 0
    assert len(robot.received) == event_rows().count()
    assert len({r.headers["X-Qiao-Delivery"] for r in robot.received}) == len(robot.received)
    assert all(uuid.UUID(r.headers["X-Qiao-Delivery"]) for r in robot.received)


def test_the_public_pools_moves_are_transfers_too(personas, robot,
                                                  django_capture_on_commit_callbacks):
    """A claim, a release and a reclaim change the customer's manager as a handover does: an
    ERP that follows owners hears of each (owner null while the customer is in the pool)."""
    subscribe(robot.url, ["customer.transferred"])
    capture = django_capture_on_commit_callbacks
    am01 = personas["am01"]
    pooled = personas.customers["pool:华东区"][0]
    claimed, rows = emitted(capture, lambda: customer_services.pool_claim(actor=am01,
                                                                         customer=pooled))
    assert [data for _n, _e, data in rows] == [{
        "customer_id": pooled.pk, "name": pooled.name, "owner": "am01", "previous_owner": None,
        "pool": "claim"}]
    _released, rows = emitted(capture, lambda: customer_services.pool_release(
        actor=am01, customer=claimed, reason="客户已停业"))
    assert [data for _n, _e, data in rows] == [{
        "customer_id": pooled.pk, "name": pooled.name, "owner": None, "previous_owner": "am01",
        "pool": "release"}]
    idle = personas.customers["am01"][0]
    Customer.objects.filter(pk=idle.pk).update(
        last_activity_at=timezone.now() - timedelta(days=365))
    count, rows = emitted(capture, customer_services.pool_reclaim)
    assert count == 1
    assert [data for _n, _e, data in rows] == [{
        "customer_id": idle.pk, "name": idle.name, "owner": None, "previous_owner": "am01",
        "pool": "reclaim"}]


def test_no_subscription_no_rows_and_no_extra_query_in_the_change(personas,
                                                                  django_assert_num_queries):
    customer = make_customer(personas["am01"])
    # The webhooks' work runs after commit: inside the service's transaction, emitting adds
    # no query (the subscriber is only a callback on the commit).
    with django_assert_num_queries(0):
        events_before = len(transaction.get_connection().run_on_commit)
        from qiao.core.registry import emit

        emit("customer.updated", customer_id=customer.pk, name=customer.name, owner="am01")
    assert len(transaction.get_connection().run_on_commit) == events_before + 1
    assert queue("customer.updated", customer_id=customer.pk) == []


def test_administrators_add_a_subscription_in_the_admin_and_read_its_secret_and_log(org):
    admin_client = Client()
    admin_client.force_login(org.users["admin"])
    add = reverse("admin:notify_subscription_add")
    page = admin_client.get(add).content.decode()
    assert "customer.transferred" in page and "approval.decided" in page
    refused = admin_client.post(add, {"name": "ERP", "url": "file:///etc/passwd",
                                      "events": ["order.posted"], "active": "on"})
    assert refused.status_code == 200 and not Subscription.objects.exists()
    assert "https://" in refused.content.decode()  # the reason is shown
    created = admin_client.post(add, {"name": "ERP", "url": "https://erp.example.cn/h?token=s3cr3t",
                                      "events": ["order.posted", "ticket.closed"],
                                      "active": "on"})
    assert created.status_code == 302
    hook = Subscription.objects.get()
    assert hook.events == ["order.posted", "ticket.closed"]
    page = admin_client.get(reverse("admin:notify_subscription_change", args=[hook.pk]))
    html = page.content.decode()
    assert hook.secret in html  # shown to the administrators
    log = f"{reverse('admin:notify_delivery_changelist')}?subscription__id__exact={hook.pk}"
    assert log in html
    queue("order.posted", order_id=1)
    listed = admin_client.get(log).content.decode()
    assert "order.posted" in listed and "s3cr3t" not in listed  # the address's token stays hidden
    # An account manager has no admin at all.
    manager = Client()
    manager.force_login(org.users["am01"])
    assert manager.get(add).status_code in (302, 403, 404)
    assert manager.get(log).status_code in (302, 403, 404)
