"""The visits' block of the start page (工作台), registered in VisitsConfig.ready: the user's
own commitments past their due date and the return visits (回访) now due, and from Friday to
Sunday next week's visit schedule (客户访问日程表) to make."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DeskWidget

from . import coverage, selectors, worklog_selectors
from .actions import VISIT_RECORD

SHOWN = 5


def commitments_context(user):
    """Overdue commitments (how many, the five most overdue) and return visits due: three
    indexed queries (cmt_owner, cmt_return_due); the customers overdue for a visit by their
    grade's rule and yesterday's missed scheduled visits: three more (visits.coverage)."""
    today = timezone.localdate()
    overdue, count = selectors.overdue_commitments(user, today=today, limit=SHOWN)
    for commitment in overdue:
        commitment.days_late = (today - commitment.due_on).days
    returns = selectors.return_visits_due(user, today=today, limit=SHOWN)
    return {"overdue": overdue, "overdue_count": count, "returns": returns,
            "more_url": reverse("visits:commitments") + "?mine=on&overdue=on",
            "schedule": schedule_offer(user, today), **visits_due(user, today)}


def visits_due(user, today):
    """The user's own customers overdue for a visit today (how many, the five most overdue)
    and the visits of their submitted schedule missed yesterday."""
    overdue = coverage.overdue_of(user, user, today, limit=SHOWN)
    for customer in overdue:
        customer.days_late = (today - customer.cutoff).days
    count = (len(overdue) if len(overdue) < SHOWN
             else coverage.overdue_customers(user, today).filter(owner=user).count())
    yesterday = today - timedelta(days=1)
    return {"overdue_customers": overdue, "overdue_customers_count": count,
            "missed": coverage.missed_visits(user, user, yesterday, yesterday, limit=SHOWN),
            "coverage_url": reverse("visits:coverage_manager", args=[user.pk]) + "?period=week"}


def schedule_offer(user, today):
    """From Friday on (the week is planned at the weekend): next week's schedule — its status
    if it was opened, else an invitation to look at the proposal. One indexed query."""
    if today.weekday() < 4:
        return None
    week = selectors.next_week(today)
    schedule = selectors.schedule_of(user, user, week)
    return {"week": week, "schedule": schedule,
            "url": f"{reverse('visits:schedule')}?week={week.isoformat()}"}


WIDGETS = [
    DeskWidget("visits_commitments", _("Overdue visits, commitments and return visits"),
               "visits/_desk_commitments.html", commitments_context, (VISIT_RECORD,), order=45,
               url_name="visits:commitments", icon="bi-check2-square"),
]


def out_now_context(user):
    """Who of the supervisor's team is out now (外出登记: where, why, back by): one indexed
    query; hidden when nobody is."""
    out = worklog_selectors.team_out_now(user, limit=SHOWN)
    if not out:
        return None
    now = timezone.now()
    for going in out:
        going.late = going.until < now
    return {"out": out, "more_url": reverse("visits:going_out") + "?out=on"}


WIDGETS.append(
    DeskWidget("visits_out_now", _("Out of the office now"), "visits/worklog_desk_out.html",
               out_now_context, (VISIT_RECORD,), order=46, url_name="visits:going_out",
               icon="bi-signpost-split"))
