"""Away and overdue: delegations made and ended on the user's own page, steps already waiting
passed on when the absence begins, and the periodic escalation of steps left waiting."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.approvals import services, tasks
from qiao.approvals.models import ApprovalTask, Chain, Delegation
from qiao.core import calendar
from qiao.notify.inbox.models import Notification
from qiao.org.models import User
from qiao.visits import services as visit_services

from .conftest import hospitality, set_steps

T = ApprovalTask.State
pytestmark = pytest.mark.django_db


def inbox(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind).values_list("title", flat=True))


# --- delegation --------------------------------------------------------------------------------

def test_an_absence_that_has_begun_passes_the_waiting_steps_to_the_delegate(personas, chain):
    request = hospitality(personas)
    own = hospitality(personas, username="am02")
    today = timezone.localdate()
    services.delegation_set(actor=personas["sup1"], delegate=personas["region1"],
                            starts_on=today, ends_on=today + timedelta(days=2))
    for r in (request, own):
        task = r.tasks.get()
        assert (task.approver, task.delegated_from, task.state) == (
            personas["region1"], personas["sup1"], T.WAITING)
        assert list(r.events.values_list("kind", flat=True)) == ["submitted", "delegated"]
    assert len(inbox(personas["region1"], "approval_waiting")) == 2
    services.task_approve(actor=personas["region1"], task=request.tasks.get(), comment="代批")
    request.refresh_from_db()
    assert request.state == "approved"


def test_a_delegate_never_receives_their_own_request(personas):
    """A peer supervisor asks for a customer of sup1's team (the owner's supervisor approves):
    sup1's delegation to that peer does not pass them their own request."""
    sup1 = personas["sup1"]
    peer = User.objects.create_user("sup1b", password="x", unit=sup1.unit, position=sup1.position,
                                    supervisor=sup1.supervisor)
    set_steps((1, "客户经理的主管", "owner_supervisor", {}))
    request = visit_services.hospitality_request_create(
        actor=peer, customer=personas.customers["am01"][0], amount=Decimal("500.00"),
        date=date(2026, 12, 1), guests="采购部 2 人", purpose="季度走访")
    today = timezone.localdate()
    services.delegation_set(actor=sup1, delegate=peer, starts_on=today, ends_on=today)
    assert request.tasks.get().approver == sup1
    assert hospitality(personas).tasks.get().approver == peer  # am01's request does pass


def test_a_planned_absence_passes_nothing_yet(personas, chain):
    request = hospitality(personas)
    today = timezone.localdate()
    services.delegation_set(actor=personas["sup1"], delegate=personas["region1"],
                            starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=3))
    assert request.tasks.get().approver == personas["sup1"]


def test_bad_delegations_are_refused_with_a_field_message(personas):
    today = timezone.localdate()
    sup1 = personas["sup1"]
    cases = [
        (personas["sup1"], today, today, "delegate"),
        (personas["leaver"], today, today, "delegate"),
        (personas["region1"], today, today - timedelta(days=1), "ends_on"),
        (personas["region1"], today - timedelta(days=9), today - timedelta(days=2), "starts_on"),
        (personas["agent01"], today, today, "delegate"),
    ]
    for delegate, starts_on, ends_on, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.delegation_set(actor=sup1, delegate=delegate, starts_on=starts_on,
                                    ends_on=ends_on)
        assert field in refused.value.message_dict
    assert not Delegation.objects.exists()


def test_ending_a_delegation(personas):
    today = timezone.localdate()
    sup1 = personas["sup1"]
    running = services.delegation_set(actor=sup1, delegate=personas["region1"],
                                      starts_on=today - timedelta(days=2) + timedelta(days=2),
                                      ends_on=today + timedelta(days=5))
    Delegation.objects.filter(pk=running.pk).update(starts_on=today - timedelta(days=2))
    planned = services.delegation_set(actor=sup1, delegate=personas["region1"],
                                      starts_on=today + timedelta(days=10),
                                      ends_on=today + timedelta(days=12))
    with pytest.raises(PermissionDenied):
        services.delegation_end(actor=personas["region1"], delegation=running)
    services.delegation_end(actor=sup1, delegation=Delegation.objects.get(pk=running.pk))
    services.delegation_end(actor=sup1, delegation=planned)
    assert list(Delegation.objects.values_list("ends_on", flat=True)) == [today - timedelta(days=1)]


def test_the_delegation_page(personas, chain):
    client = personas.client("sup1")
    url = reverse("approvals:delegations")
    page = client.get(url)
    assert page.status_code == 200 and "您没有委托" in page.content.decode()
    today = timezone.localdate()
    refused = client.post(url, {"delegate": personas["region1"].pk, "starts_on": today,
                                "ends_on": today - timedelta(days=1)})
    assert refused.status_code == 400 and "委托结束日期不能早于开始日期" in refused.content.decode()
    leaver = client.post(url, {"delegate": personas["leaver"].pk, "starts_on": today, "ends_on": today})
    assert leaver.status_code == 400 and not Delegation.objects.exists()
    saved = client.post(url, {"delegate": personas["region1"].pk, "starts_on": today,
                              "ends_on": today + timedelta(days=3)}, follow=True)
    html = saved.content.decode()
    assert saved.status_code == 200 and "生效中" in html and str(personas["region1"]) in html
    delegation = Delegation.objects.get()
    assert (delegation.user, delegation.delegate) == (personas["sup1"], personas["region1"])
    other = personas.client("region1").post(reverse("approvals:delegation_end", args=[delegation.pk]))
    assert other.status_code == 404
    ended = client.post(reverse("approvals:delegation_end", args=[delegation.pk]))
    assert ended.status_code == 302 and not Delegation.objects.exists()  # began today: removed


