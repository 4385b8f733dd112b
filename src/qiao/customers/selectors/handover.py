"""Reads for the handover of a leaver's (or anyone's) customers (SPEC ORG-6)."""


from django.db.models import (
    Count,
    Q,
)
from django.shortcuts import get_object_or_404

from qiao.org.models import User
from qiao.org.scope import clearance_q, resolved_scope, scope_q, visible_users

from ..models import Customer

# --- handover of a leaver's (or anyone's) customers (SPEC ORG-6) ------------------------------

def staff_q(actor) -> Q:
    """Staff in `actor`'s data scope, disabled accounts included (a leaver is disabled first,
    then handed over): the users whose records `actor` sees."""
    kind, ids = resolved_scope(actor)
    if kind == "all":
        return Q()
    if kind == "owners":
        return Q(pk__in=ids)
    if kind == "units":
        return Q(unit_id__in=ids)
    return Q(pk__in=[])


def handover_staff(actor) -> list:
    """The staff in `actor`'s scope who own customers `actor` sees, each with `customer_count`;
    leavers (disabled) first. One query, however many staff and customers."""
    visible = (Q(owned_customers__is_deleted=False)
               & scope_q(actor, owner_field="owned_customers__owner_id",
                         unit_field="owned_customers__owner_unit_id")
               & clearance_q(actor, "owned_customers__secret_level"))
    return list(User.objects.filter(staff_q(actor))
                .annotate(customer_count=Count("owned_customers", filter=visible))
                .filter(customer_count__gt=0)
                .select_related("unit", "position")
                .order_by("is_active", "unit__path", "username"))


def handover_staff_get(actor, pk) -> User:
    """A member of staff in `actor`'s scope (disabled or not), else 404."""
    return get_object_or_404(User.objects.filter(staff_q(actor)).select_related("unit"), pk=pk)


def handover_customers(actor, from_user):
    """`from_user`'s live customers that `actor` sees (what a handover may move)."""
    return (Customer.objects.visible_to(actor).filter(owner=from_user)
            .select_related("region", "grade").order_by("name_pinyin", "id"))


def handover_targets(actor, from_user):
    """Who may receive the customers: active staff in `actor`'s scope, not `from_user`."""
    return visible_users(actor).exclude(pk=from_user.pk).order_by("unit__path", "username")
