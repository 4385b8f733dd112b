"""Sales and credit actions (操作权限), registered in `core.registry.actions` by
SalesConfig.ready() with the roles that hold them by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP, SUPERVISORS_AND_UP

SALES_VIEW = "sales.view"
SALES_POST = "sales.post"
SALES_MANAGE = "sales.manage"

ACTIONS = (
    ActionDef(SALES_VIEW, _("See sales figures, orders and credit files"),
              ACCOUNT_MANAGERS_AND_UP),
    ActionDef(SALES_POST, _("Post orders, returns and receipts; investigate credit"),
              ACCOUNT_MANAGERS_AND_UP),
    ActionDef(SALES_MANAGE, _("Set sales targets and costs, reverse receipts, pass orders over "
                              "the credit limit"), SUPERVISORS_AND_UP),
)
