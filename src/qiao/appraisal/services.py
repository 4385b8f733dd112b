"""Every change of appraisal schemes and appraisals, in a transaction, versioned (SAL-10).

- `scorecard_save`: a scheme with its KPIs; the weights sum to 100, each KPI a registered
  source once, with a target and a cap.
- `appraisal_draft`: a scheme's appraisal of a person or unit the evaluator sees, for a period
  that has begun: each KPI's actual read from its source and frozen with its scores.
  `sheet_draft`: the department manager's sheet, the seed's criteria unscored.
- `appraisal_save`: the evaluator's evaluation, comments and (sheet) criterion scores;
  `line_add` / `line_remove`: rewards and penalties; `appraisal_submit`; `appraisal_review`:
  someone else holding appraisal.manage confirms it or returns it with a reason."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core.concurrency import save_versioned
from qiao.core.exceptions import StaleVersionError
from qiao.core.history import authored_by
from qiao.notify import kinds
from qiao.notify.services import notify
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from . import scoring, sources
from .actions import APPRAISAL_MANAGE
from .criteria import DIMENSIONS
from .models import (
    MAX_POINTS,
    Appraisal,
    AppraisalKpi,
    CriterionScore,
    Form,
    LineKind,
    PeriodKind,
    RewardPenalty,
    Scorecard,
    ScorecardKpi,
    Status,
    Subject,
)
from .periods import period_bounds, period_label

# Inbox messages (kind and params stored, the title rendered in the reader's language).
SUBMITTED = "appraisal.submitted"
RETURNED = "appraisal.returned"
CONFIRMED = "appraisal.confirmed"


def _title_params(p: dict) -> dict:
    return {**p, "period": period_label(p["kind"], date.fromisoformat(p["start"]))}


def register_kinds():
    """Called from the app's ready(): how its inbox messages read."""
    kinds.register(SUBMITTED, title=lambda p: _(
        "%(evaluator)s submitted the appraisal of %(subject)s for %(period)s") % _title_params(p))
    kinds.register(RETURNED, title=lambda p: _(
        "The appraisal of %(subject)s for %(period)s was returned: %(comment)s")
        % _title_params(p))
    kinds.register(CONFIRMED, title=lambda p: _(
        "The appraisal of %(subject)s for %(period)s was confirmed: final score %(score)s")
        % _title_params(p))


def _tell(appraisal, recipients, kind, **extra):
    recipients = [person for person in recipients if person is not None]
    if recipients:
        notify(recipients=recipients, kind=kind, url=reverse("appraisal:detail",
                                                             args=[appraisal.pk]),
               params={"subject": appraisal.subject_name, "kind": appraisal.period_kind,
                       "start": appraisal.period_start.isoformat(),
                       "evaluator": str(appraisal.evaluator), **extra})


def _require(actor, action=APPRAISAL_MANAGE):
    if not can(actor, action):
        raise PermissionDenied


# --- schemes -----------------------------------------------------------------------------------

SCHEME_FIELDS = ("name", "role", "subject", "period_kind", "active", "note")


def _check_kpis(kpis: list[dict]) -> None:
    if not kpis:
        raise ValidationError(_("Add at least one KPI."))
    codes = [kpi["source"] for kpi in kpis]
    unknown = [code for code in codes if code not in sources.SOURCES]
    if unknown:
        raise ValidationError(_("Unknown indicator: %(codes)s.") % {"codes": ", ".join(unknown)})
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Each indicator can be used once in a scheme."))
    total = sum(kpi["weight"] for kpi in kpis)
    if total != 100:
        raise ValidationError(_("The KPIs' weights must add up to 100 (now %(total)s).")
                              % {"total": total})


