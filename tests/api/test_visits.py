"""The visit endpoints: the pages' selectors and services behind them. Who sees a visit or a
commitment (404 for everyone else), a record created once whatever the resends (idempotency
key), bad input refused with nothing written, constant query counts."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiao.visits.models import Commitment, Visit
from tests.factories import make_contact
from tests.visits.factories import SIGNATURE, make_visit

SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def body(customer, **changes):
    today = timezone.localdate()
    data = {"idempotency_key": str(uuid.uuid4()), "customer": customer.pk,
            "visited_on": today.isoformat(), "kind": "regular", "purpose": "例行走访",
            "tasks": ["inform", "collect"], "findings": "陈列整齐", "signer_name": "王建国",
            "signature": SIGNATURE, "latitude": 31.23, "longitude": 121.47, "accuracy": 20,
            "commitments": [{"text": "下周补货", "due_on": (today + timedelta(days=7)).isoformat()}]}
    data.update(changes)
    return data


def test_a_visit_is_created_once_whatever_the_resends(personas, api):
    customer = personas.customers["am01"][0]
    buyer = make_contact(customer, personas["am01"], name="钱经理", title="采购经理",
                         has_decision_power=True)
    client = api("am01")
    sent = body(customer, contacts=[buyer.pk])
    first = client.post("/visits", sent)
    assert first.status_code == 201, first.content
    answer = first.json()
    assert answer["customer"] == {"id": customer.pk, "name": customer.name}
    assert answer["contacts"] == [{"id": buyer.pk, "name": "钱经理", "title": "采购经理",
                                   "has_decision_power": True}]
    assert answer["commitments"][0]["text"] == "下周补货"
    assert answer["commitments"][0]["status"] == "open"
    assert answer["signature_url"].endswith("/signature.png")
    again = client.post("/visits", sent)
    assert again.status_code == 200 and again.json()["id"] == answer["id"]
    assert Visit.objects.count() == Commitment.objects.count() == 1
    # The same key from another manager: a conflict, nothing stored.
    other = api("am02").post("/visits", body(personas.customers["am02"][0],
                                              idempotency_key=sent["idempotency_key"]))
    assert other.status_code == 409
    assert Visit.objects.count() == 1
    detail = client.get(f"/visits/{answer['id']}")
    assert detail.status_code == 200 and detail.json()["idempotency_key"] == sent["idempotency_key"]


@pytest.mark.parametrize(("change", "field"), [
    ({"visited_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "visited_on"),
    ({"signature": ""}, "signature"),
    ({"signature": "data:image/gif;base64,R0lGODlhAQABAAAAACw="}, "signature"),
    ({"kind": "special"}, "situation"),
    ({"tasks": ["inform", "nonsense"]}, "tasks"),
])
def test_bad_input_is_400_with_nothing_written(personas, api, change, field):
    response = api("am01").post("/visits", body(personas.customers["am01"][0], **change))
    assert response.status_code == 400, response.content
    assert any(key == field or key.startswith(f"{field}.") for key in response.json()["errors"])
    assert Visit.objects.count() == Commitment.objects.count() == 0


def test_a_customer_outside_scope_is_refused_clearly(personas, api):
    response = api("am01").post("/visits", body(personas.customers["am03"][0]))
    assert response.status_code == 400 and "customer" in response.json()["errors"]
    assert Visit.objects.count() == 0
    # Without the action (the call centre has no API either): no visits at all.
    assert api("agent01").get("/visits").status_code == 401


@pytest.mark.parametrize("username", ["am01", "am02", "am03", "sup1", "region1", "director"])
def test_list_and_detail_only_in_scope(personas, api, username):
    visit = make_visit(personas["am01"], personas.customers["am01"][0],
                       commitments=[("补货", timezone.localdate())])
    client = api(username)
    detail = client.get(f"/visits/{visit.pk}")
    listed = {i["id"] for i in client.all_pages("/visits")[1]}
    commitments = {i["id"] for i in client.all_pages("/commitments")[1]}
    if username in SEES_AM01:
        assert detail.status_code == 200
        assert listed == {visit.pk} and commitments == {visit.commitments.get().pk}
    else:
        assert detail.status_code == 404
        assert listed == set() and commitments == set()


def test_filters_and_constant_queries(personas, api):
    am01 = personas["am01"]
    first, second = personas.customers["am01"]
    today = timezone.localdate()
    make_visit(am01, first, visited_on=today - timedelta(days=2))
    make_visit(am01, second, visited_on=today - timedelta(days=20), kind="special",
               situation="门店失火", commitments=[("赔付处理", today - timedelta(days=5))])
    client = api("am01")
    assert client.get("/visits", {"kind": "special"}).json()["count"] == 1
    assert client.get("/visits", {"customer": first.pk}).json()["count"] == 1
    assert client.get("/visits", {"date_from": (today - timedelta(days=5)).isoformat()}
                      ).json()["count"] == 1
    assert client.get("/commitments", {"overdue": "true"}).json()["count"] == 1
    assert client.get("/visits", {"kind": "nonsense"}).status_code == 400

    def cost(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    visit = Visit.objects.filter(kind="special").get()
    small = (cost("/visits"), cost("/commitments"), cost(f"/visits/{visit.pk}"))
    for n in range(6):
        make_visit(am01, second, visited_on=today - timedelta(days=3 + n),
                   commitments=[(f"补货{n}", today)])
    Commitment.objects.create(visit=visit, customer=second, owner=am01, text="再补一项",
                              due_on=today)
    assert (cost("/visits"), cost("/commitments"), cost(f"/visits/{visit.pk}")) == small
