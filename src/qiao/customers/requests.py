"""Lifecycle changes that follow a standard (CUS-2: checklist + approval where configured) and
customer transfers that need approval (ORG-6).

A lifecycle change into a status with a checklist needs every required item ticked. When the
change's request type ("customer_onboarding" 入网, "customer_offboarding" 退网) has an active
approval chain, the change does not happen at once: a LifecycleRequest is raised with an
approval request, and the approval's outcome (`lifecycle_decided`, called by the approval
engine inside its transaction) applies it through `services.customer_transition`.

A handover (交接) of customers, when the "customer_transfer" type has an active chain, becomes
a TransferRequest; on approval `transfer_decided` runs `services.customers_handover` as the
requester, with every check redone then (a refusal undoes the approval).

The request types are registered in customers.apps (ready).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.approvals import services as approval_services
from qiao.approvals.models import ApprovalRequest, Chain
from qiao.core.exceptions import StaleVersionError, TransitionNotAllowed
from qiao.core.history import authored_by
from qiao.core.origin import Origin
from qiao.org.permissions import can

from . import services
from .actions import CUSTOMER_LIFECYCLE, CUSTOMER_REASSIGN
from .lifecycle import TRANSFER_TYPE, allowed_targets, approval_type
from .models import ChecklistItem, Customer, LifecycleRequest, RequestState, TransferItem, TransferRequest
from .services.handover import _handover_refusal, _handover_rows

ONBOARDING_LABEL = gettext_lazy("Customer onboarding")
OFFBOARDING_LABEL = gettext_lazy("Customer offboarding")
TRANSFER_LABEL = gettext_lazy("Customer transfer")

# The approval request's state → the subject's state (returned: still open, see RequestState).
_OUTCOME = {
    ApprovalRequest.State.APPROVED: RequestState.APPROVED,
    ApprovalRequest.State.REJECTED: RequestState.REJECTED,
    ApprovalRequest.State.WITHDRAWN: RequestState.WITHDRAWN,
}


def chain_active(type_code) -> bool:
    """Does a change of this type go through approval (an active chain is configured)?"""
    return bool(type_code) and Chain.objects.filter(type_code=type_code, is_active=True).exists()


def active_chains(type_codes) -> set[str]:
    """Which of these request types have an active chain (one query)."""
    codes = [c for c in type_codes if c]
    if not codes:
        return set()
    return set(Chain.objects.filter(type_code__in=codes, is_active=True)
               .values_list("type_code", flat=True))


# --- checklists --------------------------------------------------------------------------------

def checklist_for(to_status) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(to_status=to_status, is_active=True))


def checklists_for(targets) -> dict[str, list[ChecklistItem]]:
    """{target status: [active items]} for the given targets, in one query."""
    found = {t: [] for t in targets}
    for item in ChecklistItem.objects.filter(to_status__in=list(targets), is_active=True):
        found[item.to_status].append(item)
    return found


def _ticked(items, checked_ids) -> list[dict]:
    """The checklist as ticked, or a ValidationError naming every required item not ticked."""
    checked = {int(i) for i in checked_ids or () if str(i).isdigit()}
    missing = [item.label for item in items if item.required and item.pk not in checked]
    if missing:
        raise ValidationError({"checklist": _(
            "Complete the checklist first; not yet ticked: %s.") % "、".join(missing)})
    return [{"id": item.pk, "label": item.label, "required": item.required,
             "checked": item.pk in checked} for item in items]


# --- lifecycle changes ------------------------------------------------------------------------

def open_lifecycle_request(customer):
    """The customer's open lifecycle request, or None."""
    return (LifecycleRequest.objects.filter(customer=customer, state=RequestState.OPEN)
            .select_related("requester").first())



def _check_transition(customer, to_status):
    if to_status not in allowed_targets(customer.status):
        raise TransitionNotAllowed(
            _("A customer cannot go from %(old)s to %(new)s.") % {
                "old": customer.get_status_display(),
                "new": Customer.Status(to_status).label if to_status in Customer.Status.values
                else to_status})


