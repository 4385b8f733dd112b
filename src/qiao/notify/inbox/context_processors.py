"""The header's unread badge: counted only when a page shows it (one query, then cached)."""

from functools import partial

from . import selectors


def inbox(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    # A callable: the template calls it when it renders the header, so an htmx fragment
    # without the header costs no query.
    return {"inbox_unread": partial(selectors.unread_count, user)}
