"""The customer archive's blocks of the start page (工作台), registered in CustomersConfig.ready:
customers longest without follow-up, licences expiring soon, claims left in the public pool."""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DeskWidget

from . import selectors
from .actions import CUSTOMER_CREATE, CUSTOMER_EDIT, POOL_CLAIM

SHOWN = 5
LICENCE_DAYS = 30


def idle_context(user):
    """The user's own five customers longest without a follow-up, with how long."""
    now = timezone.now()
    customers = selectors.idle_customers(user, SHOWN)
    for customer in customers:
        customer.idle_days = (now - customer.last_activity_at).days
    more = reverse("customers:list") + "?" + urlencode({"owner": user.pk, "sort": "idle"})
    return {"customers": customers, "more_url": more}


def licences_context(user):
    """Licences in the user's scope expiring within 30 days: how many, the five soonest."""
    today = timezone.localdate()
    expiring = selectors.licences_expiring(user, days=LICENCE_DAYS, today=today)
    customers = list(expiring[:SHOWN])
    for customer in customers:
        customer.days_left = (customer.licence_expiry - today).days
    return {"count": expiring.count(),
            "customers": customers, "days": LICENCE_DAYS,
            "more_url": reverse("customers:list") + "?sort=licence"}


def pool_context(user):
    """How many customers the user may still claim from the pool today, per region; hidden
    for someone who works in no region's pool."""
    regions = selectors.pool_claims_left(user)
    if not regions:
        return None
    return {"regions": regions, "left": regions[0].left if len(regions) == 1 else None,
            "limit": regions[0].limit if len(regions) == 1 else None}


WIDGETS = [
    # Those who create customers look after them (docs/decisions.md, "Who may own customers").
    DeskWidget("customers_idle", _("Customers longest without follow-up"),
               "customers/_desk_idle.html", idle_context, (CUSTOMER_CREATE,), order=40,
               url_name="customers:list", icon="bi-hourglass-split"),
    # Those who may update the archive get the renewed licence into it.
    DeskWidget("customers_licences", _("Licences expiring soon"),
               "customers/_desk_licences.html", licences_context, (CUSTOMER_EDIT,),
               order=50, url_name="customers:list", icon="bi-file-earmark-text"),
    DeskWidget("customers_pool", _("Claimable today"), "customers/_desk_pool.html",
               pool_context, (POOL_CLAIM,), order=60, url_name="customers:pool",
               icon="bi-inbox"),
]
