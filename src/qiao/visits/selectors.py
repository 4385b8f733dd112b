"""Reads of visits, commitments and visit rules, each starting from `visible_to(user)`."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.utils import timezone

from qiao.customers.models import Contact, Customer
from qiao.org.permissions import can

from .actions import VISIT_RECORD
from .models import HANDBOOK_TASKS, Commitment, Method, Task, Visit, VisitRule

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