def scorecard_save(*, actor, scorecard: Scorecard | None, data: dict, kpis: list[dict]):
    """Create or change a scheme and replace its KPIs ({source, weight, target, cap}); a scheme
    saved unchanged writes nothing. Appraisals already drafted keep the KPIs they froze."""
    _require(actor)
    _check_kpis(kpis)
    scorecard = scorecard or Scorecard()
    current = [{"source": k.source, "weight": k.weight, "target": k.target, "cap": k.cap}
               for k in scorecard.kpis.all()] if scorecard.pk else None
    wanted = [{"source": k["source"], "weight": k["weight"], "target": k["target"],
               "cap": k.get("cap") or 100} for k in kpis]
    changed = {name: data[name] for name in SCHEME_FIELDS
               if name in data and data[name] != getattr(scorecard, name)}
    if scorecard.pk and not changed and current == wanted:
        return scorecard
    for name, value in changed.items():
        setattr(scorecard, name, value)
    with transaction.atomic():
        scorecard.full_clean()
        authored_by(scorecard, actor).save()
        if current != wanted:
            scorecard.kpis.all().delete()
            for order, kpi in enumerate(wanted):
                line = ScorecardKpi(scorecard=scorecard, order=order, **kpi)
                line.full_clean()
                line.save()
    return scorecard


# --- drafting ----------------------------------------------------------------------------------

def _check_period(kind: str, day: date, today: date) -> tuple[date, date]:
    start, end = period_bounds(kind, day)
    if start > today:
        raise ValidationError({"period": _("This period has not begun yet.")})
    return start, end


def _check_subject(actor, person, unit):
    from .selectors import appraisable_people, appraisable_units

    if person is not None:
        if person.pk == actor.pk:
            raise ValidationError({"person": _("You cannot appraise yourself.")})
        if not appraisable_people(actor).filter(pk=person.pk).exists():
            raise ValidationError({"person": _("This person is not in your scope.")})
    elif unit is not None:
        if not appraisable_units(actor).filter(pk=unit.pk).exists():
            raise ValidationError({"unit": _("This unit is not in your scope.")})
    else:
        raise ValidationError(_("Choose whom to appraise."))


def _create(appraisal: Appraisal):
    try:
        with transaction.atomic():
            appraisal.full_clean(exclude=["person", "unit", "evaluator", "scorecard"])
            appraisal.save()
    except IntegrityError:
        raise ValidationError(_("There is already an appraisal of this kind for this "
                                "person or unit and period.")) from None
    except ValidationError as exc:
        if "__all__" in getattr(exc, "message_dict", {}):
            raise ValidationError(_("There is already an appraisal of this kind for this "
                                    "person or unit and period.")) from None
        raise


def appraisal_draft(*, actor, scorecard: Scorecard, day: date, person=None, unit=None,
                    today=None) -> Appraisal:
    """The scheme's appraisal of `person` (or `unit`) for the period holding `day`, each KPI's
    actual read now from its source (as `actor` sees the figures) and frozen with its score."""
    _require(actor)
    today = today or timezone.localdate()
    if not scorecard.active:
        raise ValidationError({"scorecard": _("This scheme is no longer in use.")})
    if scorecard.subject == Subject.PERSON:
        if person is None:
            raise ValidationError({"person": _("This scheme appraises staff: choose a person.")})
        unit = None
        if scorecard.role_id and person.role is not None and person.role.pk != scorecard.role_id:
            raise ValidationError({"person": _("This scheme is for the role %(role)s.")
                                   % {"role": scorecard.role}})
    else:
        if unit is None:
            raise ValidationError({"unit": _("This scheme appraises units: choose a unit.")})
        person = None
    _check_subject(actor, person, unit)
    start, end = _check_period(scorecard.period_kind, day, today)
    kpis = list(scorecard.kpis.all())
    context = sources.Context(actor, person, unit, scorecard.period_kind, start, end)
    lines = []
    for order, kpi in enumerate(kpis):
        source = sources.SOURCES.get(kpi.source)
        if source is None:
            raise ValidationError(_("Unknown indicator: %(codes)s.") % {"codes": kpi.source})
        actual = source.read(context)
        score = scoring.kpi_score(actual, kpi.target, kpi.cap, lower_better=source.lower_better)
        lines.append(AppraisalKpi(
            source=kpi.source, label=str(source.label), measure=str(source.measure),
            lower_better=source.lower_better, weight=kpi.weight, target=kpi.target, cap=kpi.cap,
            actual=actual, score=score, weighted=scoring.weighted(score, kpi.weight),
            order=order))
    total = sum((line.weighted for line in lines), scoring.ZERO)
    appraisal = Appraisal(
        form=Form.KPI, scorecard=scorecard, person=person,
        unit=person.unit if person is not None else unit, period_kind=scorecard.period_kind,
        period_start=start, period_end=end, evaluator=actor, evaluated_on=today,
        score=total, final_score=total)
    with transaction.atomic():
        _create(authored_by(appraisal, actor))
        for line in lines:
            line.appraisal = appraisal
        AppraisalKpi.objects.bulk_create(lines)
    return appraisal


