"""The approval endpoints: the pages' selectors and services behind them. Who sees a request
(404 for everyone else), who may decide (409 with the reason when the task is not waiting for
the caller), the requester's withdraw and resubmit (404 for anyone else), bad input (400,
nothing written), and constant query counts on the lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiao.approvals import services
from qiao.approvals.models import ApprovalEvent, ApprovalRequest, ApprovalTask
from qiao.visits.demo import ensure_hospitality_chain
from tests.approvals.conftest import hospitality

R = ApprovalRequest.State
T = ApprovalTask.State
# As tests/approvals/test_views.py: who sees a request of am05 (region 2).
SEES_AM05 = {"am05", "sup2", "region2", "deptmgr", "director"}
WITH_API = ("director", "deptmgr", "region1", "region2", "sup1", "sup2", "am01", "am02", "am03",
            "am05", "admin")
NO_API = ("agent01", "qa01")


@pytest.fixture(autouse=True)
def _chain(personas):
    """The demo hospitality chain: sup1 (am01's supervisor), then deptmgr from ¥2,000."""
    ensure_hospitality_chain()


def snapshot(request):
    """What a refused call must leave as it was."""
    request = ApprovalRequest.objects.get(pk=request.pk)
    return (request.state, request.version, request.current_order, request.round,
            sorted(request.tasks.values_list("pk", "state", "comment")),
            request.events.count())


def decide(client, request, action, task=None, comment=""):
    task = task or request.tasks.get(state=T.WAITING)
    return client.post(f"/approvals/{request.pk}/{action}", {"task": task.pk, "comment": comment})


# --- reads -----------------------------------------------------------------------------------

def test_waiting_lists_the_tasks_waiting_for_the_caller_only(personas, api):
    small = hospitality(personas, amount="800.00")
    big = hospitality(personas, username="am02", amount="3600.00")
    body = api("sup1").get("/approvals/waiting").json()
    assert body["count"] == 2
    assert [i["request"]["id"] for i in body["items"]] == [big.pk, small.pk]  # newest first
    item = body["items"][1]
    assert item["id"] == small.tasks.get().pk and item["step_label"] == "主管审批"
    assert item["request"]["requester"]["username"] == "am01"
    assert item["request"]["amount"] == "800.00" or float(item["request"]["amount"]) == 800
    assert item["request"]["type_label"] == "招待费申请" or item["request"]["type_label"]
    assert [u["username"] for u in item["request"]["waiting_for"]] == ["sup1"]
    for username in ("am01", "am02", "deptmgr", "region1", "director"):
        assert api(username).get("/approvals/waiting").json()["count"] == 0, username
    # Once sup1 approved the big one, it waits for the department manager instead.
    services.task_approve(actor=personas["sup1"], task=big.tasks.get(order=1))
    assert [i["request"]["id"] for i in api("sup1").get("/approvals/waiting").json()["items"]] \
        == [small.pk]
    body = api("deptmgr").get("/approvals/waiting").json()
    assert [(i["request"]["id"], i["step_label"]) for i in body["items"]] == [(big.pk, "部门经理审批")]


def test_mine_lists_the_callers_own_requests_with_who_decides_now(personas, api):
    first = hospitality(personas, amount="800.00")
    second = hospitality(personas, amount="3600.00")
    hospitality(personas, username="am02")
    services.task_approve(actor=personas["sup1"], task=second.tasks.get(order=1))
    body = api("am01").get("/approvals/mine").json()
    assert body["count"] == 2
    items = {i["id"]: i for i in body["items"]}
    assert [i["id"] for i in body["items"]] == [second.pk, first.pk]
    assert items[second.pk]["state"] == R.IN_PROGRESS
    assert [u["username"] for u in items[second.pk]["waiting_for"]] == ["deptmgr"]
    assert [u["username"] for u in items[first.pk]["waiting_for"]] == ["sup1"]
    assert items[first.pk]["state_label"] == "已提交"
    # Supervisors see their team's requests on the detail, but "mine" is only their own.
    assert api("sup1").get("/approvals/mine").json()["count"] == 0
    page = api("am01").get("/approvals/mine", {"page_size": 1, "page": 2}).json()
    assert (page["count"], [i["id"] for i in page["items"]]) == (2, [first.pk])


@pytest.mark.parametrize("username", WITH_API)
def test_detail_is_404_outside_visible_to(personas, api, username):
    request = hospitality(personas, username="am05")
    response = api(username).get(f"/approvals/{request.pk}")
    assert response.status_code == (200 if username in SEES_AM05 else 404), response.content
    if response.status_code == 404:
        assert response.json() == {"detail": "未找到。", "errors": {}}


def test_detail_has_steps_tasks_and_events(personas, api):
    request = hospitality(personas, amount="3600.00")
    services.task_approve(actor=personas["sup1"], task=request.tasks.get(order=1), comment="同意")
    body = api("deptmgr").get(f"/approvals/{request.pk}").json()
    assert (body["id"], body["state"], body["current_order"]) == (request.pk, R.IN_PROGRESS, 2)
    assert body["subject_type"] == "visits.hospitalityrequest"
    assert [(s["order"], [(t["approver"]["username"], t["state"], t["comment"]) for t in s["tasks"]])
            for s in body["steps"]] == [(1, [("sup1", T.APPROVED, "同意")]),
                                        (2, [("deptmgr", T.WAITING, "")])]
    assert [(e["kind"], e["actor"] and e["actor"]["username"], e["comment"])
            for e in body["events"]] == [("submitted", "am01", ""), ("approved", "sup1", "同意")]
    assert body["my_task_id"] == request.tasks.get(order=2).pk
    assert (body["can_withdraw"], body["can_resubmit"]) == (False, False)
    mine = api("am01").get(f"/approvals/{request.pk}").json()
    assert (mine["my_task_id"], mine["can_withdraw"]) == (None, True)


@pytest.mark.parametrize("path", ["/approvals/waiting", "/approvals/mine", "/approvals/{pk}"])
@pytest.mark.parametrize("username", NO_API)
def test_roles_without_the_api_permission_get_401(personas, api, path, username):
    request = hospitality(personas)
    assert api(username).get(path.format(pk=request.pk)).status_code == 401
    assert api(username).post(f"/approvals/{request.pk}/withdraw", {}).status_code == 401


# --- decisions -------------------------------------------------------------------------------

def test_approve_through_both_steps(personas, api):
    request = hospitality(personas, amount="2500.00")
    response = decide(api("sup1"), request, "approve", comment="  同意，注意标准 ")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["current_order"], body["my_task_id"]) == (R.IN_PROGRESS, 2, None)
    assert request.tasks.get(order=1).comment == "同意，注意标准"
    response = decide(api("deptmgr"), request, "approve")
    assert response.json()["state"] == R.APPROVED
    assert response.json()["state_label"] == ApprovalRequest.State.APPROVED.label
    assert list(request.events.values_list("kind", flat=True)) == [
        "submitted", "approved", "approved", "completed"]


