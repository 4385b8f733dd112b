"""Reads of work reports (工作日志、个人总结) and going-out registrations (外出登记), always through
`visible_to(user)`: the author's own, the supervisor's team's. And what a report's draft is
made of: the author's visits, commitments and timeline events of the period."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qiao.customers.models import CustomerEvent

from .models import Commitment, GoingOut, Visit, WorkReport

Period = WorkReport.Period
# The timeline kinds a draft lists from the visits and commitments themselves (with details).
VISIT_KINDS = ("visit_recorded", "commitment_fulfilled")
MAX_LINES = 200  # of each section of a draft: a year of a busy manager stays readable


def period_bounds(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the period of kind `period` that holds `day` (the week starts
    on Monday, the quarter in January, April, July or October)."""
    if period == Period.DAY:
        return day, day
    if period == Period.WEEK:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if period == Period.YEAR:
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    months = 3 if period == Period.QUARTER else 1
    start = day.replace(month=(day.month - 1) // months * months + 1, day=1)
    end_month = start.month + months
    if end_month > 12:
        return start, start.replace(month=12, day=31)
    return start, start.replace(month=end_month) - datetime.timedelta(days=1)


@dataclass
class Activity:
    """What the author did in a period: the draft's sections."""

    visits: list
    commitments_made: list
    commitments_fulfilled: list
    events: list


def activity(author, start: datetime.date, end: datetime.date) -> Activity:
    """The author's visits (visit_author index), commitments made or fulfilled in the period
    (cmt_owner), and their other timeline events — tickets, calls, follow-ups, orders — by
    their own hand (event_owner_day for their customers): three queries whatever the period."""
    visits = list(Visit.objects.visible_to(author).filter(
        author=author, visited_on__range=(start, end)).select_related("customer")
        .order_by("visited_on", "id")[:MAX_LINES])
    since, until = _day_start(start), _day_start(end + datetime.timedelta(days=1))
    commitments = list(Commitment.objects.visible_to(author).filter(
        Q(created_at__gte=since, created_at__lt=until)
        | Q(status=Commitment.Status.FULFILLED, closed_on__range=(start, end)),
        owner=author).select_related("customer").order_by("due_on", "id")[:MAX_LINES])
    events = list(CustomerEvent.objects.visible_to(author).filter(
        actor=author, occurred_at__gte=since, occurred_at__lt=until)
        .exclude(kind__in=VISIT_KINDS).select_related("customer")
        .order_by("occurred_at", "id")[:MAX_LINES])
    return Activity(
        visits=visits,
        commitments_made=[c for c in commitments if since <= c.created_at < until],
        commitments_fulfilled=[c for c in commitments if c.status == Commitment.Status.FULFILLED
                               and c.closed_on and start <= c.closed_on <= end],
        events=events)


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- work reports ------------------------------------------------------------------------------

@dataclass
class ReportFilters:
    period: str = ""
    author: object = None
    status: str = ""


def report_list(user, filters: ReportFilters):
    """The work reports the user sees (their own, their team's), newest period first."""
    rows = WorkReport.objects.visible_to(user).select_related("author", "commented_by")
    if filters.period:
        rows = rows.filter(period=filters.period)
    if filters.author is not None:
        rows = rows.filter(author=filters.author)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("-period_start", "period", "-id")


def report_get(user, pk) -> WorkReport:
    return get_object_or_404(WorkReport.objects.visible_to(user)
                             .select_related("author", "commented_by"), pk=pk)


def report_of(user, author, period, period_start) -> WorkReport | None:
    return (WorkReport.objects.visible_to(user)
            .filter(author=author, period=period, period_start=period_start).first())


# --- going out ---------------------------------------------------------------------------------

def going_out_list(user, *, out_only=False):
    """The registrations the user sees, latest first; `out_only`: those not back yet."""
    rows = GoingOut.objects.visible_to(user).select_related("author", "customer")
    if out_only:
        rows = rows.filter(returned_at__isnull=True)
    return rows.order_by("-leaves_at", "-id")


def going_out_get(user, pk) -> GoingOut:
    return get_object_or_404(GoingOut.objects.visible_to(user), pk=pk)


def team_out_now(user, *, limit, now=None):
    """Whoever else in the user's scope is out now (gone out, not back): one indexed query
    (going_out_open), the latest first."""
    now = now or timezone.now()
    return list(GoingOut.objects.visible_to(user)
                .filter(returned_at__isnull=True, leaves_at__lte=now).exclude(author=user)
                .select_related("author", "customer").order_by("-leaves_at", "-id")[:limit])
