"""Who reads service tickets and calls (core.registry.scopes, registered in apps.ready)."""

from django.db.models import Q

from qiao.core.registry import Scope, ScopeMode
from qiao.customers.models import Customer
from qiao.org.scope import (
    clearance_q,
    registered_scope,
    scope_filter,
    scope_q,
    sees_everything,
)

from .models import Call, Ticket


def visible_calls(calls, user):
    """A call is seen by its agent; by those whose data scope holds the agent (a supervisor
    their team's, a department manager the unit's), up to their clearance for its customer;
    and by those who see its customer (its account manager)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return calls.none()
    if sees_everything(user) and not clearance_q(user, "customer__secret_level"):
        return calls.all()  # an empty Q() would vanish from the OR below
    cleared = clearance_q(user, "customer__secret_level")
    agents = scope_q(user, owner_field="agent_id", unit_field="unit_id")
    if cleared:
        agents &= cleared | Q(customer__isnull=True)
    customers = scope_filter(registered_scope(Customer), user, "customer__")
    return calls.filter(Q(agent=user) | agents | customers)


SCOPES = (
    # Assigned to the user, in one of the user's queues (within the user's clearance for the
    # customer), or about a customer the user sees: an account manager sees every ticket of
    # their customers, an agent the call centre queue's.
    Scope(Ticket, ScopeMode.QUEUE, assignee_field="assignee", queue_field="queue",
          members_field="members", customer_field="customer"),
    Scope(Call, ScopeMode.CUSTOM, custom=visible_calls),
)
