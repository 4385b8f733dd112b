"""The public pool (公海, SPEC CUS-11): claim, release and the reclaim rule."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core.exceptions import ConflictError
from qiao.org.models import OrgUnit, User
from qiao.org.permissions import can

from .. import selectors
from ..actions import CUSTOMER_REASSIGN, POOL_CLAIM
from ..events import CUSTOMER_TRANSFERRED, customer_emit
from ..models import Customer, CustomerEvent, PoolMove
from .archive import (
    _bulk_history,
    _reason,
    customer_event_build,
    customer_event_record,
    events_follow_customers,
)

# --- the public pool (公海, SPEC CUS-11) -------------------------------------------------------
#
# Every move in or out of the pool is a claimed conditional UPDATE (like
# core.concurrency.save_versioned): `… SET owner_id = me WHERE owner_id IS NULL` for a claim,
# `… WHERE owner_id = the owner I saw` for a release, so of two people acting at once exactly one
# succeeds and the other gets a ConflictError with nothing written. Each move writes a history
# row with its reason, a timeline event and a PoolMove row.
#
# Refusals: the pool's limits and lost races are ConflictError subclasses (HTTP 409: the request
# was valid, the state of the pool or of the manager's book refuses it); a missing reason or a
# customer without a region is a ValidationError (400); an actor without the right is
# PermissionDenied (answered 404 like everything refused).

class ClaimLimitReached(ConflictError):
    """The manager reached the daily claim limit or the most customers they may own."""


class NotInPool(ConflictError):
    """The customer is not (or no longer) in the pool: someone else claimed it first."""


def _claim_limits_check(actor, customer) -> None:
    rule = selectors.pool_rule_for(customer.region)
    region = customer.region or _("the public pool")
    claimed = selectors.pool_claims_today(actor)
    if claimed >= rule.daily_claim_limit:
        raise ClaimLimitReached(
            _("You have claimed %(count)d customers today, the daily limit of %(region)s. "
              "You can claim again tomorrow.") % {"count": claimed, "region": region})
    owned = selectors.owned_count(actor)
    if owned >= rule.max_owned:
        raise ClaimLimitReached(
            _("You own %(count)d customers, the most a manager may own in %(region)s "
              "(%(limit)d). Return a customer to the pool before claiming another.")
            % {"count": owned, "region": region, "limit": rule.max_owned})


@transaction.atomic
def pool_claim(*, actor, customer) -> Customer:
    """`actor` takes `customer` from the public pool of their region (POOL_CLAIM).

    Refused with ClaimLimitReached (the region's daily_claim_limit of claims today, or
    max_owned customers owned), NotInPool (someone else claimed it first — of two claims at
    once exactly one wins), PermissionDenied (no right, or not a pool `actor` works in).
    The claimed customer counts as followed up at the claim: its new manager has the region's
    whole idle period before the reclaim rule looks at it again."""
    if not can(actor, POOL_CLAIM):
        raise PermissionDenied
    # One claim at a time per manager, so that two at once cannot both pass the limits: a row
    # lock on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock.
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    _claim_limits_check(actor, customer)
    now = timezone.now()
    claimed = Customer._base_manager.filter(
        selectors.pool_q(actor), pk=customer.pk, owner__isnull=True, is_deleted=False,
    ).update(owner=actor, owner_unit_id=actor.unit_id, version=F("version") + 1,
             updated_at=now, last_activity_at=now)
    fresh = Customer._base_manager.select_related("region").get(pk=customer.pk)
    if claimed != 1:
        if fresh.owner_id is not None or fresh.is_deleted:
            raise NotInPool(_("Someone else claimed %s a moment ago.") % fresh.name)
        raise PermissionDenied  # a pool the actor does not work in, or above their clearance
    fresh._change_reason = _reason(_("Claimed from the public pool"))
    _bulk_history([fresh], actor=actor, when=now)
    events_follow_customers([fresh.pk], owner_id=fresh.owner_id,
                            owner_unit_id=fresh.owner_unit_id)
    customer_event_record(fresh, "pool_claim", actor=actor, params={"actor": str(actor)},
                          data={"region": fresh.region_id})
    PoolMove.objects.create(customer=fresh, kind=PoolMove.Kind.CLAIM, manager=actor,
                            actor=actor, occurred_at=now)
    customer_emit(CUSTOMER_TRANSFERRED, fresh, owner=actor, previous_owner=None, pool="claim")
    return fresh


@transaction.atomic
def pool_release(*, actor, customer, reason) -> Customer:
    """Give `customer` back to its region's pool (退回公海): its manager, or someone with
    CUSTOMER_REASSIGN. A reason is required (ValidationError); a customer without a
    region has no pool (ValidationError); one already in the pool, or whose manager changed
    meanwhile, is a ConflictError."""
    reason = (reason or "").strip()
    if customer.owner_id != actor.pk and not can(actor, CUSTOMER_REASSIGN):
        raise PermissionDenied
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the customer to the "
                                           "public pool.")})
    if customer.owner_id is None:
        raise NotInPool(_("%s is already in the public pool.") % customer.name)
    if customer.region_id is None:
        raise ValidationError({"region": _("Set the customer's region first: each region has "
                                           "its own public pool.")})
    previous = customer.owner_id
    now = timezone.now()
    moved = Customer._base_manager.filter(pk=customer.pk, owner_id=previous, is_deleted=False) \
        .update(owner=None, owner_unit_id=F("region_id"), version=F("version") + 1, updated_at=now)
    if moved != 1:
        raise ConflictError(_("Someone else changed this customer's account manager meanwhile; "
                              "look at the page again."))
    fresh = Customer._base_manager.select_related("region").get(pk=customer.pk)
    fresh._change_reason = _reason(_("Returned to the public pool: %s") % reason)
    _bulk_history([fresh], actor=actor, when=now)
    events_follow_customers([fresh.pk], owner_id=None, owner_unit_id=fresh.owner_unit_id)
    customer_event_record(fresh, "pool_release", actor=actor,
                          params={"actor": str(actor), "reason": reason},
                          data={"reason": reason, "previous_owner": previous})
    PoolMove.objects.create(customer=fresh, kind=PoolMove.Kind.RELEASE, manager_id=previous,
                            actor=actor, reason=reason[:200], occurred_at=now)
    customer_emit(CUSTOMER_TRANSFERRED, fresh, previous_owner=_usernames([previous])[previous],
                  pool="release")
    return fresh


RECLAIM_BATCH = 500


def _reclaim_condition(rule, now):
    """Which owned customers of the rule's region go back to the pool (None: none do)."""
    condition = None
    if rule.reclaim_idle_days:
        condition = Q(last_activity_at__lt=now - timedelta(days=rule.reclaim_idle_days))
    if rule.reclaim_offboarded:
        offboarded = Q(status=Customer.Status.OFFBOARDED)
        condition = offboarded if condition is None else condition | offboarded
    return condition


