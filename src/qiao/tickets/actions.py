"""The service desk's actions (操作权限), registered in `core.registry.actions` by
TicketsConfig.ready() with the roles that hold them by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP, SUPERVISORS_AND_UP

TICKET_HANDLE = "ticket.handle"
TICKET_ASSIGN = "ticket.assign"

ACTIONS = (
    ActionDef(TICKET_HANDLE, _("Register and handle service tickets"),
              (*ACCOUNT_MANAGERS_AND_UP, "specialist", "agent")),
    ActionDef(TICKET_ASSIGN, _("Assign service tickets and keep the case library"),
              SUPERVISORS_AND_UP),
)
