"""The request types this app registers itself (later modules register theirs the same way)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qiao.core.money import format_amount

from . import registry, services
from .forms import HospitalityForm
from .models import HospitalityRequest


def hospitality_title(params):
    return gettext("Hospitality for %(customer)s, ¥%(amount)s") % {
        **params, "amount": format_amount(params["amount"])}


def hospitality_title_params(hospitality):
    return {"customer": hospitality.customer.name, "amount": f"{hospitality.amount:.2f}"}


def hospitality_edit_form(data=None, *, subject, user):
    return HospitalityForm(data, instance=subject, user=user)


registry.register("hospitality", HospitalityRequest, _("Hospitality request"), amount_field="amount",
                  customer_field="customer", detail_template="approvals/_subject_hospitality.html",
                  title=hospitality_title, title_params=hospitality_title_params,
                  edit_form=hospitality_edit_form, on_edit=services.hospitality_request_edit)
