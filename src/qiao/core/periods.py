"""Periods of local calendar days as conditions on a datetime column (the "from … to …" filters
of lists and reports).

A day is turned into the aware datetime of its midnight in the current time zone, and the
database compares it in UTC. At the ends of the calendar that conversion overflows (Asia/
Shanghai's 0001-01-01 00:00 is a moment of the year 0 in UTC; the day after 9999-12-31 does not
exist): such a bound lies beyond every recorded moment on its side, so it is left out instead of
answering HTTP 500.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone


def day_start(day: date) -> datetime | None:
    """Midnight at the start of `day` in the current time zone, or None when that moment (or
    its UTC form) lies outside what a datetime can hold."""
    try:
        start = timezone.make_aware(datetime.combine(day, time.min))
        start.astimezone(UTC)
    except OverflowError:
        return None
    return start


def period_q(field: str, date_from: date | None = None, date_to: date | None = None) -> Q:
    """`field` within the local days `date_from` … `date_to`, both included, either optional;
    as a half-open range on the column itself (index-friendly)."""
    condition = Q()
    if date_from and (start := day_start(date_from)):
        condition &= Q(**{f"{field}__gte": start})
    if date_to and date_to < date.max and (end := day_start(date_to + timedelta(days=1))):
        condition &= Q(**{f"{field}__lt": end})
    return condition