def _refuse_if_open(customer):
    pending = open_lifecycle_request(customer)
    if pending is not None:
        raise ValidationError(_(
            "%(customer)s already has a status change waiting for approval (%(old)s → %(new)s, "
            "raised by %(requester)s); wait for its decision or withdraw it first.") % {
            "customer": customer.name, "old": pending.get_from_status_display(),
            "new": pending.get_to_status_display(), "requester": pending.requester})


@transaction.atomic
def lifecycle_change(*, actor, customer, to_status, note="", checked=(), expected_version):
    """Change `customer`'s status into `to_status` following its standard.

    Returns ("changed", customer) when the change is applied at once, ("requested",
    approval request) when it waits for approval. Refused, nothing written, with
    TransitionNotAllowed (not in the transition table), ValidationError (a required checklist
    item not ticked — the message names them all —, a request already open for the customer,
    or the approval chain finds nobody), StaleVersionError (the customer changed since the page
    was opened), PermissionDenied (no right)."""
    if not can(actor, CUSTOMER_LIFECYCLE):
        raise PermissionDenied
    note = (note or "").strip()
    _check_transition(customer, to_status)
    ticked = _ticked(checklist_for(to_status), checked)
    # The customer's row, locked: of two requests raised at once one waits for the other.
    locked = Customer._base_manager.select_for_update().get(pk=customer.pk)
    if locked.version != expected_version:
        raise StaleVersionError.of(customer)
    _refuse_if_open(locked)
    type_code = approval_type(to_status)
    if not chain_active(type_code):
        changed = services.customer_transition(actor=actor, customer=customer, to_status=to_status,
                                               note=note, expected_version=expected_version,
                                               checklist=ticked)
        return "changed", changed
    lifecycle = LifecycleRequest(customer=locked, from_status=locked.status, to_status=to_status,
                                 note=note, checklist=ticked, requester=actor)
    try:
        with transaction.atomic():
            authored_by(lifecycle, actor).save()
    except IntegrityError:
        _refuse_if_open(locked)  # raised a moment ago by someone else
        raise
    approval = approval_services.request_submit(actor=actor, type_code=type_code,
                                                subject=lifecycle)
    services.customer_event_record(
        locked, "status_request", actor=actor, link=lifecycle,
        params={"old": locked.status, "new": to_status, "note": note},
        data={"approval": approval.pk, "to": to_status})
    return "requested", approval


def _close(subject, state):
    subject.state = state
    subject.decided_at = timezone.now()
    subject.save(update_fields=["state", "decided_at", "updated_at"])


def lifecycle_decided(request, actor):
    """The approval engine's outcome of a lifecycle request (inside its transaction): approved
    → the change is applied with `actor` (the last approver) as its author, on the customer as
    it is now; rejected / withdrawn → closed, the customer unchanged. Raising undoes the
    approver's action: a customer that meanwhile left the status the request started from (or
    was deleted) cannot be changed — the approver rejects the request instead."""
    lifecycle = LifecycleRequest.objects.select_for_update().get(pk=request.object_id)
    state = _OUTCOME.get(request.state)
    if state is None or not lifecycle.is_open:
        return  # returned for changes: still open
    authored_by(lifecycle, actor)
    if state != RequestState.APPROVED:
        _close(lifecycle, state)
        return
    customer = Customer._base_manager.select_for_update().get(pk=lifecycle.customer_id)
    if customer.is_deleted:
        raise ValidationError(_("%s has been deleted meanwhile; the status change cannot be "
                                "applied. Reject the request instead.") % customer.name)
    if customer.status != lifecycle.from_status:
        raise ValidationError(_(
            "%(customer)s is no longer %(old)s (it is now %(now)s); the change to %(new)s cannot "
            "be applied. Reject the request instead.") % {
            "customer": customer.name, "old": lifecycle.get_from_status_display(),
            "now": customer.get_status_display(), "new": lifecycle.get_to_status_display()})
    note = _("approval #%(pk)s") % {"pk": request.pk}
    if lifecycle.note:
        note = f"{lifecycle.note} ({note})"
    # The customer as it is now: edits made while the request waited are not a conflict.
    services.customer_transition(actor=actor, customer=customer, to_status=lifecycle.to_status,
                                 note=note, expected_version=customer.version,
                                 checklist=lifecycle.checklist)
    _close(lifecycle, RequestState.APPROVED)


