"""SLA clocks on the business calendar: nights, weekends, National Day 2025 with its make-up
workdays; the resolution clock stopped while waiting on the customer; warnings and
escalations sent exactly once by the sweep."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qiao.core import calendar
from qiao.notify.models import Notification
from qiao.tickets import services
from qiao.tickets.models import SlaPolicy, Ticket, TicketEvent

from .factories import complaint_desk, make_ticket

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def official(db):
    calendar.seed_official_days()


@pytest.fixture
def complaint_policy(db):
    return SlaPolicy.objects.create(name="投诉", kind="complaint", first_response_hours=24,
                                    resolution_hours=48, warn_hours=4)


def test_the_handbooks_24_hours_when_no_policy_is_set(personas, official):
    customer = personas.customers["am01"][0]
    ticket = make_ticket(personas["am01"], customer, kind="inquiry", now=at(2025, 11, 3, 9))
    # 24 business hours of 7.5 a day from Monday 09:00: Mon, Tue, Wed full, Thu 1.5 h.
    assert ticket.first_response_due == at(2025, 11, 6, 10, 30)
    assert calendar.business_hours_between(at(2025, 11, 3, 9), ticket.resolution_due) == \
        timedelta(hours=72)


def test_a_complaint_on_the_friday_before_national_day(personas, official, complaint_policy):
    """Fri 26 Sep 2025 17:00. First response, 24 h: 1 h on Friday, the make-up Sunday 28th,
    Mon 29th, Tue 30th (7.5 h each), the holiday to the 8th → Thu 9 Oct 09:30. Resolution,
    48 h: then Thu 9th and Fri 10th (38.5 h), the make-up Saturday 11th (46 h), Mon 13th
    09:00 + 2 h → 11:00; warned 4 h before, on Saturday the 11th at 16:00."""
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0],
                         now=at(2025, 9, 26, 17))
    assert ticket.first_response_due == at(2025, 10, 9, 9, 30)
    assert ticket.resolution_due == at(2025, 10, 13, 11, 0)
    assert ticket.resolution_warn_at == at(2025, 10, 11, 16, 0)
    # 20 h after the start: 16 h by Monday evening, Tuesday 3 h in the morning and 1 h after lunch.
    assert ticket.first_response_warn_at == at(2025, 9, 30, 14, 30)


def test_the_most_specific_policy_wins(personas, official, complaint_policy):
    customer = personas.customers["am01"][0]
    SlaPolicy.objects.create(name="重大投诉", kind="complaint", severity="major",
                             first_response_hours=2, resolution_hours=8, warn_hours=1)
    ticket = make_ticket(personas["am01"], customer, severity="major", now=at(2025, 11, 3, 9))
    assert ticket.first_response_due == at(2025, 11, 3, 11)
    assert ticket.resolution_due == at(2025, 11, 4, 9, 30)
    general = make_ticket(personas["am01"], customer, now=at(2025, 11, 3, 9))
    assert general.first_response_due == at(2025, 11, 6, 10, 30)


def test_waiting_on_the_customer_stops_the_resolution_clock(personas, official):
    """Resolution 16 h from Mon 3 Nov 09:00 → Wed 5 Nov 10:00. Waiting from Mon 14:00 (3.5 h
    gone, 12.5 h left) to Wed 09:00: due Wed 09:00 + 12.5 h → Thu 6 Nov 15:30."""
    SlaPolicy.objects.create(name="咨询", kind="inquiry", first_response_hours=4,
                             resolution_hours=16, warn_hours=2)
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0], kind="inquiry",
                         now=at(2025, 11, 3, 9))
    assert ticket.resolution_due == at(2025, 11, 5, 10)
    services.ticket_wait(actor=am01, ticket=ticket, now=at(2025, 11, 3, 14))
    # While it waits, the sweep neither warns nor escalates the resolution.
    assert services.sla_sweep(now=at(2025, 11, 5, 12))["breach"] == 1  # the first response
    ticket = services.ticket_resume(actor=am01, ticket=ticket, now=at(2025, 11, 5, 9))
    assert ticket.status == "in_progress" and ticket.paused_at is None
    assert ticket.resolution_due == at(2025, 11, 6, 15, 30)
    # Still warned 2 business hours before (12:00 is the end of the morning: 13:30 in business
    # time).
    assert calendar.business_hours_between(ticket.resolution_warn_at,
                                           ticket.resolution_due) == timedelta(hours=2)
    assert ticket.resolution_breached_at is None


def test_the_sweep_warns_then_escalates_each_clock_exactly_once(personas, official):
    group = complaint_desk(personas)
    ticket = make_ticket(personas["director"], personas.customers["am01"][0],
                         now=at(2025, 11, 3, 9))
    assert ticket.queue == group and ticket.assignee is None
    # Thursday 08:00: 20 business hours gone, the first response is due at 10:30 → warned.
    assert services.sla_sweep(now=at(2025, 11, 6, 8)) == {"warn": 1, "breach": 0}
    assert services.sla_sweep(now=at(2025, 11, 6, 8, 30)) == {"warn": 0, "breach": 0}
    warned = Notification.objects.filter(kind=services.SLA_WARNING)
    assert [n.recipient.username for n in warned] == ["agent01"]  # the queue's members
    # Thursday 11:00: breached → escalated to the queue's supervisor, once, however often the
    # sweep runs (twice at once included: the mark is a conditional update).
    assert services.sla_sweep(now=at(2025, 11, 6, 11)) == {"warn": 0, "breach": 1}
    assert services.sla_sweep(now=at(2025, 11, 6, 11, 1)) == {"warn": 0, "breach": 0}
    assert services._sweep_one(ticket.pk, "first_response", "breach", at(2025, 11, 6, 12)) is False
    breached = Notification.objects.filter(kind=services.SLA_BREACH)
    assert sorted(n.recipient.username for n in breached) == ["agent01", "sup1"]
    assert TicketEvent.objects.filter(ticket=ticket, code=services.BREACHED).count() == 1
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at == at(2025, 11, 6, 11)


def test_a_reply_in_time_stops_the_first_response_clock(personas, official):
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0], now=at(2025, 11, 3, 9))
    services.ticket_reply(actor=am01, ticket=ticket, body="您好，已收到，今天派人上门查看。",
                          now=at(2025, 11, 3, 10))
    assert services.sla_sweep(now=at(2025, 11, 7, 9))["breach"] == 0  # resolution due later
    ticket.refresh_from_db()
    [response, resolution] = services.clocks(ticket, now=at(2025, 11, 7, 9))
    assert response["state"] == "met" and resolution["state"] in ("running", "due_soon")
    assert Ticket.objects.get(pk=ticket.pk).first_response_breached_at is None


def test_a_breach_with_no_queue_goes_up_the_assignees_line(personas, official):
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0], now=at(2025, 11, 3, 9))
    services.sla_sweep(now=at(2025, 11, 20, 9))
    recipients = {n.recipient.username for n in Notification.objects.filter(
        kind=services.SLA_BREACH)}
    assert recipients == {"am01", "sup1"}  # the assignee and the first superior who assigns
    assert TicketEvent.objects.filter(ticket=ticket, code=services.BREACHED).count() == 2


def test_reopening_starts_a_fresh_resolution_clock(personas, official):
    am01 = personas["am01"]
    ticket = make_ticket(am01, personas.customers["am01"][0], kind="inquiry",
                         now=at(2025, 11, 3, 9))
    services.ticket_resolve(actor=am01, ticket=ticket, resolution="已答复", now=at(2025, 11, 3, 10))
    services.ticket_close(actor=am01, ticket=ticket, rating=2, now=at(2025, 11, 3, 11))
    ticket = services.ticket_reopen(actor=am01, ticket=ticket, reason="客户仍有疑问",
                                    now=at(2025, 11, 4, 9))
    assert ticket.resolution_due == calendar.add_business_hours(at(2025, 11, 4, 9), Decimal(72))
    assert ticket.reopen_count == 1 and ticket.rating is None


def test_a_crash_while_escalating_neither_loses_nor_doubles_it(personas, official, monkeypatch):
    """The worker dies between marking a breach and telling anyone (here: the inbox write
    fails): the mark is rolled back with it, so the next sweep escalates — once."""
    ticket = make_ticket(personas["am01"], personas.customers["am01"][0], now=at(2025, 11, 3, 9))
    real_notify = services.notify

    def crash(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "notify", crash)
    with pytest.raises(RuntimeError):
        services.sla_sweep(now=at(2025, 11, 6, 11))
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at is None
    assert not TicketEvent.objects.filter(code=services.BREACHED).exists()
    monkeypatch.setattr(services, "notify", real_notify)
    assert services.sla_sweep(now=at(2025, 11, 6, 11, 1))["breach"] == 1
    assert services.sla_sweep(now=at(2025, 11, 6, 11, 2))["breach"] == 0
    assert Notification.objects.filter(kind=services.SLA_BREACH, recipient=personas["sup1"]
                                       ).count() == 1
