"""The inbox (NTF-1): the user's own notifications. Thin: parse → selector/service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qiao.core.htmx import render_page
from qiao.core.pagination import paginate

from . import selectors, services

PAGE_SIZE = 25


def is_internal(url: str) -> bool:
    """A path on this site ("/approvals/5/"), not another site ("//evil.example",
    "/\\evil.example", "https://…")."""
    return (url.startswith("/") and not url.startswith(("//", "/\\"))
            and url.isprintable() and " " not in url
            and url_has_allowed_host_and_scheme(url, allowed_hosts=set()))


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    """GET: the list, newest first, unread in bold. POST: mark all read."""
    if request.method == "POST":
        count = services.notifications_mark_all_read(user=request.user)
        if count:
            messages.success(request, _("All notifications marked read."))
        return redirect("notify:inbox")
    page, query = paginate(request, selectors.inbox(request.user), PAGE_SIZE)
    return render_page(request, "notify/inbox.html", {"page": page, "query": query})


@login_required
@require_GET
def notification_open(request, pk: int):
    """Open one: it is marked read, and the user goes to its link if that is a page of this
    site, else back to the inbox."""
    notification = selectors.notification_get(request.user, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if notification.url and is_internal(notification.url):
        return redirect(notification.url)
    return redirect("notify:inbox")
