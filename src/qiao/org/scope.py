"""Data scope (数据权限): the one place that turns a user into a filter on records.

Every model a user can read registers how it is scoped (`core.registry.Scope`, in its app's
`ready()`), and its QuerySet is a `ScopedQuerySet`, whose `visible_to(user)` applies the
registered scope; nothing else filters by owner. The owner ids / unit ids a user may see are
computed once per request (a handful of small queries on the org tables, cached on the user
object), so the filter applied to a million customers is one indexed `IN` condition, never a
join across the org tree.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from qiao.core.models import Clearance, SoftDeleteQuerySet
from qiao.core.registry import Scope, ScopeMode, scopes

from .models import OrgUnit, User
from .permissions import CREATES_CUSTOMERS, DataScope


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


def registered_scope(model) -> Scope:
    return scopes.get(model._meta.concrete_model)


def _related_model(model, path: str):
    """The model that the lookup `path` (customer, record__work_order__customer…) leads to."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _is_active(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def scope_filter(entry: Scope, user, prefix: str = "", *, deleted: bool = False) -> Q:
    """The condition for the rows of `entry.model` (reached through the lookup `prefix`) that
    `user` may see; `deleted`: the soft-deleted ones instead of the live ones."""
    if entry.mode == ScopeMode.CUSTOM:
        raise ImproperlyConfigured(f"{entry.model.__name__} has a custom scope: it is no "
                                   "condition that another model can be reached through.")
    if entry.mode == ScopeMode.OWNER_UNIT:
        condition = scope_q(user, owner_field=f"{prefix}{entry.owner_field}",
                            unit_field=f"{prefix}{entry.unit_field}")
    elif entry.mode == ScopeMode.VIA_CUSTOMER:
        condition = _customer_filter(entry, user, prefix)
    else:
        condition = _queue_filter(entry, user, prefix)
    return condition & _own_conditions(entry, user, prefix, deleted=deleted)


def _own_conditions(entry: Scope, user, prefix: str = "", *, deleted: bool = False) -> Q:
    """The row's own clearance and soft-delete conditions, whatever its mode."""
    condition = Q()
    if entry.clearance_field:
        condition &= clearance_q(user, f"{prefix}{entry.clearance_field}")
    if entry.deleted_field:
        condition &= Q(**{f"{prefix}{entry.deleted_field}": deleted})
    return condition


def _customer_filter(entry: Scope, user, prefix: str) -> Q:
    """The customer's own conditions, on its fields through the join: the customer's indexed
    `owner_id IN (…)`, never a subquery of visible customers."""
    customer = registered_scope(_related_model(entry.model, entry.customer_field))
    return scope_filter(customer, user, f"{prefix}{entry.customer_field}__")


def _queue_ways(entry: Scope, user, prefix: str = "") -> list[Q]:
    """The three ways into a QUEUE-scoped row: assigned to the user; in one of the user's
    queues, unless its customer is one of the few above the user's clearance (a NOT IN of
    those, not a join to every customer: with a join the planner reads the customers first,
    seconds for a queue); about a customer the user sees."""
    customer_model = _related_model(entry.model, entry.customer_field)
    customer = registered_scope(customer_model)
    queue_model = _related_model(entry.model, entry.queue_field)
    my_queues = queue_model._default_manager.filter(**{entry.members_field: user}).values("pk")
    in_my_queue = Q(**{f"{prefix}{entry.queue_field}__in": my_queues})
    above = clearance_q(user, customer.clearance_field) if customer.clearance_field else Q()
    if above:
        in_my_queue &= ~Q(**{f"{prefix}{entry.customer_field}__in": customer_model
                             ._default_manager.exclude(above).values("pk")})
    return [Q(**{f"{prefix}{entry.assignee_field}": user}), in_my_queue,
            scope_filter(customer, user, f"{prefix}{entry.customer_field}__")]


def _queue_filter(entry: Scope, user, prefix: str) -> Q:
    """The QUEUE scope as one condition, for a model reached through such a row."""
    if not _is_active(user):
        return Q(pk__in=[])
    assigned, in_my_queue, my_customers = _queue_ways(entry, user, prefix)
    return assigned | in_my_queue | my_customers


