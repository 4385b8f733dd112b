"""Reads of visit coverage (拜访覆盖率, issue 12 item 6) and of the three seed tables of visits
(客户联络管理表, 客户拜访管理表, 客户招待管理表; CUS-10), each starting from `visible_to(user)`:
a manager sees their own figures, a supervisor the team's, a region manager the region's, the
director everyone's; secret customers count only for those cleared for them.

Coverage is a few aggregate queries (GROUP BY manager and customer grade), never one per
customer or visit; the rows by manager, team, region or grade are added up from them here.

- planned: the visits on submitted schedules (客户访问日程表) for days in the period;
- done: of those, the ones visited by the schedule's manager in the schedule's week;
- on time: of those, visited from the week's Monday up to the planned day (the appraisal's
  按时访问率, `selectors.visits_on_time`, counts the same);
- visits, special visits, unplanned visits: the visit records dated in the period;
- overdue customers: the live customers each manager looks after, graded with a visit rule,
  not visited in the rule's frequency before the period's last day (a customer never visited
  counts once it has been registered for longer than that).
"""

import calendar as months
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils.translation import gettext as _

from qiao.approvals.models import ApprovalRequest
from qiao.customers.models import Customer, CustomerEvent, Grade
from qiao.org.models import OrgUnit, User
from qiao.org.scope import staff_in_scope_q

from .models import Commitment, HospitalityRequest, ScheduledVisit, Visit, VisitRule, VisitSchedule

