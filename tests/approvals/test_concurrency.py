"""Two people acting on one request at the same moment, on a real database (the SQLite file
with IMMEDIATE transactions, and PostgreSQL in the second pass of `make test`): exactly one
outcome each, a clear ConflictError for the loser, nothing corrupted.

Each thread is one person with its own database connection; the threads meet at a barrier
and then act together. Several rounds, so the race really happens."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from qiao.approvals import services
from qiao.approvals.models import ApprovalEvent, ApprovalRequest, ApprovalTask
from qiao.core.exceptions import ConflictError

from ..customers.test_concurrency import run_threads
from .conftest import dept_manager_position, hospitality, set_steps

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

ROUNDS = 8
TIMEOUT = 60
T = ApprovalTask.State


def _task(pk):
    """Each person loads the task themselves (no object shared between threads)."""
    return ApprovalTask.objects.get(pk=pk)


def _race(actions):
    """Run each callable in its own thread, all at once; [("ok", result) | ("conflict", msg)]."""
    barrier = threading.Barrier(len(actions), timeout=TIMEOUT)
    outcomes = [None] * len(actions)

    def person(i):
        barrier.wait()
        try:
            outcomes[i] = ("ok", actions[i]())
        except ConflictError as exc:
            outcomes[i] = ("conflict", str(exc))

    errors = run_threads(len(actions), person, barrier)
    assert not errors, "\n".join(errors)
    return outcomes


def test_two_approvers_of_a_parallel_step_at_once(personas):
    set_steps((1, "主管", "supervisor", {}), (1, "区域经理", "regional_manager", {}),
              (2, "部门经理", "position", {"position": dept_manager_position()}))
    sup, region = personas["sup1"], personas["region1"]
    for _ in range(ROUNDS):
        request = hospitality(personas)
        sup_task = request.tasks.get(approver=sup)
        region_task = request.tasks.get(approver=region)
        outcomes = _race([
            lambda pk=sup_task.pk: services.task_approve(actor=sup, task=_task(pk)),
            lambda pk=region_task.pk: services.task_approve(actor=region, task=_task(pk)),
        ])
        # Different tasks: both approvals count, whoever came second starts the next step.
        assert [o[0] for o in outcomes] == ["ok", "ok"], outcomes
        request.refresh_from_db()
        assert request.current_order == 2 and request.version == 3
        assert list(request.tasks.filter(order=2).values_list("state", flat=True)) == [T.WAITING]
        assert request.events.filter(kind="approved").count() == 2


def test_the_same_approver_twice_at_once(personas, chain):
    sup = personas["sup1"]
    for _ in range(ROUNDS):
        request = hospitality(personas)
        task = request.tasks.get()
        outcomes = _race([lambda pk=task.pk: services.task_approve(actor=sup, task=_task(pk)),
                          lambda pk=task.pk: services.task_approve(actor=sup, task=_task(pk))])
        assert sorted(o[0] for o in outcomes) == ["conflict", "ok"], outcomes
        assert "已经审批过" in next(m for kind, m in outcomes if kind == "conflict")
        request.refresh_from_db()
        assert request.state == ApprovalRequest.State.APPROVED and request.version == 2
        assert request.events.filter(kind="approved").count() == 1
        assert request.events.filter(kind="completed").count() == 1


def test_approve_and_withdraw_at_once_have_one_outcome(personas, chain):
    sup, am = personas["sup1"], personas["am01"]
    for _ in range(ROUNDS):
        request = hospitality(personas)
        task = request.tasks.get()
        outcomes = _race([
            lambda pk=task.pk: services.task_approve(actor=sup, task=_task(pk)),
            lambda pk=request.pk: services.request_withdraw(
                actor=am, request=ApprovalRequest.objects.get(pk=pk)),
        ])
        kinds = [o[0] for o in outcomes]
        assert sorted(kinds) == ["conflict", "ok"], outcomes
        request.refresh_from_db()
        task.refresh_from_db()
        if kinds[0] == "ok":  # approved first: the withdrawal came too late
            assert (request.state, task.state) == ("approved", T.APPROVED)
        else:
            assert (request.state, task.state) == ("withdrawn", T.SKIPPED)
        assert request.version == 2


def test_two_approvers_reject_and_approve_a_parallel_step_at_once(personas):
    set_steps((1, "主管", "supervisor", {}), (1, "区域经理", "regional_manager", {}))
    sup, region = personas["sup1"], personas["region1"]
    for _ in range(ROUNDS):
        request = hospitality(personas)
        outcomes = _race([
            lambda r=request: services.task_approve(actor=sup, task=r.tasks.get(approver=sup)),
            lambda r=request: services.task_reject(actor=region, task=r.tasks.get(approver=region),
                                                   comment="不同意"),
        ])
        request.refresh_from_db()
        assert request.state == "rejected"
        states = dict(request.tasks.values_list("approver__username", "state"))
        assert states["region1"] == T.REJECTED
        # the approval either landed before the reject, or was refused because it came after
        assert (states["sup1"], outcomes[0][0]) in ((T.APPROVED, "ok"), (T.SKIPPED, "conflict"))
        assert ApprovalEvent.objects.filter(request=request, kind="rejected").count() == 1


def test_double_click_on_approve_through_the_page(personas, chain):
    sup = personas["sup1"]
    for _ in range(ROUNDS // 2):
        request = hospitality(personas)
        task = request.tasks.get()
        clients = [personas.client("sup1"), personas.client("sup1")]
        url = reverse("approvals:decide", args=[request.pk])
        statuses = [None, None]
        barrier = threading.Barrier(2, timeout=TIMEOUT)

        def person(i, clients=clients, url=url, task=task, barrier=barrier, statuses=statuses):
            barrier.wait()
            statuses[i] = clients[i].post(url, {"task": task.pk, "decision": "approve"}).status_code

        errors = run_threads(2, person, barrier)
        assert not errors, "\n".join(errors)
        assert sorted(statuses) == [302, 409], statuses
        assert ApprovalEvent.objects.filter(request=request, kind="approved", actor=sup).count() == 1
    print(f"\napproval races on {connection.vendor}: ok")


# --- the same races through the REST API (/api/v1/approvals/…) -------------------------------
# Each thread is an API client with its own personal token (the same person's token twice for
# a double submit); the service decides, the API answers 200 to the winner and 409 with the
# service's reason to the other, and nothing is written twice.

def _api_race(calls):
    """calls: [(Api, path, body)], sent at once; [(status, detail or state)]."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    answers = [None] * len(calls)

    def person(i):
        client, path, body = calls[i]
        barrier.wait()
        response = client.post(path, body)
        data = response.json()
        answers[i] = (response.status_code, data.get("detail") or data.get("state"))

    errors = run_threads(len(calls), person, barrier)
    assert not errors, "\n".join(errors)
    return answers


