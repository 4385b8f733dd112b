"""What every page's header needs: the navigation the user may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import Action, can

# (url name, label, icon, action) in menu order; later modules add their lines here.
NAVIGATION = [
    ("customers:list", _("Customers"), "bi-people", Action.CUSTOMER_VIEW),
    ("reports:index", _("Customer tables"), "bi-table", Action.REPORT_VIEW),
    ("customers:recycle_bin", _("Recycle bin"), "bi-trash3", Action.CUSTOMER_RESTORE),
    ("audit:log", _("Operation log"), "bi-journal-text", Action.AUDIT_VIEW),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(name), "label": label, "icon": icon,
         "active": request.path.startswith(reverse(name))}
        for name, label, icon, action in NAVIGATION if can(user, action)
    ]
    return {"nav_items": items}
