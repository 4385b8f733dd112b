"""Notifications (NTF-1), the one way to send one: the inbox rows (inbox) and their outbox of
copies (delivery), written in one transaction; the copies are sent by a background task after
commit (delivery.tasks), retried with backoff, and swept up every minute if their task was
lost, so none is lost.

Notifications are messages, not business records: no history rows, no timeline events.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from . import kinds
from .delivery.services import deliveries_create
from .inbox.models import Notification


def in_language_of(user):
    """Write a message for `user` in their language (else the site's), whoever's request or
    background job writes it: `with in_language_of(user): notify(...)`."""
    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def _texts(kind, params, title, body, language) -> tuple[str, str]:
    """(title, body) of a message: composed from `params` in `language` for a registered kind,
    else as given."""
    if params:
        with translation.override(language):
            rendered = kinds.render(kind, params)
        if rendered is not None:
            return rendered[0][:200], rendered[1]
    return title[:200], body


def notify(*, recipients, kind: str, title: str = "", body: str = "", params=None, url: str = "",
           key: str | None = None) -> list[Notification]:
    """Put a notification in each recipient's inbox, in one transaction with its e-mail copies
    (when a mail server is configured and the recipient has an address) and the messages to
    the active group robots of the recipients' units and the units above them (one message
    per robot, naming everyone it concerns). With `params`, a message of a registered kind
    (notify.kinds) is composed from them: in the inbox when read, in the reader's language;
    its e-mail copy in the recipient's language and its robot message in the site's when
    written. Without, `title` and `body` are the text as given. With `key`, a recipient who
    already has a notification with that key is skipped; disabled accounts are skipped.
    Returns the notifications created."""
    # A disabled account (a leaver) gets nothing: no inbox row, and above all no e-mail.
    users = list({user.pk: user for user in recipients
                  if user is not None and user.is_active}.values())
    if not users:
        return []
    key = key or None
    params = params or {}
    now = timezone.now()
    with transaction.atomic():
        if key:
            done = set(Notification.objects.filter(recipient__in=users, key=key)
                       .values_list("recipient_id", flat=True))
            users = [user for user in users if user.pk not in done]
        rows = []
        for user in users:
            text, more = _texts(kind, params, title, body,
                                getattr(user, "language", "") or settings.LANGUAGE_CODE)
            rows.append(Notification(recipient=user, kind=kind, params=params, title=text,
                                     body=more, url=url, key=key, created_at=now))
        created = _insert(rows) if key else Notification.objects.bulk_create(rows)
        robot_title, robot_body = _texts(kind, params, title, body, settings.LANGUAGE_CODE)
        deliveries_create(created, title=robot_title, body=robot_body, url=url)
    return created


def _insert(rows):
    """Rows with a key, each in a savepoint: one that another transaction inserted meanwhile
    (the unique constraint) is skipped, not an error."""
    created = []
    for row in rows:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            if not Notification.objects.filter(recipient_id=row.recipient_id, key=row.key).exists():
                raise
            continue
        created.append(row)
    return created


def notify_one(*, recipient, kind: str, params: dict, url: str = "", key: str | None = None):
    """A message of a registered kind for one person, as a subscriber of a lower module's
    domain event whose payload is the message (the operation log's alert to a supervisor)."""
    notify(recipients=[recipient], kind=kind, params=params, url=url, key=key)
