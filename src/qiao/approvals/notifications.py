"""Inbox messages for approvals, through qiao.notify when that app is installed."""

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _


def _notify(**kwargs):
    if not apps.is_installed("qiao.notify"):
        return
    from qiao.notify.services import notify

    kwargs["title"] = kwargs["title"][:200]
    notify(**kwargs)


def waiting(request, approvers):
    if approvers:
        _notify(recipients=approvers, kind="approval_waiting",
                title=_("Waiting for your approval: %s") % request.title,
                url=reverse("approvals:detail", args=[request.pk]),
                key=f"approval:{request.pk}:{request.round}:{request.current_order}")


def decided(request):
    _notify(recipients=[request.requester], kind="approval_decided",
            title=_("%(title)s: %(state)s") % {"title": request.title,
                                               "state": request.get_state_display()},
            url=reverse("approvals:detail", args=[request.pk]),
            key=f"approval:{request.pk}:{request.round}:{request.state}")


def overdue(task, boss, hours):
    request = task.request
    url = reverse("approvals:detail", args=[request.pk])
    _notify(recipients=[task.approver], kind="approval_overdue",
            title=_("Reminder: %(title)s has waited for your approval for more than %(hours)d "
                    "hours") % {"title": request.title, "hours": hours},
            url=url, key=f"approval-overdue:{task.pk}")
    if boss is not None:
        _notify(recipients=[boss], kind="approval_escalated",
                title=_("Overdue: %(approver)s has not decided %(title)s for %(hours)d hours")
                % {"approver": task.approver, "title": request.title, "hours": hours},
                url=url, key=f"approval-escalated:{task.pk}")
