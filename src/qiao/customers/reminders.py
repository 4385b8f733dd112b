"""Daily reminders of the customer archive (NTF-1): business licences about to expire (or just
expired) and contacts' birthdays reach the owning account manager's inbox, with the e-mail and
robot copies the inbox sends. Every reminder carries a dedupe key, so a run repeated after a
crash, or started twice, tells nobody twice."""

import calendar
from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.notify.services import in_language_of, notify

from .models import Contact, Customer

LICENCE_NOTICE_DAYS = 30  # before and after the expiry date
BIRTHDAY_NOTICE_DAYS = 3  # a birthday is announced this many days ahead (and on the day)


def licence_expiry_remind(*, today=None) -> int:
    """Each live, owned customer whose licence expires within LICENCE_NOTICE_DAYS from
    today or expired as long ago: one reminder per licence expiry date. Returns how many
    reminders were put in inboxes."""
    today = today or timezone.localdate()
    window = (today - timedelta(days=LICENCE_NOTICE_DAYS), today + timedelta(days=LICENCE_NOTICE_DAYS))
    due = (Customer.objects.filter(is_deleted=False, owner__is_active=True,
                                   licence_expiry__range=window)
           .select_related("owner").only("pk", "name", "licence_expiry", "owner")
           .order_by("pk"))
    sent = 0
    for customer in due.iterator(chunk_size=1000):
        expiry = customer.licence_expiry
        with in_language_of(customer.owner):
            title = (_("The licence of %(customer)s expires on %(date)s") if expiry >= today
                     else _("The licence of %(customer)s expired on %(date)s"))
            sent += len(notify(recipients=[customer.owner], kind="licence_expiry",
                               title=title % {"customer": customer.name, "date": expiry.isoformat()},
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
                                  customer__is_deleted=False, customer__owner__is_active=True)
           .select_related("customer__owner").only("pk", "name", "birthday", "customer__name",
                                                   "customer__owner")
           .order_by("pk"))
    sent = 0
    for contact in due.iterator(chunk_size=1000):
        born = (contact.birthday.month, contact.birthday.day)
        year = today.year + 1 if born < (today.month, today.day) else today.year  # Dec → Jan
        owner = contact.customer.owner
        with in_language_of(owner):
            sent += len(notify(
                recipients=[owner], kind="birthday",
                title=_("%(contact)s of %(customer)s has a birthday on %(month)d-%(day)d") % {
                    "contact": contact.name, "customer": contact.customer.name,
                    "month": contact.birthday.month, "day": contact.birthday.day},
                url=reverse("customers:detail", args=[contact.customer_id]),
                key=f"birthday:{contact.pk}:{year}"))
    return sent