@pytest.fixture
def api_clients(personas):
    from tests.api.conftest import Api, token_secret

    return lambda username: Api(token_secret(personas[username]))


def test_api_double_submit_of_one_approval_is_one_outcome_and_a_409(personas, chain, api_clients):
    sup = api_clients("sup1")
    for _ in range(ROUNDS):
        request = hospitality(personas)
        body = {"task": request.tasks.get().pk, "comment": "同意"}
        path = f"/approvals/{request.pk}/approve"
        answers = _api_race([(sup, path, body), (sup, path, body)])
        assert sorted(a[0] for a in answers) == [200, 409], answers
        assert next(d for s, d in answers if s == 409) == "此步骤已经审批过（已通过），请刷新查看。"
        request.refresh_from_db()
        assert (request.state, request.version) == ("approved", 2)
        assert request.events.filter(kind="approved").count() == 1


def test_api_the_approver_and_someone_else_on_one_task_at_once(personas, chain, api_clients):
    """region1 sees am01's request (data scope) and tries sup1's step while sup1 approves it:
    sup1's approval counts whatever the order; region1 gets 409 "not yours" (or, if sup1 came
    first, the same: the task was never region1's)."""
    sup, region = api_clients("sup1"), api_clients("region1")
    for _ in range(ROUNDS):
        request = hospitality(personas)
        body = {"task": request.tasks.get().pk, "comment": ""}
        path = f"/approvals/{request.pk}/approve"
        answers = _api_race([(sup, path, body), (region, path, body)])
        assert answers == [(200, "approved"), (409, "此步骤不由您审批。")], answers
        task = request.tasks.get()
        assert (task.state, task.approver_id) == (T.APPROVED, personas["sup1"].pk)
        assert request.events.filter(kind="approved").count() == 1


def test_api_approve_racing_a_withdraw_has_one_outcome(personas, chain, api_clients):
    sup, am = api_clients("sup1"), api_clients("am01")
    for _ in range(ROUNDS):
        request = hospitality(personas)
        task = request.tasks.get()
        answers = _api_race([
            (sup, f"/approvals/{request.pk}/approve", {"task": task.pk, "comment": ""}),
            (am, f"/approvals/{request.pk}/withdraw", {"comment": "客户取消"}),
        ])
        request.refresh_from_db()
        task.refresh_from_db()
        if answers[0][0] == 200:  # approved first: the withdrawal came too late
            assert answers[1] == (409, "此申请已不能撤回（当前：已通过）。"), answers
            assert (request.state, task.state) == ("approved", T.APPROVED)
        else:
            assert answers == [(409, "申请人已撤回此申请，无需审批。"), (200, "withdrawn")]
            assert (request.state, task.state) == ("withdrawn", T.SKIPPED)
        assert request.version == 2
        assert request.events.filter(kind__in=("approved", "withdrawn")).count() == 1


def test_api_two_approvers_of_a_parallel_step_both_count(personas, api_clients):
    set_steps((1, "主管", "supervisor", {}), (1, "区域经理", "regional_manager", {}),
              (2, "部门经理", "position", {"position": dept_manager_position()}))
    sup, region = api_clients("sup1"), api_clients("region1")
    for _ in range(ROUNDS // 2):
        request = hospitality(personas)
        path = f"/approvals/{request.pk}/approve"
        answers = _api_race([
            (sup, path, {"task": request.tasks.get(approver=personas["sup1"]).pk}),
            (region, path, {"task": request.tasks.get(approver=personas["region1"]).pk}),
        ])
        assert [a[0] for a in answers] == [200, 200], answers
        request.refresh_from_db()
        assert (request.state, request.current_order, request.version) == ("in_progress", 2, 3)
        assert list(request.tasks.filter(order=2).values_list("state", flat=True)) == [T.WAITING]
