"""At-risk customers (危险客户统计表, SPEC CUS-9): a small registry of rules
(`core.registry.risk_rules`), each filled by the app whose records it reads — overdue
receivables and falling orders (sales), an open complaint (tickets), a business licence
expiring (here), no visit for too long (visits) — and the selector that applies them to the
customers a user sees. Each rule costs a fixed number of queries, whatever the number of
customers; the thresholds are `settings.QIAO_AT_RISK` (defaults below)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.registry import RiskRule, risk_rules

from ..models import Customer

DEFAULTS = {"overdue_days": 60, "order_drop_percent": 30, "licence_days": 30,
            "no_visit_days": 90}


def risk_threshold(name: str) -> int:
    """A rule's threshold: settings.QIAO_AT_RISK[name], else the default."""
    return int(getattr(settings, "QIAO_AT_RISK", {}).get(name, DEFAULTS[name]))


def licence_expiring(customers, today) -> dict:
    """The business licence expired or expires within `licence_days` days."""
    until = today + timedelta(days=risk_threshold("licence_days"))
    return {pk: _("Business licence expires on %(day)s") % {"day": day.isoformat()}
            for pk, day in Customer.objects.filter(pk__in=customers, licence_expiry__lte=until)
            .values_list("pk", "licence_expiry")}


RULES = (RiskRule("licence", gettext_lazy("Business licence expiring"), licence_expiring,
                  order=40),)


def rule_choices() -> list[tuple[str, str]]:
    return [(rule.code, str(rule.label)) for rule in risk_rules]


def at_risk(user, *, manager=None, rule="", today=None) -> list[dict]:
    """The live customers `user` sees (of `manager` if given) that one or more rules flag
    (only rule `rule` if given), each with its reasons [(code, label, text)], the most reasons
    first. One query for the customers and each rule's own, whatever their number."""
    today = today or timezone.localdate()
    customers = (Customer.objects.visible_to(user)
                 .exclude(status__in=(Customer.Status.SUSPENDED, Customer.Status.OFFBOARDED)))
    if manager is not None:
        customers = customers.filter(owner=manager)
    ids = customers.values("pk")
    reasons: dict[int, list] = {}
    for entry in risk_rules:
        if rule and entry.code != rule:
            continue
        for pk, text in entry.find(ids, today).items():
            reasons.setdefault(pk, []).append((entry.code, str(entry.label), text))
    flagged = Customer.objects.filter(pk__in=list(reasons)).select_related("owner", "grade")
    lines = [{"customer": customer, "reasons": reasons[customer.pk]} for customer in flagged]
    lines.sort(key=lambda line: (-len(line["reasons"]), line["customer"].name,
                                 line["customer"].pk))
    return lines
