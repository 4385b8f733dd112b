"""Who approves a step: the chain step's rule applied to a requester (and the subject's
customer). Returns a user or None — None is never skipped: submission is refused and the
chain admin flags it.

Named position (documented choice): the nearest active holder in the requester's line — the
requester's own unit first, then each unit above it up to the company; several holders at the
same level → the one with the lowest id. A position held only outside the requester's line
(another region) does not approve for them.
"""

from datetime import date as date_cls

from qiao.org.models import PATH_STEP, OrgUnit, User
from qiao.org.permissions import stand_ins

from .models import ChainStep, Delegation


def _line(unit) -> list[int]:
    """The ids of `unit` and the units above it, nearest first."""
    if unit is None:
        return []
    ids = [int(unit.path[i:i + PATH_STEP]) for i in range(0, len(unit.path), PATH_STEP)]
    return list(reversed(ids))


def _active(user):
    return user if user is not None and user.is_active else None


def regional_manager(requester):
    line = _line(requester.unit)
    regions = {u.pk: u for u in OrgUnit.objects.filter(pk__in=line, kind=OrgUnit.Kind.REGION)
               .select_related("manager")}
    for pk in line:
        if pk in regions:
            return _active(regions[pk].manager)
    return None


def position_holder(requester, position):
    line = _line(requester.unit)
    holders = User.objects.filter(position=position, is_active=True, unit_id__in=line).order_by("pk")
    by_unit: dict[int | None, User] = {}
    for holder in holders:
        by_unit.setdefault(holder.unit_id, holder)
    return next((by_unit[pk] for pk in line if pk in by_unit), None)


def resolve(step, requester, customer=None):
    """The approver of `step` for `requester`, or None when the rule finds nobody."""
    rule = step.rule
    if rule == ChainStep.Rule.SUPERVISOR:
        return _active(requester.supervisor)
    if rule == ChainStep.Rule.REGIONAL_MANAGER:
        return regional_manager(requester)
    if rule == ChainStep.Rule.CUSTOMER_OWNER_SUPERVISOR:
        owner = getattr(customer, "owner", None)
        return _active(owner.supervisor) if owner is not None else None
    if rule == ChainStep.Rule.POSITION:
        return position_holder(requester, step.position)
    return None


def may_stand_in(request, user, delegate) -> bool:
    """May `delegate` decide `user`'s step of `request`? Only someone who could hold the step
    (org.permissions.stand_ins: above `user` in their line or the same role in their unit,
    cleared as high as `user` — checked again now, as the org may have changed since the
    delegation was set), cleared for this request's secret level, and not its requester."""
    return (delegate.pk != request.requester_id
            and delegate.clearance >= request.current_secret_level()
            and stand_ins(user).filter(pk=delegate.pk).exists())


def delegation_in_force(user, on: date_cls):
    """`user`'s delegation in force on day `on` (the latest made), or None."""
    return (Delegation.objects.filter(user=user, starts_on__lte=on, ends_on__gte=on,
                                      delegate__is_active=True)
            .select_related("delegate").order_by("-created_at").first())


def delegate_for(user, on: date_cls, request):
    """Who decides `user`'s step of `request` on day `on`: their delegate while a delegation
    is in force and the delegate may stand in for this request (`may_stand_in`), else None —
    the step stays with `user`. One hop: a delegate's own delegation is not followed, so
    delegations never loop."""
    delegation = delegation_in_force(user, on)
    if delegation is None or not may_stand_in(request, user, delegation.delegate):
        return None
    return delegation.delegate


def escalation_target(approver):
    """Who hears that `approver` leaves a step waiting: their supervisor, else the manager of
    their region (not the approver themselves), else nobody."""
    boss = _active(approver.supervisor)
    if boss is None:
        boss = regional_manager(approver)
    return boss if boss is not None and boss.pk != approver.pk else None
