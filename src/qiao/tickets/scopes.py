"""Who reads service tickets (core.registry.scopes, registered in apps.ready)."""

from qiao.core.registry import Scope, ScopeMode

from .models import Ticket

SCOPES = (
    # Assigned to the user, in one of the user's queues (within the user's clearance for the
    # customer), or about a customer the user sees: an account manager sees every ticket of
    # their customers, an agent the call centre queue's.
    Scope(Ticket, ScopeMode.QUEUE, assignee_field="assignee", queue_field="queue",
          members_field="members", customer_field="customer"),
)
