"""Approval messages already in inboxes get their parameters (from their dedupe key: the request,
or the overdue task), so that they too are composed when read, in the reader's language. A
message whose request is gone keeps its text as written. Writes notify's table: this module's
own messages (their kinds are approvals')."""

from django.db import migrations

BATCH = 500
KINDS = ["approval_waiting", "approval_decided", "approval_overdue", "approval_escalated"]


def _name(user):
    return user.display_name or user.username  # User.__str__, which historical models lack


def _about(request):
    return {"type": request.type_code, "title": request.title_params,
            "written": request.written_title}


def _params(note, requests, tasks, hours):
    """The parameters of one message from its key, or None when they cannot be known."""
    prefix, _sep, rest = (note.key or "").partition(":")
    parts = rest.split(":")
    if prefix == "approval" and len(parts) == 3 and parts[0].isdigit():
        request = requests.get(int(parts[0]))
        if request is None:
            return None
        if note.kind == "approval_decided":
            return {**_about(request), "state": parts[2]}
        return _about(request)
    if prefix in ("approval-overdue", "approval-escalated") and rest.isdigit():
        task = tasks.get(int(rest))
        limit = hours.get(task.request.type_code) if task else None
        if limit is None:
            return None
        params = {**_about(task.request), "hours": limit}
        if note.kind == "approval_escalated":
            params["approver"] = _name(task.approver)
        return params
    return None


def fill(apps, schema_editor):
    Notification = apps.get_model("notify", "Notification")
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    ApprovalTask = apps.get_model("approvals", "ApprovalTask")
    Chain = apps.get_model("approvals", "Chain")
    hours = dict(Chain.objects.values_list("type_code", "escalate_after_hours"))
    pending = Notification.objects.filter(kind__in=KINDS, params={})
    last = 0
    while batch := list(pending.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = batch[-1].pk
        keys = [n.key or "" for n in batch]
        request_ids = {int(k.split(":")[1]) for k in keys
                       if k.startswith("approval:") and k.split(":")[1].isdigit()}
        task_ids = {int(k.split(":")[1]) for k in keys
                    if k.startswith(("approval-overdue:", "approval-escalated:"))
                    and k.split(":")[1].isdigit()}
        requests = ApprovalRequest.objects.in_bulk(request_ids)
        tasks = ApprovalTask.objects.select_related("request", "approver").in_bulk(task_ids)
        found = []
        for note in batch:
            params = _params(note, requests, tasks, hours)
            if params is not None:
                note.params = params
                found.append(note)
        Notification.objects.bulk_update(found, ["params"])


def empty(apps, schema_editor):
    apps.get_model("notify", "Notification").objects.filter(kind__in=KINDS).update(params={})


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0008_hospitality_title_params"),
        ("notify", "0002_message_parameters"),
    ]

    operations = [migrations.RunPython(fill, empty)]
