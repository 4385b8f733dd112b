"""Visit records (VIS-3, VIS-4), visit rules (VIS-1) and commitments with their return visit
(VIS-5): written through visits.services, read through the scope; bad input refused with
nothing half-written."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiao.core import calendar
from qiao.core.exceptions import ConflictError
from qiao.customers.models import Customer, CustomerEvent
from qiao.visits import desk, selectors, services
from qiao.visits.demo import ensure_visit_rules
from qiao.visits.models import Commitment, Task, Visit

from ..factories import make_contact, make_customer
from .factories import make_visit, visit_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _grade(customer, personas, rank, category="ordinary"):
    grade = next(g for g in personas.grades if g.rank == rank)
    Customer._base_manager.filter(pk=customer.pk).update(grade=grade, category=category)
    customer.refresh_from_db()
    return customer


def _nothing_written(counts):
    assert (Visit.objects.count(), Commitment.objects.count(),
            CustomerEvent.objects.filter(kind=services.VISIT_EVENT).count()) == counts


# --- visit rules and customers due ---------------------------------------------------------

def test_rules_by_grade_and_classification(personas):
    ensure_visit_rules()
    customer = _grade(personas.customers["am01"][0], personas, 2)
    rule = selectors.rule_for(customer)
    assert rule.frequency_days == 14 and rule.category == ""
    # The classification's own rule wins within its grade; training is on the checklist.
    customer = _grade(customer, personas, 2, "big")
    rule = selectors.rule_for(customer)
    assert rule.frequency_days == 7 and rule.category == "big"
    assert selectors.checklist_for(customer)[-1] == Task.TRAINING
    customer = _grade(customer, personas, 5)
    assert selectors.checklist_for(customer) == ["inform", "collect"]
    assert selectors.default_method(customer) == "phone"
    # Ungraded: no rule, the handbook's six tasks, never due.
    Customer._base_manager.filter(pk=customer.pk).update(grade=None)
    customer.refresh_from_db()
    assert selectors.rule_for(customer) is None and len(selectors.checklist_for(customer)) == 6


def test_customers_due_or_overdue_by_their_last_visit(personas, media):
    ensure_visit_rules()
    am01 = personas["am01"]
    today = timezone.localdate()
    weekly, quarterly = personas.customers["am01"]
    _grade(weekly, personas, 1)
    _grade(quarterly, personas, 5)
    never = _grade(make_customer(am01), personas, 3)
    make_visit(am01, weekly, visited_on=today - timedelta(days=10))  # 3 days overdue
    make_visit(am01, quarterly, visited_on=today - timedelta(days=30))  # due in 60 days
    due = selectors.due_customers(am01, today=today)
    assert [(d.customer.pk, d.days_late) for d in due] == [(never.pk, 0), (weekly.pk, 3)]
    assert due[1].last_visit == today - timedelta(days=10) and due[0].last_visit is None
    # Looking ahead: the quarterly customer is due within 60 days.
    assert quarterly.pk in {d.customer.pk for d in selectors.due_customers(
        am01, today=today, within_days=60)}
    # Another manager's customers are never in one's list, and sup1 has none of his own.
    assert selectors.due_customers(personas["am02"], today=today) == []
    assert selectors.due_customers(personas["sup1"], today=today) == []


def test_the_due_list_costs_two_queries_whatever_the_visits(personas, media):
    ensure_visit_rules()
    am01 = personas["am01"]
    today = timezone.localdate()
    for customer in personas.customers["am01"]:
        _grade(customer, personas, 1)

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            result = selectors.due_customers(am01, today=today)
        return len(ctx), len(result)

    small = cost()
    for n in range(1, 6):
        for customer in personas.customers["am01"]:
            make_visit(am01, customer, visited_on=today - timedelta(days=7 * n + 1))
        _grade(make_customer(am01), personas, 1)
    large = cost()
    assert small[0] == large[0] <= 3  # the rules, the customers with their last visit (+ scope)
    assert large[1] == small[1] + 5


# --- a visit record ------------------------------------------------------------------------

def test_a_visit_is_recorded_signed_and_moves_the_last_follow_up(personas, media):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    buyer = make_contact(customer, am01, name="钱经理", title="采购经理", has_decision_power=True)
    before = Customer.objects.get(pk=customer.pk).last_activity_at
    visit, created = services.visit_record(actor=am01, data=visit_input(
        customer, contacts=[buyer], commitments=[("下周补送畅销品", timezone.localdate())]))
    assert created and visit.author == am01 and visit.customer == customer
    assert list(visit.contacts.all()) == [buyer]
    assert visit.tasks == ["inform", "collect"] and visit.latitude == 31.23
    assert visit.file.read().startswith(b"\x89PNG") and visit.content_type == "image/png"
    assert visit.secret_level == customer.secret_level
    [commitment] = visit.commitments.all()
    assert (commitment.owner, commitment.customer, commitment.status) == (am01, customer, "open")
    event = CustomerEvent.objects.get(kind=services.VISIT_EVENT)
    assert event.link == visit and "钱经理" in event.text
    assert Customer.objects.get(pk=customer.pk).last_activity_at > before


def test_a_record_sent_twice_is_stored_once(personas, media):
    am01 = personas["am01"]
    data = visit_input(personas.customers["am01"][0],
                       commitments=[("提供新版价格表", timezone.localdate())])
    first, created = services.visit_record(actor=am01, data=data)
    again, created_again = services.visit_record(actor=am01, data=data)
    assert created and not created_again and again.pk == first.pk
    _nothing_written((1, 1, 1))
    # The same key from someone else is a conflict, not their record.
    with pytest.raises(ConflictError):
        services.visit_record(actor=personas["am02"], data=visit_input(
            personas.customers["am02"][0], idempotency_key=data.idempotency_key))
    _nothing_written((1, 1, 1))


@pytest.mark.parametrize(("change", "field"), [
    ({"visited_on": timezone.localdate() + timedelta(days=1)}, "visited_on"),
    ({"signature": ""}, "signature"),
    ({"signature": "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}, "signature"),
    ({"kind": "special", "situation": "  "}, "situation"),
    ({"signer_name": " "}, "signer_name"),
    ({"tasks": ["inform", "bribe"]}, "tasks"),
    ({"latitude": 31.2, "longitude": None}, "latitude"),
    ({"commitments": [("补货", None)]}, "commitments"),
    ({"commitments": [("补货", timezone.localdate() - timedelta(days=30))]}, "commitments"),
    ({"signed_in_at": timezone.now() + timedelta(hours=2)}, "signed_in_at"),
])
def test_bad_input_is_refused_with_nothing_written(personas, media, change, field):
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=personas["am01"],
                              data=visit_input(personas.customers["am01"][0], **change))
    assert field in refused.value.message_dict
    _nothing_written((0, 0, 0))
    assert not any(media.rglob("*.png")), "no signature file left behind"


def test_a_blank_signature_is_refused(personas, media):
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (300, 120), (0, 0, 0, 0)).save(out, format="PNG")
    blank = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=personas["am01"], data=visit_input(
            personas.customers["am01"][0], signature=blank))
    assert "blank" in " ".join(refused.value.message_dict["signature"]) or \
        "空白" in " ".join(refused.value.message_dict["signature"])
    _nothing_written((0, 0, 0))


def test_a_customer_outside_scope_or_another_customers_contact_is_refused(personas, media):
    am01 = personas["am01"]
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=am01, data=visit_input(personas.customers["am03"][0]))
    stranger = make_contact(personas.customers["am01"][1], am01, name="别家联系人")
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=am01, data=visit_input(personas.customers["am01"][0],
                                                           contacts=[stranger]))
    assert "contacts" in refused.value.message_dict
    # Without the action (the call centre): refused as out of scope.
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=personas["agent01"],
                              data=visit_input(personas.customers["am01"][0]))
    _nothing_written((0, 0, 0))


def test_a_special_visit_keeps_its_situation_a_regular_one_drops_it(personas, media):
    am01 = personas["am01"]
    special = make_visit(am01, personas.customers["am01"][0], kind="special",
                         situation="门店遭遇水管爆裂")
    regular = make_visit(am01, personas.customers["am01"][0], situation="无")
    assert special.situation == "门店遭遇水管爆裂" and regular.situation == ""


# --- scope -----------------------------------------------------------------------------------

def test_a_manager_sees_own_visits_the_supervisor_the_teams(personas, media):
    visit = make_visit(personas["am01"], personas.customers["am01"][0])
    other = make_visit(personas["am03"], personas.customers["am03"][0])
    visible = lambda who: set(selectors.visit_list(personas[who]).values_list("pk", flat=True))  # noqa: E731
    assert visible("am01") == {visit.pk}
    assert visible("am02") == set()
    assert visible("sup1") == {visit.pk}
    assert visible("region1") == {visit.pk, other.pk}
    assert visible("director") == {visit.pk, other.pk}


# --- commitments and the return visit ------------------------------------------------------

def test_commitment_fulfilled_then_the_return_visit(personas, media):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    today = timezone.localdate()
    visit = make_visit(am01, customer, visited_on=today - timedelta(days=20),
                       commitments=[("安排店员培训", today - timedelta(days=3)),
                                    ("补送宣传资料", today + timedelta(days=5))])
    overdue, later = visit.commitments.order_by("due_on")
    # The overdue one is on the owner's desk, not on anyone else's.
    assert desk.commitments_context(am01)["overdue"] == [overdue]
    assert desk.commitments_context(personas["am02"])["overdue"] == []
    fulfilled = services.commitment_fulfil(actor=am01, commitment=overdue, note="已培训")
    assert fulfilled.status == "fulfilled" and fulfilled.closed_on == today
    assert fulfilled.return_due_on == calendar.next_working_day(today + timedelta(days=7),
                                                                including=True)
    assert CustomerEvent.objects.filter(kind=services.COMMITMENT_FULFILLED).count() == 1
    # Fulfilled once only.
    with pytest.raises(ConflictError):
        services.commitment_fulfil(actor=am01, commitment=overdue)
    # Its return visit is due (on the desk once the day comes) until the next visit.
    assert selectors.return_visits_due(am01, today=fulfilled.return_due_on) == [fulfilled]
    returned = make_visit(am01, customer, visited_on=today)
    fulfilled.refresh_from_db()
    assert fulfilled.return_visit == returned and not fulfilled.awaits_return_visit
    assert selectors.return_visits_due(am01, today=fulfilled.return_due_on) == []
    # Cancelled with a reason; without one refused.
    with pytest.raises(ValidationError):
        services.commitment_cancel(actor=am01, commitment=later, note=" ")
    services.commitment_cancel(actor=am01, commitment=later, note="客户已不需要")
    later.refresh_from_db()
    assert later.status == "cancelled" and later.return_due_on is None
    # Another manager cannot touch them.
    with pytest.raises(PermissionDenied):
        services.commitment_fulfil(actor=personas["am03"], commitment=later)


def test_the_desk_block_costs_the_same_for_few_and_many(personas, media):
    am01 = personas["am01"]
    today = timezone.localdate()

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            desk.commitments_context(am01)
        return len(ctx)

    make_visit(am01, personas.customers["am01"][0], visited_on=today - timedelta(days=9),
               commitments=[("补货", today - timedelta(days=2))])
    small = cost()
    for n in range(6):
        make_visit(am01, personas.customers["am01"][1], visited_on=today - timedelta(days=9),
                   commitments=[(f"补货{n}", today - timedelta(days=1))])
    assert cost() == small
    assert desk.commitments_context(am01)["overdue_count"] == 7


def test_demo_visit_records(personas, media):
    """The demo: visits of the demo managers over months, special ones, commitments in every
    state; loaded once."""
    from qiao.visits.demo import load_demo_visit_records

    for username in ("am01", "am02", "am03", "am05"):
        for n, customer in enumerate(personas.customers[username]):
            _grade(customer, personas, 1 + n)
    load_demo_visit_records()
    assert Visit.objects.filter(author=personas["am01"]).count() > 5
    statuses = set(Commitment.objects.values_list("status", flat=True))
    assert statuses <= {"open", "fulfilled", "cancelled"} and "fulfilled" in statuses
    count = Visit.objects.count()
    load_demo_visit_records()
    assert Visit.objects.count() == count
    assert uuid.UUID(str(Visit.objects.first().idempotency_key))


def test_a_sign_in_time_without_offset_or_out_of_range_is_handled(personas, media):
    import datetime as dt

    customer = personas.customers["am01"][0]
    day = timezone.localdate() - timedelta(days=1)
    naive = dt.datetime.combine(day, dt.time(10, 0))  # the local time, as a phone may send it
    visit = make_visit(personas["am01"], customer, visited_on=day, signed_in_at=naive)
    assert timezone.localtime(visit.signed_in_at).hour == 10
    far = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=personas["am01"], data=visit_input(customer,
                                                                        signed_in_at=far))
    assert "signed_in_at" in refused.value.message_dict


def test_commitments_to_keep_move_with_the_customers_handed_over(personas, media):
    from qiao.customers.services import customers_handover

    am01, am02 = personas["am01"], personas["am02"]
    customer, kept = personas.customers["am01"]
    today = timezone.localdate()
    visit = make_visit(am01, customer, visited_on=today - timedelta(days=3),
                       commitments=[("补货", today), ("培训", today), ("送资料", today)])
    stays = make_visit(am01, kept, commitments=[("另一家", today)]).commitments.get()
    open_, waiting, done = visit.commitments.order_by("id")
    services.commitment_fulfil(actor=am01, commitment=waiting)
    services.commitment_cancel(actor=am01, commitment=done, note="不需要了")
    customers_handover(actor=personas["sup1"], from_user=am01, to_user=am02,
                       customers=[customer], reason="岗位调整")
    owners = dict(Commitment.objects.values_list("text", "owner__username"))
    assert owners == {"补货": "am02", "培训": "am02", "送资料": "am01", "另一家": "am01"}
    assert Commitment.objects.get(pk=open_.pk).history.first().history_user == personas["sup1"]
    assert stays.owner == am01