def test_approving_twice_is_409_with_the_reason(personas, api):
    request = hospitality(personas)
    task = request.tasks.get()
    assert decide(api("sup1"), request, "approve", task).status_code == 200
    before = snapshot(request)
    response = decide(api("sup1"), request, "approve", task)
    assert response.status_code == 409
    assert response.json()["detail"] == "此步骤已经审批过（已通过），请刷新查看。"
    assert snapshot(request) == before


def test_a_step_not_yours_is_409_and_a_task_of_another_request_404(personas, api):
    request = hospitality(personas, amount="3600.00")
    other = hospitality(personas, username="am02")
    before = snapshot(request)
    # region1 sees am01's request (data scope) but the supervisor's step is sup1's.
    response = decide(api("region1"), request, "approve")
    assert (response.status_code, response.json()["detail"]) == (409, "此步骤不由您审批。")
    # deptmgr's own step has not started yet.
    response = decide(api("deptmgr"), request, "approve", request.tasks.get(order=2))
    assert response.status_code == 409
    assert response.json()["detail"] == "此步骤当前不在待审批状态，请刷新查看。"
    # sup1's task on another request, sent to this one: not found here.
    response = decide(api("sup1"), request, "approve", other.tasks.get())
    assert response.status_code == 404
    # Someone who does not see the request at all: 404, whatever the task.
    assert decide(api("am02"), request, "approve").status_code == 404
    assert decide(api("am05"), request, "reject", comment="不行").status_code == 404
    assert snapshot(request) == before


