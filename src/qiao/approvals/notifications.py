"""Inbox messages for approvals, through qiao.notify when that app is installed."""

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _


def _notify(recipient, title, **kwargs):
    """One message, its title written (`title()`) in the recipient's language."""
    if recipient is None or not apps.is_installed("qiao.notify"):
        return
    from qiao.notify.services import in_language_of, notify

    with in_language_of(recipient):
        notify(recipients=[recipient], title=title()[:200], **kwargs)


def waiting(request, approvers):
    for approver in approvers:
        _notify(approver, lambda: _("Waiting for your approval: %s") % request.title,
                kind="approval_waiting", url=reverse("approvals:detail", args=[request.pk]),
                key=f"approval:{request.pk}:{request.round}:{request.current_order}")


def decided(request):
    _notify(request.requester,
            lambda: _("%(title)s: %(state)s") % {"title": request.title,
                                                 "state": request.get_state_display()},
            kind="approval_decided", url=reverse("approvals:detail", args=[request.pk]),
            key=f"approval:{request.pk}:{request.round}:{request.state}")


def overdue(task, boss, hours):
    request = task.request
    url = reverse("approvals:detail", args=[request.pk])
    _notify(task.approver,
            lambda: _("Reminder: %(title)s has waited for your approval for more than %(hours)d "
                      "working hours") % {"title": request.title, "hours": hours},
            kind="approval_overdue", url=url, key=f"approval-overdue:{task.pk}")
    if boss is not None and not _may_open(boss, request):
        # The approver's supervisor may not see this request (the requester is outside their
        # scope): they hear about their own person's delay, not about the request.
        _notify(boss,
                lambda: _("Overdue: %(approver)s has left a request waiting for their approval "
                          "for more than %(hours)d hours") % {"approver": task.approver,
                                                              "hours": hours},
                kind="approval_escalated", key=f"approval-escalated:{task.pk}")
        return
    _notify(boss,
            lambda: _("Overdue: %(approver)s has not decided %(title)s for %(hours)d working "
                      "hours")
            % {"approver": task.approver, "title": request.title, "hours": hours},
            kind="approval_escalated", url=url, key=f"approval-escalated:{task.pk}")


def _may_open(user, request) -> bool:
    from .models import ApprovalRequest

    return ApprovalRequest.objects.visible_to(user).filter(pk=request.pk).exists()
