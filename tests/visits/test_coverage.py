"""Visit coverage (拜访覆盖率, issue 12 item 6) and the three seed tables (CUS-10): figures
against hand-computed values on a small fixture for a manager, a supervisor, a regional
manager and the director; scope (another team's rows never appear, another's drill-down is
404); each seed table's rows and its Excel file through core.exports.send (logged); the
daily reminder exactly once; the page's queries do not grow with the visits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.audit.models import OperationLog
from qiao.customers.models import Customer
from qiao.customers.services import customer_follow_up_record
from qiao.notify.models import Notification
from qiao.visits import coverage, desk, reminders, services
from qiao.visits.models import VisitRule

from .factories import coverage_world, make_visit, plan_week

pytestmark = pytest.mark.django_db
URL = reverse("visits:coverage")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(personas):
    return coverage_world(personas)


def _figures(row):
    return (row.planned, row.done, row.on_time, row.visits, row.special, row.unplanned,
            row.overdue)


def _table(personas, world, username, by="manager"):
    table = coverage.coverage(personas[username], world["start"], world["end"], by=by)
    return {row.name: _figures(row) for row in table["rows"]}, table["total"]


def _name(personas, username):
    return str(personas[username])


def test_period_bounds():
    day = timezone.datetime(2026, 5, 14).date()
    assert coverage.period_bounds("week", day) == (day.replace(day=11), day.replace(day=17))
    assert coverage.period_bounds("month", day) == (day.replace(day=1), day.replace(day=31))
    assert coverage.period_bounds("quarter", day) == (day.replace(month=4, day=1),
                                                      day.replace(month=6, day=30))
    assert coverage.rate(2, 3) == Decimal("66.7") and coverage.rate(1, 0) is None


def test_director_sees_every_manager_against_hand_computed_figures(personas, world):
    rows, total = _table(personas, world, "director")
    # planned, done, on time, visits, special, unplanned, overdue
    assert rows == {
        _name(personas, "am01"): (2, 2, 1, 3, 1, 1, 1),  # a1 overdue: last visit 10 days in
        _name(personas, "am02"): (1, 0, 0, 0, 0, 0, 2),  # b1, b2 never visited
        _name(personas, "am03"): (0, 0, 0, 1, 0, 1, 1),  # draft schedule; c2 never visited
        _name(personas, "am05"): (1, 1, 1, 1, 0, 0, 2),  # d1 (7 days), d2 never visited
    }
    assert _figures(total) == (4, 3, 2, 5, 1, 2, 6)
    assert total.done_rate == Decimal("75.0") and total.on_time_rate == Decimal("50.0")


def test_rows_by_team_region_and_grade(personas, world):
    regions = personas.org.regions
    rows, _total = _table(personas, world, "director", by="region")
    assert rows == {regions[0].name: (3, 2, 1, 4, 1, 2, 4), regions[1].name: (1, 1, 1, 1, 0, 0, 2)}
    rows, _total = _table(personas, world, "director", by="team")
    assert rows == {personas["am01"].unit.name: (3, 2, 1, 3, 1, 1, 3),
                    personas["am03"].unit.name: (0, 0, 0, 1, 0, 1, 1),
                    personas["am05"].unit.name: (1, 1, 1, 1, 0, 0, 2)}
    rows, _total = _table(personas, world, "director", by="grade")
    assert rows == {world["rank"][1].name: (3, 2, 2, 4, 1, 2, 4),
                    world["rank"][3].name: (1, 1, 0, 1, 0, 0, 2)}


def test_each_sees_only_their_scope(personas, world):
    rows, total = _table(personas, world, "am01")
    assert rows == {_name(personas, "am01"): (2, 2, 1, 3, 1, 1, 1)}
    rows, total = _table(personas, world, "sup1")
    assert rows == {_name(personas, "am01"): (2, 2, 1, 3, 1, 1, 1),
                    _name(personas, "am02"): (1, 0, 0, 0, 0, 0, 2)}
    assert _figures(total) == (3, 2, 1, 3, 1, 1, 3)
    rows, total = _table(personas, world, "region1")
    assert set(rows) == {_name(personas, u) for u in ("am01", "am02", "am03")}
    assert _figures(total) == (3, 2, 1, 4, 1, 2, 4)
    rows, _total = _table(personas, world, "region2")
    assert rows == {_name(personas, "am05"): (1, 1, 1, 1, 0, 0, 2)}


def test_secret_customer_counts_only_for_the_cleared(personas, world):
    sup, director = personas["sup1"], personas["director"]
    assert sup.clearance < director.clearance
    Customer._base_manager.filter(pk=world["b2"].pk).update(secret_level=director.clearance)
    rows, _total = _table(personas, world, "sup1")
    assert rows[_name(personas, "am02")][-1] == 1
    rows, _total = _table(personas, world, "director")
    assert rows[_name(personas, "am02")][-1] == 2


def test_without_visit_rules_nobody_is_overdue(personas, world):
    VisitRule.objects.all().delete()
    rows, total = _table(personas, world, "director")
    assert total.overdue == 0 and total.planned == 4
    assert desk.commitments_context(personas["am02"])["overdue_customers"] == []
    page = personas.client("sup1").get(reverse("visits:coverage_manager",
                                               args=[personas["am02"].pk]))
    assert page.status_code == 200


def test_page_chart_print_and_excel(personas, world):
    client = personas.client("sup1")
    query = f"?period=month&day={world['start'].isoformat()}"
    page = client.get(URL + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="chart-coverage"' in html and "echarts.min.js" in html
    assert html.count('data-testid="coverage-row"') == 2
    assert _name(personas, "am03") not in html  # another team's manager never appears
    printed = client.get(URL + query + "&print=1")
    assert printed.status_code == 200
    assert OperationLog.objects.filter(action=OperationLog.Kind.PRINT).count() == 1
    excel = client.get(URL + query + "&format=xlsx")
    assert excel.status_code == 200
    assert b"".join(excel.streaming_content)[:2] == b"PK"
    log = OperationLog.objects.get(action=OperationLog.Kind.EXPORT)
    assert log.actor == personas["sup1"] and log.details["rows"] == 2


def test_drill_down_within_scope_only(personas, world):
    query = f"?period=month&day={world['start'].isoformat()}"
    sup = personas.client("sup1")
    page = sup.get(reverse("visits:coverage_manager", args=[personas["am02"].pk]) + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="drill-overdue-row"') == 2
    assert html.count('data-testid="drill-missed-row"') == 1 and world["b1"].name in html
    # Another team's manager, and a manager's colleague: 404.
    assert sup.get(reverse("visits:coverage_manager",
                           args=[personas["am03"].pk])).status_code == 404
    assert personas.client("am01").get(reverse(
        "visits:coverage_manager", args=[personas["am02"].pk])).status_code == 404
    assert personas.client("am01").get(reverse(
        "visits:coverage_manager", args=[personas["am01"].pk])).status_code == 200


def test_query_count_does_not_grow_with_visits(personas, world, django_assert_max_num_queries):
    client = personas.client("director")
    query = f"?period=month&day={world['start'].isoformat()}"
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL + query).status_code == 200
    for offset in range(1, 6):
        make_visit(personas["am01"], world["a2"], visited_on=world["end"] - timedelta(days=offset))
        make_visit(personas["am05"], world["d2"], visited_on=world["end"] - timedelta(days=offset))
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(URL + query).status_code == 200
    rows, _total = _table(personas, world, "director")
    assert rows[_name(personas, "am05")] == (1, 1, 1, 6, 0, 0, 1)  # d1 still overdue


# --- the three seed tables ---------------------------------------------------------------------

def test_contact_table_rows_and_excel(personas, world):
    customer_follow_up_record(actor=personas["am01"], customer=world["a1"], channel="phone",
                              note="电话确认下月订货量。")
    customer_follow_up_record(actor=personas["am03"], customer=world["c1"], channel="visit",
                              note="上门回访。")
    page = personas.client("sup1").get(reverse("visits:contacts_table"))
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="table-row"') == 1
    assert "电话确认下月订货量。" in html and "上门回访。" not in html
    excel = personas.client("sup1").get(reverse("visits:contacts_table_export"))
    assert excel.status_code == 200
    log = OperationLog.objects.get(action=OperationLog.Kind.EXPORT)
    assert log.details["rows"] == 1
    # A manager without the export action has no file.
    assert personas.client("am01").get(reverse("visits:contacts_table_export")).status_code in (
        403, 404)


def test_visit_table_rows_and_excel(personas, world):
    page = personas.client("region1").get(reverse("visits:visits_table"))
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="table-row"') == 4
    assert world["d1"].name not in html  # region 2's
    assert "门店被水淹" in html  # a special visit's situation is its content
    filtered = personas.client("region1").get(reverse("visits:visits_table"),
                                              {"manager": personas["am03"].pk})
    assert filtered.content.decode().count('data-testid="table-row"') == 1
    excel = personas.client("region1").get(reverse("visits:visits_table_export"))
    assert excel.status_code == 200
    assert OperationLog.objects.get(action=OperationLog.Kind.EXPORT).details["rows"] == 4


def test_hospitality_table_rows_and_excel(personas, world, chain):
    day = timezone.localdate() + timedelta(days=3)
    services.hospitality_request_create(actor=personas["am01"], customer=world["a1"],
                                        amount=Decimal("860.00"), date=day,
                                        guests="采购部李经理等 3 人", purpose="新品推介后工作餐")
    services.hospitality_request_create(actor=personas["am05"], customer=world["d1"],
                                        amount=Decimal("500.00"), date=day,
                                        guests="店主", purpose="年终答谢")
    page = personas.client("sup1").get(reverse("visits:hospitality_table"))
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="table-row"') == 1
    assert "采购部李经理等 3 人" in html and "年终答谢" not in html
    excel = personas.client("director").get(reverse("visits:hospitality_table_export"))
    assert excel.status_code == 200
    assert OperationLog.objects.get(action=OperationLog.Kind.EXPORT).details["rows"] == 2


def test_report_centre_lists_the_entries(personas, world):
    html = personas.client("sup1").get(reverse("reports:index")).content.decode()
    for name in ("visits:coverage", "visits:contacts_table", "visits:visits_table",
                 "visits:hospitality_table"):
        assert reverse(name) in html


# --- the start page and the daily reminder ----------------------------------------------------

def test_desk_lists_overdue_customers_and_yesterdays_missed_visits(personas, world):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    week = yesterday - timedelta(days=yesterday.weekday())
    plan_week(personas["am02"], week, [(world["b1"], yesterday)])
    data = desk.commitments_context(personas["am02"])
    assert {c.pk for c in data["overdue_customers"]} == {world["b1"].pk, world["b2"].pk}
    assert data["overdue_customers_count"] == 2
    assert [line.customer_id for line in data["missed"]] == [world["b1"].pk]
    html = personas.client("am02").get("/").content.decode()
    assert html.count('data-testid="desk-overdue-customer"') == 2
    assert 'data-testid="desk-missed"' in html


def test_daily_reminder_once_per_manager_per_day(personas, world):
    today = timezone.localdate()
    sent = reminders.visits_due_remind(today=today)
    again = reminders.visits_due_remind(today=today)
    assert again == 0
    notes = Notification.objects.filter(kind=reminders.VISITS_DUE)
    # At today: a1 (visited by the 17th of last month, rule 7 days), b1 and b2 (never), c2
    # (never), d1 (visited by the 7th of last month) and d2 (never) are overdue whatever the
    # day; a2 and c1 depend on how far into this month today is.
    by = {n.recipient.username: n.params for n in notes}
    assert sent == len(by) == notes.count()
    assert set(by) == {"am01", "am02", "am03", "am05"}
    assert by["am02"]["overdue"] == 2 and by["am05"]["overdue"] == 2
    assert by["am02"]["missed"] == 0
    assert notes.get(recipient=personas["am02"]).url == reverse(
        "visits:coverage_manager", args=[personas["am02"].pk]) + "?period=week"
    # The next day: a new message.
    assert reminders.visits_due_remind(today=today + timedelta(days=1)) == sent
