import pytest
from django.urls import reverse

from qiao.customers import services as customer_services
from qiao.notify.models import Notification
from qiao.tickets import services
from qiao.tickets.demo import load_demo_calls, load_demo_tickets
from qiao.tickets.models import AssignmentRule, Call, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_demo_has_tickets_of_every_kind_and_state_and_is_idempotent(personas):
    load_demo_tickets(count=120)
    assert set(Ticket.objects.values_list("kind", flat=True)) == {
        "inquiry", "complaint", "after_sales", "proposal"}
    assert {"new", "in_progress", "waiting", "resolved", "closed"} <= set(
        Ticket.objects.values_list("status", flat=True))
    assert AssignmentRule.objects.count() == 5
    assert Ticket.objects.filter(is_case=True).exists()
    assert Ticket.objects.filter(rating__isnull=False).exists()
    # Breached clocks, escalated once each by the sweep the demo ran.
    assert TicketEvent.objects.filter(code=services.BREACHED).exists()
    assert Notification.objects.filter(kind=services.SLA_BREACH).exists()
    count = Ticket.objects.count()
    load_demo_tickets(count=120)
    assert Ticket.objects.count() == count
    body = personas.client("agent01").get(reverse("tickets:list")).content.decode()
    assert 'data-testid="ticket-row"' in body


def test_demo_calls_cover_both_directions_matches_and_tickets(personas):
    for i, customer in enumerate(personas.customers["am01"]):
        customer_services.customer_update(actor=personas["director"], customer=customer,
                                          data={"phone": f"1391234000{i}"},
                                          expected_version=customer.version)
    load_demo_calls(count=80)
    calls = Call.objects.all()
    assert set(calls.values_list("direction", flat=True)) == {"in", "out"}
    assert calls.filter(customer__isnull=True).exists()
    assert calls.filter(customer__isnull=False).exists()
    assert calls.filter(ticket__channel="call_centre").exists()
    count = calls.count()
    load_demo_calls(count=80)
    assert Call.objects.count() == count
