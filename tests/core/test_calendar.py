"""The business calendar: official holidays and make-up workdays (调休) from the table seeded by
chinesecalendar, Monday to Friday for a year nobody entered, business hours inside the working
periods, and the warnings while next year's schedule is missing."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import checks
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qiao.core import calendar
from qiao.core.models import CalendarDay, WorkingPeriod

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
Kind = CalendarDay.Kind


def at(year, month, day, hour=0, minute=0):
    """An aware moment in the project's time zone (Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def official(db):
    """The seeded days (a transactional test's flush may have removed the migration's rows)."""
    calendar.seed_official_days()


@pytest.fixture
def unknown_2027(db):
    """2027 as the library and the table do not know it yet (today's situation)."""
    CalendarDay.objects.filter(date__year=2027).delete()


@pytest.fixture
def december_2026(monkeypatch):
    """Today is 2026-12-06: the coming year, 2027, should be entered by now."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 6))


# --- working days ---------------------------------------------------------------------------

def test_national_day_2025_with_its_make_up_sunday_and_saturday(official):
    assert calendar.is_working_day(date(2025, 9, 28))  # Sunday, worked for National Day
    assert all(not calendar.is_working_day(date(2025, 10, day)) for day in range(1, 9))
    assert calendar.is_working_day(date(2025, 10, 9))
    assert calendar.is_working_day(date(2025, 10, 11))  # Saturday, worked
    assert not calendar.is_working_day(date(2025, 10, 12))  # an ordinary Sunday
    assert calendar.next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)
    # Sun 28 Sep to Tue 30 Sep, then Thu 9 to Sat 11 Oct
    assert calendar.working_days_between(date(2025, 9, 27), date(2025, 10, 12)) == 6
    assert calendar.working_days_between(date(2025, 10, 12), date(2025, 9, 27)) == -6


def test_spring_festival_2026(official):
    assert calendar.is_working_day(date(2026, 2, 14))  # Saturday before the festival, worked
    assert all(not calendar.is_working_day(date(2026, 2, day)) for day in range(15, 24))
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert calendar.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert calendar.is_working_day(date(2026, 2, 28))  # Saturday after, worked
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).name == "春节"


def test_next_working_day_including_the_day_itself(official):
    """A report due on the 5th moves to the next working day only when the 5th is not one."""
    assert calendar.next_working_day(date(2025, 11, 5), including=True) == date(2025, 11, 5)
    assert calendar.next_working_day(date(2025, 10, 5), including=True) == date(2025, 10, 9)
    assert calendar.next_working_day(date(2025, 11, 5)) == date(2025, 11, 6)


def test_a_moment_counts_as_its_local_day(official):
    """23:30 on 30 Sep 2025 UTC is already National Day in Shanghai."""
    utc_evening = datetime(2025, 9, 30, 23, 30, tzinfo=UTC)
    assert not calendar.is_working_day(utc_evening)
    assert calendar.is_working_day(datetime(2025, 9, 30, 3, 0, tzinfo=UTC))


def test_a_year_nobody_entered_falls_back_to_monday_to_friday(unknown_2027):
    assert calendar.is_working_day(date(2027, 1, 1))  # a Friday, New Year's Day unknown
    assert not calendar.is_working_day(date(2027, 1, 2))
    assert calendar.next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)
    assert calendar.working_days_between(date(2027, 1, 1), date(2027, 2, 1)) == 21
    assert calendar.add_business_hours(at(2026, 12, 31, 17), 8) == at(2027, 1, 1, 17, 30)


def test_an_admin_entered_2027_holiday_takes_effect_at_once(unknown_2027, django_user_model, client):
    admin = django_user_model.objects.create_superuser("calendar-admin", password="x-123456789")
    client.force_login(admin)
    assert calendar.is_working_day(date(2027, 1, 1))  # cached as Monday to Friday
    response = client.post(reverse("admin:core_calendarday_add"),
                           {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    assert day.history.get().history_user == admin


def test_the_admin_refuses_a_make_up_workday_on_a_weekday(django_user_model, client):
    client.force_login(django_user_model.objects.create_superuser("cal-admin", password="x-1234567"))
    response = client.post(reverse("admin:core_calendarday_add"),
                           {"date": "2027-01-04", "kind": "workday", "name": "元旦"})
    assert response.status_code == 200
    assert "调休上班日只能是星期六或星期日" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2027, 1, 4)).exists()


def test_other_processes_see_a_change_within_the_cache_time(unknown_2027, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendar, "monotonic", lambda: clock[0])
    assert calendar.is_working_day(date(2027, 1, 1))
    # Another process writes the row: no signal reaches this one, so it reloads later.
    CalendarDay.objects.bulk_create([CalendarDay(date=date(2027, 1, 1), kind=Kind.HOLIDAY)])
    assert calendar.is_working_day(date(2027, 1, 1))
    clock[0] += calendar.CACHE_SECONDS + 1
    assert not calendar.is_working_day(date(2027, 1, 1))


def test_one_query_per_year_however_many_days(official):
    with CaptureQueriesContext(connection) as queries:
        hours = calendar.business_hours_between(at(2025, 1, 1), at(2027, 1, 1))
        calendar.working_days_between(date(2025, 1, 1), date(2027, 1, 1))
    assert len(queries) == 4  # the working periods, 2025, 2026, and 2027 where the walk stops
    assert hours == 7.5 * H * calendar.working_days_between(date(2025, 1, 1), date(2027, 1, 1))


# --- business hours --------------------------------------------------------------------------

def test_a_complaint_on_the_friday_before_national_day(official):
    """Fri 26 Sep 2025 17:00 + 24 business hours: 1 h on Friday, the working Sunday 28th and
    Monday 29th and Tuesday 30th (7.5 h each), then the holiday to the 8th: Thu 9 Oct 09:30."""
    complaint = at(2025, 9, 26, 17)
    due = calendar.add_business_hours(complaint, 24)
    assert due == at(2025, 10, 9, 9, 30)
    assert calendar.business_hours_between(complaint, due) == 24 * H
    assert calendar.business_hours_between(due, complaint) == -24 * H
    assert calendar.subtract_business_hours(due, 24) == complaint


@pytest.mark.parametrize(("start", "hours", "due"), [
    (at(2025, 11, 3, 17, 30), 1, at(2025, 11, 4, 9, 30)),     # over the night
    (at(2025, 11, 3, 11, 30), 1, at(2025, 11, 3, 14, 0)),     # over lunch
    (at(2025, 11, 3, 12, 30), 1, at(2025, 11, 3, 14, 30)),    # starting at lunch
    (at(2025, 11, 3, 7, 0), 0, at(2025, 11, 3, 9, 0)),        # before work: begins at 09:00
    (at(2025, 11, 7, 17, 0), 2, at(2025, 11, 10, 10, 0)),     # Friday to Monday
    (at(2025, 11, 8, 10, 0), 1, at(2025, 11, 10, 10, 0)),     # raised on a Saturday
    (at(2025, 11, 3, 9, 0), 3, at(2025, 11, 3, 12, 0)),       # ends with the morning
    (at(2025, 11, 3, 9, 0), "7.5", at(2025, 11, 3, 18, 0)),   # a whole day
    (at(2025, 11, 3, 9, 0), timedelta(minutes=90), at(2025, 11, 3, 10, 30)),
])
def test_adding_business_hours(official, start, hours, due):
    assert calendar.add_business_hours(start, hours) == due


def test_results_are_in_the_project_time_zone(official):
    start = datetime(2025, 11, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    due = calendar.add_business_hours(start, 1)
    assert due == at(2025, 11, 3, 10) and str(due.tzinfo) == "Asia/Shanghai"


def test_bad_arguments_are_refused(official):
    with pytest.raises(ValueError, match="aware"):
        calendar.add_business_hours(datetime(2025, 11, 3, 9), 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        calendar.add_business_hours(at(2025, 11, 3, 9), -1)


def test_the_working_periods_come_from_the_admin_table(official):
    WorkingPeriod.objects.all().delete()
    assert calendar.add_business_hours(at(2025, 11, 3, 8), 4) == at(2025, 11, 3, 14, 30)  # defaults
    WorkingPeriod.objects.create(start=time(8, 0), end=time(20, 0))
    assert calendar.add_business_hours(at(2025, 11, 3, 8), 4) == at(2025, 11, 3, 12)
    assert calendar.business_hours_between(at(2025, 11, 3), at(2025, 11, 4)) == 12 * H


def test_working_periods_may_not_overlap_or_end_before_they_start(django_user_model, client):
    WorkingPeriod.objects.all().delete()
    WorkingPeriod.objects.bulk_create([WorkingPeriod(start=time(9), end=time(12)),
                                       WorkingPeriod(start=time(13, 30), end=time(18))])
    client.force_login(django_user_model.objects.create_superuser("hours-admin", password="x-1234567"))
    url = reverse("admin:core_workingperiod_add")
    overlap = client.post(url, {"start": "11:00", "end": "14:00"})
    backwards = client.post(url, {"start": "18:00", "end": "09:00"})
    assert "该时段与工作时段 09:00–12:00 重叠。" in overlap.content.decode()
    assert "工作时段须在同一天内结束，且晚于开始时间。" in backwards.content.decode()
    assert WorkingPeriod.objects.count() == 2


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 30),  # noqa: DTZ001
                       ).map(timezone.make_aware)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))
HYPOTHESIS = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(start=moments, hours=durations)
def test_hours_added_are_the_hours_between(official, unknown_2027, start, hours):
    assert calendar.business_hours_between(start, calendar.add_business_hours(start, hours)) == hours


@HYPOTHESIS
@given(a=moments, b=moments, hours=durations, more=durations)
def test_adding_is_monotonic(official, unknown_2027, a, b, hours, more):
    a, b = min(a, b), max(a, b)
    assert calendar.add_business_hours(a, hours) <= calendar.add_business_hours(b, hours)
    assert calendar.add_business_hours(a, hours) <= calendar.add_business_hours(a, hours + more)
    assert calendar.business_hours_between(a, b) >= timedelta(0)


@HYPOTHESIS
@given(start=moments, now=moments, hours=durations)
def test_subtracting_gives_the_latest_start_that_is_due(official, unknown_2027, start, now, hours):
    """What the escalation's SQL filter relies on."""
    assume(hours > timedelta(0))
    cutoff = calendar.subtract_business_hours(now, hours)
    assert (calendar.add_business_hours(start, hours) <= now) == (start <= cutoff)


