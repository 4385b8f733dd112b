"""The business calendar: working days and business hours, as the department works them.

A day is a working day when it is Monday to Friday, unless the calendar table
(`core.CalendarDay`) makes it an official holiday (放假), or when it is a weekend day that the
table makes a make-up workday (调休上班). The table is seeded from chinesecalendar for the years
that library knows (`manage.py calendar_seed`); a later year has no rows until an administrator
enters the State Council's schedule in the admin, and until then its working days are simply
Monday to Friday — nothing fails on a date the library does not know. The admin and
`manage.py check --database default` warn while the coming year is missing
(`years_without_holidays`).

Business hours are the working periods (`core.WorkingPeriod`, by default 09:00–12:00 and
13:30–18:00) of working days, in the project's time zone (settings.TIME_ZONE).

API — datetimes are aware (any time zone in, the project's time zone out); days are `date`s
(an aware datetime is taken as its local date); durations are `timedelta`s, and wherever a
duration is taken, a number of hours (int, Decimal, float) is accepted too:

    is_working_day(day) -> bool
    next_working_day(day, *, including=False) -> date
        the first working day after `day` (or `day` itself when including=True and it is one:
        "due on the 5th, or the next working day")
    working_days_between(start, end) -> int
        working days in [start, end), negative when end is before start
    add_business_hours(start, hours) -> datetime
        when `hours` of working time after `start` have passed; a start outside working time
        begins at the next working period ("24 business hours to the first response")
    subtract_business_hours(end, hours) -> datetime
        the latest start from which `hours` of working time have passed by `end`; so
        `add_business_hours(t, h) <= end` exactly when `t <= subtract_business_hours(end, h)`
        (h > 0), which lets a query select what is overdue with one indexed comparison
    business_hours_between(a, b) -> timedelta
        the working time between two moments (negative when b is before a);
        `business_hours_between(a, add_business_hours(a, h)) == h`. Divide by
        `timedelta(hours=1)` for a number of hours.
    years_without_holidays(today=None) -> list[int]
        this year, and from October on next year, when the table has no holiday in them

Speed: the rows of a year are read with one query and kept per process for CACHE_SECONDS, so
loops over days ask the database nothing more. Saving or deleting a row empties the cache of
the process that saved it (signals connected in CoreConfig.ready); other processes (the other
web workers, the task worker) see the change within CACHE_SECONDS. The calendar changes a few
times a year, so a minute's delay is harmless, and no shared cache is needed.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import monotonic

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.utils import timezone

from .models import CalendarDay, WorkingPeriod

Kind = CalendarDay.Kind

DEFAULT_PERIODS = (((9, 0), (12, 0)), ((13, 30), (18, 0)))  # used when the table is empty
CACHE_SECONDS = 60
NEXT_YEAR_WARNING_MONTH = 10  # the State Council publishes next year's schedule Oct-Dec
# A run of days this long without working time means the table is wrong (a whole year of
# holidays): the walk stops with an error instead of looking forever.
MAX_DAYS_OFF = 366

_cache: dict = {}


def is_working_day(day) -> bool:
    day = _as_date(day)
    kind = _exceptions(day.year).get(day)
    if kind is None:
        return day.weekday() < 5
    return kind == Kind.WORKDAY


def next_working_day(day, *, including=False) -> date:
    day = _as_date(day)
    if including and is_working_day(day):
        return day
    for offset in range(1, MAX_DAYS_OFF + 1):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise _no_working_time(day)


def working_days_between(start, end) -> int:
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -working_days_between(end, start)
    return sum(is_working_day(start + timedelta(days=n)) for n in range((end - start).days))


def add_business_hours(start: datetime, hours) -> datetime:
    return _aware(_walk(_local(start), _duration(hours)))


def subtract_business_hours(end: datetime, hours) -> datetime:
    return _aware(_walk(_local(end), _duration(hours), backwards=True))


def business_hours_between(a: datetime, b: datetime) -> timedelta:
    if b < a:
        return -business_hours_between(b, a)
    until = _local(b)
    total = timedelta(0)
    for begin, end in _working_time(_local(a)):
        if begin >= until:
            break
        total += min(end, until) - begin
    return total


def years_without_holidays(today=None) -> list[int]:
    today = today or timezone.localdate()
    years = [today.year, today.year + 1] if today.month >= NEXT_YEAR_WARNING_MONTH else [today.year]
    entered = set(CalendarDay.objects.filter(kind=Kind.HOLIDAY, date__year__in=years)
                  .values_list("date__year", flat=True).distinct())
    return [year for year in years if year not in entered]


def forget(**_signal_kwargs) -> None:
    """Empty this process's cache (after a row changed, and between tests)."""
    _cache.clear()


