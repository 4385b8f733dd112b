"""Reads of approval requests, each starting from `ApprovalRequest.objects.visible_to(user)`."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.http import Http404

from qiao.org.models import User

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
    steps = {}
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
    requests = ApprovalRequest.objects.visible_to(user) if user else ApprovalRequest.objects
    return (requests.filter(content_type=ContentType.objects.get_for_model(subject),
                            object_id=subject.pk)
            .order_by("-created_at", "-id").first())


def my_delegations(user):
    """The user's own delegations, current and coming first (only they see them)."""
    return Delegation.objects.filter(user=user).select_related("delegate").order_by("-ends_on", "-id")


def delegation_get(user, pk) -> Delegation:
    try:
        return my_delegations(user).get(pk=pk)
    except (Delegation.DoesNotExist, ValueError):
        raise Http404 from None


def delegate_choices(user):
    """Whom one may name while away: any active member of staff but oneself."""
    return (User.objects.filter(is_active=True, position__isnull=False).exclude(pk=user.pk)
            .select_related("unit").order_by("unit__path", "username"))
