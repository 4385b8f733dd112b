"""Reads of approval requests, each starting from `ApprovalRequest.objects.visible_to(user)`."""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from qiao.org.permissions import stand_ins

from .models import ApprovalRequest, ApprovalTask, Delegation


def waiting_for(user):
    """The tasks waiting for `user` (index apr_task_waiting); a task's approver always sees
    its request, so this is within visible_to by construction. One query for any number.

    visible_to is checked per task as a correlated EXISTS on the request's primary key: as
    `request__in=visible_to(user)` the planners (SQLite and PostgreSQL) built the whole visible
    set first — every request in a manager's scope, 100,000 for the department manager —
    and took a page 10× over the 50 ms target (tests/perf, `make bench`)."""
    visible = ApprovalRequest.objects.visible_to(user).filter(pk=OuterRef("request_id"))
    return (ApprovalTask.objects.filter(approver=user, state=ApprovalTask.State.WAITING)
            .filter(Exists(visible))
            .select_related("request", "request__requester", "delegated_from")
            .order_by("-id"))


def waiting_oldest(user, limit=5):
    """The `limit` steps that have waited longest for `user` (the desk): waiting_for, oldest
    first, in one query; the approver's waiting tasks are few, read from apr_task_waiting."""
    return list(waiting_for(user).order_by("waiting_since", "id")[:limit])


OPEN_FOR_REQUESTER = (*ApprovalRequest.OPEN_STATES, ApprovalRequest.State.RETURNED)


def my_open_requests(user):
    """The user's own requests not yet settled: on their way, or returned to them for changes
    (index apr_request_mine)."""
    return my_requests(user).filter(state__in=OPEN_FOR_REQUESTER)


def my_requests(user):
    """The user's own requests, newest first (index apr_request_mine)."""
    return (ApprovalRequest.objects.visible_to(user).filter(requester=user)
            .order_by("-created_at", "-id"))


def request_get(user, pk) -> ApprovalRequest:
    try:
        return (ApprovalRequest.objects.visible_to(user)
                .select_related("requester", "content_type").get(pk=pk))
    except (ApprovalRequest.DoesNotExist, ValueError):
        raise Http404 from None


def request_tasks(request):
    """The tasks of the current round, in step order, as the chain is drawn."""
    return list(request.tasks.filter(round=request.round)
                .select_related("approver", "delegated_from").order_by("order", "id"))


def request_steps(request):
    """[(order, [tasks])] of the current round."""
    steps: dict[int, list[ApprovalTask]] = {}
    for task in request_tasks(request):
        steps.setdefault(task.order, []).append(task)
    return sorted(steps.items())


def request_events(request):
    return list(request.events.select_related("actor").order_by("created_at", "id"))


def task_on_request(request, task_pk) -> ApprovalTask:
    try:
        return request.tasks.get(pk=task_pk)
    except (ApprovalTask.DoesNotExist, ValueError):
        raise Http404 from None



def request_for(subject, user=None):
    """The latest approval request of `subject` (any registered model), or None: the subject's
    own page shows where its approval stands. The caller has already checked the subject; with
    `user`, only a request that user may open (else None)."""
    requests = ApprovalRequest.objects.visible_to(user) if user else ApprovalRequest.objects.all()
    return (requests.filter(content_type=ContentType.objects.get_for_model(subject),
                            object_id=subject.pk)
            .order_by("-created_at", "-id").first())


def edit_form(approval, user, data=None):
    """The form in which the requester changes `approval`'s subject before resubmitting it
    (bound to `data`, else showing the subject as it is), or None when the type has none."""
    type_ = approval.type
    return type_.edit_form(data, subject=approval.subject, user=user) if type_.editable else None


def may_edit(approval, user) -> bool:
    """Is the edit form `user`'s to fill: their own request, returned for changes?"""
    return (approval.requester_id == user.pk and approval.state == ApprovalRequest.State.RETURNED
            and approval.type.editable)


def _as_posted(value):
    """A form's initial value as a browser would post it: text, or a list of texts."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | QuerySet):
        return [_as_posted(v) for v in value]
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def edit_values(approval, user) -> dict:
    """The edit form's fields as they would be posted unchanged: {name: text or [texts]}. The
    API sends only what changes; these fill in the rest."""
    form = edit_form(approval, user)
    return {name: _as_posted(form.get_initial_for_field(field, name))
            for name, field in form.fields.items()}


def my_delegations(user):
    """The user's own delegations, current and coming first (only they see them)."""
    return Delegation.objects.filter(user=user).select_related("delegate").order_by("-ends_on", "-id")


def delegation_get(user, pk) -> Delegation:
    try:
        return my_delegations(user).get(pk=pk)
    except (Delegation.DoesNotExist, ValueError):
        raise Http404 from None


def delegate_choices(user):
    """Whom one may name while away: those who could hold one's steps (org.permissions.
    stand_ins)."""
    return stand_ins(user).select_related("unit").order_by("unit__path", "username")