def seed_official_days(model=CalendarDay) -> tuple[int, list]:
    """Add every holiday and make-up workday chinesecalendar knows that the table lacks (an
    existing row is kept: an administrator's entry wins). Returns how many rows were added and
    the (date, table's kind, library's kind) of the days where the two disagree. `model` is the
    migration's historical model when a migration calls it."""
    official = {day: (Kind.HOLIDAY, Holiday(english).chinese)
                for day, english in chinese_calendar.holidays.items()}
    official |= {day: (Kind.WORKDAY, Holiday(english).chinese)
                 for day, english in chinese_calendar.workdays.items()}
    existing = dict(model.objects.filter(date__range=(min(official), max(official)))
                    .values_list("date", "kind"))
    model.objects.bulk_create(model(date=day, kind=kind, name=name)
                              for day, (kind, name) in sorted(official.items())
                              if day not in existing)
    forget()
    differing = [(day, existing[day], kind) for day, (kind, _name) in sorted(official.items())
                 if existing.get(day, kind) != kind]
    return len(official.keys() - existing.keys()), differing


# --- internals -----------------------------------------------------------------------------

def _walk(moment: datetime, remaining: timedelta, *, backwards=False) -> datetime:
    """The naive local moment `remaining` working time after (or before) `moment`."""
    intervals = _working_time(moment, backwards=backwards)
    while True:  # _working_time ends only by raising
        begin, end = next(intervals)
        if remaining <= end - begin:
            return end - remaining if backwards else begin + remaining
        remaining -= end - begin


def _working_time(moment: datetime, *, backwards=False):
    """The working time from the naive local `moment` on (or back from it), as (begin, end)
    pairs of naive local datetimes in the order walked, the first one cut at `moment`."""
    day, days_off = moment.date(), 0
    while days_off < MAX_DAYS_OFF:
        found = False
        if is_working_day(day):
            for start, end in reversed(_periods()) if backwards else _periods():
                begin, finish = datetime.combine(day, start), datetime.combine(day, end)
                begin, finish = (begin, min(finish, moment)) if backwards else (max(begin, moment), finish)
                if begin < finish:
                    found = True
                    yield begin, finish
        days_off = 0 if found else days_off + 1
        day += timedelta(days=-1 if backwards else 1)
    raise _no_working_time(day)


def _exceptions(year: int) -> dict:
    """{date: kind} of the table's rows in `year`."""
    return _cached(year, lambda: dict(CalendarDay.objects.filter(date__year=year)
                                      .values_list("date", "kind")))


def _periods() -> list:
    """[(start time, end time)] of a working day, in order."""
    def load():
        rows = list(WorkingPeriod.objects.order_by("start").values_list("start", "end"))
        return rows or [(time(*start), time(*end)) for start, end in DEFAULT_PERIODS]

    return _cached("periods", load)


def _cached(key, load):
    now = monotonic()
    entry = _cache.get(key)
    if entry is None or now - entry[0] > CACHE_SECONDS:
        entry = _cache[key] = (now, load())
    return entry[1]


def _as_date(day) -> date:
    return _local(day).date() if isinstance(day, datetime) else day


def _local(moment: datetime) -> datetime:
    """The naive wall-clock time of an aware datetime in the project's time zone."""
    if timezone.is_naive(moment):
        raise ValueError("The business calendar needs an aware datetime.")
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _duration(hours) -> timedelta:
    """`hours` (a timedelta, or a number of hours) as an exact timedelta, never negative."""
    if not isinstance(hours, timedelta):
        hours = timedelta(microseconds=round(Decimal(str(hours)) * 3_600_000_000))
    if hours < timedelta(0):
        raise ValueError("A duration of business hours cannot be negative.")
    return hours


def _no_working_time(day) -> ValueError:
    return ValueError(f"No working time for {MAX_DAYS_OFF} days around {day}: check the "
                      "business calendar (holidays, working hours) in the admin.")
