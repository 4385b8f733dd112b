"""The ticket workflow through the services: routing by the rules, the owner told, each step
and its refusals (nothing half-written), scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from qiao.core.exceptions import StaleVersionError, TransitionNotAllowed
from qiao.customers.models import CustomerEvent
from qiao.notify.models import Notification
from qiao.tickets import services
from qiao.tickets.models import Ticket, TicketEvent, TicketMessage

from .factories import complaint_desk, make_ticket

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_major_complaint_goes_to_the_department_manager_and_the_owner_is_told(personas):
    complaint_desk(personas)
    customer = personas.customers["am01"][0]
    ticket = make_ticket(personas["director"], customer, severity="major")
    assert ticket.assignee == personas["deptmgr"] and ticket.queue is None
    assert ticket.number == f"KF{ticket.pk:08d}"
    assert kinds_for(personas["am01"]) == [services.OPENED_FOR_OWNER]
    assert kinds_for(personas["deptmgr"]) == [services.ASSIGNED_TO_YOU]
    event = CustomerEvent.objects.get(customer=customer, kind="ticket_opened")
    assert event.params == {"number": ticket.number, "subject": ticket.subject}
    assert [e.code for e in TicketEvent.objects.filter(ticket=ticket)] == [
        services.CREATED, services.ASSIGNED]


def test_a_general_complaint_goes_to_the_complaint_group_whose_member_takes_it(personas):
    group = complaint_desk(personas)
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0])
    assert ticket.queue == group and ticket.assignee is None
    agent = personas["agent01"]
    assert Ticket.objects.visible_to(agent).filter(pk=ticket.pk).exists()  # the queue's
    ticket = services.ticket_take(actor=agent, ticket=ticket)
    assert ticket.assignee == agent
    with pytest.raises(TransitionNotAllowed):  # taken already
        services.ticket_take(actor=agent, ticket=ticket)


def test_without_a_rule_the_ticket_is_the_registrars(personas):
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0], kind="inquiry")
    assert ticket.assignee == personas["am01"]
    assert Notification.objects.count() == 0  # nobody else to tell


def test_a_second_complaint_within_90_days_is_flagged_as_a_repeat(personas):
    customer = personas.customers["am01"][0]
    assert not make_ticket(personas["am01"], customer).is_repeat
    assert make_ticket(personas["am01"], customer).is_repeat
    assert not make_ticket(personas["am01"], customer, kind="inquiry").is_repeat


def test_nobody_registers_a_ticket_for_a_customer_they_do_not_see(personas):
    for user in ("am03", "agent01", "qa01"):
        with pytest.raises(PermissionDenied):
            make_ticket(personas[user], personas.customers["am01"][0])
    assert not Ticket.objects.exists()


def test_a_contact_of_another_customer_is_refused(personas):
    from tests.factories import make_contact
    other = make_contact(personas.customers["am02"][0], personas["am02"])
    with pytest.raises(ValidationError):
        make_ticket(personas["am01"], personas.customers["am01"][0], contact=other)
    assert not Ticket.objects.exists()


def test_scope_a_manager_sees_their_customers_tickets_another_manager_does_not(personas):
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0])
    seen_by = {name for name in ("am01", "am02", "am03", "sup1", "region1", "director",
                                 "agent01", "qa01")
               if Ticket.objects.visible_to(personas[name]).filter(pk=ticket.pk).exists()}
    assert seen_by == {"am01", "sup1", "region1", "director"}


def test_the_whole_complaint_workflow(personas):
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0])
    services.ticket_note(actor=am01, ticket=ticket, body="已联系仓库核查批次")
    services.ticket_reply(actor=am01, ticket=ticket, body="您好，我们已安排核查。")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.first_response_at is not None
    with pytest.raises(ValidationError) as refused:
        services.ticket_resolve(actor=am01, ticket=ticket, resolution="已调换")
    assert "cause" in refused.value.message_dict  # a complaint is resolved with its cause
    services.ticket_resolve(actor=am01, ticket=ticket, resolution="已为客户调换两条", cause="product")
    with pytest.raises(ValidationError):
        services.ticket_close(actor=am01, ticket=ticket, rating=6)
    ticket = services.ticket_close(actor=am01, ticket=ticket, rating=5, comment="处理及时")
    assert ticket.status == "closed" and ticket.rating == 5
    with pytest.raises(TransitionNotAllowed):  # no reply on a closed ticket
        services.ticket_reply(actor=am01, ticket=ticket, body="补充说明")
    assert list(TicketMessage.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        "note", "reply", "reply"]  # the result reached the customer as a reply
    assert CustomerEvent.objects.filter(kind="ticket_closed").count() == 1


def test_closing_needs_a_resolution_first(personas):
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0])
    with pytest.raises(TransitionNotAllowed):
        services.ticket_close(actor=am01, ticket=ticket, rating=5)
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.version == 1


@override_settings(QIAO_TICKET_REOPEN_DAYS=7)
def test_a_closed_ticket_reopens_only_within_the_window(personas):
    am01 = personas["am01"]
    now = timezone.now()
    ticket = make_ticket(am01, personas.customers["am01"][0], kind="inquiry", now=now)
    services.ticket_resolve(actor=am01, ticket=ticket, resolution="已答复", now=now)
    services.ticket_close(actor=am01, ticket=ticket, rating=3, now=now)
    with pytest.raises(ValidationError):
        services.ticket_reopen(actor=am01, ticket=ticket, reason="  ")
    with pytest.raises(TransitionNotAllowed):
        services.ticket_reopen(actor=am01, ticket=ticket, reason="不满意",
                               now=now + timezone.timedelta(days=8))
    ticket = services.ticket_reopen(actor=am01, ticket=ticket, reason="不满意",
                                    now=now + timezone.timedelta(days=6))
    assert ticket.status == "in_progress" and ticket.closed_at is None


def test_reassigning_needs_the_action_a_reason_and_a_cleared_handler(personas):
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0])
    with pytest.raises(PermissionDenied):
        services.ticket_assign(actor=personas["am01"], ticket=ticket, assignee=personas["am02"],
                               reason="换人")
    with pytest.raises(ValidationError) as refused:
        services.ticket_assign(actor=personas["sup1"], ticket=ticket, assignee=personas["am02"])
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):  # the brand manager does not handle tickets
        services.ticket_assign(actor=personas["sup1"], ticket=ticket,
                               assignee=personas["admin"], reason="换人")
    secret = personas.customers["am02"][0]
    secret.secret_level = 3
    secret.save()
    hidden = make_ticket(personas["director"], secret)
    with pytest.raises(ValidationError):  # an agent is not cleared for a secret customer
        services.ticket_assign(actor=personas["director"], ticket=hidden,
                               assignee=personas["agent01"], reason="转座席")
    services.ticket_assign(actor=personas["sup1"], ticket=ticket, assignee=personas["am02"],
                           reason="am01 休假")
    ticket.refresh_from_db()
    assert ticket.assignee == personas["am02"]
    assert services.ASSIGNED_TO_YOU in kinds_for(personas["am02"])


def test_two_people_acting_at_once_one_gets_a_conflict(personas):
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0])
    services.ticket_wait(actor=am01, ticket=ticket, expected_version=1)
    with pytest.raises(StaleVersionError):
        services.ticket_resolve(actor=am01, ticket=ticket, resolution="已处理", cause="staff",
                                expected_version=1)
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"


def test_the_case_library(personas):
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0], subject="卷烟批次受潮")
    with pytest.raises(PermissionDenied):
        services.case_library_add(actor=am01, ticket=ticket, summary="仓储湿度")
    with pytest.raises(TransitionNotAllowed):
        services.case_library_add(actor=personas["sup1"], ticket=ticket, summary="仓储湿度")
    services.ticket_resolve(actor=am01, ticket=ticket, resolution="调换", cause="logistics")
    services.case_library_add(actor=personas["sup1"], ticket=ticket, summary="雨季仓储湿度需检查")
    from qiao.tickets import selectors
    assert [c.pk for c in selectors.cases(am01, "湿度")] == [ticket.pk]
    assert selectors.cases(personas["am03"], "湿度") == []  # not his customer's
