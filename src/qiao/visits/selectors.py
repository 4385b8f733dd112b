"""Reads of visits, commitments, visit rules, visit schedules and hospitality budgets, each
starting from `visible_to(user)`."""

import calendar as months
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from qiao.approvals.models import ApprovalRequest
from qiao.core import calendar
from qiao.customers.models import Contact, Customer
from qiao.customers.selectors import at_risk
from qiao.org.permissions import can
from qiao.org.scope import visible_users

from .actions import VISIT_RECORD
from .models import (
    HANDBOOK_TASKS,
    CalendarFeed,
    Commitment,
    HospitalityBudget,
    HospitalityCost,
    HospitalityRequest,
    Method,
    ScheduledVisit,
    Task,
    Visit,
    VisitRule,
    VisitSchedule,
)

# --- visit rules ---------------------------------------------------------------------------


def rules_by_key() -> dict:
    """{(grade id, classification or ""): rule}: every rule, one query (a handful of rows)."""
    return {(rule.grade_id, rule.category): rule for rule in VisitRule.objects.all()}


def rule_for(customer, rules=None) -> VisitRule | None:
    """The rule a customer is visited by: its grade's rule for its classification, else its
    grade's rule; None for an ungraded customer or a grade without a rule."""
    if customer.grade_id is None:
        return None
    rules = rules_by_key() if rules is None else rules
    return rules.get((customer.grade_id, customer.category)) or rules.get((customer.grade_id, ""))


def checklist_for(customer, rules=None) -> list[str]:
    """The task codes of a visit to `customer`: its rule's checklist, or the handbook's six
    tasks (a–f) for a customer no rule covers."""
    rule = rule_for(customer, rules)
    return rule.checklist if rule is not None else [task.value for task in HANDBOOK_TASKS]


def default_method(customer, rules=None) -> str:
    rule = rule_for(customer, rules)
    return rule.method if rule is not None else Method.ON_SITE


@dataclass
class Due:
    """A customer due or overdue for a visit: when it was last visited (None: never), how often
    its rule asks, when the next visit is due and how many days late it is (0: due today)."""

    customer: Customer
    rule: VisitRule
    last_visit: date | None
    due_on: date
    days_late: int


def due_customers(user, *, today=None, within_days=0) -> list[Due]:
    """The user's own customers (those they look after) that are due or overdue for a visit by
    their grade's rule, or due within `within_days`: most overdue first, never visited first of
    all. Two queries whatever the number of customers or visits: the rules, and the customers
    with their last visit date (a subquery on the index visit_customer)."""
    today = today or timezone.localdate()
    rules = rules_by_key()
    if not rules:
        return []
    graded = {grade_id for grade_id, _category in rules}
    last = (Visit.objects.filter(customer=OuterRef("pk")).order_by("-visited_on", "-id")
            .values("visited_on")[:1])
    customers = (Customer.objects.visible_to(user)
                 .filter(owner=user, grade_id__in=graded)
                 .exclude(status__in=(Customer.Status.SUSPENDED, Customer.Status.OFFBOARDED))
                 .select_related("grade")
                 .annotate(last_visit=Subquery(last))
                 .order_by("id"))
    horizon = today + timedelta(days=within_days)
    due = []
    for customer in customers:
        rule = rule_for(customer, rules)
        if rule is None:
            continue
        if customer.last_visit is None:
            due_on = today
        else:
            due_on = customer.last_visit + timedelta(days=rule.frequency_days)
        if due_on <= horizon:
            due.append(Due(customer, rule, customer.last_visit, due_on, (today - due_on).days))
    never = date.min
    due.sort(key=lambda d: (d.last_visit is not None, d.due_on, d.last_visit or never,
                            d.customer.pk))
    return due


# --- visits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFilters:
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""
    customer: int | None = None
    q: str = ""  # part of the customer's name
    author: int | None = None
    mine: bool = False


