"""Local-day periods on datetime columns (core.periods): the days at the ends of the calendar
put no bound instead of overflowing, in time zones east and west of UTC."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from qiao.audit.models import OperationLog
from qiao.core.periods import day_start, period_q


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Pacific/Kiritimati", "America/Los_Angeles"])
@pytest.mark.parametrize(("date_from", "date_to", "found"), [
    (date.min, None, 1), (None, date.max, 1), (date.min, date.max, 1),
    (date.max, None, 0), (None, date.min, 0),
])
def test_the_ends_of_the_calendar_filter_without_overflowing(zone, date_from, date_to, found):
    OperationLog.objects.create(actor_username="someone", action=OperationLog.Kind.LOGIN)
    with timezone.override(zone):
        rows = OperationLog.objects.filter(period_q("occurred_at", date_from, date_to))
        assert rows.count() == found


def test_an_ordinary_period_is_half_open_on_local_midnights():
    with timezone.override("Asia/Shanghai"):
        condition = period_q("at", date(2026, 3, 1), date(2026, 3, 31))
    (low_key, low), (high_key, high) = condition.children
    assert (low_key, high_key) == ("at__gte", "at__lt")
    assert low.astimezone(UTC) == datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert high.astimezone(UTC) == datetime(2026, 3, 31, 16, tzinfo=UTC)


def test_the_first_day_has_no_start_east_of_utc():
    with timezone.override("Asia/Shanghai"):
        assert day_start(date(1, 1, 1)) is None
        assert not period_q("at", date(1, 1, 1))