def _status_label(code) -> str:
    return Customer.Status(code).label if code in Customer.Status.values else code


def lifecycle_title(params) -> str:
    """An approval request's title, in the reader's language."""
    return _("%(type)s: %(customer)s (%(old)s → %(new)s)") % {
        "type": ONBOARDING_LABEL if params["to"] == Customer.Status.ONBOARDED else OFFBOARDING_LABEL,
        "customer": params["customer"], "old": _status_label(params["from"]),
        "new": _status_label(params["to"])}


def lifecycle_title_params(lifecycle) -> dict:
    return {"customer": lifecycle.customer.name, "from": lifecycle.from_status,
            "to": lifecycle.to_status}


def lifecycle_request_edit(lifecycle, data, actor):
    """The requester's changes to a lifecycle request returned for changes — its note and the
    checklist as ticked now (every required item still needed): the approval engine's
    on_edit, inside its transaction."""
    lifecycle.checklist = _ticked(checklist_for(lifecycle.to_status), data["checklist"])
    lifecycle.note = (data["note"] or "").strip()
    lifecycle.updated_at = timezone.now()
    authored_by(lifecycle, actor).save()


# --- transfers (ORG-6) -------------------------------------------------------------------------

def transfer_needs_approval() -> bool:
    return chain_active(TRANSFER_TYPE)


def open_transfers_of(from_user, viewer):
    """Open transfer requests of `from_user`'s customers, with their customer counts and — as
    `approval` — their approval request when `viewer` may see it (else None). Two queries."""
    transfers = list(TransferRequest.objects.filter(from_user=from_user, state=RequestState.OPEN)
                     .select_related("to_user", "requester")
                     .annotate(customer_count=Count("items")).order_by("-created_at", "-id"))
    approvals = {}
    if transfers:
        for approval in (ApprovalRequest.objects.visible_to(viewer)
                         .filter(content_type=ContentType.objects.get_for_model(TransferRequest),
                                 object_id__in=[t.pk for t in transfers])
                         .order_by("created_at", "id")):
            approvals[approval.object_id] = approval
    for transfer in transfers:
        transfer.approval = approvals.get(transfer.pk)
    return transfers


def in_open_transfer(customer_ids) -> set[int]:
    return set(TransferItem.objects.filter(customer_id__in=list(customer_ids), is_open=True)
               .values_list("customer_id", flat=True))


@transaction.atomic
def transfer_request_create(*, actor, from_user, to_user, customers=None, reason):
    """Ask for `from_user`'s customers — all that `actor` sees, or the chosen ones — to move to
    `to_user`: a TransferRequest and its approval request ("customer_transfer"), together or
    not at all. The handover's checks run now (and again on approval). Refused
    (ValidationError, nothing written) as customers_handover refuses, and when a customer is
    already in an open transfer request."""
    if not can(actor, CUSTOMER_REASSIGN):
        raise PermissionDenied
    reason = (reason or "").strip()
    # The same checks as the handover itself (customers.services), so that what is asked for
    # could be done now.
    refusal = _handover_refusal(actor, from_user, to_user, reason)
    if refusal:
        raise ValidationError(refusal)
    rows = _handover_rows(actor, from_user, to_user, customers)
    transfer = TransferRequest(from_user=from_user, to_user=to_user, reason=reason,
                               requester=actor)
    authored_by(transfer, actor).save()
    _put_items(transfer, rows)
    return approval_services.request_submit(actor=actor, type_code=TRANSFER_TYPE,
                                            subject=transfer)


