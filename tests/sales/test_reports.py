"""The monthly sales analysis report (SAL-9): drafted on the 1st for every manager with sales,
due by the 5th moved past holidays, written and submitted by the manager (figures frozen),
reviewed by a superior who accepts it or returns it with a comment; reminders before the due
date and the overdue ones to the reviewer, each once."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qiao.core import calendar
from qiao.core.exceptions import StaleVersionError
from qiao.core.models import CalendarDay
from qiao.notify.models import Notification
from qiao.sales import selectors, services
from qiao.sales.models import SalesReport

from .factories import make_order

pytestmark = pytest.mark.django_db
OCT = date(2026, 10, 1)


@pytest.fixture
def october(personas):
    make_order(personas["am01"], personas.customers["am01"][0], ordered_on=date(2026, 10, 12))
    make_order(personas["am02"], personas.customers["am02"][0], ordered_on=date(2026, 10, 13))
    return services.report_drafts_create(OCT)


def _inbox(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_the_due_date_is_the_5th_or_the_next_working_day():
    # National Day 2026 as the business calendar has it: October 1–8 off, the 10th worked.
    CalendarDay.objects.filter(date__gte=date(2026, 10, 1), date__lte=date(2026, 10, 10)).delete()
    for day in range(1, 9):
        CalendarDay.objects.create(date=date(2026, 10, day), kind=CalendarDay.Kind.HOLIDAY,
                                   name="国庆节")
    CalendarDay.objects.create(date=date(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY,
                               name="国庆节调休")
    calendar.forget()
    assert services.report_due(date(2026, 11, 1)) == date(2026, 12, 7)  # the 5th is a Saturday
    assert services.report_due(date(2026, 12, 1)) == date(2027, 1, 5)
    assert services.report_due(OCT) == date(2026, 11, 5)
    assert services.report_due(date(2026, 9, 1)) == date(2026, 10, 9)  # the 5th is a holiday


def test_drafts_are_made_once_for_the_managers_with_sales(personas, october):
    assert october == 2
    assert services.report_drafts_create(OCT) == 2
    assert sorted(SalesReport.objects.values_list("manager__username", flat=True)) == [
        "am01", "am02"]
    assert _inbox(personas["am01"], services.REPORT_READY) == 1
    report = SalesReport.objects.get(manager=personas["am01"])
    assert report.status == "draft" and report.due_on == date(2026, 11, 5)


def test_write_submit_return_resubmit_accept(personas, october):
    am01, sup1 = personas["am01"], personas["sup1"]
    report = SalesReport.objects.get(manager=am01)
    with pytest.raises(ValidationError) as missing:
        services.report_save(actor=am01, report=report, data={"problems": "  "},
                             expected_version=report.version, submit=True)
    assert set(missing.value.message_dict) == {"problems", "forecast"}
    report = services.report_save(actor=am01, report=report, data={
        "problems": "两家客户资金紧张", "forecast": "预计持平"},
        expected_version=report.version, submit=True)
    assert report.status == "submitted"
    assert Decimal(report.figures["net_sales"]) == Decimal("1000.00")
    assert _inbox(sup1, services.REPORT_SUBMITTED) == 1
    with pytest.raises(ValidationError):  # handed in: no more changes
        services.report_save(actor=am01, report=report, data={"problems": "改"},
                             expected_version=report.version)
    with pytest.raises(PermissionDenied):
        services.report_review(actor=am01, report=report, accept=True, comment="",
                               expected_version=report.version)
    with pytest.raises(ValidationError):  # returning needs a comment
        services.report_review(actor=sup1, report=report, accept=False, comment=" ",
                               expected_version=report.version)
    report = services.report_review(actor=sup1, report=report, accept=False,
                                    comment="请写明措施", expected_version=report.version)
    assert report.status == "returned" and _inbox(am01, services.REPORT_RETURNED) == 1
    stale = report.version
    report = services.report_save(actor=am01, report=report, data={
        "problems": "两家客户资金紧张；已约定分期回款"}, expected_version=report.version,
        submit=True)
    with pytest.raises(StaleVersionError):
        services.report_review(actor=personas["region1"], report=report, accept=True,
                               comment="", expected_version=stale)
    report.refresh_from_db()  # as the page does after a conflict
    assert report.status == "submitted"
    report = services.report_review(actor=personas["region1"], report=report, accept=True,
                                    comment="", expected_version=report.version)
    assert report.status == "accepted" and report.reviewer == personas["region1"]
    assert _inbox(am01, services.REPORT_ACCEPTED) == 1


def test_only_the_manager_writes_and_only_those_who_see_them_read(personas, october):
    report = SalesReport.objects.get(manager=personas["am01"])
    with pytest.raises(PermissionDenied):
        services.report_save(actor=personas["sup1"], report=report, data={},
                             expected_version=report.version)
    assert personas.client("am02").get(reverse("sales:report", args=[report.pk])).status_code \
        == 404
    assert personas.client("am05").get(reverse("sales:report", args=[report.pk])).status_code \
        == 404
    for reader in ("am01", "sup1", "region1", "director"):
        assert personas.client(reader).get(
            reverse("sales:report", args=[report.pk])).status_code == 200
    assert [r.manager.username for r in selectors.report_list(personas["am01"])] == ["am01"]


def test_reminders_before_the_due_date_and_the_overdue_to_the_reviewer(personas, october):
    due = date(2026, 11, 5)
    assert services.report_reminders(date(2026, 11, 2)) == {"due": 0, "overdue": 0}
    assert services.report_reminders(date(2026, 11, 3)) == {"due": 2, "overdue": 0}
    assert services.report_reminders(date(2026, 11, 4)) == {"due": 0, "overdue": 0}  # once
    report = SalesReport.objects.get(manager=personas["am02"])
    services.report_save(actor=personas["am02"], report=report, data={
        "problems": "无", "forecast": "持平"}, expected_version=report.version, submit=True)
    assert services.report_reminders(due) == {"due": 0, "overdue": 0}
    assert services.report_reminders(date(2026, 11, 6)) == {"due": 0, "overdue": 1}
    assert _inbox(personas["sup1"], services.REPORT_OVERDUE) == 1
    assert services.report_reminders(date(2026, 11, 9)) == {"due": 0, "overdue": 0}


def test_the_page_writes_and_submits_and_the_reviewer_returns(personas, october):
    report = SalesReport.objects.get(manager=personas["am01"])
    url = reverse("sales:report", args=[report.pk])
    am01, sup1 = personas.client("am01"), personas.client("sup1")
    page = am01.get(url).content.decode()
    assert "客户月度销售情况分析报告" in page and "（2）存在的问题、原因及改进措施" in page
    refused = am01.post(url, {"version": report.version, "problems": "", "submit": "1"})
    assert refused.status_code == 400 and "提交前请填写此部分" in refused.content.decode()
    assert am01.post(url, {"version": report.version, "problems": "回款放缓",
                           "forecast": "预计持平", "submit": "1"}).status_code == 302
    report.refresh_from_db()
    assert sup1.post(reverse("sales:report_review", args=[report.pk]),
                     {"version": report.version, "decision": "return", "comment": ""}
                     ).status_code == 400
    assert sup1.post(reverse("sales:report_review", args=[report.pk]),
                     {"version": report.version, "decision": "return",
                      "comment": "补充措施"}).status_code == 302
    assert "补充措施" in am01.get(url).content.decode()
    assert "2026-10 销售情况分析报告" in am01.get(reverse("home")).content.decode()


def test_a_manager_opens_last_months_report_even_before_the_job(personas):
    client = personas.client("am03")
    response = client.post(reverse("sales:report_open"))
    report = SalesReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sales:report",
                                                                            args=[report.pk])
    assert report.manager == personas["am03"] and report.status == "draft"
    assert client.post(reverse("sales:report_open"))["Location"] == response["Location"]
    assert personas.client("agent01").post(reverse("sales:report_open")).status_code == 404
    assert client.get(reverse("sales:report_open")).status_code == 405
