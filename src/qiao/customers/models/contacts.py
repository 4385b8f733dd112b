"""The relationship cards (客户关系卡): the people at a customer."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.fields import PhoneField
from qiao.core.models import BusinessModel
from qiao.core.validators import PlausibleDate
from qiao.org.scope import ScopedSoftDeleteQuerySet

from .archive import Customer


class Contact(BusinessModel):
    """A relationship card (客户关系卡): a person at the customer."""

    class Education(models.TextChoices):
        BELOW_HIGH_SCHOOL = "below_high", _("Below high school")
        HIGH_SCHOOL = "high_school", _("High school / technical school")
        COLLEGE = "college", _("Junior college")
        BACHELOR = "bachelor", _("Bachelor")
        MASTER = "master", _("Master")
        DOCTOR = "doctor", _("Doctorate")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="contacts")
    name = models.CharField(_("name"), max_length=40)
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    title = models.CharField(_("position"), max_length=40, blank=True)
    is_key_person = models.BooleanField(_("key person"), default=False)
    has_decision_power = models.BooleanField(_("has decision power"), default=False)
    mobile = PhoneField(_("mobile"), blank=True)
    phone = PhoneField(_("office phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True,
                                validators=[PlausibleDate(not_future=True)])
    education = models.CharField(_("education"), max_length=20, choices=Education.choices,
                                 blank=True)
    character = models.CharField(_("character"), max_length=100, blank=True)
    hobbies = models.CharField(_("hobbies"), max_length=200, blank=True)
    background = models.TextField(_("background"), blank=True, max_length=2000)
    private_info = models.TextField(_("private information"), blank=True, max_length=2000)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    objects = ScopedSoftDeleteQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    SENSITIVE_FIELDS = {"mobile": "phone", "phone": "phone", "background": "text",
                        "private_info": "text"}

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_key_person", "name"]

    def __str__(self):
        return self.name
