"""The approval engine: chains configured per request type, requests, their tasks and events.

A request's state changes only through `approvals.services`; nothing here writes it.
"""


from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.models import Clearance, TimeStampedModel
from qiao.core.money import MoneyField
from qiao.core.validators import PlausibleDate, plausible_count
from qiao.org.scope import ScopedQuerySet

from . import registry


class Chain(models.Model):
    """The approval chain of one request type (one active chain per type)."""

    type_code = models.CharField(_("request type"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("escalate after (working hours)"), null=True, blank=True, default=24,
        validators=plausible_count(24 * 365),
        help_text=_("A step still waiting after this many hours of working time (the business "
                    "calendar's working days and hours) is reported to the approver's own "
                    "supervisor and the approver is reminded. Empty: never."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")
        ordering = ["type_code"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.type_code not in dict(registry.choices()):
            raise ValidationError({"type_code": _("No request type with this code exists.")})


class ChainStep(models.Model):
    """One step of a chain: who approves, when. Steps with the same order run in parallel (all
    must approve); a step with `min_amount` applies only when the request's amount reaches it."""

    class Rule(models.TextChoices):
        SUPERVISOR = "supervisor", _("Requester's supervisor")
        REGIONAL_MANAGER = "regional_manager", _("Requester's regional manager")
        CUSTOMER_OWNER_SUPERVISOR = "owner_supervisor", _("Customer owner's supervisor")
        POSITION = "position", _("Named position")

    chain = models.ForeignKey(Chain, verbose_name=_("chain"), on_delete=models.CASCADE,
                              related_name="steps")
    order = models.PositiveSmallIntegerField(_("step order"), default=1,
                                             validators=plausible_count(100))
    label = models.CharField(_("label"), max_length=60, blank=True)
    rule = models.CharField(_("approver"), max_length=20, choices=Rule.choices)
    position = models.ForeignKey("org.Position", verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT,
                                 help_text=_("For a named position: the nearest holder in the "
                                             "requester's line (own unit, then the units above)."))
    min_amount = MoneyField(_("from amount"), null=True, blank=True,
                            help_text=_("The step applies only from this amount (CNY)."))

    class Meta:
        verbose_name = _("chain step")
        verbose_name_plural = _("chain steps")
        ordering = ["chain", "order", "id"]

    def __str__(self):
        return self.label or self.get_rule_display()

    def clean(self):
        if self.rule == self.Rule.POSITION and not self.position_id:
            raise ValidationError({"position": _("Choose the position that approves this step.")})
        if self.rule != self.Rule.POSITION and self.position_id:
            raise ValidationError({"position": _("A position is only used by the rule "
                                                 "\"Named position\".")})

    def applies_to(self, amount) -> bool:
        return self.min_amount is None or (amount is not None and amount >= self.min_amount)


class ApprovalRequest(TimeStampedModel):
    """One request for sign-off, linked to its subject (any registered model)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_PROGRESS = "in_progress", _("In progress")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATES = (State.SUBMITTED, State.IN_PROGRESS)

    type_code = models.CharField(_("request type"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"),
                                  on_delete=models.PROTECT, related_name="approval_requests")
    # The requester's unit when the request was raised, so data scope is one condition.
    requester_unit = models.ForeignKey("org.OrgUnit", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    # The secret level of the request's customer when it was raised or resubmitted (ORG-5).
    secret_level = models.PositiveSmallIntegerField(_("secret level"), choices=Clearance.choices,
                                                    default=Clearance.PUBLIC)
    # The title is composed when read, in the reader's language, from the type and these
    # parameters (RequestType.title); the text as written in the requester's language is kept
    # for a type no longer registered.
    title_params = models.JSONField(_("title parameters"), default=dict, blank=True)
    written_title = models.CharField(_("title as written"), max_length=200)
    amount = MoneyField(_("amount"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.SUBMITTED)
    current_order = models.PositiveSmallIntegerField(_("current step"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    # Set by the API's reads (approvals.api): the tasks the request waits for (a prefetch's
    # to_attr, or picked from the round's tasks) and what its detail shows.
    waiting_tasks: list["ApprovalTask"]
    detail: dict

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "my requests": WHERE requester_id = ? ORDER BY created_at DESC, id DESC
            models.Index(fields=["requester", "-created_at", "-id"], name="apr_request_mine"),
            # scope of managers: WHERE requester_unit_id IN (…) ORDER BY created_at DESC
            models.Index(fields=["requester_unit", "-created_at"], name="apr_request_unit"),
            models.Index(fields=["content_type", "object_id"], name="apr_request_subject"),
        ]

    def __str__(self):
        return self.title

    @property
    def type(self):
        return registry.get(self.type_code)

    @property
    def title(self) -> str:
        """The title in the active language."""
        if not self.title_params:
            return self.written_title
        try:
            return self.type.title_of(self.title_params)
        except (LookupError, TypeError, ValueError):  # a type gone, parameters of old
            return self.written_title

    def current_secret_level(self) -> int:
        """The subject's secret level as it is now (a customer may be classified later)."""
        return self.type.secret_level_of(self.subject)

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES


class ApprovalTask(models.Model):
    """One approver's part in one step of one round of a request."""

    class State(models.TextChoices):
        PENDING = "pending", _("Not yet reached")
        WAITING = "waiting", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        SKIPPED = "skipped", _("Not needed")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="tasks")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    order = models.PositiveSmallIntegerField(_("step order"))
    step_label = models.CharField(_("step"), max_length=100)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"),
                                 on_delete=models.PROTECT, related_name="approval_tasks")
    delegated_from = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delegated from"),
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.PENDING)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering = ["round", "order", "id"]
        indexes = [
            # "waiting for me": WHERE approver_id = ? AND state = 'waiting' ORDER BY id DESC
            models.Index(fields=["approver", "state", "-id"], name="apr_task_waiting"),
            models.Index(fields=["delegated_from"], name="apr_task_delegated"),
            # the escalation job: waiting tasks not yet escalated, oldest first
            models.Index(fields=["waiting_since"], name="apr_task_escalation",
                         condition=Q(state="waiting", escalated_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.request} · {self.step_label}"


class ApprovalEvent(models.Model):
    """A line of a request's history as people read it: who did what, when, with what comment."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DELEGATED = "delegated", _("Passed to a delegate")
        DELEGATION_ENDED = "delegation_ended", _("Back from the delegate")
        ESCALATED = "escalated", _("Overdue, reported to the approver's supervisor")
        COMPLETED = "completed", _("Approved by everyone")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    step_label = models.CharField(_("step"), max_length=100, blank=True)
    # What the engine itself says about the event (the fields a resubmission changed, an
    # overdue step's hours), rendered when read in the reader's language (`note`).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("approval event")
        verbose_name_plural = _("approval events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.request_id} · {self.kind}"

    @property
    def note(self) -> str:
        """What the engine says about this event, in the reader's language ("" when nothing):
        the fields a resubmission changed, whom an overdue step was reported to."""
        params = self.params or {}
        if self.kind == self.Kind.RESUBMITTED and params.get("changed"):
            return gettext("Changed: %s") % pgettext("list separator", ", ").join(
                self._field_labels(params["changed"]))
        if self.kind == self.Kind.ESCALATED and params:
            return gettext("Waiting for %(approver)s for more than %(hours)d working hours; reported to "
                           "%(boss)s.") % {
                "approver": params.get("approver", ""), "hours": params.get("hours", 0),
                "boss": params.get("boss") or gettext("nobody (no supervisor)")}
        return ""

    def _field_labels(self, names):
        try:
            meta = registry.get(self.request.type_code).model._meta
        except LookupError:
            return names
        labels = []
        for name in names:
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            labels.append(str(field.verbose_name) if isinstance(field, models.Field) else name)
        return labels


class Delegation(models.Model):
    """While active (from–to, both days included), new tasks for `user` go to `delegate`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("away"),
                             on_delete=models.CASCADE, related_name="delegations")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delegate"),
                                 on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("from"), validators=[PlausibleDate()])
    ends_on = models.DateField(_("to"), validators=[PlausibleDate()])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"], name="apr_delegation_active")]

    def __str__(self):
        return f"{self.user} → {self.delegate}"
