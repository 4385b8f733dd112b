"""Staff appraisal actions (操作权限), registered in `core.registry.actions` by
AppraisalConfig.ready() with the roles that hold them by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP, SUPERVISORS_AND_UP

APPRAISAL_VIEW = "appraisal.view"
APPRAISAL_MANAGE = "appraisal.manage"

ACTIONS = (
    ActionDef(APPRAISAL_VIEW, _("See performance appraisals (one's own, and those of the staff "
                                "and units in scope)"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(APPRAISAL_MANAGE, _("Set appraisal schemes; appraise staff and units; confirm or "
                                  "return appraisals"), SUPERVISORS_AND_UP),
)
