"""The operation log's action (操作权限), registered in `core.registry.actions` by
AuditConfig.ready() with the roles that hold it by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import SUPERVISORS_AND_UP

AUDIT_VIEW = "audit.view"

ACTIONS = (
    ActionDef(AUDIT_VIEW, _("View the operation log of the users in scope"), SUPERVISORS_AND_UP),
)
