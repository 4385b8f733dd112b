"""The public pool (公海): its rules per region and the moves in and out of it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.validators import plausible_count

from .archive import Customer


class PoolRule(models.Model):
    """The public pool's rules (客户公海规则) of one region. A region without a saved rule runs
    on the field defaults (customers.selectors.pool_rule_for)."""

    region = models.OneToOneField(
        "org.OrgUnit", verbose_name=_("region"), on_delete=models.CASCADE,
        related_name="pool_rule", limit_choices_to={"kind": "region"},
    )
    daily_claim_limit = models.PositiveSmallIntegerField(
        _("claims per manager per day"), default=5, validators=plausible_count(1000))
    max_owned = models.PositiveIntegerField(
        _("most customers a manager may own"), default=500, validators=plausible_count(1_000_000),
        help_text=_("A manager who owns this many claims no more."))
    reclaim_idle_days = models.PositiveSmallIntegerField(
        _("reclaim after days without follow-up"), default=90, validators=plausible_count(3650),
        help_text=_("0: never reclaim for lack of follow-up."))
    reclaim_offboarded = models.BooleanField(_("reclaim offboarded customers"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public pool rule")
        verbose_name_plural = _("public pool rules")

    def __str__(self):
        return str(self.region)


class PoolMove(models.Model):
    """One move into or out of the public pool: a claim, a reclaim by rule, a release by hand.
    Kept for the claim limits (claims of a manager today) and as the pool's history."""

    class Kind(models.TextChoices):
        CLAIM = "claim", _("Claimed")
        RECLAIM = "reclaim", _("Reclaimed by rule")
        RELEASE = "release", _("Released to the pool")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="pool_moves")
    kind = models.CharField(_("move"), max_length=10, choices=Kind.choices)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account manager"), null=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Who claimed it, or who owned it before it went to the pool."))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("pool move")
        verbose_name_plural = _("pool moves")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The daily claim limit: COUNT(*) WHERE manager_id = … AND kind = 'claim' AND
            # occurred_at >= today's midnight.
            models.Index(fields=["manager", "kind", "occurred_at"], name="pool_move_manager"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.customer_id}"
