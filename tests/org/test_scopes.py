"""The scope registry (core.registry.scopes, org.scope.ScopedQuerySet): every model a user can
read is registered with its mode, and each mode's filter is what it says."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from qiao.approvals import registry as approval_types
from qiao.core.models import Clearance
from qiao.core.registry import Scope, ScopeMode, scopes
from qiao.customers.models import Attachment, Contact, Customer, CustomerEvent, PoolMove
from qiao.notify.models import Notification
from qiao.notify.services import notify
from qiao.org.scope import (
    ScopedSoftDeleteQuerySet,
    clearance_q,
    registered_scope,
    scope_filter,
    scope_q,
)
from qiao.promotions.models import Handout
from qiao.tickets.models import AssignmentRule, TicketMessage
from qiao.workorders.models import WorkOrder
from tests.factories import make_contact

# --- every readable model is registered -------------------------------------------------------

# A foreign key to a user by one of these names makes a record someone's to read.
OWNING_NAMES = {"owner", "assignee", "author", "requester", "recipient"}

# Models with such a key (or a customer) that no user reads row by row, and why.
NOT_READ_BY_USERS = {
    # The public pool's claim log: counted for the claim limits and looked up for a claim
    # that came too late, never listed.
    PoolMove,
    # The service desk's routing rules (their "assignee" is whom a rule sends tickets to):
    # settings in the admin. A ticket's replies and notes (their "author"): read only on the
    # ticket's page and in its API, after the ticket itself came through visible_to.
    AssignmentRule,
    TicketMessage,
}


def approval_subjects():
    """A request's subject (a lifecycle change, a transfer, a hospitality request) is shown
    only on its approval request's page, to those who see the request (ApprovalRequest's
    scope), unless the subject is registered itself (a work order)."""
    return {request_type.model for request_type in approval_types.all_types()}


def is_history_or_through(model):
    """django-simple-history's Historical… tables (read through their record's history page)
    and many-to-many link tables (read with their records)."""
    links = {field.remote_field.through for m in apps.get_models()
             for field in m._meta.many_to_many}
    return hasattr(model, "instance_type") or model._meta.auto_created or model in links


def readable_models():
    """Installed models with an owning user or a customer."""
    user = get_user_model()
    for model in apps.get_models():
        keys = [f for f in model._meta.fields if f.many_to_one]
        if any(f.related_model is Customer or (f.related_model is user and f.name in OWNING_NAMES)
               for f in keys):
            yield model


def test_every_model_with_an_owner_or_a_customer_is_registered():
    exempt = NOT_READ_BY_USERS | approval_subjects()
    missing = sorted(m._meta.label for m in readable_models()
                     if m not in scopes and m not in exempt and not is_history_or_through(m))
    assert not missing, ("Register how these models are scoped to a user (core.registry.scopes, "
                         f"in the app's ready()) or say why no user reads them: {missing}")
    assert Customer in scopes and Contact in scopes  # the rule finds what it should


def test_every_registered_model_reads_through_its_scope():
    for entry in scopes:
        assert hasattr(entry.model.objects, "visible_to"), entry.model
        assert registered_scope(entry.model) is entry


def test_an_entry_names_the_fields_its_mode_needs():
    with pytest.raises(ValueError, match="owner_field"):
        Scope(Customer, ScopeMode.OWNER_UNIT, unit_field="owner_unit_id")
    with pytest.raises(ValueError, match="customer_field"):
        Scope(Contact, ScopeMode.VIA_CUSTOMER)
    with pytest.raises(ValueError, match="custom"):
        Scope(Contact, ScopeMode.CUSTOM)
    with pytest.raises(ValueError, match="no mode"):
        Scope(Contact, "everyone")


# --- owner and unit ---------------------------------------------------------------------------

def sql(queryset):
    return str(queryset.query)


def test_owner_unit_is_one_indexed_in_on_the_row_without_a_join(personas):
    """The customer list's condition, as before the registry: owner (or unit) IN, clearance,
    live — on the customer's own columns, no join, no subquery."""
    for username in ("am01", "sup1", "region1", "director"):
        user = personas[username]
        before = (scope_q(user, owner_field="owner_id", unit_field="owner_unit_id")
                  & clearance_q(user, "secret_level"))
        assert sql(Customer.objects.visible_to(user)) == sql(
            Customer.objects.filter(before, is_deleted=False))
        assert sql(Customer.objects.deleted_visible_to(user)) == sql(
            Customer.objects.filter(before, is_deleted=True))
        assert "JOIN" not in sql(Customer.objects.visible_to(user))
    assert set(Customer.objects.visible_to(personas["am01"])) == set(personas.customers["am01"])


def test_a_recycle_bin_needs_a_scope_that_names_the_deleted_flag(personas):
    with pytest.raises(ImproperlyConfigured, match="no soft delete"):
        ScopedSoftDeleteQuerySet(model=WorkOrder).deleted_visible_to(personas["am01"])


# --- via the customer -------------------------------------------------------------------------

