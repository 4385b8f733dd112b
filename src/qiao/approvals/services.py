"""Every change to an approval request: the only way its state moves.

Concurrency: each action first locks the request row (select_for_update: a row lock on
PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock), then claims the
actor's task with a conditional UPDATE (`WHERE state='waiting' AND approver_id=actor`), then
advances the request with `save_versioned`. Of two people acting on one task exactly one
claims it; the other gets a ConflictError saying why, and nothing of theirs is written.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core import calendar
from qiao.core.concurrency import save_versioned
from qiao.core.exceptions import ConflictError
from qiao.core.history import authored_by
from qiao.core.money import format_amount
from qiao.org.permissions import Action, can

from . import notifications, registry, rules
from .models import (
    ApprovalEvent,
    ApprovalRequest,
    ApprovalTask,
    Chain,
    Delegation,
    HospitalityRequest,
)

Task = ApprovalTask.State
State = ApprovalRequest.State
Kind = ApprovalEvent.Kind


def _event(request, kind, actor, comment="", step_label=""):
    return ApprovalEvent.objects.create(request=request, kind=kind, actor=actor,
                                        comment=comment, step_label=step_label)


def _plan(type_, subject, requester, amount):
    """[(order, label, approver)] of every step that applies; refuses when a rule finds
    nobody (never skipped) or only the requester."""
    chain = Chain.objects.filter(type_code=type_.code, is_active=True).first()
    if chain is None:
        raise ValidationError(_("No approval chain is configured for “%s”; ask an "
                                "administrator.") % type_.label)
    customer = type_.customer_of(subject)
    plan = []
    for step in chain.steps.select_related("position"):
        if not step.applies_to(amount):
            continue
        approver = rules.resolve(step, requester, customer)
        if approver is None:
            raise ValidationError(_("The step “%(step)s” of the chain “%(chain)s” finds nobody "
                                    "to approve this request; ask an administrator.")
                                  % {"step": step, "chain": chain})
        if approver.pk == requester.pk:
            raise ValidationError(_("The step “%(step)s” of the chain “%(chain)s” would be "
                                    "approved by the requester; ask an administrator.")
                                  % {"step": step, "chain": chain})
        plan.append((step.order, str(step), approver))
    if not plan:
        raise ValidationError(_("The chain “%s” has no step for this request.") % chain)
    return plan


def _decided(request, actor):
    """The outcome reaches the subject's module (inside this transaction) and the requester."""
    request.type.decided(request, actor)
    notifications.decided(request)


def _start_round(request, actor, plan):
    ApprovalTask.objects.bulk_create([
        ApprovalTask(request=request, round=request.round, order=order, step_label=label,
                     approver=approver)
        for order, label, approver in plan
    ])
    return _activate(request, actor, min(order for order, _label, _a in plan))


def _activate(request, actor, order):
    """Start step `order`: its tasks wait, each passed to its approver's delegate if away."""
    request.current_order = order
    now = timezone.now()
    today = timezone.localdate(now)
    tasks = list(ApprovalTask.objects.filter(request=request, round=request.round, order=order,
                                             state=Task.PENDING).select_related("approver"))
    for task in tasks:
        delegate = rules.delegate_for(task.approver, today)
        if delegate is not None and delegate.pk != request.requester_id:
            task.delegated_from, task.approver = task.approver, delegate
            _event(request, Kind.DELEGATED, None, step_label=task.step_label,
                   comment=f"{task.delegated_from} → {delegate}")
        task.state, task.waiting_since = Task.WAITING, now
        authored_by(task, actor).save(update_fields=["approver", "delegated_from", "state",
                                                     "waiting_since"])
    notifications.waiting(request, [t.approver for t in tasks])
    return tasks


def _close_open_tasks(request, actor):
    for task in ApprovalTask.objects.filter(request=request, state__in=(Task.PENDING, Task.WAITING)):
        task.state = Task.SKIPPED
        authored_by(task, actor).save(update_fields=["state"])


@transaction.atomic
def request_submit(*, actor, type_code, subject, title, amount=None):
    """Raise a request for `subject`; refused (ValidationError, nothing written) when no chain
    is configured or a step's rule finds nobody."""
    if not can(actor, Action.APPROVAL_REQUEST):
        raise PermissionDenied
    type_ = registry.get(type_code)
    if amount is None:
        amount = type_.amount_of(subject)
    plan = _plan(type_, subject, actor, amount)
    request = ApprovalRequest(
        type_code=type_code, content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk, requester=actor, requester_unit_id=actor.unit_id,
        title=title.strip()[:200], amount=amount)
    authored_by(request, actor).save()
    _event(request, Kind.SUBMITTED, actor)
    _start_round(request, actor, plan)
    authored_by(request, actor).save(update_fields=["current_order"])
    return request


