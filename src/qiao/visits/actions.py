"""The visits' actions (操作权限), registered in `core.registry.actions` by VisitsConfig.ready()
with the roles that hold them by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP, HEADS, SUPERVISORS_AND_UP

# Record visits and keep commitments; read the visits and commitments of the customers one
# sees (a supervisor the team's: data scope).
VISIT_RECORD = "visit.record"
# The visit list as an Excel or CSV file (客户拜访管理表), for those who export customer data.
VISIT_EXPORT = "visit.export"
# Set the monthly hospitality budgets (招待费预算) of the account managers in one's data scope.
HOSPITALITY_BUDGET = "visit.hospitality_budget"
# Pass an unlicensed-trading report (无证经营) on to the monopoly administration and record its
# outcome, for the reports one sees: the regional manager over the reporter and up.
INTEL_HANDLE = "visit.intel_handle"

ACTIONS = (
    ActionDef(VISIT_RECORD, _("Record customer visits and commitments"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(INTEL_HANDLE, _("Handle unlicensed trading reports"),
              (*HEADS, "regional_manager")),
    ActionDef(VISIT_EXPORT, _("Export visit records"), SUPERVISORS_AND_UP),
    ActionDef(HOSPITALITY_BUDGET, _("Set hospitality budgets"), SUPERVISORS_AND_UP),
)