def test_reject_and_return_need_a_comment(personas, api):
    request = hospitality(personas)
    before = snapshot(request)
    for action in ("reject", "return"):
        response = decide(api("sup1"), request, action, comment="   ")
        assert response.status_code == 400
        assert response.json() == {"detail": "请填写审批意见，申请人需要知道原因。",
                                   "errors": {"__all__": ["请填写审批意见，申请人需要知道原因。"]}}
        assert snapshot(request) == before
    response = decide(api("sup1"), request, "reject", comment="超标准")
    assert response.json()["state"] == R.REJECTED
    assert decide(api("sup1"), request, "approve", request.tasks.get()).status_code == 409


@pytest.mark.parametrize("body", [
    {}, {"task": "x"}, {"task": 0}, {"task": 1, "comment": 5}, {"task": 1, "extra": 1},
    {"task": 1, "comment": "a\x00b"}, {"task": 1, "comment": "长" * 2001},
])
def test_bad_input_is_400_and_writes_nothing(personas, api, body):
    request = hospitality(personas)
    before = snapshot(request)
    response = api("sup1").post(f"/approvals/{request.pk}/approve", body)
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert snapshot(request) == before


def test_return_then_resubmit_by_the_requester_only(personas, api):
    request = hospitality(personas)
    # Not returned yet: 409 for the requester, 404 for anyone else who sees it.
    response = api("am01").post(f"/approvals/{request.pk}/resubmit", {})
    assert response.status_code == 409
    assert response.json()["detail"] == "只有退回修改的申请才能重新提交（当前：已提交）。"
    response = decide(api("sup1"), request, "return", comment="请补充来宾名单")
    assert response.json()["state"] == R.RETURNED
    assert api("am01").get(f"/approvals/{request.pk}").json()["can_resubmit"] is True
    before = snapshot(request)
    for username in ("sup1", "region1", "director"):
        assert api(username).post(f"/approvals/{request.pk}/resubmit", {}).status_code == 404
    assert api("am02").post(f"/approvals/{request.pk}/resubmit", {}).status_code == 404
    assert snapshot(request) == before
    response = api("am01").post(f"/approvals/{request.pk}/resubmit", {})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["round"]) == (R.SUBMITTED, 2)
    assert [t["state"] for s in body["steps"] for t in s["tasks"]] == [T.WAITING]
    assert api("sup1").get("/approvals/waiting").json()["count"] == 1


