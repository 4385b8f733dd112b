"""The appraisal ranking of the report centre, registered in AppraisalConfig.ready."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ReportDef

from .actions import APPRAISAL_VIEW

RANKING = ReportDef(
    "appraisal_ranking", _("Performance appraisal ranking"), "appraisal:ranking",
    (APPRAISAL_VIEW,), _("Performance appraisal"), order=300, icon="bi-trophy",
    short_label=_("Appraisal ranking"),
    description=_("A period's appraisals of the staff or units you see, by final score, with "
                  "the KPI score and the rewards' and penalties' points."))

REPORTS = (RANKING,)
