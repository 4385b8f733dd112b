"""Visits: a customer's people met and entertained. Today the hospitality request (招待费申请);
the visits issue grows the rest here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.models import TimeStampedModel
from qiao.core.money import MoneyField, format_cny
from qiao.core.validators import PlausibleDate


class HospitalityRequest(TimeStampedModel):
    """招待费申请: a hospitality budget for entertaining a customer's people. Read only on its
    approval request's page (an approval subject), so it has no scope of its own."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"),
                                  on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("amount (CNY)"), minimum="0.01")
    date = models.DateField(_("date"), validators=[PlausibleDate()])
    guests = models.CharField(_("guests"), max_length=200)
    purpose = models.TextField(_("purpose"))
    # The tables it had inside the approval engine, kept with their rows (visits 0001).
    history = HistoricalRecords(table_name="approvals_historicalhospitalityrequest")

    class Meta:
        db_table = "approvals_hospitalityrequest"
        verbose_name = _("hospitality request")
        verbose_name_plural = _("hospitality requests")

    def __str__(self):
        return f"{self.customer} · {format_cny(self.amount)}"
