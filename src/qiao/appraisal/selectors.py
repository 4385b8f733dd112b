"""Every read of appraisals on behalf of a user, through `Appraisal.objects.visible_to(user)`;
the people and units a user may appraise; the period's ranking (the report)."""

from datetime import date

from django.db.models import Prefetch, Q
from django.http import Http404

from qiao.org.models import OrgUnit, User
from qiao.org.scope import resolved_scope, staff_in_scope_q

from .criteria import DIMENSIONS
from .models import Appraisal, AppraisalKpi, CriterionScore, Form, RewardPenalty, Scorecard


def appraisable_people(user):
    """Active staff in `user`'s data scope other than `user`."""
    return (User.objects.filter(staff_in_scope_q(user), is_active=True).exclude(pk=user.pk)
            .select_related("unit").order_by("unit__path", "username"))


def appraisable_units(user):
    """The teams and regions in `user`'s scope below `user`'s own unit (seed 004: a unit
    appraises the next level down)."""
    kind, ids = resolved_scope(user)
    units = OrgUnit.objects.filter(kind__in=(OrgUnit.Kind.TEAM, OrgUnit.Kind.REGION))
    if kind == "units":
        units = units.filter(pk__in=ids)
    elif kind != "all":
        return units.none()
    if user.unit_id:
        units = units.exclude(pk=user.unit_id)
    return units.order_by("path")


def scorecards(*, active_only=False):
    rows = Scorecard.objects.select_related("role").order_by("-active", "name", "id")
    return rows.filter(active=True) if active_only else rows


def scorecard_get(pk) -> Scorecard:
    scorecard = Scorecard.objects.filter(pk=pk).first()
    if scorecard is None:
        raise Http404
    return scorecard


def appraisal_list(user, *, status="", form="", period_start: date | None = None,
                   person=None, q=""):
    rows = (Appraisal.objects.visible_to(user).filter(is_deleted=False)
            .select_related("person", "unit", "evaluator", "scorecard"))
    if status:
        rows = rows.filter(status=status)
    if form:
        rows = rows.filter(form=form)
    if period_start is not None:
        rows = rows.filter(period_start=period_start)
    if person is not None:
        rows = rows.filter(person=person)
    if q:
        rows = rows.filter(Q(person__display_name__icontains=q) | Q(person__username__icontains=q)
                           | Q(unit__name__icontains=q))
    return rows.order_by("-period_start", "-id")


def appraisal_get(user, pk) -> Appraisal:
    appraisal = (Appraisal.objects.visible_to(user).filter(pk=pk, is_deleted=False)
                 .select_related("person", "unit", "evaluator", "scorecard", "confirmed_by")
                 .prefetch_related(
                     Prefetch("kpis", queryset=AppraisalKpi.objects.order_by("order", "id")),
                     Prefetch("criteria", queryset=CriterionScore.objects.order_by("order", "id")),
                     Prefetch("lines", queryset=RewardPenalty.objects.order_by("id")))
                 .first())
    if appraisal is None:
        raise Http404
    return appraisal


def sheet_dimensions(appraisal) -> list[dict]:
    """The manager's sheet by dimension: label, criteria, points given and possible."""
    by_code = {}
    for criterion in appraisal.criteria.all():
        by_code.setdefault(criterion.dimension, []).append(criterion)
    result = []
    for code, label, _items in DIMENSIONS:
        items = by_code.get(code, [])
        result.append({"code": code, "label": label, "criteria": items,
                       "given": sum(c.score or 0 for c in items), "possible": 5 * len(items)})
    return result


def history_of(user, appraisal, limit=12) -> list:
    """The same person's (or unit's) other appraisals that `user` sees, latest first."""
    rows = Appraisal.objects.visible_to(user).filter(is_deleted=False).exclude(pk=appraisal.pk)
    if appraisal.person_id:
        rows = rows.filter(person_id=appraisal.person_id)
    else:
        rows = rows.filter(person__isnull=True, unit_id=appraisal.unit_id)
    return list(rows.select_related("scorecard").order_by("-period_start", "-id")[:limit])


def ranking(user, *, period_kind: str, period_start: date, form=Form.KPI,
            confirmed_only=False) -> list[dict]:
    """The period's appraisals that `user` sees, best final score first, ranked (one query)."""
    rows = appraisal_list(user, form=form, period_start=period_start).filter(
        period_kind=period_kind)
    if confirmed_only:
        rows = rows.filter(status="confirmed")
    ranked = sorted(rows, key=lambda a: (-a.final_score, a.subject_name, a.pk))
    return [{"rank": i, "appraisal": a, "name": a.subject_name,
             "unit": a.unit.name if a.unit_id and a.person_id else "",
             "scheme": a.scorecard.name if a.scorecard_id else a.get_form_display(),
             "score": a.score, "points": a.points, "final_score": a.final_score,
             "status": a.get_status_display()}
            for i, a in enumerate(ranked, 1)]
