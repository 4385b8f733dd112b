"""Reads of the operation log, always through `OperationLog.objects.visible_to(user)`."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from qiao.core.periods import period_q

from .models import OperationLog

ALERT_DAYS = 7


@dataclass(frozen=True)
class LogFilters:
    username: str = ""
    customer: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def operation_list(user, filters: LogFilters):
    rows = OperationLog.objects.visible_to(user)
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
    return list(OperationLog.objects.visible_to(user).filter(action=OperationLog.Kind.VIEW_ALERT,
                                        occurred_at__gte=since).order_by("-occurred_at")[:20])
