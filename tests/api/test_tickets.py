"""The service desk's endpoints: the pages' selectors, form and services behind them. Scope
(404 for everyone else), the workflow, optimistic concurrency (409), bad input (400 with
field errors, nothing written), and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiao.tickets.models import Ticket, TicketMessage
from tests.tickets.factories import complaint_desk, make_ticket

SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}
WITH_API = ("director", "deptmgr", "region1", "sup1", "am01", "am02", "am03")


def body_for(owned, **changes):
    return {"customer": owned.pk, "kind": "complaint", "subject": "  卷烟受潮 ",
            "description": "两条卷烟受潮发霉", "severity": "general", "category": "quality",
            "reporter_phone": "138 1234 5678", **changes}


def test_register_then_the_whole_workflow(personas, api):
    client = api("am01")
    customer = personas.customers["am01"][0]
    response = client.post("/tickets", body_for(customer))
    assert response.status_code == 201, response.json()
    ticket = response.json()
    assert ticket["subject"] == "卷烟受潮" and ticket["channel"] == "api"
    assert ticket["number"] == f"KF{ticket['id']:08d}"
    assert ticket["assignee"]["username"] == "am01"
    assert [c["code"] for c in ticket["clocks"]] == ["first_response", "resolution"]
    pk = ticket["id"]
    ticket = client.post(f"/tickets/{pk}/reply", {"body": "已安排核查", "version": 1}).json()
    assert ticket["status"] == "in_progress" and ticket["first_response_at"]
    assert client.post(f"/tickets/{pk}/notes", {"body": "仓库湿度偏高"}).status_code == 201
    refused = client.post(f"/tickets/{pk}/transition",
                          {"action": "resolve", "resolution": "调换", "version": 2})
    assert refused.status_code == 400 and "cause" in refused.json()["errors"]
    ticket = client.post(f"/tickets/{pk}/transition", {
        "action": "resolve", "resolution": "调换两条", "cause": "product", "version": 2}).json()
    assert ticket["status"] == "resolved"
    stale = client.post(f"/tickets/{pk}/transition", {"action": "close", "rating": 5,
                                                        "version": 2})
    assert stale.status_code == 409
    ticket = client.post(f"/tickets/{pk}/transition", {"action": "close", "rating": 5,
                                                         "version": 3}).json()
    assert ticket["status"] == "closed" and ticket["rating"] == 5
    assert [m["kind"] for m in ticket["messages"]] == ["reply", "note", "reply"]
    assert "resolved" in [s["code"] for s in ticket["steps"]]
    closed = client.post(f"/tickets/{pk}/reply", {"body": "补充", "version": 4})
    assert closed.status_code == 400


@pytest.mark.parametrize("changes", [
    {"subject": ""}, {"kind": "gossip"}, {"reporter_phone": "12"}, {"customer": 0},
    {"description": "x" * 10001}, {"severity": None}, {"contact": 2**63},
])
def test_bad_input_is_400_and_nothing_is_written(personas, api, changes):
    response = api("am01").post("/tickets", body_for(personas.customers["am01"][0], **changes))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_another_managers_customer_is_400_on_customer(personas, api):
    response = api("am01").post("/tickets", body_for(personas.customers["am03"][0]))
    assert response.status_code == 400 and "customer" in response.json()["errors"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("username", WITH_API)
def test_who_sees_a_ticket(personas, api, username):
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0])
    client = api(username)
    seen = client.get(f"/tickets/{ticket.pk}").status_code
    listed = [t["id"] for t in client.get("/tickets").json()["items"]]
    assert (seen == 200) == (username in SEES_AM01)
    assert (ticket.pk in listed) == (username in SEES_AM01)
    if username not in SEES_AM01:
        for path, body in ((f"/tickets/{ticket.pk}/reply", {"body": "x", "version": 1}),
                           (f"/tickets/{ticket.pk}/notes", {"body": "x"}),
                           (f"/tickets/{ticket.pk}/transition", {"action": "wait",
                                                                  "version": 1})):
            assert client.post(path, body).status_code == 404
        assert Ticket.objects.get(pk=ticket.pk).version == 1
        assert not TicketMessage.objects.exists()


def test_assigning_needs_the_supervisors_action_and_valid_choices(personas, api):
    group = complaint_desk(personas)
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0], kind="inquiry")
    assert api("am01").post(f"/tickets/{ticket.pk}/assign",
                            {"queue": group.pk, "reason": "转投诉组", "version": 1}
                            ).status_code == 404
    sup = api("sup1")
    unknown = sup.post(f"/tickets/{ticket.pk}/assign", {"queue": 999999, "reason": "x",
                                                        "version": 1})
    assert unknown.status_code == 400 and "queue" in unknown.json()["errors"]
    done = sup.post(f"/tickets/{ticket.pk}/assign", {"queue": group.pk, "reason": "转投诉组",
                                                     "version": 1})
    assert done.status_code == 200 and done.json()["queue"]["name"] == "投诉组"


def test_list_queries_do_not_grow_with_tickets(personas, api):
    client = api("sup1")
    customers = personas.customers["am01"]
    make_ticket(personas["am01"], customers[0])
    client.get("/tickets")
    with CaptureQueriesContext(connection) as few:
        client.get("/tickets")
    for i in range(15):
        make_ticket(personas["am01"], customers[i % 2], subject=f"问题{i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/tickets").json()["count"] == 16
    assert len(many) == len(few)
