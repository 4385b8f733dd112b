"""Reads of the operation log, always through `visible_to(user)`."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from qiao.core.periods import period_q
from qiao.org.scope import scope_q

from .models import OperationLog

ALERT_DAYS = 7


def visible_to(user):
    """The rows of the users in `user`'s data scope (the director: all, failed logins of
    unknown usernames included).

    The same rule as qiao.org.scope.visible_users, through scope_q, except that former
    employees' rows stay visible (visible_users lists active staff only, for pickers), and
    that rows without a known user are only in the "all" scope. Unit scopes use the actor's
    current unit.
    """
    return OperationLog.objects.filter(
        scope_q(user, owner_field="actor_id", unit_field="actor__unit_id"))


@dataclass(frozen=True)
class LogFilters:
    username: str = ""
    customer: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def operation_list(user, filters: LogFilters):
    rows = visible_to(user)
    if filters.username:
        rows = rows.filter(actor_username__icontains=filters.username)
    if filters.customer:
        rows = rows.filter(customer__isnull=False).filter(
            Q(object_repr__icontains=filters.customer)
            | Q(customer__name__icontains=filters.customer))
    if filters.action:
        rows = rows.filter(action=filters.action)
    rows = rows.filter(period_q("occurred_at", filters.date_from, filters.date_to))
    return rows.order_by("-occurred_at", "-id")


def recent_alerts(user, *, days: int = ALERT_DAYS):
    """Volume alerts of the users in scope in the last `days` days, for the top of the page
    (until there is an inbox)."""
    since = timezone.now() - timedelta(days=days)
    return list(visible_to(user).filter(action=OperationLog.Kind.VIEW_ALERT,
                                        occurred_at__gte=since).order_by("-occurred_at")[:20])
