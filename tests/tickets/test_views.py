"""The service desk's pages in zh-Hans: register, list, the ticket's page and its steps,
refusals answered on the page with nothing written, the customer's tab and the desk, query
counts that do not grow with tickets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.tickets.models import CannedReply, Ticket, TicketMessage

from .factories import complaint_desk, make_ticket

pytestmark = pytest.mark.django_db


def form_data(customer, **changes):
    return {"customer": customer.pk, "kind": "complaint", "channel": "walk_in",
            "severity": "general", "category": "delivery", "subject": "送货延误三天",
            "description": "客户上门反映本周订货未按约定日期送达。", "reporter_name": "王店长",
            "reporter_phone": "13812345678", **changes}


def test_register_a_complaint_at_the_counter(personas):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    page = client.get(reverse("tickets:new"), {"customer": customer.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert "登记服务单" in body and customer.name in body
    response = client.post(reverse("tickets:new"), form_data(customer))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse("tickets:detail",
                                                                     args=[ticket.pk])
    assert (ticket.channel, ticket.reporter_phone, ticket.assignee) == (
        "walk_in", "13812345678", personas["am01"])
    detail = client.get(response.url).content.decode()
    assert ticket.number in detail and "送货延误三天" in detail and "首次响应" in detail


@pytest.mark.parametrize("changes", [
    {"subject": ""}, {"description": "  "}, {"kind": "gossip"}, {"reporter_phone": "12"},
    {"reporter_email": "not-an-address"}, {"subject": "长" * 121},
    {"description": "\u200b\u200b"},
])
def test_bad_input_is_refused_on_the_form_and_nothing_is_saved(personas, changes):
    customer = personas.customers["am01"][0]
    response = personas.client("am01").post(reverse("tickets:new"), form_data(customer, **changes))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_another_managers_customer_is_no_choice(personas):
    other = personas.customers["am03"][0]
    response = personas.client("am01").post(reverse("tickets:new"), form_data(other))
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert other.name not in response.content.decode()


def test_the_steps_through_the_page(personas):
    complaint_desk(personas)
    CannedReply.objects.create(title="致歉", body="非常抱歉给您带来不便，我们会尽快处理。")
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0])
    agent = personas.client("agent01")
    url = reverse("tickets:detail", args=[ticket.pk])
    body = agent.get(url).content.decode()
    assert "领取" in body and "非常抱歉" in body  # take it; the standard reply
    assert f'href="/customers/{ticket.customer_id}/"' not in body  # not the agent's customer
    assert agent.post(reverse("tickets:take", args=[ticket.pk])).status_code == 400  # no version
    assert agent.post(reverse("tickets:take", args=[ticket.pk]), {"version": 1}).status_code == 302
    assert agent.post(reverse("tickets:reply", args=[ticket.pk]),
                      {"version": 2, "body": "您好，已安排复核批次。"}).status_code == 302
    # A stale version (the page was open before the reply): 409, nothing written.
    stale = agent.post(reverse("tickets:resolve", args=[ticket.pk]),
                       {"version": 2, "resolution": "已调换", "cause": "product"})
    assert stale.status_code == 409
    missing_cause = agent.post(reverse("tickets:resolve", args=[ticket.pk]),
                               {"version": 3, "resolution": "已调换"})
    assert missing_cause.status_code == 400
    assert "请选择投诉原因" in missing_cause.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert agent.post(reverse("tickets:resolve", args=[ticket.pk]),
                      {"version": 3, "resolution": "已调换", "cause": "product"}).status_code == 302
    assert agent.post(reverse("tickets:close", args=[ticket.pk]),
                      {"version": 4, "rating": "4", "comment": "满意"}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.assignee) == ("closed", 4, personas["agent01"])
    body = agent.get(url).content.decode()
    assert "已关闭" in body and "4/5" in body
    # The agent may not put it in the case library; the supervisor may.
    assert agent.post(reverse("tickets:case", args=[ticket.pk]),
                      {"case_summary": "批次"}).status_code == 404
    assert personas.client("sup1").post(reverse("tickets:case", args=[ticket.pk]),
                                        {"case_summary": "雨季批次受潮"}).status_code == 302


def test_a_note_is_never_shown_as_a_reply(personas):
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0])
    client = personas.client("am01")
    client.post(reverse("tickets:note", args=[ticket.pk]), {"body": "客户脾气急，注意措辞"})
    note = TicketMessage.objects.get()
    assert note.kind == "note"
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-kind="note"' in body and "内部备注" in body


def test_out_of_scope_is_404_on_every_step(personas):
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0])
    other = personas.client("am03")
    assert other.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 404
    for step in ("reply", "note", "resolve", "take", "wait"):
        assert other.post(reverse(f"tickets:{step}", args=[ticket.pk]),
                          {"version": 1, "body": "x", "resolution": "x"}).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).version == 1
    assert not TicketMessage.objects.exists()


def test_the_list_filters_and_the_customer_tab(personas):
    customer = personas.customers["am01"][0]
    make_ticket(personas["am01"], customer, subject="开具发票", kind="inquiry")
    make_ticket(personas["am01"], customer, subject="卷烟受潮")
    client = personas.client("am01")
    body = client.get(reverse("tickets:list")).content.decode()
    assert "开具发票" in body and "卷烟受潮" in body and "共 2 条记录" in body
    body = client.get(reverse("tickets:list"), {"kind": "inquiry"}).content.decode()
    assert "开具发票" in body and "卷烟受潮" not in body
    number = Ticket.objects.get(subject="卷烟受潮").number
    body = client.get(reverse("tickets:list"), {"q": number}).content.decode()
    assert "开具发票" not in body and "卷烟受潮" in body
    assert client.get(reverse("tickets:list"), {"status": "nonsense"}).status_code == 200
    tab = client.get(reverse("customers:detail_tab", args=[customer.pk, "tickets"]))
    assert tab.status_code == 200 and "卷烟受潮" in tab.content.decode()
    assert "卷烟受潮" not in personas.client("am03").get(reverse("tickets:list")).content.decode()
    desk = client.get(reverse("home")).content.decode()
    assert "我的服务单" in desk and "卷烟受潮" in desk


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ("am01", "sup1", "director", "agent01"))
def test_list_query_count_is_constant(personas, username):
    complaint_desk(personas)
    customers = personas.customers["am01"]
    for i in range(3):
        make_ticket(personas["am01"], customers[i % 2], subject=f"问题{i}")
    client = personas.client(username)
    url = reverse("tickets:list")
    client.get(url)
    few = _queries(client, url)
    for i in range(20):
        make_ticket(personas["am01"], customers[i % 2], subject=f"更多问题{i}",
                    severity="minor" if i % 2 else "general")
    assert _queries(client, url) == few


def test_detail_query_count_is_constant(personas):
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0])
    client = personas.client("am01")
    url = reverse("tickets:detail", args=[ticket.pk])
    client.get(url)
    one = _queries(client, url)
    from qiao.tickets import services
    for i in range(5):
        services.ticket_note(actor=am01, ticket=ticket, body=f"备注{i}")
        services.ticket_reply(actor=am01, ticket=ticket, body=f"答复{i}")
    assert _queries(client, url) == one