def test_via_customer_applies_the_customers_conditions_through_one_join(personas):
    am01, director = personas["am01"], personas["director"]
    mine, other = personas.customers["am01"][0], personas.customers["am02"][0]
    seen, unseen = make_contact(mine, am01), make_contact(other, director)
    for user in (am01, personas["region1"]):
        before = (scope_q(user, owner_field="customer__owner_id",
                          unit_field="customer__owner_unit_id")
                  & clearance_q(user, "customer__secret_level"))
        # The SQL of contacts and files is what it was before the registry.
        assert sql(Contact.objects.visible_to(user)) == sql(
            Contact.objects.filter(before, is_deleted=False, customer__is_deleted=False))
        assert sql(Attachment.objects.visible_to(user)) == sql(Attachment.objects.filter(
            before & Q(customer__is_deleted=False) & clearance_q(user, "secret_level"),
            is_deleted=False))
    query = sql(Contact.objects.visible_to(am01))
    assert query.count("JOIN") == 1 and query.count("SELECT") == 1
    assert seen in Contact.objects.visible_to(am01)
    assert unseen not in Contact.objects.visible_to(am01)
    # Visible exactly when the customer is: not once it is deleted.
    Customer._base_manager.filter(pk=mine.pk).update(is_deleted=True)
    assert seen not in Contact.objects.visible_to(am01)


def test_a_model_with_a_custom_scope_is_no_condition_to_reach_through(personas):
    through_campaign = Scope(Handout, ScopeMode.VIA_CUSTOMER,
                             customer_field="recommendation__campaign")
    with pytest.raises(ImproperlyConfigured, match="custom scope"):
        scope_filter(through_campaign, personas["am01"])


# --- queue ------------------------------------------------------------------------------------

# No ticket model exists yet: the queue mode is tried on the timeline events, whose actor
# stands for the assignee and whose unit (OrgUnit.members) for a queue.
EVENTS_AS_TICKETS = Scope(CustomerEvent, ScopeMode.QUEUE, assignee_field="actor",
                          queue_field="owner_unit", members_field="members",
                          customer_field="customer")


def ticket(customer, *, assignee=None, queue=None):
    return CustomerEvent.objects.create(customer=customer, kind="ticket", message="工单",
                                        actor=assignee, owner_unit=queue)


def visible_tickets(user):
    return set(CustomerEvent.objects.filter(scope_filter(EVENTS_AS_TICKETS, user),
                                            kind="ticket"))


def test_queue_shows_the_assignees_the_queues_members_and_whoever_sees_the_customer(personas):
    am01, am02 = personas["am01"], personas["am02"]
    far_queue = personas["am03"].unit  # a unit am01 is not a member of
    elsewhere = personas.customers["am03"][0]  # a customer am01 does not see
    own_customer = ticket(personas.customers["am01"][0], queue=far_queue)
    assigned = ticket(elsewhere, assignee=am01, queue=far_queue)
    in_my_queue = ticket(elsewhere, queue=am01.unit)
    nobodys = ticket(elsewhere, assignee=am02, queue=far_queue)
    assert am02.unit == am01.unit  # a queue with several members lists each ticket once
    rows = CustomerEvent.objects.filter(scope_filter(EVENTS_AS_TICKETS, am01), kind="ticket")
    assert rows.count() == len(set(rows)) == 3
    assert visible_tickets(am01) == {own_customer, assigned, in_my_queue}
    assert nobodys in visible_tickets(am02) and nobodys in visible_tickets(personas["director"])
    assert visible_tickets(AnonymousUser()) == set() == visible_tickets(personas["leaver"])


def test_a_queue_member_sees_a_ticket_only_within_their_clearance(personas):
    am01 = personas["am01"]
    elsewhere = personas.customers["am03"][0]
    in_my_queue = ticket(elsewhere, queue=am01.unit)
    assigned = ticket(elsewhere, assignee=am01)
    assert visible_tickets(am01) == {in_my_queue, assigned}
    Customer._base_manager.filter(pk=elsewhere.pk).update(secret_level=Clearance.SECRET)
    assert am01.clearance < Clearance.SECRET
    assert visible_tickets(am01) == {assigned}


# --- custom -----------------------------------------------------------------------------------

def test_a_custom_scope_gets_the_queryset_it_is_called_on(personas):
    am01, am02 = personas["am01"], personas["am02"]
    for user in (am01, am02):
        notify(recipients=[user], kind="one", title="一")
        notify(recipients=[user], kind="two", title="二")
    rows = Notification.objects.filter(kind="one").visible_to(am01)
    assert [(n.recipient, n.kind) for n in rows] == [(am01, "one")]
    assert not Notification.objects.visible_to(AnonymousUser()).exists()


def test_a_customer_event_is_seen_with_its_customer_within_its_own_level(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    public = ticket(customer)
    secret = CustomerEvent.objects.create(customer=customer, kind="ticket", message="密",
                                          secret_level=Clearance.SECRET)
    foreign = ticket(personas.customers["am02"][0])
    events = set(CustomerEvent.objects.visible_to(am01).filter(kind="ticket"))
    assert public in events and not {secret, foreign} & events
    assert secret in CustomerEvent.objects.visible_to(personas["director"])