def _lock(request):
    """The request as it is now, its row locked until the transaction ends."""
    return ApprovalRequest.objects.select_for_update().get(pk=request.pk)


def _claim(request, task, actor, state, comment):
    """Decide `task` if it is still waiting for `actor`; else say why not."""
    claimed = ApprovalTask.objects.filter(pk=task.pk, request=request, state=Task.WAITING,
                                          approver_id=actor.pk).update(
        state=state, comment=comment, decided_at=timezone.now())
    if claimed == 1:
        task.refresh_from_db()
        # The claim was a plain UPDATE; this save writes the task's history row.
        authored_by(task, actor).save(update_fields=["state", "comment", "decided_at"])
        return task
    task.refresh_from_db()
    if request.state == State.WITHDRAWN:
        raise ConflictError(_("The requester has withdrawn this request; there is nothing to "
                              "decide."))
    if task.approver_id != actor.pk:
        raise ConflictError(_("This step is not yours to decide."))
    if task.state in (Task.APPROVED, Task.REJECTED, Task.RETURNED):
        raise ConflictError(_("This step was already decided (%s); look again.")
                            % task.get_state_display())
    if request.state not in ApprovalRequest.OPEN_STATES:
        raise ConflictError(_("This request is already closed (%s); there is nothing to "
                              "decide.") % request.get_state_display())
    raise ConflictError(_("This step is not waiting for a decision; look again."))


def _advance(request, actor, expected_version):
    """After an approval: wait for the rest of the step, start the next, or finish."""
    if ApprovalTask.objects.filter(request=request, round=request.round,
                                   order=request.current_order, state=Task.WAITING).exists():
        request.state = State.IN_PROGRESS
    else:
        following = (ApprovalTask.objects.filter(request=request, round=request.round,
                                                 state=Task.PENDING)
                     .order_by("order").values_list("order", flat=True).first())
        if following is not None:
            request.state = State.IN_PROGRESS
            _activate(request, actor, following)
        else:
            request.state, request.decided_at = State.APPROVED, timezone.now()
    save_versioned(authored_by(request, actor), expected_version=expected_version,
                   change_reason=request.state)
    if request.state == State.APPROVED:
        _event(request, Kind.COMPLETED, None)
        _decided(request, actor)


@transaction.atomic
def task_approve(*, actor, task, comment=""):
    request = _lock(task.request)
    version = request.version
    task = _claim(request, task, actor, Task.APPROVED, comment.strip())
    _event(request, Kind.APPROVED, actor, comment.strip(), task.step_label)
    _advance(request, actor, version)
    return request


def _end(actor, task, comment, task_state, request_state, kind):
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Give a comment: the requester needs to know why."))
    request = _lock(task.request)
    version = request.version
    task = _claim(request, task, actor, task_state, comment)
    _event(request, kind, actor, comment, task.step_label)
    _close_open_tasks(request, actor)
    request.state = request_state
    if request_state == State.REJECTED:
        request.decided_at = timezone.now()
    save_versioned(authored_by(request, actor), expected_version=version, change_reason=request_state)
    _decided(request, actor)
    return request


@transaction.atomic
def task_reject(*, actor, task, comment):
    """A reject anywhere ends the request."""
    return _end(actor, task, comment, Task.REJECTED, State.REJECTED, Kind.REJECTED)


@transaction.atomic
def task_return(*, actor, task, comment):
    """Back to the requester for changes; `request_resubmit` restarts the chain."""
    return _end(actor, task, comment, Task.RETURNED, State.RETURNED, Kind.RETURNED)


def _own(request, actor, allowed, message):
    request = _lock(request)
    if request.requester_id != actor.pk:
        raise PermissionDenied
    if request.state not in allowed:
        raise ConflictError(message % request.get_state_display())
    return request


@transaction.atomic
def request_resubmit(*, actor, request):
    """The requester sends a returned request again: a new round from the first step, with
    the chain and amount as they are now."""
    request = _own(request, actor, (State.RETURNED,),
                   _("Only a request returned for changes can be resubmitted (it is %s)."))
    version = request.version
    type_ = request.type
    subject = request.subject
    request.amount = type_.amount_of(subject) if type_.amount_field else request.amount
    plan = _plan(type_, subject, actor, request.amount)
    request.round += 1
    request.state = State.SUBMITTED
    _event(request, Kind.RESUBMITTED, actor)
    _start_round(request, actor, plan)
    save_versioned(authored_by(request, actor), expected_version=version, change_reason="resubmitted")
    request.type.decided(request, actor)
    return request


@transaction.atomic
def request_withdraw(*, actor, request, comment=""):
    request = _own(request, actor, (*ApprovalRequest.OPEN_STATES, State.RETURNED),
                   _("This request can no longer be withdrawn (it is %s)."))
    version = request.version
    _close_open_tasks(request, actor)
    request.state = State.WITHDRAWN
    _event(request, Kind.WITHDRAWN, actor, (comment or "").strip())
    save_versioned(authored_by(request, actor), expected_version=version, change_reason="withdrawn")
    request.type.decided(request, actor)
    return request


