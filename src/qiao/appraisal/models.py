"""Staff appraisal (绩效考核, SPEC SAL-10; seed 003 篇二, seed 002 篇2, seed 004).

- `Scorecard` (考核方案): KPIs (`ScorecardKpi`), each a registered source (`sources.SOURCES`)
  with its weight (the weights sum to 100), target and cap, for a role and a period kind
  (month / quarter / year), appraising people or units (seed 004: 对下一级重客部进行考核).
- `Appraisal` (考核表): one person's or one unit's period. A KPI appraisal freezes each KPI's
  actual value, score and weighted score when it is drafted (`AppraisalKpi`), so a past
  appraisal reads the same whatever is posted later; the department manager's sheet (seed 002
  篇2 客户服务部经理绩效测评标准) holds the seed's criteria in four dimensions, each scored by the
  evaluator (`CriterionScore`). Both carry rewards and penalties (`RewardPenalty`, 奖惩), the
  supervisor's evaluation and comments, and run draft → submitted → confirmed (or returned).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qiao.core.models import BusinessModel, Clearance, TimeStampedModel
from qiao.core.money import MoneyField
from qiao.core.validators import PlausibleDate
from qiao.org.scope import ScopedQuerySet

MAX_TARGET = Decimal("100000000.00")  # ¥100 million, 100 million hours or %
MAX_CAP = 200  # % of the KPI's score a result above target may reach
MAX_POINTS = Decimal("100.0")
CRITERION_MAX = 5  # a criterion of the manager's sheet: 0–5 points


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Subject(models.TextChoices):
    PERSON = "person", pgettext_lazy("appraisal", "Staff")
    UNIT = "unit", pgettext_lazy("appraisal", "Unit")


class Form(models.TextChoices):
    KPI = "kpi", _("KPI scorecard")
    SHEET = "sheet", _("Department manager's performance evaluation")


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("appraisal", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("appraisal", "Submitted")
    CONFIRMED = "confirmed", pgettext_lazy("appraisal", "Confirmed")
    RETURNED = "returned", pgettext_lazy("appraisal", "Returned")


class LineKind(models.TextChoices):
    REWARD = "reward", _("Reward")
    PENALTY = "penalty", _("Penalty")


class Scorecard(TimeStampedModel):
    name = models.CharField(_("scheme name"), max_length=60)
    role = models.ForeignKey("org.Role", verbose_name=_("role"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+",
                             help_text=_("Whom it appraises; empty: any role."))
    subject = models.CharField(_("appraised"), max_length=10, choices=Subject.choices,
                               default=Subject.PERSON)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices,
                                   default=PeriodKind.QUARTER)
    active = models.BooleanField(_("in use"), default=False)  # the new-scheme form ticks it
    note = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appraisal scheme")
        verbose_name_plural = _("appraisal schemes")
        ordering = ["-active", "name", "id"]

    def __str__(self):
        return self.name


class ScorecardKpi(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="kpis")
    source = models.CharField(_("indicator"), max_length=30)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[
        MinValueValidator(1), MaxValueValidator(100)])
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, validators=[
        MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_TARGET)])
    cap = models.PositiveSmallIntegerField(
        _("score cap (%)"), default=100, validators=[MinValueValidator(1),
                                                     MaxValueValidator(MAX_CAP)],
        help_text=_("The most a KPI can score, as a % of its full score, when the target is "
                    "beaten."))
    order = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "source"],
                                               name="appraisal_kpi_once_per_scheme")]

    def __str__(self):
        return f"{self.source} {self.weight}%"

    def get_source_label(self) -> str:
        from .sources import SOURCES

        source = SOURCES.get(self.source)
        return str(source.label) if source else self.source


class Appraisal(BusinessModel):
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.KPI)
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("appraisal scheme"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("appraisee"),
                               null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The appraised unit, or the person's unit when drafted (the scope's unit).
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    secret_level = models.PositiveSmallIntegerField(choices=Clearance.choices,
                                                    default=Clearance.INTERNAL, editable=False)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("evaluation period from"), validators=[PlausibleDate()])
    period_end = models.DateField(_("evaluation period to"), validators=[PlausibleDate()])
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("evaluator"),
                                  on_delete=models.PROTECT, related_name="+")
    evaluated_on = models.DateField(_("evaluation date"), validators=[PlausibleDate()])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=0,
                                editable=False)
    points = models.DecimalField(_("reward and penalty points"), max_digits=6, decimal_places=1,
                                 default=0, editable=False)
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2,
                                      default=0, editable=False)
    evaluation = models.TextField(_("supervisor's evaluation"), blank=True, max_length=2000)
    comments = models.TextField(_("comments"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    return_comment = models.TextField(_("reason for returning"), blank=True, max_length=2000,
                                      editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal form")
        verbose_name_plural = _("appraisal forms")
        indexes = [models.Index(fields=["person", "-period_start"]),
                   models.Index(fields=["unit", "-period_start"]),
                   models.Index(fields=["-period_start", "-id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="appraisal_period_in_order"),
            models.UniqueConstraint(fields=["form", "person", "period_kind", "period_start"],
                                    condition=models.Q(is_deleted=False, person__isnull=False),
                                    name="appraisal_one_per_person_period"),
            models.UniqueConstraint(fields=["form", "unit", "period_kind", "period_start"],
                                    condition=models.Q(is_deleted=False, person__isnull=True),
                                    name="appraisal_one_per_unit_period"),
        ]

    def __str__(self):
        return f"{self.subject_name} {self.period_label}"

    @property
    def subject_name(self) -> str:
        if self.person_id:
            return str(self.person)
        return self.unit.name if self.unit_id else "—"

    @property
    def period_label(self) -> str:
        from .periods import period_label

        return period_label(self.period_kind, self.period_start)

    @property
    def editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class AppraisalKpi(models.Model):
    """A KPI as it was when the appraisal was drafted: the scheme's weight, target and cap,
    the actual value read from its source then, and the scores."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="kpis")
    source = models.CharField(_("indicator"), max_length=30)
    label = models.CharField(_("indicator"), max_length=60)
    measure = models.CharField(_("unit of measure"), max_length=10, blank=True)
    lower_better = models.BooleanField(default=False)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), editable=False)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2,
                                 editable=False)
    cap = models.PositiveSmallIntegerField(_("score cap (%)"), editable=False)
    actual = models.DecimalField(_("actual"), max_digits=14, decimal_places=2, null=True,
                                 editable=False)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, editable=False)
    weighted = models.DecimalField(_("weighted score"), max_digits=6, decimal_places=2,
                                   editable=False)
    order = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.label} {self.weighted}"


class CriterionScore(models.Model):
    """One criterion of the department manager's sheet (seed 002 篇2) and the evaluator's
    score of it, 0–5 (None until scored)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="criteria")
    dimension = models.CharField(_("dimension"), max_length=20)
    number = models.PositiveSmallIntegerField(editable=False)
    text = models.CharField(_("criterion"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, validators=[
        MaxValueValidator(CRITERION_MAX)])
    order = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.dimension} {self.number}: {self.score}"


class RewardPenalty(TimeStampedModel):
    """奖惩 (seed 003 篇二: 奖励措施 / 处罚措施): a reason with an amount, points or both; a
    reward's points add to the final score, a penalty's subtract."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("reward or penalty"), max_length=10, choices=LineKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    amount = MoneyField(_("amount"), null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=4, decimal_places=1, null=True,
                                 blank=True, validators=[MinValueValidator(Decimal("0.1")),
                                                         MaxValueValidator(MAX_POINTS)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reason}"

    @property
    def signed_points(self) -> Decimal:
        points = self.points or Decimal("0")
        return points if self.kind == LineKind.REWARD else -points
