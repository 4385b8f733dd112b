"""Data scope (数据权限): the one place that turns a user into a filter on records.

Business models call `scope_q(user, …)` from their `visible_to(user)`; nothing else filters
by owner. The owner ids / unit ids a user may see are computed once per request (a handful
of small queries on the org tables, cached on the user object), so the filter applied to a
million customers is one indexed `IN` condition, never a join across the org tree.
"""

from django.db.models import Q

from qiao.core.models import Clearance

from .models import OrgUnit, Role, User
from .permissions import DataScope, role_may_own_customers


def subordinate_ids(user) -> set[int]:
    """The user and everyone reporting to them, directly or not (the supervisor chain)."""
    seen = {user.pk}
    frontier = [user.pk]
    while frontier:
        frontier = [
            pk for pk in User.objects.filter(supervisor_id__in=frontier).values_list("pk", flat=True)
            if pk not in seen
        ]
        seen.update(frontier)
    return seen


def unit_tree_ids(unit) -> list[int]:
    return list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def _compute(user):
    """('all'|'none'|'owners'|'units', ids) for an authenticated user."""
    role = user.role
    scope = role.data_scope if role and user.is_active else DataScope.NONE
    if scope == DataScope.ALL:
        return "all", None
    if scope == DataScope.OWN:
        return "owners", [user.pk]
    if scope == DataScope.SUBORDINATES:
        return "owners", sorted(subordinate_ids(user))
    if scope == DataScope.UNIT and user.unit_id:
        return "units", [user.unit_id]
    if scope == DataScope.UNIT_TREE and user.unit_id:
        return "units", unit_tree_ids(user.unit)
    return "none", None


def resolved_scope(user):
    if not getattr(user, "is_authenticated", False):
        return "none", None
    if not hasattr(user, "_qiao_scope"):
        user._qiao_scope = _compute(user)
    return user._qiao_scope


def scope_q(user, *, owner_field: str, unit_field: str) -> Q:
    """The filter for records that `user` may see; `owner_field` names the owning user,
    `unit_field` the owning unit denormalised onto the record."""
    kind, ids = resolved_scope(user)
    if kind == "all":
        return Q()
    if kind == "owners":
        return Q(**{f"{owner_field}__in": ids})
    if kind == "units":
        return Q(**{f"{unit_field}__in": ids})
    return Q(pk__in=[])


def clearance_q(user, field: str) -> Q:
    """Records at or below the user's clearance (密级, ORG-5). No condition at the top level,
    so the director's lists and counts keep their plain indexes."""
    clearance = user.clearance if getattr(user, "is_authenticated", False) else Clearance.PUBLIC
    if clearance >= Clearance.SECRET:
        return Q()
    return Q(**{f"{field}__lte": clearance})


def sees_everything(user) -> bool:
    return resolved_scope(user)[0] == "all"


def owner_role_ids() -> list[int]:
    """The roles whose people may own customers (a handful of rows, read in Python: the rule
    reads the actions list, which SQLite cannot search inside)."""
    return [role.pk for role in Role.objects.exclude(data_scope=DataScope.NONE)
            if role_may_own_customers(role)]


def visible_users(user, *, keep=None):
    """The account managers `user` may choose (客户经理: the owner choices of the filters, the
    customer form, a handover's target and the API's staff list): active staff within `user`'s
    scope who may own customers (permissions.role_may_own_customers).

    `keep`: the id of a record's current owner, a valid choice whatever the above says (a
    role changed, an account disabled): a form saved unchanged must never be refused for it."""
    kind, ids = resolved_scope(user)
    if kind == "all":
        in_scope = Q()
    elif kind == "owners":
        in_scope = Q(pk__in=ids)
    elif kind == "units":
        in_scope = Q(unit_id__in=ids)
    else:
        in_scope = Q(pk__in=[])
    choices = Q(in_scope, is_active=True, position__role__in=owner_role_ids())
    if keep is not None:
        choices |= Q(pk=keep)
    return User.objects.filter(choices).select_related("unit")
