"""The service desk's at-risk rule (CUS-9, registered in TicketsConfig.ready): an open
complaint."""

from django.db.models import Count
from django.utils.translation import gettext_lazy, ngettext

from qiao.core.registry import RiskRule

from .models import OPEN_STATUSES, Kind, Ticket


def open_complaint(customers, today) -> dict:
    rows = (Ticket.objects.filter(customer_id__in=customers, kind=Kind.COMPLAINT,
                                  status__in=OPEN_STATUSES)
            .values("customer_id").annotate(count=Count("pk")).values_list("customer_id", "count"))
    return {pk: ngettext("%(count)d open complaint", "%(count)d open complaints", count)
            % {"count": count} for pk, count in rows}


RULES = (RiskRule("complaint", gettext_lazy("Open complaint"), open_complaint, order=30),)