WEEK, MONTH, QUARTER = "week", "month", "quarter"
MANAGER, TEAM, REGION, GRADE = "manager", "team", "region", "grade"
FIGURES = ("planned", "done", "on_time", "visits", "special", "unplanned", "overdue")
LIVE = (Customer.Status.SUSPENDED, Customer.Status.OFFBOARDED)  # excluded: not to be visited


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The first and last day of the week (Monday to Sunday), month or quarter of `day`."""
    if kind == WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first, 1)
        last = first + 2
        return start, date(day.year, last, months.monthrange(day.year, last)[1])
    return day.replace(day=1), day.replace(day=months.monthrange(day.year, day.month)[1])


def rate(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in per cent, to one decimal rounded half up; None of nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Row:
    """One row of the coverage table: its key (a user, unit or grade id; None: none) and
    name, and the figures."""

    key: int | None
    name: str
    planned: int = 0
    done: int = 0
    on_time: int = 0
    visits: int = 0
    special: int = 0
    unplanned: int = 0
    overdue: int = 0
    order: tuple = field(default=(), repr=False)

    def add(self, figures: dict):
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + figures.get(name, 0))

    @property
    def done_rate(self):
        return rate(self.done, self.planned)

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.planned)


def _cutoffs(end: date):
    """The date a customer must have been visited on or after to be in time at `end`, by its
    grade's rule (a classification's rule first): a CASE over the handful of rules."""
    rules = list(VisitRule.objects.all())
    whens = [When(grade_id=rule.grade_id, category=rule.category,
                  then=Value(end - timedelta(days=rule.frequency_days)))
             for rule in rules if rule.category]
    whens += [When(grade_id=rule.grade_id, then=Value(end - timedelta(days=rule.frequency_days)))
              for rule in rules if not rule.category]
    return whens


def overdue_in(customers, end: date):
    """Of `customers`, the live ones looked after by a manager and graded with a visit rule
    that are overdue for a visit at `end` (annotated with `cutoff`, the day they should have
    been visited by). One query; the visit check is an index probe (visit_customer) each."""
    whens = _cutoffs(end)
    if not whens:  # no rule: nobody is overdue (annotated all the same, for the callers)
        return customers.none().annotate(cutoff=Value(None, output_field=DateField()))
    in_time = Visit.objects.filter(customer=OuterRef("pk"), visited_on__gte=OuterRef("cutoff"),
                                   visited_on__lte=end)
    ever = Visit.objects.filter(customer=OuterRef("pk"), visited_on__lte=end)
    return (customers.filter(owner__isnull=False).exclude(status__in=LIVE)
            .annotate(cutoff=Case(*whens, default=Value(None), output_field=DateField()),
                      registered_on=TruncDate("created_at"))
            .filter(cutoff__isnull=False, registered_on__lte=end)
            .filter(~Exists(in_time))
            .filter(Q(registered_on__lt=F("cutoff")) | Exists(ever)))


def overdue_customers(user, end: date):
    """The customers `user` sees that are overdue for a visit at `end` (`overdue_in`)."""
    return overdue_in(Customer.objects.visible_to(user), end)


def _scheduled(user, start, end):
    week_end = ExpressionWrapper(OuterRef("schedule__week_start") + timedelta(days=6),
                                 output_field=DateField())
    visited = Visit.objects.filter(customer=OuterRef("customer_id"),
                                   author=OuterRef("schedule__manager_id"),
                                   visited_on__gte=OuterRef("schedule__week_start"))
    return (ScheduledVisit.objects.visible_to(user)
            .filter(schedule__status=VisitSchedule.Status.SUBMITTED, day__gte=start,
                    day__lte=end)
            .values("schedule__manager_id", "customer__grade_id")
            .annotate(planned=Count("id"),
                      done=Count("id", filter=Exists(visited.filter(visited_on__lte=week_end))),
                      on_time=Count("id", filter=Exists(
                          visited.filter(visited_on__lte=OuterRef("day")))))
            .order_by())


def figures(user, start: date, end: date, *, manager=None) -> dict:
    """{(manager id, grade id): {figure: n}} of what `user` sees in the period: three
    aggregate queries (and one for the rules)."""
    cells: dict = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    scheduled = _scheduled(user, start, end)
    visits = (Visit.objects.visible_to(user).filter(visited_on__gte=start, visited_on__lte=end)
              .values("author_id", "customer__grade_id")
              .annotate(visits=Count("id"),
                        special=Count("id", filter=Q(kind=Visit.Kind.SPECIAL)),
                        unplanned=Count("id", filter=Q(planned=False)))
              .order_by())
    overdue = (overdue_customers(user, end).values("owner_id", "grade_id")
               .annotate(overdue=Count("id")).order_by())
    if manager is not None:
        scheduled = scheduled.filter(schedule__manager_id=manager)
        visits = visits.filter(author_id=manager)
        overdue = overdue.filter(owner_id=manager)
    for row in scheduled:
        cell = cells[(row["schedule__manager_id"], row["customer__grade_id"])]
        for name in ("planned", "done", "on_time"):
            cell[name] += row[name]
    for row in visits:
        cell = cells[(row["author_id"], row["customer__grade_id"])]
        for name in ("visits", "special", "unplanned"):
            cell[name] += row[name]
    for row in overdue:
        cells[(row["owner_id"], row["grade_id"])]["overdue"] += row["overdue"]
    return cells


def _regions() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION).order_by("path"))


def _region_of(unit, regions):
    if unit is None:
        return None
    found = [region for region in regions if unit.path.startswith(region.path)]
    return max(found, key=lambda region: len(region.path)) if found else None


def coverage(user, start: date, end: date, *, by: str = MANAGER, manager=None) -> dict:
    """The coverage table of the period by manager, team, region or grade: its rows (by name,
    grade rank or unit order) and the total. A handful of queries whatever the number of
    customers, visits or managers."""
    cells = figures(user, start, end, manager=manager)
    rows: dict = {}
    total = Row(None, _("Total"))
    people = {person.pk: person for person in
              User.objects.filter(pk__in={m for m, _g in cells if m is not None})
              .select_related("unit")}
    grades = {grade.pk: grade for grade in Grade.objects.all()} if by == GRADE else {}
    regions = _regions() if by == REGION else []
    for (manager_id, grade_id), values in cells.items():
        person = people.get(manager_id)
        if by == GRADE:
            grade = grades.get(grade_id)
            key, name, order = (grade_id, grade.name if grade else _("Ungraded"),
                                (grade.rank if grade else 9999,))
        elif by == TEAM:
            unit = person.unit if person else None
            key, name, order = (unit.pk if unit else None, unit.name if unit else _("No unit"),
                                (unit.path if unit else "~",))
        elif by == REGION:
            region = _region_of(person.unit if person else None, regions)
            key, name, order = (region.pk if region else None,
                                region.name if region else _("No region"),
                                (region.path if region else "~",))
        else:
            key, name, order = (manager_id, str(person) if person else _("Unassigned"),
                                (person is None, str(person or ""), manager_id or 0))
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(key, name, order=order)
        row.add(values)
        total.add(values)
    return {"start": start, "end": end, "by": by,
            "rows": sorted(rows.values(), key=lambda row: row.order), "total": total}


def coverage_manager(user, pk):
    """The member of staff of a drill-down: one within the user's data scope (themselves
    included, a leaver too, as the handover reads them), else 404."""
    if str(pk) == str(user.pk):
        return user
    try:
        return User.objects.filter(staff_in_scope_q(user)).select_related("unit").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def overdue_of(user, manager, end: date, limit=None) -> list:
    """The manager's customers overdue at `end`, most overdue (earliest cutoff) first, with
    their last visit before `end`."""
    last = (Visit.objects.filter(customer=OuterRef("pk"), visited_on__lte=end)
            .order_by("-visited_on", "-id").values("visited_on")[:1])
    rows = (overdue_customers(user, end).filter(owner=manager).select_related("grade")
            .annotate(last_visit=Subquery(last)).order_by("cutoff", "pk"))
    return list(rows[:limit] if limit else rows)


def missed_in(lines, start: date, end: date):
    """Of the scheduled visits `lines`, those on submitted schedules for days from `start` to
    `end` not done by the planned day (no visit of the customer by the schedule's manager
    from the week's Monday up to the planned day)."""
    visited = Visit.objects.filter(customer=OuterRef("customer_id"),
                                   author=OuterRef("schedule__manager_id"),
                                   visited_on__gte=OuterRef("schedule__week_start"),
                                   visited_on__lte=OuterRef("day"))
    return (lines.filter(schedule__status=VisitSchedule.Status.SUBMITTED,
                         schedule__is_deleted=False, day__gte=start, day__lte=end)
            .filter(~Exists(visited)))


def missed_visits(user, manager, start: date, end: date, limit=None) -> list:
    """The manager's scheduled visits from `start` to `end` that `user` sees, missed."""
    rows = (missed_in(ScheduledVisit.objects.visible_to(user), start, end)
            .filter(schedule__manager=manager).select_related("customer")
            .order_by("day", "order", "id"))
    return list(rows[:limit] if limit else rows)


# --- the three seed tables (CUS-10) ----------------------------------------------------------


@dataclass(frozen=True)
class TableFilters:
    date_from: date | None = None
    date_to: date | None = None
    manager: int | None = None
    q: str = ""  # part of the customer's name


def contact_rows(user, filters: TableFilters):
    """客户联络管理表: the follow-ups recorded on the customers' pages (the timeline's
    "follow_up" events: when, how, what) of the customers the user sees, newest first."""
    rows = (CustomerEvent.objects.visible_to(user).filter(kind="follow_up")
            .select_related("customer", "actor"))
    if filters.date_from:
        rows = rows.filter(occurred_at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(occurred_at__date__lte=filters.date_to)
    if filters.manager:
        rows = rows.filter(actor_id=filters.manager)
    if filters.q:
        rows = rows.filter(customer__name__icontains=filters.q)
    return rows.order_by("-occurred_at", "-id")


def visit_rows(user, filters: TableFilters):
    """客户拜访管理表: the visit records of the customers the user sees, newest first, with the
    people met and the next visit the customer's commitments call for (a return visit due)."""
    rows = (Visit.objects.visible_to(user).select_related("customer", "author")
            .prefetch_related("contacts")
            .annotate(next_return=Subquery(
                Commitment.objects.filter(visit=OuterRef("pk"), return_due_on__isnull=False)
                .order_by("return_due_on").values("return_due_on")[:1])))
    if filters.date_from:
        rows = rows.filter(visited_on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(visited_on__lte=filters.date_to)
    if filters.manager:
        rows = rows.filter(author_id=filters.manager)
    if filters.q:
        rows = rows.filter(customer__name__icontains=filters.q)
    return rows.order_by("-visited_on", "-id")


def hospitality_rows(user, filters: TableFilters):
    """客户招待管理表: the hospitality requests for the customers the user sees, with the state
    of their latest approval request and the actual cost once recorded, newest first."""
    latest = (ApprovalRequest.objects.filter(type_code="hospitality", object_id=OuterRef("pk"))
              .order_by("-created_at", "-id"))
    rows = (HospitalityRequest.objects
            .filter(customer__in=Customer.objects.visible_to(user).values("pk"))
            .select_related("customer", "requester")
            .annotate(approval_state=Subquery(latest.values("state")[:1]),
                      actual_cost=F("cost__amount")))
    if filters.date_from:
        rows = rows.filter(date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(date__lte=filters.date_to)
    if filters.manager:
        rows = rows.filter(requester_id=filters.manager)
    if filters.q:
        rows = rows.filter(customer__name__icontains=filters.q)
    return rows.order_by("-date", "-id")


def approval_label(state) -> str:
    if not state:
        return _("Not submitted")
    return str(ApprovalRequest.State(state).label)
