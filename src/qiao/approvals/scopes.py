"""Who reads approval requests (core.registry.scopes, registered in apps.ready)."""

from django.db.models import Exists, OuterRef, Q

from qiao.core.registry import Scope, ScopeMode
from qiao.org.scope import clearance_q, scope_q, sees_everything

from .models import ApprovalRequest, ApprovalTask


def visible_requests(requests, user):
    """A user's own requests, those they decide or decided (also as a delegate or the one
    delegated from), and those of people in their data scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return requests.none()
    if sees_everything(user):  # an empty Q() would vanish from the OR below
        return requests.all()
    # Correlated EXISTS (index on request_id), not pk IN (SELECT request_id …): the IN
    # form makes both planners build the set of every task the user ever had (70,000
    # for the department manager at 100,000 requests) on each query (make bench).
    mine = ApprovalTask.objects.filter(request=OuterRef("pk")).filter(
        Q(approver=user) | Q(delegated_from=user))
    # Those in the requester's scope see a request only up to their clearance: its title
    # and subject name the customer. Requester and approvers always see theirs.
    return requests.filter(
        Q(requester=user) | Exists(mine)
        | (scope_q(user, owner_field="requester_id", unit_field="requester_unit_id")
           & clearance_q(user, "secret_level")))


SCOPES = (Scope(ApprovalRequest, ScopeMode.CUSTOM, custom=visible_requests),)