def _queue_rows(queryset, entry: Scope, user):
    """The QUEUE scope of `visible_to`: the union of the ids its three ways in give, each with
    the query's own conditions (a list's status…). One OR across the row's and its customer's
    tables would read every row (4 s at 500,000 tickets); each way alone has its index. Someone
    who sees every customer at every level sees every row, the soft-deleted customers' too (as
    in the recycle bin)."""
    if not _is_active(user):
        return queryset.none()
    queryset = queryset.filter(_own_conditions(entry, user))
    customer = registered_scope(_related_model(entry.model, entry.customer_field))
    if sees_everything(user) and not clearance_q(user, customer.clearance_field or "pk"):
        return queryset
    ids = [queryset.filter(way).order_by().values("pk") for way in _queue_ways(entry, user)]
    return queryset.filter(pk__in=ids[0].union(*ids[1:]))


class ScopedQuerySet(models.QuerySet):
    """The QuerySet of every model a user can read: `visible_to(user)` applies the scope the
    model registered in `core.registry.scopes`."""

    def visible_to(self, user):
        """The only way to read these rows on behalf of a user. Filters applied before it are
        carried into each way in of a QUEUE scope (apply a list's filters first)."""
        entry = registered_scope(self.model)
        if entry.mode == ScopeMode.CUSTOM and entry.custom is not None:  # Scope requires it
            return entry.custom(self, user)
        if entry.mode == ScopeMode.QUEUE:
            return _queue_rows(self, entry, user)
        return self.filter(scope_filter(entry, user))


# django-stubs types as_manager() per QuerySet class, so the two bases' managers "conflict".
class ScopedSoftDeleteQuerySet(ScopedQuerySet, SoftDeleteQuerySet):  # type: ignore[override]
    """A soft-deleted model's: `visible_to` the live rows, `deleted_visible_to` the recycle
    bin (the scope names the flag as its `deleted_field`)."""

    def deleted_visible_to(self, user):
        """The recycle bin: the soft-deleted rows within the user's scope."""
        entry = registered_scope(self.model)
        if not entry.deleted_field:
            raise ImproperlyConfigured(f"{entry.model.__name__} registers no soft delete.")
        return self.filter(scope_filter(entry, user, deleted=True))


def sees_everything(user) -> bool:
    return resolved_scope(user)[0] == "all"


def holds_action_q(action: str, prefix: str = "") -> Q:
    """Roles holding `action`, as a condition (`prefix`: the path from the queried model to the
    role). The actions are a JSON list, which SQLite cannot search inside; its text always
    holds each code in double quotes, so the quoted code is matched."""
    return Q(**{f"{prefix}actions__icontains": f'"{action}"'})


def may_own_customers_q(prefix: str = "") -> Q:
    """permissions.role_may_own_customers as a condition on roles, so that choosing owners
    joins the role in the users' query instead of reading the roles first."""
    return holds_action_q(CREATES_CUSTOMERS, prefix) & ~Q(
        **{f"{prefix}data_scope": DataScope.NONE})


def staff_in_scope_q(user) -> Q:
    """The condition on User rows of the staff within `user`'s data scope (themselves included)."""
    kind, ids = resolved_scope(user)
    if kind == "all":
        return Q()
    if kind == "owners":
        return Q(pk__in=ids)
    if kind == "units":
        return Q(unit_id__in=ids)
    return Q(pk__in=[])


def visible_users(user, *, keep=None):
    """The account managers `user` may choose (客户经理: the owner choices of the filters, the
    customer form, a handover's target and the API's staff list): active staff within `user`'s
    scope who may own customers (permissions.role_may_own_customers).

    `keep`: the id of a record's current owner, a valid choice whatever the above says (a
    role changed, an account disabled): a form saved unchanged must never be refused for it."""
    choices = Q(staff_in_scope_q(user), may_own_customers_q("position__role__"),
                is_active=True)
    if keep is not None:
        choices |= Q(pk=keep)
    return User.objects.filter(choices).select_related("unit")
