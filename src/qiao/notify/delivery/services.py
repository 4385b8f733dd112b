"""The outbox: copies of the inbox's messages that leave the server (e-mail, group robots),
written in the notification's transaction, and domain events for the integrations' webhook
subscriptions, written when the event's transaction has committed; each sent by a background
task after commit (tasks.py), retried with backoff, and swept up every minute if its task was
lost, so none is lost.

Sending is at most once per claim: a worker claims a delivery with a conditional UPDATE
(pending and due, or `sending` with its lease run out) before sending, and marks it sent with
another conditional UPDATE; a delivery marked sent is never claimed again. A worker killed
after the robot accepted a message but before the row said so is the one case the message is
sent again (after the lease): the inbox row itself, what the user sees, exists exactly once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.audit import services as audit_services
from qiao.audit.models import OperationLog
from qiao.core.registry import DomainEvent
from qiao.org.models import PATH_STEP, OrgUnit

from .channels import DeliveryError, send_email, send_event, send_webhook
from .models import Delivery, Subscription, Webhook, new_secret

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then `failed`, shown with its last error in the admin
LEASE = timedelta(minutes=5)  # a claim older than this belongs to a dead worker


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min … at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def absolute(url: str) -> str:
    return f"{settings.QIAO_BASE_URL}{url}" if url.startswith("/") else url


def _unit_chains(users) -> dict[int, list[int]]:
    """{unit id: [its id and its ancestors' ids]} for the users' units (one query)."""
    unit_ids = {user.unit_id for user in users if user.unit_id}
    paths = OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path")
    return {pk: [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]
            for pk, path in paths}


def deliveries_create(created, *, title, body, url) -> list[Delivery]:
    """The outbox rows of the notifications just `created` (in their transaction), queued
    after commit: the e-mail copies (each in its recipient's language, as the notification
    was written) and the robot messages (`title` and `body`, in the site's language: a group
    reads them)."""
    deliveries = []
    if settings.EMAIL_HOST:
        deliveries += [Delivery(notification=n, channel=Delivery.Channel.EMAIL,
                                target=n.recipient.email,
                                message="\n\n".join(part for part in (n.body, absolute(url))
                                                      if part))
                       for n in created if n.recipient.email]
    chains = _unit_chains([n.recipient for n in created])
    all_units = {pk for chain in chains.values() for pk in chain}
    if not all_units:
        return _queue(deliveries)
    for hook in Webhook.objects.filter(active=True, unit_id__in=all_units).order_by("pk"):
        concerned = [n for n in created if hook.unit_id in chains.get(n.recipient.unit_id, ())]
        if concerned:
            names = "、".join(str(n.recipient) for n in concerned)
            deliveries.append(Delivery(
                notification=concerned[0], channel=Delivery.Channel.WEBHOOK, webhook=hook,
                target=hook.url, message=robot_text(hook.platform, title, body, url, names)))
    return _queue(deliveries)


def _queue(deliveries: list[Delivery]) -> list[Delivery]:
    Delivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def robot_text(platform: str, title: str, body: str, url: str, names: str) -> str:
    """The message text: markdown for WeCom and DingTalk, plain text for Feishu. The link only
    when QIAO_BASE_URL makes it one a phone can open."""
    link = absolute(url) if url.startswith("/") and settings.QIAO_BASE_URL else ""
    to = _("For: %(names)s") % {"names": names}
    if platform == Webhook.Platform.FEISHU:
        return "\n".join(part for part in (title, body, to, link) if part)
    parts = [f"**{title}**", body, f"> {to}", f"[{_('Open in Qiao')}]({link})" if link else ""]
    return "\n\n".join(part for part in parts if part)


def event_deliveries_create(event: DomainEvent, payload: dict) -> list[Delivery]:
    """Subscribed to every domain event (core.registry.subscribe_every), run after the event's
    transaction commits: one outbox row per active subscription that chose it, for an event
    offered to integrations. A rolled-back change queues nothing. A failure to write the rows
    is logged, not raised: the change itself has committed."""
    if not event.webhook:
        return []
    try:
        # Read outside a transaction: with none to send, no write lock is taken (SQLite's
        # transactions begin IMMEDIATE).
        hooks = [hook for hook in Subscription.objects.filter(active=True).order_by("pk")
                 if event.code in hook.events]
        if not hooks:
            return []
        body = {"occurred_at": timezone.now().isoformat(), "data": payload}
        with transaction.atomic():
            return _queue([Delivery(channel=Delivery.Channel.EVENT, subscription=hook,
                                    event=event.code, payload=body, target=hook.url)
                           for hook in hooks])
    except Exception:
        logger.exception("could not queue the webhooks of event %s %s", event.code, payload)
        return []


def subscription_secret_renew(subscription: Subscription, *, actor, origin=None) -> Subscription:
    """A new signing secret for `subscription` (a leaked one, or a routine change). For
    Subscription.SECRET_OVERLAP the old one still signs, in X-Qiao-Signature-Previous, so the
    receiver can take the new secret in its own time; a second renewal in that time drops the
    first secret at once."""
    subscription.previous_secret = subscription.secret
    subscription.secret = new_secret()
    subscription.secret_renewed_at = timezone.now()
    with transaction.atomic():
        subscription.save(update_fields=["previous_secret", "secret", "secret_renewed_at"])
        audit_services.operation_record(
            actor=actor, action=OperationLog.Kind.WEBHOOK_SECRET_RENEWED, origin=origin,
            object_repr=f"{subscription.name} #{subscription.pk}")
    return subscription


def delivery_replay(delivery: Delivery) -> Delivery:
    """Send an event webhook's delivery again (failed or not) as a new delivery: a new id, the
    same event, time and data, to the subscription's address as it is now; the original keeps
    its log. Refused (ValidationError) for a notification's copy or a switched-off
    subscription."""
    if delivery.channel != Delivery.Channel.EVENT or delivery.subscription is None:
        raise ValidationError(_("Only event webhook deliveries can be sent again."))
    hook = delivery.subscription
    if not hook.active:
        raise ValidationError(_("The event webhook “%(name)s” is switched off; switch it on "
                                "first.") % {"name": hook.name})
    with transaction.atomic():
        (replay,) = _queue([Delivery(channel=Delivery.Channel.EVENT, subscription=hook,
                                     event=delivery.event, payload=delivery.payload,
                                     target=hook.url, replay_of=delivery)])
    return replay


def _enqueue(ids):
    """After commit: one task per delivery. A queue that cannot be reached loses nothing — the
    rows are pending and the sweeper sends them within a minute."""
    from .tasks import delivery_send_task

    for pk in ids:
        try:
            delivery_send_task(pk)
        except Exception:  # the queue's storage is down: the sweeper will find the row
            logger.exception("could not queue delivery %s; the sweeper will send it", pk)


# --- sending -----------------------------------------------------------------------------------

def _claimable(now):
    return (Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_until__lt=now))


def delivery_send(delivery_id: int, *, now=None) -> str | None:
    """One attempt at one delivery (the task's body). Returns "sent", "retry" (due again at
    next_attempt_at), "failed" (no attempts left), or None when the row was not ours to send:
    already sent or failed, not yet due, or claimed by another worker."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claimed_until=now + LEASE)
    if not claimed:
        return None
    delivery = (Delivery.objects.select_related("notification", "webhook", "subscription")
                .get(pk=delivery_id))
    mine = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING,
                                   attempts=delivery.attempts)
    try:
        status = _send(delivery)
    except DeliveryError as exc:
        final = delivery.attempts >= MAX_ATTEMPTS
        mine.update(status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
                    last_error=str(exc)[:2000], claimed_until=None, response_code=exc.status,
                    next_attempt_at=timezone.now() + backoff(delivery.attempts))
        logger.warning("delivery %s attempt %s failed: %s", delivery_id, delivery.attempts, exc)
        return "failed" if final else "retry"
    mine.update(status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_until=None,
                last_error="", response_code=status)
    return "sent"


def _send(delivery: Delivery) -> int | None:
    """Send one delivery; the HTTP status of an event webhook's answer."""
    notification = delivery.notification
    if delivery.channel == Delivery.Channel.EVENT:
        subscription = delivery.subscription
        if subscription is None or not subscription.active:
            raise DeliveryError("the event webhook was switched off")
        previous = subscription.previous_secret if subscription.previous_secret_until() else ""
        return send_event(delivery.target, subscription.secret, str(delivery.uuid),
                          delivery.event, delivery.payload, previous_secret=previous)
    assert notification is not None  # e-mail and robot copies are a notification's
    if delivery.channel == Delivery.Channel.EMAIL:
        send_email(delivery.target, notification.title, delivery.message)
        return None
    hook = delivery.webhook
    if hook is None or not hook.active:
        raise DeliveryError("the webhook was switched off")
    send_webhook(hook.platform, delivery.target, hook.secret, notification.title, delivery.message)
    return None


def deliveries_sweep(*, now=None, limit: int = 200) -> int:
    """Send what is due and was not sent: retries whose time has come, rows whose task was
    lost (a queue restarted, a worker killed), claims of dead workers. Returns how many were
    sent."""
    now = now or timezone.now()
    due = list(Delivery.objects.filter(_claimable(now)).order_by("next_attempt_at", "pk")
               .values_list("pk", flat=True)[:limit])
    return sum(delivery_send(pk, now=now) == "sent" for pk in due)