# --- seeding and warnings ----------------------------------------------------------------------

def test_calendar_seed_adds_what_is_missing_and_keeps_what_an_admin_changed(official, capsys):
    CalendarDay.objects.filter(date=date(2025, 10, 8)).delete()
    CalendarDay.objects.filter(date=date(2025, 10, 11)).update(kind=Kind.HOLIDAY)
    call_command("calendar_seed")
    output = capsys.readouterr().out
    assert "1 days added" in output
    assert "2025-10-11: the calendar says holiday, chinesecalendar says workday" in output
    assert CalendarDay.objects.get(date=date(2025, 10, 8)).kind == Kind.HOLIDAY
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).kind == Kind.HOLIDAY
    assert calendar.seed_official_days()[0] == 0


def test_the_seed_covers_every_year_the_library_knows(official):
    import chinese_calendar

    known = {day.year for day in chinese_calendar.holidays}
    assert min(known) == 2004 and max(known) >= 2026
    seeded = set(CalendarDay.objects.filter(kind=Kind.HOLIDAY).dates("date", "year"))
    assert {day.year for day in seeded} >= known


def test_years_without_holidays(official, unknown_2027):
    assert calendar.years_without_holidays(date(2026, 12, 6)) == [2027]
    assert calendar.years_without_holidays(date(2026, 6, 1)) == []  # 2027 not published yet
    assert calendar.years_without_holidays(date(2027, 1, 4)) == [2027]
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    assert calendar.years_without_holidays(date(2026, 12, 6)) == []


def test_check_warns_while_the_coming_year_is_missing(official, unknown_2027, december_2026):
    warnings = checks.run_checks(databases=["default"])
    assert [(w.id, w.level) for w in warnings if w.id.startswith("core.")] == [
        ("core.W001", checks.WARNING)]
    assert "2027" in next(w.msg for w in warnings if w.id == "core.W001")
    assert not [w for w in checks.run_checks() if w.id.startswith("core.")]  # no database asked
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    assert not [w for w in checks.run_checks(databases=["default"]) if w.id.startswith("core.")]


def test_the_admin_warns_on_its_index_and_the_calendar_list(official, unknown_2027, december_2026,
                                                            django_user_model, client):
    client.force_login(django_user_model.objects.create_superuser("warn-admin", password="x-1234567"))
    warning = "尚未录入 2027 年的法定节假日"
    assert warning in client.get(reverse("admin:index")).content.decode()
    assert warning in client.get(reverse("admin:core_calendarday_changelist")).content.decode()
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    assert warning not in client.get(reverse("admin:index")).content.decode()