# --- escalation -------------------------------------------------------------------------------
# Chains escalate after business hours (09:00-12:00 and 13:30-18:00 on working days). The week of
# 9 June 2025 has no holiday: a step waiting since Wednesday 09:00 has waited 7.5 h by Wednesday
# evening, 22.5 h by Friday evening, and its 24th hour ends on Monday 16 June at 10:30.

def at(day, hour, minute=0, month=6):
    return datetime(2025, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


WEDNESDAY_9 = at(11, 9)


def waiting_since(request, moment):
    request.tasks.filter(state=T.WAITING).update(waiting_since=moment)


def long_ago(request):
    """Overdue whatever today is: two months cover far more than 24 working hours."""
    waiting_since(request, timezone.now() - timedelta(days=60))


def test_a_step_waiting_too_long_is_escalated_once(personas, chain):
    old, recent = hospitality(personas), hospitality(personas, username="am02")
    long_ago(old)
    assert tasks.approvals_escalate.call_local() == 1
    assert services.tasks_escalate() == 0  # once per task
    task = old.tasks.get()
    assert task.escalated_at is not None and recent.tasks.get().escalated_at is None
    assert inbox(personas["sup1"], "approval_overdue") == [
        f"催办：{old.title} 等待您审批已超过 24 个工作小时"]
    # sup1's own supervisor is the regional manager of region 1
    assert inbox(personas["region1"], "approval_escalated") == [
        f"超时未审批：{personas['sup1']} 已 24 个工作小时未审批 {old.title}"]
    assert "escalated" in old.events.values_list("kind", flat=True)


def test_escalation_counts_working_hours_not_the_weekend(personas, chain):
    request = hospitality(personas)
    waiting_since(request, WEDNESDAY_9)
    assert services.tasks_escalate(now=at(13, 18)) == 0  # Friday evening: 22.5 working hours
    assert services.tasks_escalate(now=at(14, 12)) == 0  # Saturday: 75 hours, still 22.5
    assert services.tasks_escalate(now=at(16, 10, 29)) == 0  # Monday 10:29: 23.98
    assert services.tasks_escalate(now=at(16, 10, 30)) == 1
    assert request.tasks.get().escalated_at == at(16, 10, 30)


def test_escalation_waits_through_a_holiday(personas, chain):
    """Waiting since Tuesday 30 Sep 2025 09:00: 7.5 h that day, none over National Day
    (1-8 Oct), 15 h on the 9th and 10th, and the 24th hour on the working Saturday 11 Oct."""
    calendar.seed_official_days()  # a flush after a browser test may have removed the rows
    request = hospitality(personas)
    waiting_since(request, at(30, 9, month=9))
    assert services.tasks_escalate(now=at(8, 18, month=10)) == 0
    assert services.tasks_escalate(now=at(11, 10, month=10)) == 0
    assert services.tasks_escalate(now=at(11, 11, 30, month=10)) == 1


def test_escalation_follows_each_chain_and_skips_decided_steps(personas, chain):
    decided, waiting = hospitality(personas), hospitality(personas)
    waiting_since(decided, WEDNESDAY_9)
    waiting_since(waiting, WEDNESDAY_9)
    friday_10 = at(13, 10)  # 16 working hours later
    services.task_approve(actor=personas["sup1"], task=decided.tasks.get())
    Chain.objects.filter(pk=chain.pk).update(escalate_after_hours=48)
    assert services.tasks_escalate(now=friday_10) == 0
    Chain.objects.filter(pk=chain.pk).update(escalate_after_hours=None)
    assert services.tasks_escalate(now=at(30, 10)) == 0
    Chain.objects.filter(pk=chain.pk).update(escalate_after_hours=12)
    assert services.tasks_escalate(now=friday_10) == 1
    assert decided.tasks.get().escalated_at is None


def test_escalation_reaches_the_regional_manager_when_the_approver_has_no_supervisor(personas, chain):
    sup1 = personas["sup1"]
    sup1.supervisor = None
    sup1.save(update_fields=["supervisor"])
    request = hospitality(personas)
    long_ago(request)
    assert services.tasks_escalate() == 1
    assert len(inbox(personas["region1"], "approval_escalated")) == 1


def test_escalation_queries_grow_with_the_overdue_steps_only(personas, chain):
    """The same work for each overdue step, however many requests the database holds."""
    def escalate(count):
        for _ in range(count):
            long_ago(hospitality(personas))
        hospitality(personas, username="am02")  # recent: not touched
        with CaptureQueriesContext(connection) as queries:
            assert services.tasks_escalate() == count
        return len(queries)

    one = escalate(1)
    assert escalate(3) <= 3 * one
