"""The approval engine's action (操作权限), registered in `core.registry.actions` by
ApprovalsConfig.ready() with the roles that hold it by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP

APPROVAL_REQUEST = "approval.request"

ACTIONS = (
    ActionDef(APPROVAL_REQUEST, _("Raise approval requests"), ACCOUNT_MANAGERS_AND_UP),
)
