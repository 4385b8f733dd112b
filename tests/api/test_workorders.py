"""The work order endpoints: the pages' selectors, form and services behind them. Who sees a
work order (404 for everyone else), only the author changes and submits it, optimistic
concurrency (409 on a stale version), bad input (400 with field errors, nothing written),
stages one at a time (skipping refused), and constant query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiao.approvals import services as approvals
from qiao.approvals.models import ApprovalRequest, Chain
from qiao.approvals.selectors import request_for
from qiao.workorders import services
from qiao.workorders.demo import ensure_work_order_chain
from qiao.workorders.models import StageAttachment, StageRecord, WorkOrder
from tests.workorders.factories import approve_all, make_approved_work_order, make_work_order, pdf

SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}
WITH_API = ("director", "deptmgr", "region1", "region2", "sup1", "sup2", "am01", "am02", "am03",
            "am05")
NO_API = ("agent01", "qa01")
BODY = {"kind": "new_customer", "title": "  夏季促销项目 ", "content": "门店堆头与试吃",
        "departments": "市场部、创作部", "budget": "25000.50", "deadline": "2027-03-31"}


@pytest.fixture(autouse=True)
def _chain(personas):
    """The demo work-order chain: the customer director and the supervisor, in parallel."""
    ensure_work_order_chain()


def snapshot(work_order):
    """What a refused call must leave as it was."""
    wo = WorkOrder.objects.get(pk=work_order.pk)
    return (wo.stage, wo.version, wo.title, wo.budget, wo.customer_id, wo.history.count(),
            StageRecord.objects.filter(work_order=wo).count(),
            ApprovalRequest.objects.filter(object_id=wo.pk).count())


def everything():
    return (WorkOrder.objects.count(), StageRecord.objects.count(),
            StageAttachment.objects.count(), ApprovalRequest.objects.count())


# --- reads -----------------------------------------------------------------------------------

def test_list_has_the_pages_filters_and_paging(personas, api):
    am01 = personas["am01"]
    draft = make_work_order(am01, personas.customers["am01"][0], title="甲草稿")
    running = make_approved_work_order(am01, personas.customers["am01"][1], title="甲进行中",
                                       kind="new_customer")
    theirs = make_work_order(personas["am02"], personas.customers["am02"][0], title="乙草稿")
    make_work_order(personas["am03"], personas.customers["am03"][0], title="丙草稿")
    client = api("am01")
    body = client.get("/workorders").json()
    assert body["count"] == 2
    assert [i["id"] for i in body["items"]] == [running.pk, draft.pk]  # newest first
    item = body["items"][1]
    assert (item["title"], item["stage"], item["stage_label"], item["kind_label"]) == (
        "甲草稿", "draft", "草稿", "服务老客户")
    assert item["customer"] == {"id": draft.customer_id, "name": draft.customer.name}
    assert item["author"]["username"] == "am01" and item["version"] == 1
    assert float(item["budget"]) == 12000 and item["deadline"] == "2026-12-31"
    assert [i["id"] for i in client.get("/workorders", {"stage": "proposal"}).json()["items"]] \
        == [running.pk]
    assert [i["id"] for i in client.get("/workorders", {"kind": "new_customer"}).json()["items"]] \
        == [running.pk]
    assert client.get("/workorders", {"stage": "archived"}).json()["count"] == 0
    page = client.get("/workorders", {"page_size": 1, "page": 2}).json()
    assert (page["count"], [i["id"] for i in page["items"]]) == (2, [draft.pk])
    # The supervisor sees the team's; "mine" keeps their own (none).
    sup = api("sup1")
    assert {i["id"] for i in sup.all_pages("/workorders")[1]} == {draft.pk, running.pk, theirs.pk}
    assert sup.get("/workorders", {"mine": "true"}).json()["count"] == 0
    assert client.get("/workorders", {"mine": "true"}).json()["count"] == 2
    # A filter value the list does not know: 400 with the field named.
    response = client.get("/workorders", {"stage": "nonsense"})
    assert response.status_code == 400 and "stage" in response.json()["errors"]


@pytest.mark.parametrize("username", WITH_API)
def test_list_and_detail_only_in_scope(personas, api, username):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0])
    detail = api(username).get(f"/workorders/{wo.pk}")
    listed = {i["id"] for i in api(username).all_pages("/workorders")[1]}
    if username in SEES_AM01:
        assert detail.status_code == 200
        assert listed == {wo.pk}
    else:
        assert detail.status_code == 404
        assert detail.json() == {"detail": "未找到。", "errors": {}}
        assert listed == set()


def test_detail_has_stages_records_files_and_the_approval(personas, api):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0])
    attachment = StageAttachment.objects.get(record__work_order=wo)
    body = api("sup1").get(f"/workorders/{wo.pk}").json()
    assert (body["id"], body["stage"], body["next_stage"], body["version"]) == (
        wo.pk, "proposal", "contract", wo.version)
    assert (body["content"], body["departments"]) == ("门店陈列与新品试吃", "市场部、创作部")
    assert [(s["stage"], s["state"]) for s in body["steps"]] == [
        ("briefing", "done"), ("proposal", "current"), ("contract", "todo"), ("plan", "todo"),
        ("execution", "todo"), ("evaluation", "todo"), ("archived", "todo")]
    briefing = body["steps"][0]
    assert briefing["stage_label"] == "简报" and briefing["hint"]
    record = briefing["record"]
    assert (record["date"], record["people"], record["note"]) == ("2026-11-20", "市场部 张三",
                                                                  "说明会")
    assert record["recorded_by"]["username"] == "am01"
    assert record["attachments"] == [{"id": attachment.pk, "name": "说明会纪要.pdf",
                                      "content_type": "application/pdf",
                                      "size": attachment.size}]
    assert all(s["record"] is None for s in body["steps"][1:])
    request = request_for(wo)
    assert body["approval"] == {"id": request.pk, "state": "approved",
                                "state_label": ApprovalRequest.State.APPROVED.label}
    assert body["may_change"] is False
    draft = api("am01").get(f"/workorders/{make_work_order(personas['am01'], wo.customer).pk}")
    assert (draft.json()["approval"], draft.json()["may_change"]) == (None, True)
    assert draft.json()["next_stage"] is None


@pytest.mark.parametrize("username", NO_API)
def test_roles_without_the_api_permission_get_401(personas, api, username):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    before = everything()
    client = api(username)
    assert client.get("/workorders").status_code == 401
    assert client.get(f"/workorders/{wo.pk}").status_code == 401
    assert client.post("/workorders", {**BODY, "customer": wo.customer_id}).status_code == 401
    assert client.post(f"/workorders/{wo.pk}/submit").status_code == 401
    assert everything() == before


def test_api_users_without_the_approval_action_get_404(personas, api):
    """The administrator has api.use but not approval.request: every operation is 404, as the
    pages refuse them."""
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    before = everything()
    client = api("admin")
    assert client.get("/workorders").status_code == 404
    assert client.get(f"/workorders/{wo.pk}").status_code == 404
    assert client.post("/workorders", {**BODY, "customer": wo.customer_id}).status_code == 404
    assert client.patch(f"/workorders/{wo.pk}", {"title": "x", "version": 1}).status_code == 404
    assert client.post(f"/workorders/{wo.pk}/submit").status_code == 404
    assert client.post(f"/workorders/{wo.pk}/stages", {
        "stage": "briefing", "date": "2026-12-01", "people": "x"}).status_code == 404
    assert everything() == before


# --- create ----------------------------------------------------------------------------------

def test_create_a_draft_through_the_form_and_service(personas, api):
    customer = personas.customers["am01"][0]
    response = api("am01").post("/workorders", {**BODY, "customer": customer.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    wo = WorkOrder.objects.get(pk=body["id"])
    assert (wo.author, wo.customer, wo.stage, wo.title, str(wo.budget), wo.deadline, wo.kind) == (
        personas["am01"], customer, "draft", "夏季促销项目", "25000.50", date(2027, 3, 31),
        "new_customer")
    assert wo.history.latest().history_user == personas["am01"]
    assert (body["stage"], body["may_change"], body["approval"]) == ("draft", True, None)
    # kind defaults to the model's
    without_kind = {k: v for k, v in BODY.items() if k != "kind"}
    response = api("am01").post("/workorders", {**without_kind, "customer": customer.pk})
    assert response.status_code == 201 and response.json()["kind"] == "existing_customer"


@pytest.mark.parametrize("change, field", [
    ({"title": "   "}, "title"),
    ({"title": None}, "title"),
    ({"title": "长" * 121}, "title"),
    ({"departments": ""}, "departments"),
    ({"budget": "-1"}, "budget"),
    ({"budget": "1.234"}, "budget"),
    ({"budget": "12345678901.00"}, "budget"),
    ({"deadline": "2026-13-01"}, "deadline"),
    ({"kind": "other"}, "kind"),
    ({"customer": "x"}, "customer"),
    ({"customer": 0}, "customer"),
    ({"content": "a\x00b"}, "content"),
    ({"extra": 1}, "extra"),
])
def test_create_with_bad_input_is_400_and_writes_nothing(personas, api, change, field):
    body = {**BODY, "customer": personas.customers["am01"][0].pk, **change}
    before = everything()
    response = api("am01").post("/workorders", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert everything() == before


@pytest.mark.parametrize("owner", ["am02", "am05", "pool:华东区"])
def test_create_for_a_customer_not_visible_is_400_on_customer(personas, api, owner):
    before = everything()
    response = api("am01").post("/workorders", {**BODY, "customer": personas.customers[owner][0].pk})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["customer"]
    assert everything() == before
    missing = api("am01").post("/workorders", {**BODY, "customer": 999999})
    assert missing.status_code == 400 and list(missing.json()["errors"]) == ["customer"]


# --- update ----------------------------------------------------------------------------------

def test_patch_changes_the_fields_sent_with_the_version(personas, api):
    am01 = personas["am01"]
    wo = make_work_order(am01, personas.customers["am01"][0])
    other = personas.customers["am01"][1]
    response = api("am01").patch(f"/workorders/{wo.pk}", {
        "title": " 改过的标题 ", "budget": "9999.99", "customer": other.pk, "version": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["version"], body["customer"]["id"]) == ("改过的标题", 2, other.pk)
    wo.refresh_from_db()
    assert (wo.title, str(wo.budget), wo.customer, wo.content, wo.version) == (
        "改过的标题", "9999.99", other, "门店陈列与新品试吃", 2)
    assert wo.history.latest().history_user == am01


def test_a_stale_version_is_409_and_writes_nothing(personas, api):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    client = api("am01")
    assert client.patch(f"/workorders/{wo.pk}", {"title": "第一次", "version": 1}).status_code \
        == 200
    before = snapshot(wo)
    response = client.patch(f"/workorders/{wo.pk}", {"title": "第二次", "version": 1})
    assert response.status_code == 409
    assert response.json()["detail"] == ("您读取后，其他人修改了这条记录（其版本已不是您发送的版本）。"
                                        "请重新读取，再重复您的修改。")
    assert snapshot(wo) == before


def test_patch_with_bad_input_is_400_and_writes_nothing(personas, api):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    before = snapshot(wo)
    client = api("am01")
    for body, field in [({"title": ""}, "title"), ({"budget": "-5"}, "budget"),
                        ({"customer": personas.customers["am05"][0].pk}, "customer"),
                        ({"title": "x"}, "version"), ({"version": 0}, "version")]:
        response = client.patch(f"/workorders/{wo.pk}", {"version": 1, **body}
                                if field != "version" else body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], response.json()
    assert snapshot(wo) == before


def test_only_the_author_changes_and_only_while_open(personas, api):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    before = snapshot(wo)
    for username in ("sup1", "region1", "director", "am02", "am05"):
        response = api(username).patch(f"/workorders/{wo.pk}", {"title": "改", "version": 1})
        assert response.status_code == 404, username
        assert api(username).post(f"/workorders/{wo.pk}/submit").status_code == 404, username
    assert snapshot(wo) == before
    # Submitted: under approval, no more changes (409 with the reason).
    assert api("am01").post(f"/workorders/{wo.pk}/submit").status_code == 200
    before = snapshot(wo)
    response = api("am01").patch(f"/workorders/{wo.pk}", {"title": "改", "version": 2})
    assert response.status_code == 409
    assert "只有草稿或退回修改的工作单可以修改" in response.json()["detail"], response.json()
    assert snapshot(wo) == before


# --- submit ----------------------------------------------------------------------------------

def test_submit_raises_the_approval_request(personas, api):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    response = api("am01").post(f"/workorders/{wo.pk}/submit")
    assert response.status_code == 200, response.content
    body = response.json()
    request = request_for(wo)
    assert (body["stage"], body["may_change"]) == ("pending", False)
    assert body["approval"] == {"id": request.pk, "state": "submitted",
                                "state_label": ApprovalRequest.State.SUBMITTED.label}
    assert {t.approver.username for t in request.tasks.all()} == {"director", "sup1"}
    # Twice: 409 with the reason, nothing new.
    before = snapshot(wo)
    response = api("am01").post(f"/workorders/{wo.pk}/submit")
    assert response.status_code == 409 and "只有草稿或退回修改的工作单可以修改" in response.json()["detail"]
    assert snapshot(wo) == before


def test_submit_without_a_chain_is_400_and_writes_nothing(personas, api):
    Chain.objects.filter(type_code="work_order").delete()
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    before = snapshot(wo)
    response = api("am01").post(f"/workorders/{wo.pk}/submit")
    assert response.status_code == 400
    assert response.json()["detail"] and response.json()["errors"]["__all__"]
    assert snapshot(wo) == before


# --- stages ----------------------------------------------------------------------------------

STAGE = {"date": "2026-12-05", "people": " 市场部 李四、客户采购部 ", "note": "提案通过"}


def test_record_the_current_stage_moves_on(personas, api):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0])
    response = api("sup1").post(f"/workorders/{wo.pk}/stages", {"stage": "proposal", **STAGE})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage"], body["next_stage"]) == ("contract", "plan")
    record = body["steps"][1]["record"]
    assert (record["date"], record["people"], record["note"], record["attachments"]) == (
        "2026-12-05", "市场部 李四、客户采购部", "提案通过", [])
    assert record["recorded_by"]["username"] == "sup1"
    saved = StageRecord.objects.get(work_order=wo, stage="proposal")
    assert (saved.people, saved.recorded_by) == ("市场部 李四、客户采购部", personas["sup1"])
    # with the version read: a stale one is 409
    before = snapshot(wo)
    response = api("am01").post(f"/workorders/{wo.pk}/stages",
                                {"stage": "contract", **STAGE, "version": wo.version})
    assert response.status_code == 409
    assert snapshot(wo) == before
    response = api("am01").post(f"/workorders/{wo.pk}/stages",
                                {"stage": "contract", **STAGE, "version": body["version"]})
    assert response.status_code == 201 and response.json()["stage"] == "plan"


@pytest.mark.parametrize("stage", ["contract", "briefing", "archived", "plan"])
def test_skipping_or_going_back_is_400_and_writes_nothing(personas, api, stage):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0])
    before = snapshot(wo), everything()
    response = api("am01").post(f"/workorders/{wo.pk}/stages", {"stage": stage, **STAGE})
    assert response.status_code == 400
    assert "一次只能前进一个阶段" in response.json()["detail"], response.json()
    assert (snapshot(wo), everything()) == before


def test_stage_bad_input_and_before_approval(personas, api):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    draft = make_work_order(personas["am01"], personas.customers["am01"][1])
    before = snapshot(wo), snapshot(draft), everything()
    client = api("am01")
    for body, field in [({"people": "   "}, "people"), ({"people": None}, "people"),
                        ({"date": "x"}, "date"), ({"stage": "nonsense"}, "stage"),
                        ({"file": "a.pdf"}, "file")]:
        response = client.post(f"/workorders/{wo.pk}/stages", {"stage": "briefing", **STAGE,
                                                               **body})
        assert response.status_code == 400, body
        assert field in response.json()["errors"], response.json()
    response = client.post(f"/workorders/{draft.pk}/stages", {"stage": "briefing", **STAGE})
    assert response.status_code == 400 and "工作单批准后才能记录阶段" in response.json()["detail"], \
        response.json()
    assert (snapshot(wo), snapshot(draft), everything()) == before


def test_stages_out_of_scope_are_404(personas, api):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    before = snapshot(wo)
    for username in ("am02", "am03", "am05", "sup2", "region2"):
        response = api(username).post(f"/workorders/{wo.pk}/stages", {"stage": "briefing",
                                                                       **STAGE})
        assert response.status_code == 404, username
    assert snapshot(wo) == before


@pytest.mark.parametrize("username", ["am02", "am05"])
def test_other_managers_get_404_on_every_operation(personas, api, username):
    am01 = personas["am01"]
    draft = make_work_order(am01, personas.customers["am01"][0], title="甲草稿")
    running = make_approved_work_order(am01, personas.customers["am01"][1])
    before = snapshot(draft), snapshot(running), everything()
    client = api(username)
    for response in (
        client.get(f"/workorders/{draft.pk}"),
        client.patch(f"/workorders/{draft.pk}", {"title": "改", "version": 1}),
        client.post(f"/workorders/{draft.pk}/submit"),
        client.post(f"/workorders/{running.pk}/stages", {"stage": "proposal", **STAGE}),
        client.get(f"/workorders/{running.pk}"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。", "errors": {}}
    assert (snapshot(draft), snapshot(running), everything()) == before
    assert client.get("/workorders").json()["count"] == 0


def test_returned_work_order_is_changed_and_submitted_again(personas, api):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    api("am01").post(f"/workorders/{wo.pk}/submit")
    request = request_for(wo)
    task = request.tasks.get(approver=personas["sup1"])
    approvals.task_return(actor=personas["sup1"], task=task, comment="请补充预算明细")
    wo.refresh_from_db()
    assert wo.stage == "returned"
    response = api("am01").patch(f"/workorders/{wo.pk}", {"content": "补充了预算明细",
                                                          "version": wo.version})
    assert response.status_code == 200, response.content
    assert response.json()["may_change"] is True
    response = api("am01").post(f"/workorders/{wo.pk}/submit")
    assert response.status_code == 200
    assert (response.json()["stage"], response.json()["approval"]["id"]) == ("pending", request.pk)
    approve_all(wo)
    assert api("am01").get(f"/workorders/{wo.pk}").json()["stage"] == "briefing"


# --- query counts ----------------------------------------------------------------------------

def _queries(client, path, params=None):
    client.get(path, params)  # the token notes its use once a minute: not part of the count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"page_size": 100, **(params or {})})
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


def test_list_runs_the_same_queries_for_one_row_and_many(personas, api):
    make_approved_work_order(personas["am01"], personas.customers["am01"][0])
    one = _queries(api("sup1"), "/workorders")
    for i in range(12):
        manager = ("am01", "am02")[i % 2]
        make_work_order(personas[manager], personas.customers[manager][i % 2], title=f"项目{i}")
    many = _queries(api("sup1"), "/workorders")
    assert (one[1]["count"], many[1]["count"]) == (1, 13)
    assert many[0] == one[0] <= 6, many[0]
    filtered = _queries(api("sup1"), "/workorders", {"stage": "draft", "kind": "existing_customer"})
    assert filtered[1]["count"] == 12 and filtered[0] == one[0]


def test_detail_runs_a_constant_number_of_queries(personas, api):
    am01 = personas["am01"]
    small = make_work_order(am01, personas.customers["am01"][0])
    big = make_approved_work_order(am01, personas.customers["am01"][1])
    for stage in ("proposal", "contract", "plan"):
        services.stage_record(actor=am01, work_order=big, stage=stage, date=date(2026, 12, 1),
                              people="市场部", files=[pdf(f"{stage}1.pdf"), pdf(f"{stage}2.pdf")])
        big.refresh_from_db()
    client = api("am01")
    one = _queries(client, f"/workorders/{small.pk}")
    many = _queries(client, f"/workorders/{big.pk}")
    assert sum(len(s["record"]["attachments"]) for s in many[1]["steps"] if s["record"]) == 7
    assert many[0] == one[0] <= 8, (one[0], many[0])


def test_schema_names_do_not_clash_with_other_routers():
    """ninja names OpenAPI components by class name: a second StepOut would silently replace
    the approvals' one in the documented schema."""
    from qiao.api import api as ninja_api

    components = ninja_api.get_openapi_schema()["components"]["schemas"]
    assert "tasks" in components["StepOut"]["properties"]
    assert "record" in components["WorkOrderStepOut"]["properties"]