def visit_list(user, filters: VisitFilters = VisitFilters()):
    """The visit records `user` sees, newest first, with what the list shows joined: two
    queries per page (the count and the page) whatever the number of rows."""
    rows = Visit.objects.visible_to(user).select_related("customer", "author")
    if filters.mine:
        rows = rows.filter(author=user)
    if filters.author:
        rows = rows.filter(author_id=filters.author)
    if filters.customer:
        rows = rows.filter(customer_id=filters.customer)
    if filters.q:
        rows = rows.filter(customer__name__icontains=filters.q)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.date_from:
        rows = rows.filter(visited_on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(visited_on__lte=filters.date_to)
    return rows.order_by("-visited_on", "-id")


def visit_get(user, pk) -> Visit:
    """One visit record `user` sees (404 otherwise), with its people met and commitments."""
    try:
        return (Visit.objects.visible_to(user).select_related("customer", "author")
                .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("name")),
                                  Prefetch("commitments",
                                           queryset=Commitment.objects.select_related(
                                               "customer", "owner").order_by("due_on", "id")),
                                  Prefetch("returns",
                                           queryset=Commitment.objects.order_by("id")))
                .get(pk=pk))
    except (Visit.DoesNotExist, ValueError):
        raise Http404 from None


def visit_by_key(key) -> Visit | None:
    """The record already stored under a client's idempotency key, whoever sent it."""
    return Visit.objects.filter(idempotency_key=key).first()


def customer_tab(user, customer, limit=20) -> dict:
    """The customer page's visits tab: the latest visits and the commitments still open or
    awaiting their return visit, two queries whatever their number; shown to all who see the
    customer (the call centre too), recording and opening a record need visit.record."""
    return {"visits": customer_visits(user, customer, limit),
            "visit_commitments": customer_commitments(user, customer),
            "may_record": can(user, VISIT_RECORD), "limit": limit,
            "today": timezone.localdate()}


def customer_visits(user, customer, limit=20) -> list:
    """The customer's latest visits (its page's tab): one query on visit_customer."""
    return list(Visit.objects.visible_to(user).filter(customer=customer)
                .select_related("author").order_by("-visited_on", "-id")[:limit])


def visit_contacts(user, customer):
    """The customer's live contacts the visit form offers (people met)."""
    return Contact.objects.visible_to(user).filter(customer=customer).order_by(
        "-has_decision_power", "-is_key_person", "name")


def task_labels(codes) -> list[str]:
    labels = dict(Task.choices)
    return [str(labels[code]) for code in codes if code in labels]


# --- commitments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentFilters:
    status: str = ""
    overdue: bool = False
    returns: bool = False  # fulfilled, its return visit not made yet
    mine: bool = False