def sheet_draft(*, actor, person, period_kind: str, day: date, today=None) -> Appraisal:
    """The department manager's evaluation sheet (seed 002 篇2) of `person` for the period
    holding `day`: 被测评人, 测评人 (the actor), 测评时段, the seed's criteria to score."""
    _require(actor)
    today = today or timezone.localdate()
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose a period.")})
    if person is None:
        raise ValidationError({"person": _("Choose whom to appraise.")})
    _check_subject(actor, person, None)
    start, end = _check_period(period_kind, day, today)
    appraisal = Appraisal(form=Form.SHEET, person=person, unit=person.unit,
                          period_kind=period_kind, period_start=start, period_end=end,
                          evaluator=actor, evaluated_on=today)
    with transaction.atomic():
        _create(authored_by(appraisal, actor))
        CriterionScore.objects.bulk_create(
            CriterionScore(appraisal=appraisal, dimension=code, number=number, text=text,
                           order=order)
            for order, (code, number, text) in enumerate(
                (code, number, text) for code, _label, items in DIMENSIONS
                for number, text in enumerate(items, 1)))
    return appraisal


# --- writing, rewards and penalties, submitting --------------------------------------------------

def _writable(actor, appraisal):
    if actor.pk != appraisal.evaluator_id:
        raise PermissionDenied
    if not appraisal.editable:
        raise ValidationError(_("This appraisal was submitted; it can be changed only when it "
                                "is returned."))


def _rescore(appraisal):
    """The score (the sheet's from its criteria), the points and the final score."""
    if appraisal.form == Form.SHEET:  # read again: a page's appraisal holds them prefetched
        appraisal.score = scoring.sheet_score(
            CriterionScore.objects.filter(appraisal=appraisal).values_list("score", flat=True))
    appraisal.points = sum((line.signed_points
                            for line in RewardPenalty.objects.filter(appraisal=appraisal)),
                           Decimal("0"))
    appraisal.final_score = appraisal.score + appraisal.points


def appraisal_save(*, actor, appraisal, data: dict, expected_version: int,
                   scores: dict | None = None):
    """The evaluator's evaluation and comments and, on the manager's sheet, the criteria's
    scores ({criterion id: 0–5 or None}). Saved unchanged: nothing is written."""
    _writable(actor, appraisal)
    changed = {name: data[name] for name in ("evaluation", "comments")
               if name in data and data[name] != getattr(appraisal, name)}
    criteria = {c.pk: c for c in appraisal.criteria.all()} if appraisal.form == Form.SHEET else {}
    rescored = [(criteria[pk], value) for pk, value in (scores or {}).items()
                if pk in criteria and criteria[pk].score != value]
    if not changed and not rescored:
        if appraisal.version != expected_version:
            raise StaleVersionError.of(appraisal)
        return appraisal
    for name, value in changed.items():
        setattr(appraisal, name, value)
    with transaction.atomic():
        for criterion, value in rescored:
            criterion.score = value
            criterion.full_clean(exclude=["appraisal"])
            criterion.save(update_fields=["score"])
        _rescore(appraisal)
        appraisal.full_clean(exclude=["person", "unit", "evaluator", "scorecard"],
                             validate_constraints=False)
        save_versioned(authored_by(appraisal, actor), expected_version=expected_version)
    return appraisal


