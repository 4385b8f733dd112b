"""Every change to a hospitality request: written with its approval request, changed by its
requester when the approval engine returns it."""

from django.db import transaction
from django.utils.translation import gettext

from qiao.approvals.services import request_submit
from qiao.core.history import authored_by
from qiao.core.money import format_amount

from .models import HospitalityRequest

HOSPITALITY_FIELDS = ("customer", "amount", "date", "guests", "purpose")


def _clean_hospitality(hospitality):
    hospitality.guests = hospitality.guests.strip()
    hospitality.purpose = hospitality.purpose.strip()
    hospitality.full_clean()


@transaction.atomic
def hospitality_request_create(*, actor, customer, amount, date, guests, purpose):
    """A hospitality request and its approval request, together or not at all."""
    hospitality = HospitalityRequest(customer=customer, requester=actor, amount=amount, date=date,
                                     guests=guests, purpose=purpose)
    _clean_hospitality(hospitality)
    authored_by(hospitality, actor).save()
    return request_submit(actor=actor, type_code="hospitality", subject=hospitality)


def hospitality_request_edit(hospitality, data, actor):
    """The requester's changes to a hospitality request returned for changes: the engine's
    on_edit, inside `request_resubmit`'s transaction (the form has checked the customer is one
    the requester sees)."""
    for name in HOSPITALITY_FIELDS:
        setattr(hospitality, name, data[name])
    _clean_hospitality(hospitality)
    authored_by(hospitality, actor).save()


def approval_title(params):
    return gettext("Hospitality for %(customer)s, ¥%(amount)s") % {
        **params, "amount": format_amount(params["amount"])}


def approval_title_params(hospitality):
    return {"customer": hospitality.customer.name, "amount": f"{hospitality.amount:.2f}"}