@transaction.atomic
def delegation_set(*, actor, delegate, starts_on, ends_on):
    """`actor` is away from `starts_on` to `ends_on`: steps that start meanwhile go to
    `delegate`. When the absence has begun, the steps already waiting for `actor` pass to the
    delegate too (except the delegate's own requests, which stay: nobody approves their own)."""
    if delegate.pk == actor.pk or not delegate.is_active:
        raise ValidationError({"delegate": _("Choose an active colleague other than yourself.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The delegation must end on or after its first day.")})
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The delegation must not end in the past.")})
    delegation = Delegation.objects.create(user=actor, delegate=delegate, starts_on=starts_on,
                                           ends_on=ends_on)
    if starts_on <= timezone.localdate():
        _pass_waiting_tasks(actor, delegate)
    return delegation


def _pass_waiting_tasks(actor, delegate):
    tasks = (ApprovalTask.objects.filter(approver=actor, state=Task.WAITING)
             .exclude(request__requester=delegate).select_related("request"))
    for task in tasks:
        passed = ApprovalTask.objects.filter(pk=task.pk, approver=actor, state=Task.WAITING).update(
            approver=delegate, delegated_from=actor)
        if passed:
            task.approver, task.delegated_from = delegate, actor
            authored_by(task, actor).save(update_fields=["approver", "delegated_from"])
            _event(task.request, Kind.DELEGATED, actor, step_label=task.step_label,
                   comment=f"{actor} → {delegate}")
            notifications.waiting(task.request, [delegate])


@transaction.atomic
def delegation_end(*, actor, delegation):
    """Back early: a delegation not yet begun is removed, one under way ends yesterday. Steps
    already passed to the delegate stay with them."""
    if delegation.user_id != actor.pk:
        raise PermissionDenied
    today = timezone.localdate()
    if delegation.starts_on >= today:
        delegation.delete()
    elif delegation.ends_on >= today:
        delegation.ends_on = today - timedelta(days=1)
        delegation.save(update_fields=["ends_on"])


ESCALATION_BATCH = 500


def tasks_escalate(*, now=None) -> int:
    """Every step waiting longer than its chain's `escalate_after_hours` business hours (working
    time of the business calendar: a step left on Friday evening is not overdue on Saturday):
    the approver is reminded and their supervisor (else the regional manager) told, once per
    task, with an event on the request. Returns how many tasks were escalated. Run by a
    periodic task."""
    now = now or timezone.now()
    count = 0
    limits = Chain.objects.filter(is_active=True, escalate_after_hours__isnull=False)
    for type_code, hours in limits.values_list("type_code", "escalate_after_hours"):
        # A step waiting since this moment or earlier has waited `hours` business hours by now
        # (exactly when add_business_hours(waiting_since, hours) <= now), so one indexed
        # comparison in SQL selects the overdue steps and no Python check is left to do.
        overdue_since = calendar.subtract_business_hours(now, hours)
        due = (ApprovalTask.objects.filter(state=Task.WAITING, escalated_at__isnull=True,
                                           waiting_since__lte=overdue_since,
                                           request__type_code=type_code)
               .select_related("request", "approver__supervisor", "approver__unit")
               .order_by("waiting_since"))
        while batch := list(due[:ESCALATION_BATCH]):
            count += sum(_escalate(task, hours, now) for task in batch)
    return count


@transaction.atomic
def _escalate(task, hours, now) -> bool:
    if not ApprovalTask.objects.filter(pk=task.pk, state=Task.WAITING,
                                       escalated_at__isnull=True).update(escalated_at=now):
        return False  # decided or escalated meanwhile
    boss = rules.escalation_target(task.approver)
    _event(task.request, Kind.ESCALATED, None, step_label=task.step_label,
           comment=_("Waiting for %(approver)s for more than %(hours)d working hours; reported "
                     "to %(boss)s.") % {"approver": task.approver, "hours": hours,
                                       "boss": boss or _("nobody (no supervisor)")})
    notifications.overdue(task, boss, hours)
    return True


@transaction.atomic
def hospitality_request_create(*, actor, customer, amount, date, guests, purpose):
    """A hospitality request and its approval request, together or not at all."""
    hospitality = HospitalityRequest(customer=customer, requester=actor, amount=amount, date=date,
                                     guests=guests.strip(), purpose=purpose.strip())
    hospitality.full_clean()
    authored_by(hospitality, actor).save()
    title = _("Hospitality for %(customer)s, ¥%(amount)s") % {
        "customer": customer.name, "amount": format_amount(hospitality.amount)}
    return request_submit(actor=actor, type_code="hospitality", subject=hospitality, title=title)