def customers_reassign(*, actor, from_user, to_user, customers=None, reason,
                       origin: Origin | None = None):
    """Give `from_user`'s customers (all that `actor` sees, or the chosen ones) to `to_user`:
    at once when no approval chain is set up for transfers — ("moved", how many) — else as a
    transfer request waiting for it — ("requested", the approval request). Refused as
    customers_handover and transfer_request_create refuse."""
    if transfer_needs_approval():
        return "requested", transfer_request_create(
            actor=actor, from_user=from_user, to_user=to_user, customers=customers,
            reason=reason)
    return "moved", services.customers_handover(
        actor=actor, from_user=from_user, to_user=to_user, customers=customers, reason=reason,
        origin=origin)


def _put_items(transfer, rows):
    """Make `rows` (customers) the transfer's customers: those no longer chosen leave it, new
    ones join it unless they are in another open transfer (ValidationError naming them)."""
    ids = {c.pk for c in rows}
    current = set(transfer.items.values_list("customer_id", flat=True))
    taken = in_open_transfer(ids - current)
    if taken:
        names = "、".join(c.name for c in rows if c.pk in taken)
        raise ValidationError({"customers": _(
            "Already in a transfer waiting for approval: %s. Wait for its decision first.")
            % names})
    transfer.items.exclude(customer_id__in=ids).delete()
    try:
        with transaction.atomic():
            TransferItem.objects.bulk_create(
                [TransferItem(request=transfer, customer_id=pk) for pk in sorted(ids - current)])
    except IntegrityError:
        raise ValidationError({"customers": _(
            "Some of these customers were put in another transfer a moment ago; look at the "
            "list again.")}) from None


def transfer_title(params) -> str:
    """An approval request's title, in the reader's language."""
    return _("%(type)s: %(count)d customers, %(from)s → %(to)s") % {"type": TRANSFER_LABEL,
                                                                   **params}


def transfer_title_params(transfer) -> dict:
    return {"count": transfer.items.count(), "from": str(transfer.from_user),
            "to": str(transfer.to_user)}


def transfer_secret_level(transfer) -> int:
    """The highest secret level of the customers in the transfer."""
    return transfer.customers.aggregate(level=Max("secret_level"))["level"] or 0


def transfer_request_edit(transfer, data, actor):
    """The requester's changes to a transfer returned for changes — the new account manager,
    the reason and the customers — with the handover's checks redone (as when it was raised):
    the approval engine's on_edit, inside its transaction."""
    reason = (data["reason"] or "").strip()
    to_user = data["to_user"]
    refusal = _handover_refusal(actor, transfer.from_user, to_user, reason)
    if refusal:
        raise ValidationError(refusal)
    rows = _handover_rows(actor, transfer.from_user, to_user,
                                   [c.pk for c in data["customers"]])
    _put_items(transfer, rows)
    transfer.to_user, transfer.reason, transfer.updated_at = to_user, reason, timezone.now()
    authored_by(transfer, actor).save()


def transfer_decided(request, actor):
    """The approval engine's outcome of a transfer request (inside its transaction): approved →
    customers_handover as the requester, with every check redone now; a refusal (the target
    disabled meanwhile, a customer no longer the from-user's…) raises, which undoes the
    approval with the handover's message. Rejected / withdrawn → closed, nothing moves."""
    transfer = (TransferRequest.objects.select_for_update()
                .select_related("from_user", "to_user", "requester").get(pk=request.object_id))
    state = _OUTCOME.get(request.state)
    if state is None or not transfer.is_open:
        return
    authored_by(transfer, actor)
    transfer.items.update(is_open=False)
    if state == RequestState.APPROVED:
        ids = list(transfer.items.values_list("customer_id", flat=True))
        try:
            services.customers_handover(
                actor=transfer.requester, from_user=transfer.from_user,
                to_user=transfer.to_user, customers=ids, reason=transfer.reason)
        except PermissionDenied:
            raise ValidationError(_("%s may no longer reassign customers; the transfer cannot "
                                    "be made. Reject the request instead.")
                                  % transfer.requester) from None
        except ValidationError as exc:
            raise ValidationError(_("The transfer cannot be made: %s Reject the request "
                                    "instead.") % " ".join(exc.messages)) from None
    _close(transfer, state)
