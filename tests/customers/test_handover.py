"""Handover (交接, SPEC ORG-6, CHECKS C06): a leaver's customers move to another manager in one
transaction — all or none — with a history row and a timeline event each and one operation
log row; refusals write nothing; no customer is left with a disabled owner."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qiao.audit.models import OperationLog
from qiao.core import registry
from qiao.core.models import Clearance
from qiao.customers import services
from qiao.customers.models import Customer, CustomerEvent

from ..factories import make_customer
from .test_pool import fresh

REASON = "客户经理离职"


def make_leaver_customers(personas):
    """Three customers of the leaver, registered while they still worked here."""
    leaver = personas["leaver"]
    region = personas.org.regions[0]
    return [make_customer(leaver, actor=personas["director"], region=region) for _ in range(3)]


@pytest.fixture
def leaver_customers(personas):
    return make_leaver_customers(personas)


def snapshot():
    """Everything a handover writes, to prove a refused one wrote nothing."""
    return (sorted(Customer._base_manager.values_list("pk", "owner_id", "owner_unit_id", "version")),
            Customer.history.count(), CustomerEvent.objects.count(), OperationLog.objects.count())


def use_steps(monkeypatch, *steps):
    """The handover steps are these (registered as a domain app's ready() does), for this test."""
    monkeypatch.setattr(registry.handover_steps, "_entries", {})
    for step in steps:
        registry.handover_steps.register(step)


def orphans():
    """Live customers still owned by a disabled account."""
    return Customer.objects.alive().filter(owner__is_active=False).count()


def test_handing_over_all_of_a_leavers_customers(personas, leaver_customers):
    sup1, leaver, am02 = personas["sup1"], personas["leaver"], personas["am02"]
    assert orphans() == 3
    history_before = {c.pk: c.history.count() for c in leaver_customers}

    moved = services.customers_handover(actor=sup1, from_user=leaver, to_user=am02, reason=REASON)

    assert moved == 3
    assert orphans() == 0
    for customer in leaver_customers:
        row = fresh(customer)
        assert (row.owner_id, row.owner_unit_id, row.version) == (am02.pk, am02.unit_id,
                                                                 customer.version + 1)
        assert customer.history.count() == history_before[customer.pk] + 1
        entry = customer.history.first()
        assert (entry.owner_id, entry.history_user_id) == (am02.pk, sup1.pk)
        assert REASON in entry.history_change_reason
        # Who owned what when: the rows before say the leaver, this one says am02.
        assert customer.history.all()[1].owner_id == leaver.pk
        event = CustomerEvent.objects.filter(customer=customer).latest("id")
        assert (event.kind, event.actor_id, event.data) == (
            "handover", sup1.pk, {"from": leaver.pk, "to": am02.pk, "reason": REASON})
    log = OperationLog.objects.get(action=OperationLog.Kind.HANDOVER)
    assert log.actor_id == sup1.pk
    assert log.details["from"]["username"] == "leaver" and log.details["to"]["username"] == "am02"
    assert (log.details["count"], log.details["reason"]) == (3, REASON)
    assert sorted(log.details["customers"]) == sorted(c.pk for c in leaver_customers)
    assert set(Customer.objects.visible_to(am02).values_list("pk", flat=True)) >= {
        c.pk for c in leaver_customers}


def test_handing_over_chosen_customers(personas, leaver_customers):
    first, second, third = leaver_customers
    moved = services.customers_handover(
        actor=personas["region1"], from_user=personas["leaver"], to_user=personas["am03"],
        customers=[first, second.pk], reason=REASON)
    assert moved == 2
    assert {fresh(first).owner_id, fresh(second).owner_id} == {personas["am03"].pk}
    assert fresh(third).owner_id == personas["leaver"].pk
    assert OperationLog.objects.get(action=OperationLog.Kind.HANDOVER).details["count"] == 2


def test_a_failure_in_the_middle_leaves_nothing_changed(personas, leaver_customers, monkeypatch):
    calls = []

    def move_open_visits(*, actor, from_user, to_user, customer_ids, reason, now):
        calls.append(sorted(customer_ids))
        # What a later module's step sees: the customers have already moved, in this transaction.
        assert Customer.objects.filter(pk__in=customer_ids, owner=to_user).count() == 3
        return 7

    def move_open_tickets(**kwargs):
        raise RuntimeError("the tickets could not be moved")

    before = snapshot()
    use_steps(monkeypatch, move_open_visits, move_open_tickets)
    with pytest.raises(RuntimeError):
        services.customers_handover(actor=personas["sup1"], from_user=personas["leaver"],
                                    to_user=personas["am02"], reason=REASON)
    assert calls == [sorted(c.pk for c in leaver_customers)]
    assert snapshot() == before
    assert orphans() == 3

    # Without the failing step the handover goes through, and the log says what each moved.
    use_steps(monkeypatch, move_open_visits)
    assert services.customers_handover(actor=personas["sup1"], from_user=personas["leaver"],
                                       to_user=personas["am02"], reason=REASON) == 3
    steps = OperationLog.objects.get(action=OperationLog.Kind.HANDOVER).details["steps"]
    assert list(steps.values()) == [7]


@pytest.mark.parametrize(("case", "field"), [
    ("no reason", "reason"),
    ("to the same person", "to_user"),
    ("to a disabled account", "to_user"),
    ("to someone outside the actor's scope", "to_user"),
    ("from someone outside the actor's scope", "from_user"),
    ("a customer that is not the leaver's", "customers"),
    ("a customer the actor may not see", "customers"),
    ("nothing ticked", "customers"),
    ("to someone not cleared for a customer", "to_user"),
    ("to someone whose role has no customers", "to_user"),
])
def test_refusals_write_nothing(personas, leaver_customers, case, field):
    sup1, leaver, am02 = personas["sup1"], personas["leaver"], personas["am02"]
    kwargs = {"actor": sup1, "from_user": leaver, "to_user": am02, "reason": REASON}
    if case == "no reason":
        kwargs["reason"] = "  "
    elif case == "to the same person":
        kwargs["to_user"] = leaver
    elif case == "to a disabled account":
        am01 = personas["am01"]
        am01.is_active = False
        am01.save(update_fields=["is_active"])
        kwargs["to_user"] = am01
    elif case == "to someone outside the actor's scope":
        kwargs["to_user"] = personas["am03"]  # another team: reports to region1, not sup1
    elif case == "from someone outside the actor's scope":
        kwargs["from_user"] = personas["am03"]
        kwargs["to_user"] = personas["am01"]
    elif case == "a customer that is not the leaver's":
        kwargs["customers"] = [leaver_customers[0], personas.customers["am01"][0]]
    elif case == "a customer the actor may not see":
        Customer.objects.filter(pk=leaver_customers[1].pk).update(secret_level=Clearance.SECRET)
        kwargs["customers"] = leaver_customers
    elif case == "nothing ticked":
        kwargs["customers"] = []
    elif case == "to someone not cleared for a customer":
        Customer.objects.filter(pk=leaver_customers[1].pk).update(
            secret_level=Clearance.CONFIDENTIAL)
    elif case == "to someone whose role has no customers":
        kwargs["actor"] = personas["director"]
        kwargs["to_user"] = personas.users["brandmgr"]
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.customers_handover(**kwargs)
    assert field in refused.value.message_dict, refused.value.message_dict
    assert snapshot() == before


def test_only_those_who_may_reassign_hand_over(personas, leaver_customers):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.customers_handover(actor=personas["am01"], from_user=personas["leaver"],
                                    to_user=personas["am01"], reason=REASON)
    assert snapshot() == before


def test_a_customer_above_the_actors_clearance_stays_for_someone_cleared(personas,
                                                                        leaver_customers):
    """"All" means all that the actor sees: a secret customer waits for a director."""
    secret = leaver_customers[2]
    Customer.objects.filter(pk=secret.pk).update(secret_level=Clearance.SECRET)
    assert services.customers_handover(actor=personas["sup1"], from_user=personas["leaver"],
                                       to_user=personas["am02"], reason=REASON) == 2
    assert orphans() == 1
    with pytest.raises(ValidationError):  # sup1 is cleared up to confidential only
        services.customers_handover(actor=personas["director"], from_user=personas["leaver"],
                                    to_user=personas["sup1"], reason=REASON)
    assert services.customers_handover(actor=personas["director"], from_user=personas["leaver"],
                                       to_user=personas["deptmgr"], reason=REASON) == 1
    assert orphans() == 0


def test_c06_a_disabled_manager_is_out_and_their_customers_go_to_the_new_owner(personas):
    """C06 end to end: disable am01 in the admin, their open session is refused at once; the
    handover moves their customers in one go; the new owner sees them, the leaver does not."""
    am01, am02 = personas["am01"], personas["am02"]
    customers = personas.customers["am01"]
    session = personas.client("am01")
    detail = reverse("customers:detail", args=[customers[0].pk])
    assert session.get(detail).status_code == 200

    admin = personas.client("admin")
    response = admin.post(reverse("admin:org_user_change", args=[am01.pk]),
                          _admin_user_form(am01, is_active=False))
    assert response.status_code == 302, response.content.decode()[:2000]
    am01.refresh_from_db()
    assert not am01.is_active
    for url in (detail, reverse("customers:list"), reverse("customers:pool")):
        refused = session.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith("/login/"), url
    assert orphans() == 2

    response = personas.client("sup1").post(
        reverse("customers:handover_user", args=[am01.pk]),
        {"to_user": am02.pk, "reason": REASON, "scope": "all"})
    assert response.status_code == 302
    assert orphans() == 0
    new_owner = personas.client("am02")
    for customer in customers:
        assert new_owner.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert session.get(detail).status_code == 302
    assert not Customer.objects.visible_to(am01).exists()
    am01.is_active = True  # even if the account came back, the customers stay with am02
    am01.save(update_fields=["is_active"])
    assert not Customer.objects.visible_to(am01).exists()


def _admin_user_form(user, **changes):
    """What the admin's user change form posts back, with `changes`."""
    data = {
        "username": user.username, "display_name": user.display_name,
        "unit": user.unit_id or "", "position": user.position_id or "",
        "supervisor": user.supervisor_id or "", "mobile": user.mobile,
        "language": user.language, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "", "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    for key, value in changes.items():
        data[key] = ("on" if value else "") if isinstance(value, bool) else value
    return {k: v for k, v in data.items() if v != ""}
