"""The approvals' blocks of the start page (工作台), registered in ApprovalsConfig.ready."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DeskWidget

from . import selectors
from .actions import APPROVAL_REQUEST

SHOWN = 5


def waiting_context(user):
    """How many steps wait for the user, and the five that have waited longest."""
    return {"count": selectors.waiting_for(user).count(),
            "tasks": selectors.waiting_oldest(user, SHOWN)}


def mine_context(user):
    """The user's own open requests (newest first) with where each stands."""
    requests = selectors.my_open_requests(user)
    return {"count": requests.count(), "requests": list(requests[:SHOWN])}


WIDGETS = [
    DeskWidget("approvals_waiting", _("Waiting for me"), "approvals/_desk_waiting.html",
               waiting_context, (APPROVAL_REQUEST,), order=10,
               url_name="approvals:waiting", icon="bi-check2-square"),
    DeskWidget("approvals_mine", _("My requests"), "approvals/_desk_mine.html",
               mine_context, (APPROVAL_REQUEST,), order=20,
               url_name="approvals:mine", icon="bi-send"),
]
