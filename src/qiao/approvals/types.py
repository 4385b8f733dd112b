"""The request types this app registers itself (later modules register theirs the same way)."""

from django.utils.translation import gettext_lazy as _

from . import registry
from .models import HospitalityRequest

registry.register("hospitality", HospitalityRequest, _("Hospitality request"), amount_field="amount",
                  customer_field="customer", detail_template="approvals/_subject_hospitality.html")
