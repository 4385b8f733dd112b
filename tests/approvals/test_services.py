"""The engine's workflows through its services: sequential, parallel, thresholds, delegation,
return and resubmit, withdraw, reject, and every refusal with nothing written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qiao.approvals import services
from qiao.approvals.models import (
    ApprovalEvent,
    ApprovalRequest,
    ApprovalTask,
    Delegation,
)
from qiao.core.exceptions import ConflictError
from qiao.org.models import Position
from qiao.visits.models import HospitalityRequest

from .conftest import dept_manager_position, hospitality, set_steps

R = ApprovalRequest.State
T = ApprovalTask.State
pytestmark = pytest.mark.django_db


def waiting(request):
    return sorted(t.approver.username for t in request.tasks.filter(state=T.WAITING))


def events(request):
    return list(request.events.values_list("kind", flat=True))


def test_sequential_chain_supervisor_then_department_manager(personas, chain):
    request = hospitality(personas, amount="3600.00")
    assert request.state == R.SUBMITTED
    assert waiting(request) == ["sup1"]
    services.task_approve(actor=personas["sup1"], task=request.tasks.get(order=1), comment="ok")
    request.refresh_from_db()
    assert request.state == R.IN_PROGRESS and request.current_order == 2
    assert waiting(request) == ["deptmgr"]
    services.task_approve(actor=personas["deptmgr"], task=request.tasks.get(order=2))
    request.refresh_from_db()
    assert request.state == R.APPROVED and request.decided_at is not None
    assert waiting(request) == []
    assert events(request) == ["submitted", "approved", "approved", "completed"]
    assert request.history.count() >= 3  # django-simple-history keeps every state


def test_amount_threshold_leaves_out_the_department_manager_below_2000(personas, chain):
    small = hospitality(personas, amount="1999.99")
    assert list(small.tasks.values_list("step_label", flat=True)) == ["主管审批"]
    services.task_approve(actor=personas["sup1"], task=small.tasks.get())
    small.refresh_from_db()
    assert small.state == R.APPROVED
    exactly = hospitality(personas, amount="2000.00")
    assert exactly.tasks.count() == 2


def test_parallel_step_needs_everyone_before_the_next_starts(personas):
    set_steps((1, "主管", "supervisor", {}),
              (1, "区域经理", "regional_manager", {}),
              (2, "部门经理", "position", {"position": dept_manager_position()}))
    request = hospitality(personas)
    assert waiting(request) == ["region1", "sup1"]
    services.task_approve(actor=personas["sup1"], task=request.tasks.get(approver=personas["sup1"]))
    request.refresh_from_db()
    assert request.state == R.IN_PROGRESS and request.current_order == 1
    assert waiting(request) == ["region1"]
    services.task_approve(actor=personas["region1"],
                          task=request.tasks.get(approver=personas["region1"]))
    request.refresh_from_db()
    assert request.current_order == 2 and waiting(request) == ["deptmgr"]


def test_a_reject_anywhere_ends_the_request(personas):
    set_steps((1, "主管", "supervisor", {}), (1, "区域经理", "regional_manager", {}),
              (2, "部门经理", "position", {"position": dept_manager_position()}))
    request = hospitality(personas)
    with pytest.raises(ValidationError):
        services.task_reject(actor=personas["region1"],
                             task=request.tasks.get(approver=personas["region1"]), comment="  ")
    services.task_reject(actor=personas["region1"],
                         task=request.tasks.get(approver=personas["region1"]), comment="超标准")
    request.refresh_from_db()
    assert request.state == R.REJECTED
    assert set(request.tasks.values_list("state", flat=True)) == {T.REJECTED, T.SKIPPED}
    with pytest.raises(ConflictError, match="已结束"):
        services.task_approve(actor=personas["sup1"],
                              task=request.tasks.get(approver=personas["sup1"]))


def test_return_for_changes_and_resubmit_restart_the_chain(personas, chain):
    request = hospitality(personas, amount="3000.00")
    services.task_approve(actor=personas["sup1"], task=request.tasks.get(order=1))
    with pytest.raises(ValidationError):
        services.task_return(actor=personas["deptmgr"], task=request.tasks.get(order=2), comment="")
    services.task_return(actor=personas["deptmgr"], task=request.tasks.get(order=2),
                         comment="请补充来宾名单")
    request.refresh_from_db()
    assert request.state == R.RETURNED and waiting(request) == []
    with pytest.raises(PermissionDenied):
        services.request_resubmit(actor=personas["am02"], request=request)
    # The requester lowers the amount: the new round follows the chain as it applies now.
    HospitalityRequest.objects.filter(pk=request.object_id).update(amount="1500.00")
    services.request_resubmit(actor=personas["am01"], request=request)
    request.refresh_from_db()
    assert (request.state, request.round, request.current_order) == (R.SUBMITTED, 2, 1)
    assert str(request.amount) == "1500.00"
    assert waiting(request) == ["sup1"]
    assert request.tasks.filter(round=2).count() == 1
    services.task_approve(actor=personas["sup1"], task=request.tasks.get(round=2))
    request.refresh_from_db()
    assert request.state == R.APPROVED
    assert events(request) == ["submitted", "approved", "returned", "resubmitted", "approved",
                               "completed"]
    with pytest.raises(ConflictError):
        services.request_resubmit(actor=personas["am01"], request=request)


def test_withdraw_stops_everything_and_approving_afterwards_is_refused(personas, chain):
    request = hospitality(personas)
    task = request.tasks.get()
    with pytest.raises(PermissionDenied):
        services.request_withdraw(actor=personas["sup1"], request=request)
    services.request_withdraw(actor=personas["am01"], request=request)
    request.refresh_from_db()
    assert request.state == R.WITHDRAWN
    with pytest.raises(ConflictError, match="已撤回"):
        services.task_approve(actor=personas["sup1"], task=task)
    task.refresh_from_db()
    assert task.state == T.SKIPPED and task.decided_at is None
    with pytest.raises(ConflictError):
        services.request_withdraw(actor=personas["am01"], request=request)


def test_approving_twice_or_someone_elses_task_is_refused(personas, chain):
    request = hospitality(personas, amount="3000.00")
    task = request.tasks.get(order=1)
    with pytest.raises(ConflictError, match="不由您审批"):
        services.task_approve(actor=personas["am02"], task=task)
    with pytest.raises(ConflictError, match="不由您审批"):  # the next step's approver, too early
        services.task_approve(actor=personas["deptmgr"], task=task)
    services.task_approve(actor=personas["sup1"], task=task)
    with pytest.raises(ConflictError, match="已经审批过"):
        services.task_approve(actor=personas["sup1"], task=task)
    request.refresh_from_db()
    assert request.version == 2  # one advance, not two
    assert events(request).count("approved") == 1


def test_delegation_sends_new_tasks_to_the_delegate(personas, chain):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.delegation_set(actor=personas["sup1"], delegate=personas["sup1"],
                                starts_on=today, ends_on=today)
    with pytest.raises(ValidationError):
        services.delegation_set(actor=personas["sup1"], delegate=personas["region1"],
                                starts_on=today, ends_on=today - timedelta(days=1))
    services.delegation_set(actor=personas["sup1"], delegate=personas["region1"],
                            starts_on=today, ends_on=today + timedelta(days=3))
    request = hospitality(personas)
    task = request.tasks.get()
    assert (task.approver, task.delegated_from) == (personas["region1"], personas["sup1"])
    assert "delegated" in events(request)
    with pytest.raises(ConflictError, match="不由您审批"):
        services.task_approve(actor=personas["sup1"], task=task)
    services.task_approve(actor=personas["region1"], task=task)
    request.refresh_from_db()
    assert request.state == R.APPROVED


def test_expired_delegation_is_ignored(personas, chain):
    today = timezone.localdate()
    Delegation.objects.create(user=personas["sup1"], delegate=personas["region1"],
                              starts_on=today - timedelta(days=5), ends_on=today - timedelta(days=1))
    request = hospitality(personas)
    assert waiting(request) == ["sup1"]


def test_a_rule_that_finds_nobody_refuses_the_submission_naming_the_step(personas):
    nobody = Position.objects.create(name="品牌总监", role=dept_manager_position().role)
    set_steps((1, "主管", "supervisor", {}), (2, "品牌总监审批", "position", {"position": nobody}))
    before = (ApprovalRequest.objects.count(), HospitalityRequest.objects.count(),
              ApprovalEvent.objects.count())
    with pytest.raises(ValidationError, match="品牌总监审批"):
        hospitality(personas)
    assert (ApprovalRequest.objects.count(), HospitalityRequest.objects.count(),
            ApprovalEvent.objects.count()) == before


def test_a_missing_chain_refuses_the_submission(personas):
    with pytest.raises(ValidationError, match="尚未配置审批流程"):
        hospitality(personas)
    assert not HospitalityRequest.objects.exists()


def test_a_requester_without_supervisor_is_refused(personas, chain):
    am = personas["am01"]
    am.supervisor = None
    am.save(update_fields=["supervisor"])
    with pytest.raises(ValidationError, match="主管审批"):
        hospitality(personas)


def test_rules_resolve_regional_manager_and_customer_owner_supervisor(personas):
    set_steps((1, "区域经理", "regional_manager", {}), (2, "客户经理的主管", "owner_supervisor", {}))
    request = hospitality(personas, username="am03")
    labels = dict(request.tasks.values_list("step_label", "approver__username"))
    assert labels == {"区域经理": "region1", "客户经理的主管": "region1"}


def test_raising_needs_the_action(personas, chain):
    with pytest.raises(PermissionDenied):
        services.request_submit(actor=personas["agent01"], type_code="hospitality",
                                subject=personas.customers["am01"][0])


def test_approvers_and_requesters_are_notified_in_their_inbox(personas, chain):
    from qiao.notify.inbox.models import Notification

    request = hospitality(personas, amount="3000.00")
    url = f"/approvals/{request.pk}/"
    sup_inbox = Notification.objects.filter(recipient=personas["sup1"])
    assert list(sup_inbox.values_list("url", flat=True)) == [url]
    assert not Notification.objects.filter(recipient=personas["deptmgr"]).exists()
    services.task_approve(actor=personas["sup1"], task=request.tasks.get(order=1))
    assert Notification.objects.filter(recipient=personas["deptmgr"], url=url).count() == 1
    assert not Notification.objects.filter(recipient=personas["am01"]).exists()
    services.task_approve(actor=personas["deptmgr"], task=request.tasks.get(order=2))
    decided = Notification.objects.get(recipient=personas["am01"])
    assert decided.url == url and decided.kind == "approval_decided"
    assert Notification.objects.count() == 3
