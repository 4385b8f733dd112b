"""Inbox messages for approvals, through qiao.notify when that app is installed. Each is stored
as its kind and parameters (the request's type and title parameters, its state…) and composed
when read, in the reader's language (`register_kinds`)."""

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import ApprovalRequest

WAITING, DECIDED = "approval_waiting", "approval_decided"
OVERDUE, ESCALATED = "approval_overdue", "approval_escalated"
# To an approver's supervisor who may not open the request: their person's delay, not the request.
ESCALATED_UNSEEN = "approval_escalated_unseen"


def _about(request) -> dict:
    """What every approval message says of its request: enough to compose its title."""
    return {"type": request.type_code, "title": request.title_params,
            "written": request.written_title}


def _title(params) -> str:
    """The request's title in the active language, as the request itself composes it."""
    return ApprovalRequest(type_code=params["type"], title_params=params["title"],
                           written_title=params["written"]).title


def _state(code) -> str:
    return str(ApprovalRequest.State(code).label)


def register_kinds():
    """Called from the app's ready(): how each approval message reads."""
    if not apps.is_installed("qiao.notify"):
        return
    from qiao.notify import kinds

    kinds.register(WAITING, title=lambda p: _("Waiting for your approval: %s") % _title(p))
    kinds.register(DECIDED, title=lambda p: _("%(title)s: %(state)s") % {
        "title": _title(p), "state": _state(p["state"])})
    kinds.register(OVERDUE, title=lambda p: _(
        "Reminder: %(title)s has waited for your approval for more than %(hours)d working "
        "hours") % {
        "title": _title(p), "hours": p["hours"]})
    kinds.register(ESCALATED, title=lambda p: _(
        "Overdue: %(approver)s has not decided %(title)s for %(hours)d working hours") % {
        "approver": p["approver"], "title": _title(p), "hours": p["hours"]})
    kinds.register(ESCALATED_UNSEEN, title=lambda p: _(
        "Overdue: %(approver)s has left a request waiting for their approval for more than "
        "%(hours)d working hours") % {"approver": p["approver"], "hours": p["hours"]})


def _notify(recipient, kind, params, **kwargs):
    if recipient is None or not apps.is_installed("qiao.notify"):
        return
    from qiao.notify.services import notify

    notify(recipients=[recipient], kind=kind, params=params, **kwargs)


def waiting(request, approvers):
    for approver in approvers:
        _notify(approver, WAITING, _about(request),
                url=reverse("approvals:detail", args=[request.pk]),
                key=f"approval:{request.pk}:{request.round}:{request.current_order}")


def decided(request):
    _notify(request.requester, DECIDED, {**_about(request), "state": request.state},
            url=reverse("approvals:detail", args=[request.pk]),
            key=f"approval:{request.pk}:{request.round}:{request.state}")


def overdue(task, boss, hours):
    request = task.request
    url = reverse("approvals:detail", args=[request.pk])
    _notify(task.approver, OVERDUE, {**_about(request), "hours": hours},
            url=url, key=f"approval-overdue:{task.pk}")
    if boss is not None and not _may_open(boss, request):
        _notify(boss, ESCALATED_UNSEEN, {"hours": hours, "approver": str(task.approver)},
                key=f"approval-escalated:{task.pk}")
        return
    _notify(boss, ESCALATED, {**_about(request), "hours": hours, "approver": str(task.approver)},
            url=url, key=f"approval-escalated:{task.pk}")


def _may_open(user, request) -> bool:
    return ApprovalRequest.objects.visible_to(user).filter(pk=request.pk).exists()
