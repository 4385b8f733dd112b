"""The appraisal periods (测评时段): a month, a quarter or a year, from its first day to its
last, and how people write them."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from .models import PeriodKind


def period_start(kind: str, day: date) -> date:
    """The first day of the `kind` period holding `day`."""
    if kind == PeriodKind.YEAR:
        return date(day.year, 1, 1)
    if kind == PeriodKind.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


def shift_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_months(kind: str) -> int:
    return {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """(first day, last day) of the `kind` period holding `day`."""
    start = period_start(kind, day)
    return start, shift_month(start, period_months(kind)) - timedelta(days=1)


def months_of(kind: str, start: date) -> list[date]:
    return [shift_month(start, i) for i in range(period_months(kind))]


def previous_period(kind: str, today: date) -> date:
    """The first day of the period before the one holding `today`."""
    return period_start(kind, period_start(kind, today) - timedelta(days=1))


def period_label(kind: str, start: date) -> str:
    if kind == PeriodKind.YEAR:
        return _("Year %(year)s") % {"year": start.year}
    if kind == PeriodKind.QUARTER:
        return _("%(year)s Q%(quarter)s") % {"year": start.year,
                                              "quarter": (start.month - 1) // 3 + 1}
    return f"{start:%Y-%m}"
