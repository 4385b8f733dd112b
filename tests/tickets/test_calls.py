"""The call centre (CC-1, CC-4): calls matched to customers by number (0, 1 or several: the
agent chooses, never a guess, among customers they may see), a ticket from a call in one step,
who sees a call, bad input refused with nothing written, and the agent statistics against
hand-computed figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qiao.customers import services as customer_services
from qiao.tickets import selectors, services
from qiao.tickets.models import Call, Ticket
from tests.factories import make_customer

from .factories import make_ticket

pytestmark = pytest.mark.django_db

SHARED = "13912340001"  # am01's two customers share it (a head office and its shop)


def with_phone(customer, phone, actor):
    return customer_services.customer_update(actor=actor, customer=customer, data={
        "phone": phone}, expected_version=customer.version)


@pytest.fixture
def numbers(personas):
    director = personas["director"]
    head, shop = (with_phone(c, SHARED, director) for c in personas.customers["am01"])
    other = with_phone(personas.customers["am02"][0], SHARED, director)
    own = with_phone(make_customer(personas["agent01"], actor=director), "021-55512345", director)
    return {"head": head, "shop": shop, "other": other, "own": own}


def record(actor, phone, *, now=None, **data):
    now = now or timezone.now()
    call, _new = services.call_record(actor=actor, now=now, data={
        "direction": "in", "phone": phone, "started_at": now - timedelta(minutes=5),
        "duration": 300, "purpose": "complaint", "result": "answered", **data})
    return call


def test_a_number_matches_none_one_or_several_customers_the_agent_sees(personas, numbers):
    agent = personas["agent01"]
    assert record(agent, "13700000000").customer is None
    # One match: the customer, whatever way the number was typed.
    assert record(agent, "021 5551 2345").customer == numbers["own"]
    # Several: none is guessed; the candidates are the manager's own two, never am02's.
    call = record(personas["am01"], "+86 139 1234 0001")
    assert call.customer is None
    assert {c.pk for c in selectors.number_matches(personas["am01"], call.phone_normalized)} == {
        numbers["head"].pk, numbers["shop"].pk}
    # Another manager's customer with the number is not offered to choose either.
    with pytest.raises(ValidationError):
        services.call_choose_customer(actor=personas["am01"], call=call,
                                      customer=numbers["other"])
    call.refresh_from_db()
    assert call.customer is None
    services.call_choose_customer(actor=personas["am01"], call=call, customer=numbers["shop"])
    call.refresh_from_db()
    assert call.customer == numbers["shop"]


def test_the_call_page_asks_which_customer_and_the_choice_is_kept(personas, numbers):
    client = personas.client("am01")
    call = record(personas["am01"], SHARED)
    page = client.get(reverse("tickets:call_detail", args=[call.pk])).content.decode()
    assert "哪位客户来电" in page and numbers["head"].name in page
    assert numbers["other"].name not in page
    refused = client.post(reverse("tickets:call_choose", args=[call.pk]),
                          {"customer": numbers["other"].pk})
    assert refused.status_code == 400
    done = client.post(reverse("tickets:call_choose", args=[call.pk]),
                       {"customer": numbers["head"].pk})
    assert done.status_code == 302
    call.refresh_from_db()
    assert call.customer == numbers["head"]


def test_incoming_screen_shows_candidates_open_tickets_and_last_calls(personas, numbers,
                                                                      django_assert_max_num_queries):
    client = personas.client("am01")
    ticket = make_ticket(personas["am01"], numbers["head"], subject="门店断货")
    earlier = record(personas["am01"], SHARED, summary="询问到货时间")
    url = reverse("tickets:call_incoming")
    with django_assert_max_num_queries(30):
        page = client.get(url, {"phone": "139-1234-0001"})
    body = page.content.decode()
    assert page.status_code == 200 and "来电" in body
    assert numbers["head"].name in body and numbers["shop"].name in body
    assert numbers["other"].name not in body
    assert ticket.number in body and reverse("tickets:call_detail", args=[earlier.pk]) in body
    response = client.post(url, {
        "direction": "in", "phone": SHARED, "customer": numbers["shop"].pk,
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "duration": 95,
        "purpose": "inquiry", "result": "answered", "summary": "询问新品价格"})
    call = Call.objects.latest("id")
    assert response.status_code == 302 and response.url == reverse("tickets:call_detail",
                                                                     args=[call.pk])
    assert (call.customer, call.agent, call.duration) == (numbers["shop"], personas["am01"], 95)


@pytest.mark.parametrize("changes", [
    {"duration": -1}, {"duration": 86401}, {"duration": 10**12}, {"started_at": "0001-01-01T00:00"},
    {"started_at": "2999-01-01T00:00"}, {"phone": "\u200b"}, {"phone": "12"},
    {"summary": "长" * 2001},
])
def test_impossible_calls_are_refused_with_nothing_written(personas, numbers, changes):
    data = {"direction": "in", "phone": SHARED, "started_at": timezone.localtime().strftime(
        "%Y-%m-%dT%H:%M"), "duration": 60, "purpose": "inquiry", "result": "answered",
        **changes}
    response = personas.client("am01").post(reverse("tickets:call_incoming"), data)
    assert response.status_code == 400
    assert not Call.objects.exists()


def test_a_ticket_from_the_call_in_one_step(personas, numbers):
    client = personas.client("agent01")
    call = record(personas["agent01"], "02155512345", summary="烟丝受潮，要求换货")
    response = client.post(reverse("tickets:call_ticket", args=[call.pk]), {
        "kind": "complaint", "severity": "general", "category": "quality",
        "subject": "烟丝受潮", "description": ""})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse("tickets:detail",
                                                                     args=[ticket.pk])
    call.refresh_from_db()
    assert call.ticket == ticket and call.result == "ticket"
    assert (ticket.channel, ticket.customer, ticket.reporter_phone, ticket.description) == (
        "call_centre", numbers["own"], "021-55512345", "烟丝受潮，要求换货")
    again = client.post(reverse("tickets:call_ticket", args=[call.pk]), {
        "kind": "complaint", "severity": "general", "category": "quality", "subject": "再来"})
    assert again.status_code == 400 and Ticket.objects.count() == 1


def test_no_ticket_from_a_call_whose_customer_is_not_known(personas, numbers):
    call = record(personas["am01"], SHARED)
    with pytest.raises(ValidationError):
        services.call_ticket_create(actor=personas["am01"], call=call,
                                    data={"subject": "不知道是谁"})
    assert not Ticket.objects.exists()


def test_who_sees_a_call(personas, numbers):
    by_agent = record(personas["agent01"], "02155512345")
    by_am01 = record(personas["am01"], SHARED, customer=numbers["head"])
    seen = {name: {c.pk for c in Call.objects.visible_to(personas[name])}
            for name in ("agent01", "agent02", "am01", "am02", "sup1", "deptmgr", "director")}
    assert seen["agent01"] == {by_agent.pk}
    assert seen["agent02"] == set()  # another agent's calls: never
    assert seen["am01"] == {by_am01.pk}
    assert seen["am02"] == set()
    assert seen["sup1"] == {by_am01.pk}  # the team's
    assert seen["deptmgr"] == seen["director"] == {by_agent.pk, by_am01.pk}
    assert personas.client("agent02").get(
        reverse("tickets:call_detail", args=[by_agent.pk])).status_code == 404
    assert personas.client("am02").get(
        reverse("tickets:call_detail", args=[by_am01.pk])).status_code == 404
    assert personas.client("am02").post(
        reverse("tickets:call_choose", args=[by_am01.pk]),
        {"customer": numbers["shop"].pk}).status_code == 404


def test_an_account_manager_sees_the_calls_of_their_customers(personas, numbers):
    by_agent = record(personas["agent01"], "13800000001", customer=None)
    Call.objects.filter(pk=by_agent.pk).update(customer=numbers["head"])
    assert by_agent.pk in {c.pk for c in Call.objects.visible_to(personas["am01"])}
    assert by_agent.pk not in {c.pk for c in Call.objects.visible_to(personas["am02"])}


def test_only_a_supervisor_records_another_agents_call(personas, numbers):
    with pytest.raises(Exception) as refused:
        record(personas["agent02"], SHARED, agent=personas["agent01"])
    assert refused.type.__name__ == "PermissionDenied"
    call = record(personas["deptmgr"], SHARED, agent=personas["agent01"])
    assert call.agent == personas["agent01"] and call.recorded_by == personas["deptmgr"]


def test_a_telephony_id_records_the_call_once(personas, numbers):
    first = record(personas["deptmgr"], SHARED, agent=personas["agent01"], external_id="PBX-1")
    again, new = services.call_record(actor=personas["deptmgr"], data={
        "direction": "in", "phone": SHARED, "started_at": timezone.now(), "duration": 1,
        "external_id": "PBX-1", "agent": personas["agent01"]})
    assert (again.pk, new, Call.objects.count()) == (first.pk, False, 1)
    # Someone who cannot see that call learns nothing from its id.
    with pytest.raises(ValidationError):
        services.call_record(actor=personas["am02"], data={
            "direction": "in", "phone": SHARED, "started_at": timezone.now(), "duration": 1,
            "external_id": "PBX-1"})


def test_agent_statistics_against_hand_computed_figures(personas, numbers,
                                                        django_assert_max_num_queries):
    agent1, agent2 = personas["agent01"], personas["agent02"]
    now = timezone.now()
    day = now - timedelta(days=20)
    # agent01: four inbound, one outbound.
    # 1. answered, no call back → first-contact resolved.
    record(agent1, "13700000001", now=day, duration=120)
    # 2. answered, but the number called again 3 days later (call 5) → not resolved.
    record(agent1, "13700000002", now=day, duration=240)
    # 3. a ticket, resolved → resolved at first contact.
    call3 = record(agent1, "02155512345", now=day, duration=600)
    ticket = services.call_ticket_create(actor=agent1, call=call3, data={"subject": "换货"},
                                         now=day)
    services.ticket_resolve(actor=agent1, ticket=ticket, resolution="已换货", cause="product",
                            now=day + timedelta(days=1))
    # 4. call back later: not settled.
    record(agent1, "13700000003", now=day, duration=60, result="callback")
    # 5. an outbound return visit: not counted in first-contact resolution.
    record(agent1, "13700000004", now=day, duration=180, direction="out", result="answered")
    # agent02 takes the call back of number 2, three days on: resolved itself.
    record(agent2, "13700000002", now=day + timedelta(days=3), duration=30)
    # A call outside the period.
    record(agent1, "13700000009", now=now - timedelta(days=60), duration=9999)
    start, end = (day - timedelta(days=1)).date(), timezone.localdate()
    with django_assert_max_num_queries(3):
        rows = selectors.agent_statistics(personas["deptmgr"], start, end)
    by_agent = {r["agent"]: r for r in rows}
    one = by_agent[str(agent1)]
    # Handling: (120 + 240 + 600 + 60 + 180) / 5 = 240 s = 4:00.
    assert (one["inbound"], one["outbound"], one["calls"], one["handling"]) == (4, 1, 5, "4:00")
    # Resolved at first contact: calls 1 and 3 of 4 inbound = 50 %.
    assert (one["resolved"], one["fcr"]) == (2, 50.0)
    two = by_agent[str(agent2)]
    assert (two["inbound"], two["outbound"], two["handling"], two["resolved"], two["fcr"]) == (
        1, 0, "0:30", 1, 100.0)
    # An agent sees only their own line.
    assert [r["agent"] for r in selectors.agent_statistics(agent2, start, end)] == [str(agent2)]


def test_statistics_page_in_chinese_and_bad_periods(personas, numbers):
    record(personas["agent01"], "13700000001")
    client = personas.client("deptmgr")
    page = client.get(reverse("tickets:call_statistics"))
    body = page.content.decode()
    assert page.status_code == 200 and "座席统计" in body and "首次解决率" in body
    for bad in ({"date_from": "0001-01-01", "date_to": "0001-12-31"},
                {"date_from": "2026-12-01", "date_to": "2026-01-01"},
                {"date_from": "9999-12-30", "date_to": "9999-12-31"}):
        assert client.get(reverse("tickets:call_statistics"), bad).status_code == 400
    assert personas.client("agent01").get(reverse("tickets:call_statistics")).status_code == 404
