"""The daily visit reminder (issue 12 item 6, NTF-1): each account manager who has customers
overdue for a visit by their grade's rule, or scheduled visits missed yesterday, gets one
inbox message a day saying how many, linked to their coverage drill-down. The message carries
a dedupe key of the day, so a run repeated (after a crash, or started twice) tells nobody
twice."""

from datetime import timedelta

from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.customers.models import Customer
from qiao.notify import kinds
from qiao.notify.services import notify
from qiao.org.models import User
from qiao.org.permissions import can

from .actions import VISIT_RECORD
from .coverage import missed_in, overdue_in
from .models import ScheduledVisit

VISITS_DUE = "visits_due"


def register_kinds():
    """Called from the app's ready(): how the reminder reads, in the reader's language."""
    kinds.register(VISITS_DUE, title=lambda p: _(
        "Visits: %(overdue)s customers overdue for a visit, %(missed)s scheduled visits "
        "missed yesterday") % p)


def visits_due_remind(*, today=None) -> int:
    """One message per manager with any overdue customer (their own, live, at or below their
    clearance) or any visit of their submitted schedule missed yesterday. Three aggregate
    queries and one of the managers, whatever the number of customers. Returns how many
    messages were put in inboxes."""
    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    cleared = Customer.objects.filter(is_deleted=False,
                                      secret_level__lte=F("owner__position__role__clearance"))
    overdue = dict(overdue_in(cleared, today)
                   .values("owner_id").annotate(n=Count("id")).order_by()
                   .values_list("owner_id", "n"))
    lines = ScheduledVisit.objects.filter(
        customer__secret_level__lte=F("schedule__manager__position__role__clearance"))
    missed = dict(missed_in(lines, yesterday, yesterday)
                  .values("schedule__manager_id").annotate(n=Count("id")).order_by()
                  .values_list("schedule__manager_id", "n"))
    managers = (User.objects.filter(pk__in=set(overdue) | set(missed), is_active=True)
                .select_related("position__role").order_by("pk"))
    sent = 0
    for manager in managers:
        if not can(manager, VISIT_RECORD):
            continue
        url = reverse("visits:coverage_manager", args=[manager.pk]) + "?period=week"
        sent += len(notify(recipients=[manager], kind=VISITS_DUE,
                           params={"overdue": overdue.get(manager.pk, 0),
                                   "missed": missed.get(manager.pk, 0),
                                   "day": today.isoformat()},
                           url=url, key=f"visits-due-{today.isoformat()}"))
    return sent