def line_add(*, actor, appraisal, kind: str, reason: str, amount=None, points=None,
             expected_version: int):
    """A reward or a penalty (奖惩): a reason, and an amount, points or both."""
    _writable(actor, appraisal)
    reason = (reason or "").strip()
    errors = {}
    if kind not in LineKind.values:
        errors["kind"] = _("Choose reward or penalty.")
    if not reason:
        errors["reason"] = _("Say what it is for.")
    if amount is None and points is None:
        errors["points"] = _("Give an amount, points or both.")
    if points is not None and not (Decimal("0") < points <= MAX_POINTS):
        errors["points"] = _("Points are from 0.1 to %(max)s.") % {"max": MAX_POINTS}
    if errors:
        raise ValidationError(errors)
    line = RewardPenalty(appraisal=appraisal, kind=kind, reason=reason[:200], amount=amount,
                         points=points, created_by=actor)
    line.full_clean(exclude=["appraisal"])
    with transaction.atomic():
        line.save()
        _rescore(appraisal)
        save_versioned(authored_by(appraisal, actor), expected_version=expected_version)
    return line


def line_remove(*, actor, appraisal, line_id: int, expected_version: int):
    _writable(actor, appraisal)
    line = appraisal.lines.filter(pk=line_id).first()
    if line is None:
        raise ValidationError(_("This reward or penalty is no longer there."))
    with transaction.atomic():
        line.delete()
        _rescore(appraisal)
        save_versioned(authored_by(appraisal, actor), expected_version=expected_version)
    return appraisal


def appraisal_submit(*, actor, appraisal, expected_version: int):
    """Hand the appraisal in for confirmation: the evaluation must be written and, on the
    manager's sheet, every criterion scored."""
    _writable(actor, appraisal)
    errors = {}
    if not appraisal.evaluation.strip():
        errors["evaluation"] = _("Write the evaluation before submitting.")
    if appraisal.form == Form.SHEET and appraisal.criteria.filter(score__isnull=True).exists():
        errors["__all__"] = _("Score every criterion before submitting.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appraisal.status, appraisal.submitted_at = Status.SUBMITTED, timezone.now()
        appraisal.return_comment = ""
        save_versioned(authored_by(appraisal, actor), expected_version=expected_version)
        reviewer = first_superior(actor, lambda person: can(person, APPRAISAL_MANAGE)
                                  and person.pk != appraisal.person_id)
        _tell(appraisal, [reviewer], SUBMITTED)
    return appraisal


def appraisal_review(*, actor, appraisal, confirm: bool, comment: str, expected_version: int):
    """Someone other than the evaluator and the appraised, holding appraisal.manage and seeing
    the appraisal, confirms it or returns it to the evaluator with a reason."""
    _require(actor)
    if actor.pk in (appraisal.evaluator_id, appraisal.person_id):
        raise PermissionDenied
    if appraisal.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted appraisal can be confirmed or returned."))
    comment = (comment or "").strip()
    if not confirm and not comment:
        raise ValidationError({"comment": _("Say why it is returned.")})
    with transaction.atomic():
        if confirm:
            appraisal.status = Status.CONFIRMED
            appraisal.confirmed_by, appraisal.confirmed_at = actor, timezone.now()
        else:
            appraisal.status, appraisal.return_comment = Status.RETURNED, comment[:2000]
        save_versioned(authored_by(appraisal, actor), expected_version=expected_version)
        if confirm:  # the appraised person (a unit's head for a unit) and the evaluator
            told = [appraisal.person or appraisal.unit.manager, appraisal.evaluator]
            _tell(appraisal, list({p.pk: p for p in told if p is not None}.values()), CONFIRMED,
                  score=str(appraisal.final_score))
        else:
            _tell(appraisal, [appraisal.evaluator], RETURNED, comment=comment[:100])
    return appraisal
