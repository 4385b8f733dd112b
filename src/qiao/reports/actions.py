"""The customer tables' action (操作权限), registered in `core.registry.actions` by
ReportsConfig.ready() with the roles that hold it by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP

REPORT_VIEW = "report.view"

ACTIONS = (
    ActionDef(REPORT_VIEW, _("View customer tables and statistics"), ACCOUNT_MANAGERS_AND_UP),
)
