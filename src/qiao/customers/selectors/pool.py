"""Reads of the public pool (公海, SPEC CUS-11): its regions, customers, rules and claims."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Prefetch,
    Q,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qiao.org.models import PATH_STEP, OrgUnit
from qiao.org.permissions import DataScope
from qiao.org.scope import clearance_q, resolved_scope

from ..models import (
    Contact,
    Customer,
    PoolMove,
    PoolRule,
)
from .archive import search_condition

# --- the public pool (公海, SPEC CUS-11) -------------------------------------------------------

def pool_region_ids(user) -> list[int] | None:
    """The regions whose public pool `user` works in; None means every region (and customers
    without a region), for a role that sees everything.

    A user works in the region(s) above their unit in the org tree (an account manager's or a
    supervisor's team lies in one region, a regional manager's unit is the region); a role
    that sees its unit and below also works in the regions below its unit (the department
    manager). Nobody else — a disabled user, a role without business data — works in any.
    Computed once per request and kept on the user object, like the data scope."""
    if not hasattr(user, "_qiao_pool_regions"):
        user._qiao_pool_regions = _compute_pool_regions(user)
    return user._qiao_pool_regions


def _compute_pool_regions(user):
    kind, _ids = resolved_scope(user)
    if kind == "all":
        return None
    if kind == "none" or not user.unit_id:
        return []
    path = user.unit.path
    condition = Q(path__in=[path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)])
    if user.role.data_scope == DataScope.UNIT_TREE:
        condition |= Q(path__startswith=path)
    return list(OrgUnit.objects.filter(condition, kind=OrgUnit.Kind.REGION)
                .values_list("pk", flat=True))


def pool_q(user) -> Q:
    """The pool customers `user` may see and claim: in their regions, at or below their
    clearance (ORG-5). Combine with `Customer.objects.in_pool()`."""
    regions = pool_region_ids(user)
    if regions is not None and not regions:
        return Q(pk__in=[])
    condition = clearance_q(user, "secret_level")
    return condition if regions is None else condition & Q(region_id__in=regions)


def pool_regions(user) -> list:
    """The regions of pool_region_ids as units, in the org tree's order (the region filter)."""
    regions = pool_region_ids(user)
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION)
    return list(units if regions is None else units.filter(pk__in=regions))


def pool_customers(user, q: str = ""):
    """Customers in the public pool of the regions `user` works in, newest change first."""
    qs = Customer.objects.in_pool().filter(pool_q(user))
    if q.strip():
        qs = qs.filter(search_condition(q.strip()))
    return qs.select_related("region", "grade").order_by("-updated_at", "-id")


def pool_list(user, *, q: str = "", region: int | None = None):
    """The pool page: pool_customers, one region if asked, with each customer's live contacts
    (shown masked: a pool customer's details stay hidden until it is claimed)."""
    qs = pool_customers(user, q)
    if region:
        qs = qs.filter(region_id=region)
    return qs.prefetch_related(Prefetch("contacts", queryset=Contact.objects.filter(
        is_deleted=False).order_by("-is_key_person", "name", "id")))


def pool_customer_get(user, pk) -> Customer:
    """A customer in a pool `user` works in, else 404."""
    return get_object_or_404(pool_customers(user), pk=pk)


# A customer claimed from the pool this recently is answered "someone else claimed it" to
# a manager of its region who tries to claim it too (their pool page was older than the
# claim), instead of a bare 404.
RECENT_CLAIM = timedelta(days=1)


def pool_claim_get(user, pk, *, now=None) -> Customer:
    """What the claim button points at: a customer in a pool `user` works in, or one claimed
    from such a pool in the last day (the service then refuses it with a clear message).
    Anything else — a colleague's customer that never was in the pool, another region's —
    is 404."""
    now = now or timezone.now()
    recently_claimed = PoolMove.objects.filter(
        kind=PoolMove.Kind.CLAIM, occurred_at__gte=now - RECENT_CLAIM).values("customer_id")
    customers = Customer.objects.alive().filter(pool_q(user)).filter(
        Q(owner__isnull=True) | Q(pk__in=recently_claimed))
    return get_object_or_404(customers.select_related("region"), pk=pk)


def pool_rule_for(region) -> PoolRule:
    """The region's saved rule, or an unsaved one with the defaults (also for no region)."""
    if region is None:
        return PoolRule()
    rule = PoolRule.objects.filter(region=region).first()
    return rule or PoolRule(region=region)


def pool_rules(regions) -> dict:
    """{region id: rule} for `regions`, defaults where none is saved, in one query."""
    saved = {r.region_id: r for r in PoolRule.objects.filter(region__in=regions)}
    return {region.pk: saved.get(region.pk) or PoolRule(region=region) for region in regions}


def start_of_today(now=None):
    """Midnight of today in the configured time zone (the claim limit is per calendar day)."""
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def pool_claims_today(user, *, now=None) -> int:
    """How many customers `user` has claimed from the pool today (served by pool_move_manager)."""
    return PoolMove.objects.filter(manager=user, kind=PoolMove.Kind.CLAIM,
                                   occurred_at__gte=start_of_today(now)).count()


def owned_count(user) -> int:
    """How many live customers `user` owns (the pool's max_owned rule), counted as everything
    else through `visible_to`: a customer classified above the owner's clearance is not
    theirs to see, so it is not in their count either (it is flagged to their supervisor,
    customers.reminders.clearance_mismatch_remind, to be handed over)."""
    return Customer.objects.visible_to(user).filter(owner=user).count()


@dataclass(frozen=True)
class ClaimsLeft:
    region: OrgUnit
    limit: int
    left: int


def pool_claims_left(user, *, now=None) -> list[ClaimsLeft]:
    """For each region whose pool `user` works in: the region's daily claim limit and how many
    customers the user may still claim there today (the limit counts the user's claims today
    in any region, as customers.services.pool._claim_limits_check does). Rules read with their
    regions in one query, the claims counted in another."""
    regions = pool_region_ids(user)
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION).select_related("pool_rule")
    if regions is not None:
        if not regions:
            return []
        units = units.filter(pk__in=regions)
    claimed = pool_claims_today(user, now=now)
    result = []
    for region in units.order_by("sort_order", "name"):
        rule = getattr(region, "pool_rule", None) or PoolRule(region=region)
        result.append(ClaimsLeft(region, rule.daily_claim_limit,
                                 max(rule.daily_claim_limit - claimed, 0)))
    return result
