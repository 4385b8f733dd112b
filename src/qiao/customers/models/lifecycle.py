"""Lifecycle checklists and the lifecycle and transfer requests waiting for approval."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.models import TimeStampedModel
from qiao.core.validators import plausible_count

from .archive import Customer

# --- lifecycle checklists and approvals (CUS-2), transfers needing approval (ORG-6) -----------
# The services are in customers.requests; the approval engine decides (approvals app).


class ChecklistItem(models.Model):
    """One item of the standard a lifecycle step follows (入网/退网 checklist), configured in the
    admin: a change into `to_status` needs every active required item ticked."""

    to_status = models.CharField(_("into status"), max_length=12, choices=Customer.Status.choices)
    label = models.CharField(_("checklist item"), max_length=100)
    help_text = models.CharField(_("explanation"), max_length=200, blank=True)
    required = models.BooleanField(_("must be ticked"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1, validators=plausible_count(1000))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lifecycle checklist item")
        verbose_name_plural = _("lifecycle checklist items")
        ordering = ["to_status", "order", "id"]

    def __str__(self):
        return self.label


class RequestState(models.TextChoices):
    """Where a lifecycle or transfer request stands. Open until the approval engine decides
    (a request returned for changes is still open: its requester resubmits or withdraws it)."""

    OPEN = "open", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CustomerRequest(TimeStampedModel):
    """What a lifecycle change and a transfer have in common as subjects of an approval: who
    asked, where it stands, when it was decided."""

    State = RequestState

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"),
                                  on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices,
                             default=RequestState.OPEN)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self):
        return self.state == RequestState.OPEN


class LifecycleRequest(CustomerRequest):
    """A lifecycle change (入网/退网…) waiting for approval: applied by the approval's outcome."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="lifecycle_requests")
    from_status = models.CharField(_("from status"), max_length=12,
                                   choices=Customer.Status.choices)
    to_status = models.CharField(_("new status"), max_length=12, choices=Customer.Status.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The checklist as it was ticked: [{"id", "label", "required", "checked"}]
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lifecycle request")
        verbose_name_plural = _("lifecycle requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per customer; the database settles two raised at once.
            models.UniqueConstraint(fields=["customer"], condition=Q(state="open"),
                                    name="lifecycle_request_one_open"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.get_from_status_display()} → {self.get_to_status_display()}"


class TransferRequest(CustomerRequest):
    """A transfer (转移) of customers from one account manager to another, waiting for approval;
    on approval customers.services.customers_handover moves them with their open work."""

    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from account manager"),
                                  on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to account manager"),
                                on_delete=models.PROTECT, related_name="+")
    customers = models.ManyToManyField(Customer, verbose_name=_("customers"),
                                       through="TransferItem", related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["from_user", "state"], name="transfer_from_state")]

    def __str__(self):
        return f"{self.from_user} → {self.to_user}"


class TransferItem(models.Model):
    """One customer of a transfer request; `is_open` while the request is, so that the database
    keeps a customer in at most one open transfer."""

    request = models.ForeignKey(TransferRequest, on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transfer_items")
    is_open = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("transfer item")
        verbose_name_plural = _("transfer items")
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_open=True),
                                    name="transfer_item_one_open"),
            models.UniqueConstraint(fields=["request", "customer"], name="transfer_item_unique"),
        ]

    def __str__(self):
        return f"{self.request_id} · {self.customer_id}"
