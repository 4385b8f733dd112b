"""What every page's header needs: the navigation the user may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qiao.core import registry

from .actions import API_USE
from .permissions import can

# The header's menus (NavEntry.menu), shown after the links of their own, in this order.
MENUS = {"more": _("More")}


def _may(user, actions):
    return any(can(user, action) for action in actions)


def _section(path):
    """"/approvals/" of "/approvals/mine/": the entry "Approvals" (its waiting list) stays
    marked on the module's other pages."""
    return "/" + path.strip("/").split("/", 1)[0] + "/"


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    # The entries the domain apps register (core.registry.navigation), in their order.
    items = [
        {"url": reverse(entry.url_name), "label": entry.label, "icon": entry.icon,
         "testid": "nav-" + entry.url_name.replace(":", "-"), "menu": entry.menu}
        for entry in registry.navigation if _may(user, entry.actions)
    ]
    # The entry whose address is the longest start of the page's: on /customers/pool/ the
    # pool, not also the customer list (/customers/).
    matches = [item for item in items if request.path.startswith(item["url"])] or [
        item for item in items if _section(request.path) == _section(item["url"])]
    active = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is active
    return {"nav_items": _grouped(items), "api_tokens_url": _tokens_url(user)}


def _grouped(items):
    """The header's links, then its menus (each with its entries, marked active when one of
    them is); a menu holding a single entry for this user is that entry's own link."""
    links = [item for item in items if not item["menu"]]
    for code, label in MENUS.items():
        entries = [item for item in items if item["menu"] == code]
        if len(entries) == 1:
            links.append(entries[0])
        elif entries:
            links.append({"label": label, "testid": f"nav-menu-{code}", "entries": entries,
                          "active": any(item["active"] for item in entries)})
    return links


def _tokens_url(user):
    """The user menu's link to the personal API tokens (DAT-3)."""
    return reverse("org:api_tokens") if can(user, API_USE) else None