def test_resubmit_takes_the_changes_and_the_reply(personas, api):
    """As the page: the fields of the type's edit form (only those that change), checked by
    that form; the reply on the request's history; the chain planned for the new amount."""
    request = hospitality(personas)
    decide(api("sup1"), request, "return", comment="请补充来宾名单")
    mine = api("am01").get(f"/approvals/{request.pk}").json()
    assert mine["edit_values"] == {"customer": str(request.subject.customer_id),
                                   "amount": "800.00", "date": "2026-12-01",
                                   "guests": "采购部 2 人", "purpose": "季度走访"}
    assert api("sup1").get(f"/approvals/{request.pk}").json()["edit_values"] is None
    before = snapshot(request)
    url = f"/approvals/{request.pk}/resubmit"
    for changes, field in (({"colour": "红"}, "colour"), ({"amount": "很多"}, "amount"),
                           ({"guests": ""}, "guests"), ({"date": True}, "date"),
                           ({"amount": [1, 2]}, "amount")):
        response = api("am01").post(url, {"changes": changes})
        assert response.status_code == 400, response.content
        assert field in response.json()["errors"], response.json()
    assert api("sup1").post(url, {"changes": {"guests": "改"}}).status_code == 404
    assert snapshot(request) == before
    response = api("am01").post(url, {"comment": "已补充来宾名单",
                                      "changes": {"guests": "王经理、李主任", "amount": 2500}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["round"], body["amount"]) == (R.SUBMITTED, 2, "2500.00")
    assert [s["tasks"][0]["approver"]["username"] for s in body["steps"]] == ["sup1", "deptmgr"]
    assert body["events"][-1]["kind"] == "resubmitted"
    assert (body["events"][-1]["comment"], body["events"][-1]["note"]) == (
        "已补充来宾名单", "已修改：金额（元）、来宾")
    assert request.subject.__class__.objects.get(pk=request.object_id).guests == "王经理、李主任"
    assert body["edit_values"] is None and "¥2,500.00" in body["title"]


def test_withdraw_by_the_requester_then_deciding_is_409(personas, api):
    request = hospitality(personas)
    task = request.tasks.get()
    before = snapshot(request)
    for username in ("sup1", "region1", "director", "am02"):
        response = api(username).post(f"/approvals/{request.pk}/withdraw", {})
        assert response.status_code == 404, username
    assert snapshot(request) == before
    response = api("am01").post(f"/approvals/{request.pk}/withdraw", {"comment": "客户取消了"})
    assert response.status_code == 200
    assert response.json()["state"] == R.WITHDRAWN
    assert ApprovalEvent.objects.get(request=request, kind="withdrawn").comment == "客户取消了"
    response = decide(api("sup1"), request, "approve", task)
    assert (response.status_code, response.json()["detail"]) == (
        409, "申请人已撤回此申请，无需审批。")
    response = api("am01").post(f"/approvals/{request.pk}/withdraw", {})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("此申请已不能撤回")
    assert api("sup1").get("/approvals/waiting").json()["count"] == 0


def test_unknown_ids_are_404(personas, api):
    for path in ("/approvals/999999", "/approvals/999999/withdraw"):
        response = api("director").get(path) if "withdraw" not in path else \
            api("director").post(path, {})
        assert response.status_code == 404


# --- query counts ----------------------------------------------------------------------------

def _queries(client, path):
    client.get(path)  # the token notes its use once a minute: not part of the count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()["count"]


def test_lists_run_the_same_queries_for_one_row_and_many(personas, api):
    hospitality(personas, amount="3600.00")
    waiting_one = _queries(api("sup1"), "/approvals/waiting")
    mine_one = _queries(api("am01"), "/approvals/mine")
    for i in range(12):
        request = hospitality(personas, username=("am01", "am02")[i % 2],
                              amount=("800.00", "3600.00")[i % 2])
        if i % 3 == 0:
            services.task_approve(actor=personas["sup1"], task=request.tasks.get(order=1))
    waiting_many = _queries(api("sup1"), "/approvals/waiting")
    mine_many = _queries(api("am01"), "/approvals/mine")
    assert waiting_many[1] > waiting_one[1] and mine_many[1] > mine_one[1]
    assert waiting_many[0] == waiting_one[0] <= 6, waiting_many
    assert mine_many[0] == mine_one[0] <= 6, mine_many


def test_detail_runs_a_constant_number_of_queries(personas, api):
    small = hospitality(personas)
    client = api("sup1")
    client.get(f"/approvals/{small.pk}")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/approvals/{small.pk}")
    big = hospitality(personas, amount="3600.00")
    services.task_approve(actor=personas["sup1"], task=big.tasks.get(order=1), comment="好")
    with CaptureQueriesContext(connection) as two:
        client.get(f"/approvals/{big.pk}")
    assert len(one.captured_queries) == len(two.captured_queries) <= 6