def commitment_list(user, filters: CommitmentFilters = CommitmentFilters(), *, today=None):
    """The commitments `user` sees, soonest due first; two queries per page."""
    today = today or timezone.localdate()
    rows = Commitment.objects.visible_to(user).select_related("customer", "owner", "visit")
    if filters.mine:
        rows = rows.filter(owner=user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.overdue:
        rows = rows.filter(status=Commitment.Status.OPEN, due_on__lt=today)
    if filters.returns:
        rows = rows.filter(status=Commitment.Status.FULFILLED, return_visit__isnull=True)
    return rows.order_by("due_on", "id")


def commitment_get(user, pk) -> Commitment:
    try:
        return (Commitment.objects.visible_to(user)
                .select_related("customer", "owner", "visit", "return_visit").get(pk=pk))
    except (Commitment.DoesNotExist, ValueError):
        raise Http404 from None


def overdue_commitments(user, *, today=None, limit=5):
    """The user's own open commitments past their due date, most overdue first, and how many
    there are: two queries on cmt_owner."""
    today = today or timezone.localdate()
    rows = (Commitment.objects.visible_to(user)
            .filter(owner=user, status=Commitment.Status.OPEN, due_on__lt=today))
    return list(rows.select_related("customer").order_by("due_on", "id")[:limit]), rows.count()


def return_visits_due(user, *, today=None, limit=5):
    """The user's fulfilled commitments whose return visit (回访) is due by today and not made
    yet, soonest first: one query on cmt_return_due."""
    today = today or timezone.localdate()
    return list(Commitment.objects.visible_to(user)
                .filter(owner=user, status=Commitment.Status.FULFILLED,
                        return_visit__isnull=True, return_due_on__lte=today)
                .select_related("customer").order_by("return_due_on", "id")[:limit])


def customer_commitments(user, customer) -> list:
    """The customer's commitments still open or awaiting their return visit: one query."""
    return list(Commitment.objects.visible_to(user).filter(customer=customer)
                .filter(Q(status=Commitment.Status.OPEN)
                        | Q(status=Commitment.Status.FULFILLED, return_visit__isnull=True))
                .select_related("owner").order_by("due_on", "id"))



def opinions_of(author, start, end, limit=10) -> list:
    """`author`'s visit records from `start` to `end` (end excluded) that noted a complaint or a
    suggestion, newest first (the monthly sales analysis report's (c), SAL-9)."""
    return list(Visit.objects.visible_to(author)
                .filter(author=author, visited_on__gte=start, visited_on__lt=end)
                .filter(~Q(complaints="") | ~Q(suggestions=""))
                .select_related("customer").order_by("-visited_on", "-id")[:limit])


# --- weekly visit schedules (客户访问日程表) ---------------------------------------------------


def week_of(day) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def next_week(today=None) -> date:
    today = today or timezone.localdate()
    return week_of(today) + timedelta(days=7)


def default_week(today=None) -> date:
    """The week a manager's schedule page opens on: next week from Friday on (the week is
    planned at the weekend, 每周末制定下周计划), this week before."""
    today = today or timezone.localdate()
    return next_week(today) if today.weekday() >= 4 else week_of(today)


def week_days(week_start) -> list[date]:
    return [week_start + timedelta(days=n) for n in range(7)]


def working_days(week_start) -> list[date]:
    """The week's working days by the business calendar (holidays off, make-up workdays on)."""
    return [day for day in week_days(week_start) if calendar.is_working_day(day)]


@dataclass
class Candidate:
    """A customer the proposal puts on the week: why, and the earliest day it belongs on."""

    customer: Customer
    reason: str
    earliest: date
    note: str = ""


def schedule_candidates(manager, week_start) -> list[Candidate]:
    """The customers of `manager` next week's schedule proposes, most urgent first, each once
    (the most urgent reason wins): overdue by the rule, open commitments and return visits
    due by the week's end, due by the rule, at risk (customers.risk's rules). A fixed number of
    queries whatever the number of customers (rules, due customers, commitments, return
    visits, and the at-risk rules' own)."""
    Reason = ScheduledVisit.Reason
    today = timezone.localdate()
    week_end = week_start + timedelta(days=6)
    found: dict[int, Candidate] = {}
    rank = {Reason.OVERDUE: 0, Reason.COMMITMENT: 1, Reason.RETURN: 2, Reason.DUE: 3,
            Reason.AT_RISK: 4}

    def offer(customer, reason, earliest, note=""):
        current = found.get(customer.pk)
        if current is None or rank[reason] < rank[current.reason]:
            found[customer.pk] = Candidate(customer, reason, max(earliest, week_start), note)

    for due in due_customers(manager, today=today,
                             within_days=max((week_end - today).days, 0)):
        late = due.last_visit is not None and due.due_on < week_start
        offer(due.customer, Reason.OVERDUE if late else Reason.DUE, due.due_on)
    live = Q(customer__is_deleted=False) & ~Q(customer__status__in=(
        Customer.Status.SUSPENDED, Customer.Status.OFFBOARDED))
    for commitment in (Commitment.objects.visible_to(manager).filter(live)
                       .filter(owner=manager, status=Commitment.Status.OPEN,
                               due_on__lte=week_end)
                       .select_related("customer").order_by("due_on", "id")):
        offer(commitment.customer, Reason.COMMITMENT, commitment.due_on, commitment.text)
    for commitment in (Commitment.objects.visible_to(manager).filter(live)
                       .filter(owner=manager, status=Commitment.Status.FULFILLED,
                               return_visit__isnull=True, return_due_on__lte=week_end)
                       .select_related("customer").order_by("return_due_on", "id")):
        offer(commitment.customer, Reason.RETURN, commitment.return_due_on, commitment.text)
    # At-risk customers by the rules of CUS-9 (customers.risk), as on the week's first day.
    for line in sorted(at_risk(manager, manager=manager, today=max(today, week_start)),
                       key=lambda line: line["customer"].pk):
        offer(line["customer"], Reason.AT_RISK, week_start,
              "; ".join(text for _code, _label, text in line["reasons"])[:200])
    return sorted(found.values(), key=lambda c: (rank[c.reason], c.earliest, c.customer.pk))


def schedule_get(user, pk) -> VisitSchedule:
    """One schedule `user` sees (404 otherwise), with its manager and commenter."""
    try:
        return (VisitSchedule.objects.visible_to(user)
                .select_related("manager", "unit", "commented_by").get(pk=pk))
    except (VisitSchedule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def schedule_of(user, manager, week_start):
    """`manager`'s schedule of the week, as `user` sees it; None if there is none (or out of
    scope)."""
    return (VisitSchedule.objects.visible_to(user)
            .select_related("manager", "unit", "commented_by")
            .filter(manager=manager, week_start=week_start).first())


def schedule_items(user, schedule) -> list:
    """The schedule's lines `user` sees, by day and order, with their customers: one query."""
    return list(ScheduledVisit.objects.visible_to(user).filter(schedule=schedule)
                .select_related("customer", "customer__grade").order_by("day", "order", "id"))


def schedule_days(user, schedule) -> list[dict]:
    """The week as columns: each day with its lines, whether it is a working day."""
    items = schedule_items(user, schedule)
    open_days = set(working_days(schedule.week_start))
    return [{"day": day, "working": day in open_days,
             "items": [item for item in items if item.day == day]}
            for day in week_days(schedule.week_start)]


def team_schedules(user, week_start) -> list:
    """The schedules of the week that `user` sees other than their own (the supervisor's
    team), with how many visits each plans: one query."""
    return list(VisitSchedule.objects.visible_to(user).filter(week_start=week_start)
                .exclude(manager=user).select_related("manager", "unit", "commented_by")
                .annotate(planned=Count("items"))
                .order_by("manager__username", "id"))


def team_without_schedule(user, week_start, schedules, limit=50) -> list:
    """The account managers in `user`'s scope (other than `user`) with no schedule of the
    week yet (not opened since it was proposable): one query, at most `limit`."""
    have = {schedule.manager_id for schedule in schedules} | {user.pk}
    return list(visible_users(user).exclude(pk__in=have).order_by("username")[:limit])


def month_days(user, manager, year, month) -> list[list[dict]]:
    """A month's calendar of `manager`'s scheduled visits as `user` sees them: weeks of seven
    days (None outside the month), each day with its lines; one query."""
    first = date(year, month, 1)
    last = date(year, month, months.monthrange(year, month)[1])
    items = list(ScheduledVisit.objects.visible_to(user)
                 .filter(schedule__manager=manager, day__gte=first, day__lte=last)
                 .select_related("customer", "schedule").order_by("day", "order", "id"))
    by_day: dict = {}
    for item in items:
        by_day.setdefault(item.day, []).append(item)
    weeks = []
    for week in months.Calendar().monthdatescalendar(year, month):
        weeks.append([{"day": day, "items": by_day.get(day, [])} if day.month == month
                      else None for day in week])
    return weeks


FEED_WEEKS_BACK = 8


def feed_items(user, *, today=None) -> list:
    """The user's own scheduled visits for their calendar feed: from `FEED_WEEKS_BACK` weeks
    ago on, drafts and submitted; one query."""
    today = today or timezone.localdate()
    since = week_of(today) - timedelta(weeks=FEED_WEEKS_BACK)
    return list(ScheduledVisit.objects.visible_to(user)
                .filter(schedule__manager=user, schedule__week_start__gte=since)
                .select_related("customer", "schedule").order_by("day", "order", "id"))


def feed_of(user):
    return CalendarFeed.objects.filter(user=user).first()


def feed_user(token):
    """The active user whose calendar feed has this token, or None."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


# --- staff appraisal (SAL-10: 按时访问率) ----------------------------------------------------

def visits_on_time(user, start: date, end: date, *, manager=None, unit=None) -> dict:
    """The visits planned on submitted schedules for days from `start` to `end` (inclusive),
    of `manager` or of the schedules of `unit` and below, that `user` sees: how many were
    planned and how many were done on time (a visit of that customer by the schedule's manager
    from the week's Monday up to the planned day). One query."""
    lines = ScheduledVisit.objects.visible_to(user).filter(
        schedule__status=VisitSchedule.Status.SUBMITTED, day__gte=start, day__lte=end)
    if manager is not None:
        lines = lines.filter(schedule__manager=manager)
    if unit is not None:
        lines = lines.filter(schedule__unit__path__startswith=unit.path)
    done = Visit.objects.filter(customer=OuterRef("customer_id"),
                                author=OuterRef("schedule__manager_id"),
                                visited_on__gte=OuterRef("schedule__week_start"),
                                visited_on__lte=OuterRef("day"))
    return lines.aggregate(planned=Count("id"), on_time=Count("id", filter=Exists(done)))


# --- hospitality budgets (招待费预算) --------------------------------------------------------

# The requests that use a budget: approved or still waiting (a rejected, returned or withdrawn
# request uses nothing).
USING_STATES = ("submitted", "in_progress", "approved")


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class BudgetStatus:
    """A month's budget (本月预算), what the requests use of it (已用: the requested amounts,
    or the actual cost once recorded) and the balance (余额)."""

    budget: HospitalityBudget
    used: Decimal

    @property
    def amount(self) -> Decimal:
        return self.budget.amount

    @property
    def balance(self) -> Decimal:
        return self.budget.amount - self.used


def _using_requests(month):
    latest = (ApprovalRequest.objects.filter(type_code="hospitality", object_id=OuterRef("pk"))
              .order_by("-created_at", "-id"))
    return (HospitalityRequest.objects
            .filter(date__gte=month, date__lt=next_month(month))
            .annotate(approval_state=Subquery(latest.values("state")[:1]),
                      spent=Coalesce("cost__amount", "amount"))
            .filter(approval_state__in=USING_STATES))


def budget_statuses(budgets, month, *, exclude=None) -> list[BudgetStatus]:
    """The statuses of `budgets` (of `month`), one query: a grade's budget is used by the
    requests for its customers, the general one by those for customers of the other grades
    (and of none). `exclude`: a request not to count (the one being checked)."""
    graded = {(b.manager_id, b.grade_id) for b in budgets if b.grade_id is not None}
    rows = (_using_requests(month).filter(requester_id__in={b.manager_id for b in budgets})
            .exclude(pk=exclude).values_list("requester_id", "customer__grade_id", "spent"))
    used: dict = defaultdict(Decimal)
    for manager_id, grade_id, spent in rows if budgets else ():
        used[manager_id, grade_id if (manager_id, grade_id) in graded else None] += spent
    return [BudgetStatus(b, used[b.manager_id, b.grade_id]) for b in budgets]


def month_budgets(manager, month):
    """`manager`'s budgets of `month`: the general one first, then by grade."""
    return list(HospitalityBudget.objects.filter(manager=manager, month=month)
                .select_related("grade").order_by(F("grade__rank").asc(nulls_first=True)))


def status_for(statuses, customer) -> BudgetStatus | None:
    """The status of the budget a request for `customer` uses: its grade's, else the general
    one; None when no budget is set."""
    grade_id = getattr(customer, "grade_id", None)
    by_grade = {s.budget.grade_id: s for s in statuses}
    return by_grade.get(grade_id) if grade_id in by_grade else by_grade.get(None)


def budget_overview(manager, day, customer=None):
    """What the request form shows (its manager's month of `day`): every budget's status and
    the one a request for `customer` uses."""
    month = month_of(day)
    statuses = budget_statuses(month_budgets(manager, month), month)
    return {"month": month, "statuses": statuses,
            "applies": status_for(statuses, customer) if customer is not None else None}


def budget_managers(user):
    """The account managers whose budgets `user` sets: those of their data scope, not
    themselves."""
    return visible_users(user).exclude(pk=user.pk).order_by("unit__path", "display_name", "pk")


def budget_sheet(user, month, grade=None) -> list[tuple]:
    """[(manager, status or None)] of the managers `user` sets budgets for, for `month` and
    `grade` (None: the general budget). Three queries."""
    managers = list(budget_managers(user))
    budgets = list(HospitalityBudget.objects.visible_to(user)
                   .filter(month=month, manager__in=managers, grade=grade))
    if grade is None:  # the general budget is used by the grades without a budget of their own
        others = (HospitalityBudget.objects.visible_to(user)
                  .filter(month=month, manager__in=managers, grade__isnull=False))
        statuses = budget_statuses(budgets + list(others), month)
    else:
        statuses = budget_statuses(budgets, month)
    by_manager = {s.budget.manager_id: s for s in statuses if s.budget.grade_id == getattr(
        grade, "pk", None)}
    return [(manager, by_manager.get(manager.pk)) for manager in managers]


def hospitality_get(user, pk) -> HospitalityRequest:
    """The hospitality request of approval request `pk`, which `user` sees (404 otherwise),
    with the approval request as its `approval`."""
    approvals = ApprovalRequest.objects.visible_to(user).filter(type_code="hospitality")
    approval = approvals.filter(pk=pk).first() if isinstance(pk, int) else None
    if approval is None:
        raise Http404
    hospitality = (HospitalityRequest.objects.select_related("customer", "requester")
                   .filter(pk=approval.object_id).first())
    if hospitality is None:
        raise Http404
    hospitality.approval = approval
    return hospitality


def hospitality_receipt_get(user, pk) -> HospitalityCost:
    """The receipt (the actual cost's stored file) of the hospitality request of approval
    request `pk`, which `user` sees (404 otherwise)."""
    hospitality = hospitality_get(user, pk)
    cost = HospitalityCost.objects.filter(request=hospitality).first()
    if cost is None or not cost.file or cost.secret_level > user.clearance:
        raise Http404
    return cost
