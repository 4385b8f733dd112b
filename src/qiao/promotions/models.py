"""Promotions (促销, SPEC PRM-1): a brand manager's campaign with the goods it hands out,
account managers' recommendations of their customers, and the hand-outs with the customer's
signed receipt (宣传促销品签收单).

States move only through `promotions.services`; reads go through `visible_to(user)`, the
scopes registered in `promotions.scopes` with the conditions below.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.models import StoredFile, TimeStampedModel
from qiao.core.validators import PlausibleDate, plausible_count
from qiao.org.permissions import can
from qiao.org.scope import ScopedQuerySet, clearance_q, scope_q, sees_everything

from .actions import PROMOTION_RECOMMEND

# Grades are ranked 1 (best) … 5: "三级以上" means rank 3 or better.
DEFAULT_LOWEST_GRADE_RANK = 3


def campaign_q(user, prefix="") -> Q | None:
    """The campaigns `user` sees (None: all of them): their own, and — for those who
    recommend — every published one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if sees_everything(user):
        return None
    condition = Q(**{f"{prefix}owner": user})
    if can(user, PROMOTION_RECOMMEND):
        condition |= Q(**{f"{prefix}state__in": Campaign.PUBLISHED_STATES})
    return condition


class Campaign(TimeStampedModel):
    """A promotion campaign (促销活动) run by a brand manager."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for recommendations")
        CONFIRMED = "confirmed", _("List confirmed")
        CLOSED = "closed", _("Closed")

    # Account managers see a campaign once it is open, and keep seeing it (and their receipts)
    # after the list is confirmed and the campaign closed.
    PUBLISHED_STATES = (State.OPEN, State.CONFIRMED, State.CLOSED)

    name = models.CharField(_("campaign name"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("brand manager"),
                              on_delete=models.PROTECT, related_name="promotion_campaigns")
    starts_on = models.DateField(_("start date"), validators=[PlausibleDate()])
    ends_on = models.DateField(_("end date"), validators=[PlausibleDate()])
    quota = models.PositiveIntegerField(_("quota (customers)"),
                                        validators=[MinValueValidator(1), *plausible_count(100_000)],
                                        help_text=_("How many customers at most."))
    lowest_grade_rank = models.PositiveSmallIntegerField(
        _("lowest eligible grade"), default=DEFAULT_LOWEST_GRADE_RANK,
        validators=plausible_count(100),
        help_text=_("Customers of this grade or better may be recommended."))
    description = models.TextField(_("description"), blank=True, max_length=5000)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    confirmed_at = models.DateTimeField(_("list confirmed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("promotion campaign")
        verbose_name_plural = _("promotion campaigns")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["owner", "-starts_on", "-id"], name="prm_campaign_owner"),
                   models.Index(fields=["state", "-starts_on", "-id"], name="prm_campaign_state")]

    def __str__(self):
        return self.name

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    def accepts_grade(self, grade) -> bool:
        return grade is not None and grade.rank <= self.lowest_grade_rank


class CampaignItem(models.Model):
    """A promotional good or material (宣传促销品) the campaign hands out."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("item"), max_length=80)
    unit = models.CharField(_("unit of measure"), max_length=10)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0,
                                                  validators=plausible_count(1000))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("promotional item")
        verbose_name_plural = _("promotional items")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


def recommendation_q(user, prefix="") -> Q | None:
    """The recommendations `user` sees (None: all): all of their own campaigns'; of the
    published campaigns, those of customers the user sees (scope). Always within the user's
    clearance: a customer whose secret level was raised after the recommendation disappears
    from the lists of those no longer cleared for it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    c = f"{prefix}customer__"
    cleared = clearance_q(user, f"{c}secret_level")
    if sees_everything(user):
        return cleared or None
    condition = Q(**{f"{prefix}campaign__owner": user})
    if can(user, PROMOTION_RECOMMEND):
        condition |= (Q(**{f"{prefix}campaign__state__in": Campaign.PUBLISHED_STATES,
                           f"{c}is_deleted": False})
                      & scope_q(user, owner_field=f"{c}owner_id", unit_field=f"{c}owner_unit_id"))
    return condition & cleared


class Recommendation(TimeStampedModel):
    """An account manager's recommendation of one customer for a campaign (推荐)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="recommendations")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+")
    recommender = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recommended by"),
                                    on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"],
                                               name="prm_one_recommendation_per_customer")]

    def __str__(self):
        return f"{self.campaign} · {self.customer}"


def signature_path(handout, filename):
    # Named by migration 0001; signatures are now stored under core.models.stored_file_path.
    return f"promotions/signatures/{handout.signed_at:%Y/%m}/{filename}"


class Handout(StoredFile, TimeStampedModel):
    """Goods handed to a confirmed customer, with the signed receipt (宣传促销品签收单). The
    stored file is the customer's signature (a PNG drawn on the signature pad)."""

    upload_dir = "promotions/signatures"

    recommendation = models.ForeignKey(Recommendation, verbose_name=_("recommendation"),
                                       on_delete=models.PROTECT, related_name="handouts")
    handed_out_on = models.DateField(_("date handed out"), validators=[PlausibleDate()])
    handed_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handed out by"),
                                      on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("signed by"), max_length=40)
    signed_at = models.DateTimeField(_("signed at"))
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("promotional goods receipt")
        verbose_name_plural = _("promotional goods receipts")
        ordering = ["-handed_out_on", "-id"]

    def __str__(self):
        return f"{self.recommendation} · {self.handed_out_on}"

    @property
    def number(self):
        return f"QS{self.signed_at:%Y%m}{self.pk:05d}"


class HandoutLine(models.Model):
    """One item and quantity of a hand-out."""

    handout = models.ForeignKey(Handout, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CampaignItem, verbose_name=_("item"), on_delete=models.PROTECT,
                             related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"),
                                           validators=[MinValueValidator(1), *plausible_count(100_000)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hand-out line")
        verbose_name_plural = _("hand-out lines")
        ordering = ["item__sort_order", "item_id"]

    def __str__(self):
        return f"{self.item} × {self.quantity}"
