"""Daily reminders of the customer archive (NTF-1): business licences about to expire (or just
expired) and contacts' birthdays reach the owning account manager's inbox, with the e-mail and
robot copies the inbox sends. Every reminder carries a dedupe key, so a run repeated after a
crash, or started twice, tells nobody twice.

A reminder names a customer and links to it, so it goes only to an owner who may open that
customer (`visible_to(owner)`: scope and secret level); a customer classified above its
owner's clearance is flagged to the owner's supervisor instead (`clearance_mismatch_remind`),
to be handed over to someone cleared."""

import calendar
from collections import defaultdict
from datetime import timedelta
from functools import partial
from itertools import islice

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core.models import Clearance
from qiao.notify import kinds
from qiao.notify.services import notify
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from .actions import CUSTOMER_REASSIGN
from .models import Contact, Customer

# Inbox messages, stored as their kind and parameters and composed when read (register_kinds).
LICENCE_EXPIRY, BIRTHDAY, CLEARANCE_MISMATCH = "licence_expiry", "birthday", "clearance_mismatch"

LICENCE_NOTICE_DAYS = 30  # before and after the expiry date
BIRTHDAY_NOTICE_DAYS = 3  # a birthday is announced this many days ahead (and on the day)
BATCH = 1000


def register_kinds():
    """Called from the app's ready(): how the reminders read, in the reader's language."""
    kinds.register(LICENCE_EXPIRY, title=lambda p: (
        _("The licence of %(customer)s expired on %(date)s") if p["expired"]
        else _("The licence of %(customer)s expires on %(date)s")) % p)
    kinds.register(BIRTHDAY, title=lambda p: _(
        "%(contact)s of %(customer)s has a birthday on %(month)d-%(day)d") % p)
    kinds.register(CLEARANCE_MISMATCH, title=lambda p: _(
        "%(customer)s is classified %(level)s, above the clearance of its account manager "
        "%(owner)s (%(clearance)s): hand it over to someone cleared for it") % {
        **p, "level": Clearance(p["level"]).label, "clearance": Clearance(p["clearance"]).label})


def _seen_by_owner(rows, owner_of, model):
    """(owner, row) for each of `rows` that its owner may open — `model.objects.visible_to`
    of that owner — in batches, one query per owner and batch, not one per row."""
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        by_owner = defaultdict(list)
        for row in batch:
            by_owner[owner_of(row)].append(row)
        for owner, owned in by_owner.items():
            seen = set(model.objects.visible_to(owner).filter(pk__in=[r.pk for r in owned])
                       .values_list("pk", flat=True))
            yield from ((owner, row) for row in owned if row.pk in seen)


def licence_expiry_remind(*, today=None) -> int:
    """Each live, owned customer whose licence expires within LICENCE_NOTICE_DAYS from
    today or expired as long ago: one reminder per licence expiry date. Returns how many
    reminders were put in inboxes."""
    today = today or timezone.localdate()
    window = (today - timedelta(days=LICENCE_NOTICE_DAYS), today + timedelta(days=LICENCE_NOTICE_DAYS))
    due = (Customer.objects.filter(is_deleted=False, owner__is_active=True,
                                   licence_expiry__range=window)
           .select_related("owner__position__role").only("pk", "name", "licence_expiry", "owner")
           .order_by("pk"))
    sent = 0
    for owner, customer in _seen_by_owner(due.iterator(chunk_size=BATCH),
                                          lambda c: c.owner, Customer):
        expiry = customer.licence_expiry
        sent += len(notify(recipients=[owner], kind=LICENCE_EXPIRY,
                           params={"customer": customer.name, "date": expiry.isoformat(),
                                   "expired": expiry < today},
                           url=reverse("customers:detail", args=[customer.pk]),
                           key=f"licence:{customer.pk}:{expiry.isoformat()}"))
    return sent


def _days_ahead(today):
    days = [today + timedelta(days=n) for n in range(BIRTHDAY_NOTICE_DAYS + 1)]
    condition = Q()
    for day in days:
        condition |= Q(birthday__month=day.month, birthday__day=day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            condition |= Q(birthday__month=2, birthday__day=29)  # celebrated on the 28th
    return condition


def birthday_remind(*, today=None) -> int:
    """Contacts of live, owned customers whose birthday falls within the next
    BIRTHDAY_NOTICE_DAYS days: one reminder per contact and year, to the customer's owner.
    A birthday after today (a typing slip stored before birthdays were checked) is nobody's."""
    today = today or timezone.localdate()
    due = (Contact.objects.filter(_days_ahead(today), birthday__lte=today, is_deleted=False,
                                  customer__is_deleted=False,
                                  customer__owner__is_active=True)
           .select_related("customer__owner__position__role")
           .only("pk", "name", "birthday", "customer__name", "customer__owner")
           .order_by("pk"))
    sent = 0
    for owner, contact in _seen_by_owner(due.iterator(chunk_size=BATCH),
                                         lambda c: c.customer.owner, Contact):
        born = (contact.birthday.month, contact.birthday.day)
        year = today.year + 1 if born < (today.month, today.day) else today.year  # Dec → Jan
        sent += len(notify(
            recipients=[owner], kind=BIRTHDAY,
            params={"contact": contact.name, "customer": contact.customer.name,
                    "month": contact.birthday.month, "day": contact.birthday.day},
            url=reverse("customers:detail", args=[contact.customer_id]),
            key=f"birthday:{contact.pk}:{year}"))
    return sent


# --- customers above their owner's clearance --------------------------------------------------

def clearance_mismatches(owner_ids=None):
    """Live customers classified above the clearance of their (active) account manager — a
    role's clearance lowered, a manager moved to another position, data loaded from outside.
    The services refuse to create such a pair; these arise where refusing is not possible."""
    above = (Q(owner__position__isnull=True, secret_level__gt=Clearance.PUBLIC)
             | Q(secret_level__gt=F("owner__position__role__clearance")))
    rows = Customer.objects.filter(above, is_deleted=False, owner__is_active=True)
    if owner_ids is not None:
        rows = rows.filter(owner_id__in=owner_ids)
    return rows.select_related("owner__position__role").order_by("pk")


def _may_hand_over(person, customer) -> bool:
    return (can(person, CUSTOMER_REASSIGN)
            and Customer.objects.visible_to(person).filter(pk=customer.pk).exists())


def clearance_mismatch_remind(*, owner_ids=None) -> int:
    """Each customer above its manager's clearance is flagged, once, to the nearest person up
    the manager's supervisor chain who may open it and hand it over (CUSTOMER_REASSIGN).
    Nobody in the chain can: nobody is told today, and the next run tries again. Daily (with
    the other reminders) and at once after a change in the admin (org.services.
    clearance_changed); `owner_ids` limits the run to those managers. Returns how many."""
    sent = 0
    for customer in clearance_mismatches(owner_ids).iterator(chunk_size=BATCH):
        owner, level = customer.owner, customer.secret_level
        boss = first_superior(owner, partial(_may_hand_over, customer=customer))
        if boss is None:
            continue
        sent += len(notify(
            recipients=[boss], kind=CLEARANCE_MISMATCH,
            params={"customer": customer.name, "level": level, "owner": str(owner),
                    "clearance": owner.clearance},
            url=reverse("customers:detail", args=[customer.pk]),
            key=f"clearance:{customer.pk}:{owner.pk}:{level}"))
    return sent
