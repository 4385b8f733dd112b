"""The handover (交接, SPEC ORG-6) of a manager's customers with their open work."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.audit import services as audit_services
from qiao.audit.models import OperationLog
from qiao.core.exceptions import ConflictError
from qiao.core.origin import Origin
from qiao.core.registry import handover_steps
from qiao.org.models import User
from qiao.org.permissions import can, may_own_customers
from qiao.org.scope import visible_users

from .. import selectors
from ..actions import CUSTOMER_REASSIGN
from ..events import CUSTOMER_TRANSFERRED, customer_emit
from ..models import Customer, CustomerEvent
from .archive import _bulk_history, _reason, customer_event_build, events_follow_customers

# --- handover (交接, SPEC ORG-6) ---------------------------------------------------------------

# The rest of a manager's open work that moves with their customers: core.registry
# handover_steps, registered by the domains in their AppConfig.ready, called in registration
# order:
#     step(*, actor, from_user, to_user, customer_ids: list[int], reason: str, now) -> int
# Each is called inside the handover's transaction, after the customers have moved, and returns
# how many records it moved (kept in the operation log under "steps"). Raising undoes the whole
# handover. Planned: visits (open visit plans and commitments), tickets (open tickets of those
# customers), credit (receivables being chased). No Django signals: the registry says, in
# order, everything a handover does.


def _handover_refusal(actor, from_user, to_user, reason):
    """The first reason to refuse a handover before looking at the customers, or None."""
    if not reason:
        return {"reason": _("Give the reason for the handover.")}
    if to_user.pk == from_user.pk:
        return {"to_user": _("Choose someone else: the customers already belong to %s.")
                % from_user}
    if not to_user.is_active:
        return {"to_user": _("%s's account is disabled; choose an active account manager.")
                % to_user}
    if not User.objects.filter(selectors.staff_q(actor), pk=from_user.pk).exists():
        return {"from_user": _("%s is not among the staff you manage.") % from_user}
    if not may_own_customers(to_user):
        return {"to_user": _("%s's role does not work with customers.") % to_user}
    if not visible_users(actor).filter(pk=to_user.pk).exists():
        return {"to_user": _("%s is not among the staff you manage.") % to_user}
    return None


def _handover_rows(actor, from_user, to_user, customers):
    """The customers to move, locked, or a ValidationError."""
    pool = Customer.objects.visible_to(actor).filter(owner=from_user)
    if customers is not None:
        ids = {getattr(c, "pk", c) for c in customers}
        if not ids:
            raise ValidationError({"customers": _("Tick at least one customer.")})
        found = set(pool.filter(pk__in=ids).values_list("pk", flat=True))
        if found != ids:
            raise ValidationError({"customers": _(
                "%(count)d of the chosen customers are not %(name)s's, or not yours to see; "
                "nothing was handed over.") % {"count": len(ids - found), "name": from_user}})
        pool = pool.filter(pk__in=ids)
    rows = list(pool.select_for_update().order_by("pk"))
    if not rows:
        raise ValidationError({"customers": _("%s owns no customers that you can hand over.")
                               % from_user})
    above = sum(1 for c in rows if c.secret_level > to_user.clearance)
    if above:
        raise ValidationError({"to_user": _(
            "%(name)s's clearance is below the secret level of %(count)d of these customers.")
            % {"name": to_user, "count": above}})
    return rows


@transaction.atomic
def customers_handover(*, actor, from_user, to_user, customers=None, reason,
                       origin: Origin | None = None) -> int:
    """Move `from_user`'s live customers — all that `actor` sees, or the chosen `customers`
    (instances or ids) — to `to_user`, in one transaction: all of them or none. Each customer
    gets its new owner and owning unit, a history row with the reason (who owned what when)
    and a timeline event; the registered handover steps move the rest of the open work; one operation log
    row (HANDOVER) records from, to, count and reason. Returns how many customers moved.

    Refused with a ValidationError, nothing written, when: no reason; `to_user` is
    `from_user`, disabled, outside `actor`'s scope, or not cleared for a customer's secret
    level; `from_user` is outside the scope; a chosen customer is not `from_user`'s or not
    visible to `actor`. PermissionDenied without CUSTOMER_REASSIGN; ConflictError if a
    customer changed owner while the handover ran."""
    if not can(actor, CUSTOMER_REASSIGN):
        raise PermissionDenied
    reason = (reason or "").strip()
    refusal = _handover_refusal(actor, from_user, to_user, reason)
    if refusal:
        raise ValidationError(refusal)
    rows = _handover_rows(actor, from_user, to_user, customers)
    ids = [c.pk for c in rows]
    now = timezone.now()
    moved = Customer._base_manager.filter(pk__in=ids, owner=from_user, is_deleted=False).update(
        owner=to_user, owner_unit_id=to_user.unit_id, version=F("version") + 1,
        updated_at=now, last_activity_at=now)
    if moved != len(ids):
        raise ConflictError(_("Some of these customers changed meanwhile; look at the list "
                              "again."))
    change = _reason(_("Handover %(from)s → %(to)s: %(reason)s") % {
        "from": from_user, "to": to_user, "reason": reason})
    params = {"from": str(from_user), "to": str(to_user), "actor": str(actor),
              "reason": reason}
    events_follow_customers(ids, owner_id=to_user.pk, owner_unit_id=to_user.unit_id)
    events = []
    for customer in rows:
        customer.owner_id, customer.owner_unit_id = to_user.pk, to_user.unit_id
        customer.version += 1
        customer.updated_at = customer.last_activity_at = now
        customer._change_reason = change
        events.append(customer_event_build(
            customer, "handover", params=params, actor=actor, occurred_at=now,
            data={"from": from_user.pk, "to": to_user.pk, "reason": reason}))
    _bulk_history(rows, actor=actor, when=now)
    CustomerEvent.objects.bulk_create(events)
    for customer in rows:
        customer_emit(CUSTOMER_TRANSFERRED, customer, owner=to_user,
                      previous_owner=from_user.get_username())
    steps = {}
    for step in handover_steps:
        steps[f"{step.__module__}.{step.__qualname__}"] = step(
            actor=actor, from_user=from_user, to_user=to_user, customer_ids=ids, reason=reason,
            now=now)
    audit_services.operation_record(
        actor=actor, action=OperationLog.Kind.HANDOVER, origin=origin,
        object_repr=f"{from_user} → {to_user}",
        details={"from": _person(from_user), "to": _person(to_user), "count": len(ids),
                 "reason": reason, "customers": ids, "steps": steps})
    return len(ids)


def _person(user) -> dict:
    return {"id": user.pk, "username": user.get_username(), "name": str(user)}
