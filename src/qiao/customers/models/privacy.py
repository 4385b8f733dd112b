"""Requests about a person's data (PIPL Art. 45 and 47): a copy of it, or its erasure, each
decided by a superior through the approval engine (customers.privacy)."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.org.scope import ScopedQuerySet

from .archive import Customer
from .contacts import Contact
from .lifecycle import CustomerRequest


class PersonalDataRequest(CustomerRequest):
    """A person asked for a copy of what Qiao holds about them, or for its erasure. The person is
    an individual customer (`contact` empty) or one of a customer's contacts. Nothing here names
    them: pages show the customer's and the contact's names as they are now (after an erasure,
    the placeholders)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Copy of personal data")
        ERASURE = "erasure", _("Erasure of personal data")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="personal_data_requests")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="personal_data_requests")
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    reason = models.TextField(
        _("how the request was received"), max_length=1000,
        help_text=_("When and how the person asked, and how their identity was checked."))
    done_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0,
                                            validators=[MaxValueValidator(1_000_000)])
    last_sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    # What an erasure changed: {"rows": …, "files": …}; counts only.
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "-created_at"], name="pdr_requester")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def person(self):
        """The contact, or the individual customer."""
        return self.contact if self.contact_id else self.customer

    def downloadable(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.kind == self.Kind.EXPORT and self.state == self.State.APPROVED
                and self.expires_at is not None and now < self.expires_at)
