"""Work logs and summaries (工作日志、个人总结, issue 12 item 10) and going-out registration
(外出登记): the draft made from the author's own work of the period (and nobody else's), in a
fixed number of queries; one report per period; edit with the version (409), submit, the
supervisor's comment and the inbox messages; scope (a manager never sees another's: 404, the
supervisor sees the team's); going out refused on bad times and text; the desk's "out now"."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.core.exceptions import StaleVersionError
from qiao.customers.services import customer_follow_up_record
from qiao.notify.models import Notification
from qiao.visits import desk, worklog
from qiao.visits import worklog_selectors as reads
from qiao.visits.models import GoingOut, WorkReport

from .factories import make_visit

pytestmark = pytest.mark.django_db
Period = WorkReport.Period
DRAFT_QUERIES = 3  # visits, commitments, other timeline events (the scope is the user's own)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("period", "day", "start", "end"), [
    (Period.DAY, date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 4)),
    (Period.WEEK, date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 8)),  # Wednesday
    (Period.MONTH, date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    (Period.MONTH, date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    (Period.QUARTER, date(2026, 8, 15), date(2026, 7, 1), date(2026, 9, 30)),
    (Period.QUARTER, date(2026, 11, 2), date(2026, 10, 1), date(2026, 12, 31)),
    (Period.YEAR, date(2026, 6, 1), date(2026, 1, 1), date(2026, 12, 31)),
])
def test_period_bounds(period, day, start, end):
    assert reads.period_bounds(period, day) == (start, end)


def _busy_day(personas, visits=1):
    """Today: am01 visits `visits` of their customers (a commitment made on the first) and
    follows up a call; am02 visits one of theirs with a commitment of their own."""
    today = timezone.localdate()
    am01, am02 = personas["am01"], personas["am02"]
    mine = personas.customers["am01"]
    for i, customer in enumerate(mine[:visits]):
        make_visit(am01, customer, visited_on=today, purpose=f"例行走访{i}",
                   commitments=[("下周补送畅销品", today + timedelta(days=7))] if i == 0 else [])
    customer_follow_up_record(actor=am01, customer=mine[-1], channel="phone",
                              note="电话确认春节备货数量")
    theirs = personas.customers["am02"][0]
    make_visit(am02, theirs, visited_on=today, commitments=[("同事的承诺", today)])
    return today, mine, theirs


def test_the_draft_lists_the_authors_own_work_of_the_day(personas):
    today, mine, theirs = _busy_day(personas)
    report = worklog.report_draft(actor=personas["am01"], period=Period.DAY, day=today)
    body = report.body
    assert report.period_start == today and report.unit == personas["am01"].unit
    assert "拜访客户（1）" in body and f"{mine[0].name}（正常访问，上门拜访）例行走访0" in body
    assert f"{mine[0].name}：下周补送畅销品" in body and "对客户的承诺（1）" in body
    assert "电话确认春节备货数量" in body and mine[-1].name in body
    # Nobody else's work; the visit itself is not repeated among the timeline's lines.
    assert theirs.name not in body and "同事的承诺" not in body
    other = body.split("其他客户工作")[1].split("\n\n")[0]
    assert f"{mine[0].name}：正常访问" not in other  # the visit's own timeline line
    # Yesterday's log is empty of it.
    yesterday = worklog.report_draft(actor=personas["am01"], period=Period.DAY,
                                     day=today - timedelta(days=1))
    assert mine[0].name not in yesterday.body and "拜访客户（0）" in yesterday.body


def test_the_draft_takes_a_fixed_number_of_queries(personas):
    today, _mine, _theirs = _busy_day(personas, visits=1)
    am01 = personas["am01"]
    start, end = reads.period_bounds(Period.MONTH, today)
    with CaptureQueriesContext(connection) as few:
        worklog.draft_text(am01, Period.MONTH, start, end)
    for customer in personas.customers["am01"][1:]:
        make_visit(am01, customer, visited_on=today, commitments=[("再送一批", today)])
    with CaptureQueriesContext(connection) as many:
        text = worklog.draft_text(am01, Period.MONTH, start, end)
    assert text.count("再送一批") == len(personas.customers["am01"]) - 1
    assert len(many) == len(few) <= DRAFT_QUERIES


def test_one_report_per_period_and_no_period_not_started(personas):
    am01, today = personas["am01"], timezone.localdate()
    week = worklog.report_draft(actor=am01, period=Period.WEEK, day=today)
    with pytest.raises(ValidationError, match="已经写过"):
        worklog.report_draft(actor=am01, period=Period.WEEK, day=week.period_start)
    with pytest.raises(ValidationError):
        worklog.report_draft(actor=am01, period=Period.DAY, day=today + timedelta(days=1))
    with pytest.raises(ValidationError):
        worklog.report_draft(actor=am01, period=Period.DAY, day=date(1, 1, 1))
    with pytest.raises(ValidationError):
        worklog.report_draft(actor=am01, period="decade", day=today)
    # Another kind of the same start, or another author: allowed.
    worklog.report_draft(actor=personas["am02"], period=Period.WEEK, day=today)
    assert WorkReport.objects.filter(author=am01).count() == 1


def test_save_submit_comment_and_the_inbox(personas):
    am01, sup1, am02 = personas["am01"], personas["sup1"], personas["am02"]
    report = worklog.report_draft(actor=am01, period=Period.DAY, day=timezone.localdate())
    with pytest.raises(ValidationError):
        worklog.report_save(actor=am01, report=report, expected_version=1, body="\u200b \u200b")
    with pytest.raises(ValidationError):
        worklog.report_save(actor=am01, report=report, expected_version=1, body="字" * 20001)
    report = worklog.report_save(actor=am01, report=report, expected_version=1,
                                 body="今日走访三家。\u200b")
    assert report.body == "今日走访三家。" and report.version == 2
    with pytest.raises(StaleVersionError):
        worklog.report_save(actor=am01, report=report, expected_version=1, body="旧页面")
    same = worklog.report_save(actor=am01, report=report, expected_version=2, body="今日走访三家。")
    assert same.version == 2  # saved unchanged: nothing written
    with pytest.raises(PermissionDenied):  # a teammate: out of scope
        worklog.report_save(actor=am02, report=report, expected_version=2, body="改别人的")
    with pytest.raises(ValidationError):  # not submitted yet
        worklog.report_comment(actor=sup1, report=report, expected_version=2, comment="好")
    report = worklog.report_submit(actor=am01, report=report, expected_version=2)
    told = Notification.objects.get(recipient=sup1, kind=worklog.REPORT_SUBMITTED)
    assert told.url == reverse("visits:work_report", args=[report.pk])
    with pytest.raises(ValidationError):  # submitted: no longer changed
        worklog.report_save(actor=am01, report=report, expected_version=3, body="再改")
    with pytest.raises(PermissionDenied):  # not one's own
        worklog.report_comment(actor=am01, report=report, expected_version=3, comment="自评")
    with pytest.raises(ValidationError):
        worklog.report_comment(actor=sup1, report=report, expected_version=3, comment=" \u200b ")
    report = worklog.report_comment(actor=sup1, report=report, expected_version=3,
                                    comment="明天先去逾期客户。")
    assert report.status == WorkReport.Status.REVIEWED and report.commented_by == sup1
    Notification.objects.get(recipient=am01, kind=worklog.REPORT_COMMENTED)
    inbox = personas.client("am01").get(reverse("notify:inbox")).content.decode()
    assert "批注了您的工作报告" in inbox


def test_scope_own_and_team(personas):
    am01 = personas["am01"]
    report = worklog.report_draft(actor=am01, period=Period.DAY, day=timezone.localdate())
    url = reverse("visits:work_report", args=[report.pk])
    for name in ("am02", "am03", "am05"):  # a teammate, another team, another region
        assert personas.client(name).get(url).status_code == 404
        listed = personas.client(name).get(reverse("visits:work_reports")).content.decode()
        assert url not in listed
    assert personas.client("am02").get(
        reverse("visits:work_report_edit", args=[report.pk])).status_code == 404
    sup1 = personas.client("sup1")
    assert sup1.get(url).status_code == 200
    assert sup1.get(reverse("visits:work_report_edit", args=[report.pk])).status_code == 404
    listed = sup1.get(reverse("visits:work_reports") + f"?author={am01.pk}&period=day")
    assert url in listed.content.decode()
    assert url not in sup1.get(reverse("visits:work_reports") + "?period=week").content.decode()


def test_the_pages_in_chinese_and_the_stale_edit(personas):
    am01 = personas.client("am01")
    assert "工作日志" in am01.get(reverse("visits:work_reports")).content.decode()
    assert "起草" in am01.get(reverse("visits:work_report_new")).content.decode()
    response = am01.post(reverse("visits:work_report_new"),
                         {"period": "week", "day": timezone.localdate().isoformat()})
    report = WorkReport.objects.get(author=personas["am01"])
    assert response.status_code == 302 and response.url == reverse("visits:work_report_edit",
                                                                    args=[report.pk])
    again = am01.post(reverse("visits:work_report_new"),
                      {"period": "week", "day": timezone.localdate().isoformat()})
    assert again.status_code == 400 and "已经" in again.content.decode()
    edit = reverse("visits:work_report_edit", args=[report.pk])
    assert "拜访客户（0）" in am01.get(edit).content.decode()  # the drafted text, to edit
    assert am01.post(edit, {"version": 1, "body": "周总结"}).status_code == 302
    stale = am01.post(edit, {"version": 1, "body": "旧页面的改动"})
    assert stale.status_code == 409
    report.refresh_from_db()
    assert report.body == "周总结"
    detail = am01.get(reverse("visits:work_report", args=[report.pk])).content.decode()
    assert "提交给主管" in detail and "周总结" in detail
    assert am01.post(reverse("visits:work_report_submit", args=[report.pk]),
                     {"version": 2}).status_code == 302
    page = personas.client("sup1").get(reverse("visits:work_report", args=[report.pk]))
    assert 'data-testid="work-report-comment-form"' in page.content.decode()


# --- going out -------------------------------------------------------------------------------

def _at(hours):
    return timezone.now().replace(microsecond=0) + timedelta(hours=hours)


def test_going_out_refuses_bad_input_and_writes_nothing(personas):
    am01 = personas["am01"]
    ok = {"place": "浦东新区张江", "purpose": "拜访客户", "leaves_at": _at(0), "until": _at(3)}
    bad = [
        {"until": _at(-1)},  # back before going out
        {"until": _at(0)},
        {"until": _at(24 * 40)},  # longer than a month
        {"leaves_at": datetime(1, 1, 2, tzinfo=UTC)},
        {"place": "\u200b\u200b"},
        {"purpose": " "},
        {"customer": personas.customers["am02"][0]},  # a teammate's customer
    ]
    for change in bad:
        with pytest.raises(ValidationError):
            worklog.going_out_register(actor=am01, **{**ok, **change})
    with pytest.raises(ValidationError):
        worklog.going_out_register(actor=am01, **{**ok, "place": "远" * 201})
    assert not GoingOut.objects.exists()
    going = worklog.going_out_register(actor=am01, customer=personas.customers["am01"][0], **ok)
    assert going.unit == am01.unit and going.is_out


def test_going_out_form_and_the_supervisors_view(personas):
    am01 = personas.client("am01")
    page = am01.get(reverse("visits:going_out_new")).content.decode()
    assert "外出登记" in page or "登记外出" in page
    start = timezone.localtime().replace(second=0, microsecond=0)
    form = {"place": "闵行区", "purpose": "送货", "leaves_at": start.strftime("%Y-%m-%dT%H:%M"),
            "until": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    assert am01.post(reverse("visits:going_out_new"), form).status_code == 400
    form["until"] = (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert am01.post(reverse("visits:going_out_new"), form).status_code == 302
    going = GoingOut.objects.get()
    # The supervisor sees it on the desk and in the list; a teammate does not.
    sup1 = personas["sup1"]
    assert [g.pk for g in desk.out_now_context(sup1)["out"]] == [going.pk]
    assert desk.out_now_context(personas["am02"]) is None
    assert desk.out_now_context(personas["am01"]) is None  # one's own is not "the team"
    assert "闵行区" in personas.client("sup1").get(reverse("visits:going_out")).content.decode()
    assert "闵行区" not in personas.client("am02").get(
        reverse("visits:going_out")).content.decode()
    # Only its author marks it returned, once.
    ret = reverse("visits:going_out_return", args=[going.pk])
    assert personas.client("am02").post(ret).status_code == 404
    assert personas.client("sup1").post(ret).status_code == 404
    assert am01.post(ret).status_code == 302
    going.refresh_from_db()
    assert going.returned_at is not None and desk.out_now_context(sup1) is None
    with pytest.raises(ValidationError):
        worklog.going_out_return(actor=personas["am01"], going_out=going)
    still_out = reverse("visits:going_out") + "?out=on"
    assert "闵行区" not in personas.client("sup1").get(still_out).content.decode()


def test_reports_and_registrations_follow_their_author_to_a_new_unit(personas):
    from qiao.org.services import user_move

    am01 = personas["am01"]
    report = worklog.report_draft(actor=am01, period=Period.DAY, day=timezone.localdate())
    going = worklog.going_out_register(actor=am01, place="外区", purpose="培训",
                                       leaves_at=_at(0), until=_at(2))
    other_team = personas["am03"].unit
    user_move(user=am01, unit=other_team)
    report.refresh_from_db()
    going.refresh_from_db()
    assert report.unit == other_team and going.unit == other_team


def test_demo_work_reports(personas):
    """Daily logs and weekly summaries submitted, drafted from the demo visits, some commented;
    am01 out now (sup1's desk), am02 back; loaded once."""
    from qiao.visits.demo import load_demo_visit_records, load_demo_work_reports

    load_demo_visit_records()
    load_demo_work_reports()
    am01 = personas["am01"]
    mine = WorkReport.objects.filter(author=am01)
    assert mine.filter(period=Period.WEEK).count() == 4
    assert mine.filter(period=Period.DAY).count() == 10  # two weeks' working days
    assert mine.exclude(status=WorkReport.Status.DRAFT).count() == mine.count()
    assert mine.filter(status=WorkReport.Status.REVIEWED, commented_by=personas["sup1"]).exists()
    assert mine.filter(body__contains="拜访客户（").count() == mine.count()
    assert [g.author for g in desk.out_now_context(personas["sup1"])["out"]] == [am01]
    count = WorkReport.objects.count()
    load_demo_work_reports()
    assert WorkReport.objects.count() == count
