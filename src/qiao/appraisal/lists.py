"""The appraisal list (core.lists): one's own, the team's, the region's, with the Excel/CSV
file."""

from django.utils.translation import gettext_lazy as _

from qiao.core.exports import DATE, NUMBER, Column
from qiao.core.lists import ListSpec

from . import selectors
from .forms import AppraisalFilter


def _filters(request):
    return AppraisalFilter(request.GET or None)


APPRAISALS = ListSpec(
    url_name="appraisal:list",
    template="appraisal/list.html",
    fragment="appraisal/_results.html",
    form=_filters,
    rows=lambda user, form: selectors.appraisal_list(user, **form.values()),
    searched=lambda form: bool(form.values().get("q")),
    title=_("Appraisal forms"),
    columns=[
        Column(_("Appraisee"), lambda a: a.subject_name, 16),
        Column(_("Unit"), "unit.name", 14),
        Column(_("Form"), "form", 18),
        Column(_("Evaluation period"), lambda a: a.period_label, 12),
        Column(_("Score"), "score", 8, kind=NUMBER),
        Column(_("Reward and penalty points"), "points", 8, kind=NUMBER),
        Column(_("Final score"), "final_score", 8, kind=NUMBER),
        Column(_("Status"), "status", 8),
        Column(_("Evaluator"), "evaluator", 10),
        Column(_("Evaluation date"), "evaluated_on", 12, kind=DATE),
    ],
)
