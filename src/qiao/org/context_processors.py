"""What every page's header needs: the navigation the user may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .permissions import Action, can

# (url name, label, icon, action — or a tuple of actions, any of which will do) in menu order;
# later modules add their lines here.
NAVIGATION = [
    ("customers:list", _("Customers"), "bi-people", Action.CUSTOMER_VIEW),
    ("reports:index", _("Customer tables"), "bi-table", Action.REPORT_VIEW),
    ("customers:pool", _("Public pool"), "bi-inbox", Action.POOL_CLAIM),
    ("customers:handover", _("Handover"), "bi-arrow-left-right", Action.CUSTOMER_REASSIGN),
    ("customers:recycle_bin", _("Recycle bin"), "bi-trash3", Action.CUSTOMER_RESTORE),
    ("audit:log", _("Operation log"), "bi-journal-text", Action.AUDIT_VIEW),
    ("approvals:waiting", _("Approvals"), "bi-check2-square", Action.APPROVAL_REQUEST),
    ("workorders:list", _("Work orders"), "bi-clipboard-check", Action.APPROVAL_REQUEST),
    ("promotions:list", pgettext_lazy("marketing", "Promotions"), "bi-gift",
     (Action.PROMOTION_MANAGE, Action.PROMOTION_RECOMMEND)),
]


def _may(user, actions):
    return any(can(user, action) for action in (actions if isinstance(actions, tuple) else (actions,)))


def _section(path):
    """"/approvals/" of "/approvals/mine/": the entry "Approvals" (its waiting list) stays
    marked on the module's other pages."""
    return "/" + path.strip("/").split("/", 1)[0] + "/"


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(name), "label": label, "icon": icon, "testid": "nav-" + name.replace(":", "-")}
        for name, label, icon, actions in NAVIGATION if _may(user, actions)
    ]
    # The entry whose address is the longest start of the page's: on /customers/pool/ the
    # pool, not also the customer list (/customers/).
    matches = [item for item in items if request.path.startswith(item["url"])] or [
        item for item in items if _section(request.path) == _section(item["url"])]
    active = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is active
    # The user menu's link to the personal API tokens (DAT-3).
    tokens = reverse("org:api_tokens") if can(user, Action.API_USE) else None
    return {"nav_items": items, "api_tokens_url": tokens}
