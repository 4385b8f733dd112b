"""The calls endpoints (CC-1): a telephony system posts calls, idempotent by its own id and
matched by number; scope as on the pages (404 outside it); bad input 400 with nothing written;
the number masked like the customer's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qiao.customers import services as customer_services
from qiao.tickets.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(personas):
    owned = personas.customers["am01"][0]
    return customer_services.customer_update(
        actor=personas["director"], customer=owned, data={"phone": "13912340001"},
        expected_version=owned.version)


def body(**changes):
    return {"direction": "in", "phone": "139 1234 0001",
            "started_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
            "duration": 185, "purpose": "inquiry", "result": "answered",
            "summary": "询问促销政策", **changes}


def test_a_telephony_post_is_matched_and_recorded_once(personas, api, customer):
    client = api("am01")
    first = client.post("/calls", body(external_id="PBX-0001"))
    assert first.status_code == 201
    call = first.json()
    assert call["customer"] == {"id": customer.pk, "name": customer.name}
    assert call["agent"]["username"] == "am01" and call["phone"] == "139****0001"
    again = client.post("/calls", body(external_id="PBX-0001", duration=1))
    assert again.status_code == 200 and again.json()["id"] == call["id"]
    assert Call.objects.get().duration == 185
    assert client.get(f"/calls/{call['id']}").json()["summary"] == "询问促销政策"
    listed = client.get("/calls", {"direction": "in"}).json()
    assert [c["id"] for c in listed["items"]] == [call["id"]]


def test_posting_for_an_agent_needs_ticket_assign(personas, api, customer):
    agent = personas["agent01"]
    refused = api("am01").post("/calls", body(agent=agent.pk))
    assert refused.status_code in (403, 404) and not Call.objects.exists()
    done = api("deptmgr").post("/calls", body(agent=agent.pk, external_id="PBX-2"))
    assert done.status_code == 201 and done.json()["agent"]["username"] == "agent01"
    # The agent does not see am01's customer: left unmatched, never guessed.
    assert done.json()["customer"] is None


def test_scope_404_for_another_managers_call(personas, api, customer):
    call = api("am01").post("/calls", body()).json()
    assert api("am02").get(f"/calls/{call['id']}").status_code == 404
    assert api("am02").get("/calls").json()["count"] == 0
    assert api("sup1").get(f"/calls/{call['id']}").status_code == 200


@pytest.mark.parametrize("changes", [
    {"duration": -1}, {"duration": 86401}, {"started_at": "0001-01-01T00:00:00"},
    {"started_at": "2999-01-01T00:00:00+08:00"}, {"phone": "\u200b"}, {"direction": "sideways"},
    {"agent": 10**15}, {"customer": 999999}, {"external_id": "x" * 65}, {"summary": "长" * 2001},
])
def test_bad_input_is_refused_with_nothing_written(personas, api, customer, changes):
    response = api("deptmgr").post("/calls", body(**changes))
    assert response.status_code in (400, 422), response.content
    assert not Call.objects.exists()
