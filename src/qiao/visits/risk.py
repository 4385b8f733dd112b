"""The visits' at-risk rule (CUS-9, registered in VisitsConfig.ready): no visit for
`no_visit_days` days (a customer never visited counts from the day it was registered)."""

from datetime import datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.registry import RiskRule
from qiao.customers.models import Customer
from qiao.customers.selectors import risk_threshold as threshold

from .models import Visit


def no_visit(customers, today) -> dict:
    days = threshold("no_visit_days")
    since = today - timedelta(days=days)
    registered_before = timezone.make_aware(datetime.combine(since, time.min))
    latest = (Visit.objects.filter(customer=OuterRef("pk")).order_by("-visited_on")
              .values("visited_on")[:1])
    rows = (Customer.objects.filter(pk__in=customers).annotate(last=Subquery(latest))
            .filter(Q(last__lt=since) | Q(last__isnull=True, created_at__lt=registered_before))
            .values_list("pk", "last"))
    return {pk: (_("Last visited on %(day)s") % {"day": last.isoformat()} if last
                 else _("Never visited")) for pk, last in rows}


RULES = (RiskRule("no_visit", gettext_lazy("No visit for a long time"), no_visit, order=50),)
