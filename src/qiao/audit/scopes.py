"""Who reads the operation log (core.registry.scopes, registered in apps.ready)."""

from qiao.core.registry import Scope, ScopeMode

from .models import OperationLog

SCOPES = (
    # The rows of the users in the reader's data scope (the director: all, failed logins of
    # unknown usernames included): the same rule as org.scope.visible_users, except that
    # former employees' rows stay visible (visible_users lists active staff only, for
    # pickers), and that rows without a known user are only in the "all" scope. The log keeps
    # no unit of its own: unit scopes use the actor's current unit (a join). No clearance
    # condition.
    Scope(OperationLog, ScopeMode.OWNER_UNIT, owner_field="actor_id",
          unit_field="actor__unit_id"),
)