def _reclaim_params(customer, rule) -> dict:
    """The reclaim event's params: the idle days of the rule, or None for an offboarded one."""
    if rule.reclaim_offboarded and customer.status == Customer.Status.OFFBOARDED:
        return {"days": None}
    return {"days": rule.reclaim_idle_days}


def pool_reclaim(*, now=None, batch_size=RECLAIM_BATCH) -> int:
    """The reclaim rule (回收), run daily: every owned customer whose region's rule says so —
    no timeline activity for `reclaim_idle_days` (0: never), or offboarded when
    `reclaim_offboarded` — goes back to its region's pool, with a history row, a timeline event
    and a PoolMove (kind reclaim, manager: the previous owner, no actor). Returns how many.

    Idempotent (a reclaimed customer has no owner, so a second run finds nothing), and in
    batches of `batch_size`, each its own transaction (a large reclaim does not hold the write
    lock for long) that re-reads the condition under lock: a customer followed up a moment ago
    stays with its manager. A handful of queries per batch, none per customer. Customers
    without a region have no pool and are never reclaimed."""
    now = now or timezone.now()
    regions = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION))
    total = 0
    for region_id, rule in selectors.pool_rules(regions).items():
        condition = _reclaim_condition(rule, now)
        while condition is not None:
            reclaimed = _reclaim_batch(region_id, rule, condition, now, batch_size)
            total += reclaimed
            if reclaimed < batch_size:
                break
    return total


@transaction.atomic
def _reclaim_batch(region_id, rule, condition, now, batch_size) -> int:
    batch = list(Customer._base_manager.select_for_update()
                 .filter(condition, region_id=region_id, owner__isnull=False, is_deleted=False)
                 .order_by("pk")[:batch_size])
    if not batch:
        return 0
    ids = [c.pk for c in batch]
    Customer._base_manager.filter(pk__in=ids).update(
        owner=None, owner_unit_id=region_id, version=F("version") + 1, updated_at=now)
    events_follow_customers(ids, owner_id=None, owner_unit_id=region_id)
    events, moves = [], []
    for customer in batch:
        previous = customer.owner_id
        customer.owner_id, customer.owner_unit_id = None, region_id
        customer.version += 1
        customer.updated_at = now
        event = customer_event_build(customer, "pool_reclaim",
                                     params=_reclaim_params(customer, rule), occurred_at=now,
                                     data={"previous_owner": previous})
        reason = event.message
        customer._change_reason = _reason(reason)
        events.append(event)
        moves.append(PoolMove(customer=customer, kind=PoolMove.Kind.RECLAIM, manager_id=previous,
                              reason=reason[:200], occurred_at=now))
    _bulk_history(batch, actor=None, when=now)
    CustomerEvent.objects.bulk_create(events)
    PoolMove.objects.bulk_create(moves)
    names = _usernames([move.manager_id for move in moves])
    for customer, move in zip(batch, moves, strict=True):
        customer_emit(CUSTOMER_TRANSFERRED, customer, previous_owner=names[move.manager_id],
                      pool="reclaim")
    return len(batch)


def _usernames(user_ids) -> dict:
    """{user id: username} of `user_ids` (one query), for the events' `previous_owner`."""
    return dict(User.objects.filter(pk__in=set(user_ids)).values_list("pk", "username"))
