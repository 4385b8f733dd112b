"""The inbox's block of the start page (工作台), registered in NotifyConfig.ready."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DeskWidget

from . import selectors


def unread_context(user):
    """How many notifications are unread (the header's count, asked once per request) and
    the five newest of them."""
    return {"count": selectors.unread_count(user),
            "notifications": selectors.unread_newest(user, 5)}


WIDGETS = [
    # Everyone has an inbox: no action needed.
    DeskWidget("inbox_unread", _("Unread messages"), "notify/_desk_unread.html", unread_context,
               (), order=30, url_name="notify:inbox", icon="bi-bell"),
]
