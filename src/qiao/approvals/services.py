"""Every change to an approval request: the only way its state moves.

Concurrency: each action first locks the request row (select_for_update: a row lock on
PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock), then claims the
actor's task with a conditional UPDATE (`WHERE state='waiting' AND approver_id=actor`), then
advances the request with `save_versioned`. Of two people acting on one task exactly one
claims it; the other gets a ConflictError saying why, and nothing of theirs is written.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core import calendar
from qiao.core.concurrency import save_versioned
from qiao.core.exceptions import ConflictError
from qiao.core.history import authored_by
from qiao.core.models import Clearance
from qiao.org import second_factor
from qiao.org.permissions import can, stand_in_line

from . import notifications, registry, rules
from .actions import APPROVAL_REQUEST
from .events import decided_emit
from .models import (
    ApprovalEvent,
    ApprovalRequest,
    ApprovalTask,
    Chain,
    ChainStep,
    Delegation,
)

COMMENT_MAX = 2000
Task = ApprovalTask.State
State = ApprovalRequest.State
Kind = ApprovalEvent.Kind


def _event(request, kind, actor, comment="", step_label="", params=None):
    return ApprovalEvent.objects.create(request=request, kind=kind, actor=actor,
                                        comment=comment, step_label=step_label,
                                        params=params or {})


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
    if type_.is_over_limit(subject):
        plan.append(_next_level(type_, plan, requester))
    return plan


def _next_level(type_, plan, requester):
    """The step a subject over its limit adds: the superior of the chain's last approver."""
    order, _label, last = max(plan, key=lambda step: step[0])
    approver = rules.escalation_target(last)
    if approver is None or approver.pk == requester.pk:
        raise ValidationError(_("Nobody above %(approver)s can approve this request beyond "
                                "its limit; ask an administrator.") % {"approver": last})
    return (order + 1, str(type_.over_limit_label or _("Next approval level")), approver)


def _decided(request, actor):
    """The outcome reaches the subject's module (inside this transaction) and the requester."""
    request.type.decided(request, actor)
    notifications.decided(request)
    decided_emit(request)


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
        delegate = rules.delegate_for(task.approver, today, request)
        if delegate is not None:
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


def _set_title(request, type_, subject):
    """The title's parameters, and the text as written (in the writer's language) kept for
    the day the type is no longer registered; the secret level of the customer it names."""
    request.secret_level = type_.secret_level_of(subject)
    request.title_params = type_.title_params_of(subject)
    request.written_title = type_.title_of(request.title_params)[:200]


@transaction.atomic
def supervisor_chain_ensure(type_code: str, name: str, step_label: str) -> Chain:
    """The chain of `type_code` as a fresh install starts it, made the first time a request of
    the type is raised: one step, the requester's supervisor (the chain admin may change it)."""
    chain, created = Chain.objects.get_or_create(type_code=type_code, defaults={"name": name})
    if created:
        ChainStep.objects.create(chain=chain, order=1, label=step_label,
                                 rule=ChainStep.Rule.SUPERVISOR)
    return chain


def request_submit(*, actor, type_code, subject, amount=None):
    """Raise a request for `subject`, its title composed by the request type; refused
    (ValidationError, nothing written) when no chain is configured or a step's rule finds
    nobody."""
    if not can(actor, APPROVAL_REQUEST):
        raise PermissionDenied
    type_ = registry.get(type_code)
    if amount is None:
        amount = type_.amount_of(subject)
    plan = _plan(type_, subject, actor, amount)
    request = ApprovalRequest(
        type_code=type_code, content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk, requester=actor, requester_unit_id=actor.unit_id, amount=amount)
    _set_title(request, type_, subject)
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
    if registry.get(task.request.type_code).second_factor:
        second_factor.check(actor, _("Approving this needs your second factor: verify with your "
                                     "authenticator app on the request's page."))
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


def _edit(request, actor, data) -> list[str]:
    """The requester's changes to a returned request's subject, validated by its type's edit
    form and applied by the type (with the subject's history). Returns the names of the fields
    changed; refused with the form's field messages."""
    type_ = request.type
    if not type_.editable:
        raise ValidationError(_("A request of the type “%s” cannot be changed; withdraw it and "
                                "raise a new one.") % type_.label)
    subject = request.subject
    # The form checks a copy read for it: a model form writes what it validates onto its
    # instance, and the type applies the changes to the subject itself, by its own rules.
    copy = subject.__class__._base_manager.get(pk=subject.pk)
    form = type_.edit_form(data, subject=copy, user=actor)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    changed = [name for name in form.changed_data if not form.fields[name].widget.is_hidden]
    if changed:
        type_.on_edit(subject, form.cleaned_data, actor)
    return changed


@transaction.atomic
def request_resubmit(*, actor, request, data=None, comment=""):
    """The requester sends a returned request again, with `data` — every field of the type's
    edit form, as posted — changing its subject first (None: as it is), and a reply `comment`:
    a new round from the first step, with the chain, amount and title as they are now (a
    bigger amount may add a step). Refused (nothing written) unless the request is returned
    (ConflictError) and the actor's own (PermissionDenied), or when the changes are not valid
    (ValidationError, by field)."""
    request = _own(request, actor, (State.RETURNED,),
                   _("Only a request returned for changes can be resubmitted (it is %s)."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("The reply is too long: at most %(max)d "
                                            "characters.") % {"max": COMMENT_MAX}})
    version = request.version
    type_ = request.type
    changed = _edit(request, actor, data) if data is not None else []
    subject = request.subject
    request.amount = type_.amount_of(subject) if type_.amount_field else request.amount
    _set_title(request, type_, subject)
    plan = _plan(type_, subject, actor, request.amount)
    request.round += 1
    request.state = State.SUBMITTED
    _event(request, Kind.RESUBMITTED, actor, comment,
           params={"changed": changed} if changed else None)
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


PLAN_AHEAD_DAYS = 365  # a delegation is planned for a known absence, not years ahead


def _delegation_refusal(actor, delegate, starts_on, ends_on):
    """{field: message} saying why this delegation cannot be made, or None."""
    if delegate.pk == actor.pk or not delegate.is_active:
        return {"delegate": _("Choose an active colleague other than yourself.")}
    if not stand_in_line(actor).filter(pk=delegate.pk).exists():
        return {"delegate": _("%(name)s cannot decide in your place: choose someone above you "
                              "in your reporting line, or a colleague in the same position in "
                              "your unit.") % {"name": delegate}}
    if delegate.clearance < actor.clearance:
        return {"delegate": _("%(name)s is cleared only up to “%(theirs)s”, but the requests "
                              "you decide may be classified up to “%(yours)s”.") % {
            "name": delegate, "theirs": Clearance(delegate.clearance).label,
            "yours": Clearance(actor.clearance).label}}
    today = timezone.localdate()
    if starts_on < today:
        return {"starts_on": _("A delegation cannot start in the past.")}
    if starts_on > today + timedelta(days=PLAN_AHEAD_DAYS):
        return {"starts_on": _("A delegation can be planned at most %(days)d days ahead.")
                % {"days": PLAN_AHEAD_DAYS}}
    if ends_on < starts_on:
        return {"ends_on": _("The delegation must end on or after its first day.")}
    longest = settings.QIAO_DELEGATION_MAX_DAYS
    if (ends_on - starts_on).days + 1 > longest:
        return {"ends_on": _("A delegation lasts at most %(days)d days.") % {"days": longest}}
    return None


@transaction.atomic
def delegation_set(*, actor, delegate, starts_on, ends_on):
    """`actor` is away from `starts_on` to `ends_on`: steps that start meanwhile go to
    `delegate`. When the absence has begun, the steps already waiting for `actor` pass to the
    delegate too. A step passes only when the delegate may stand in for it
    (rules.may_stand_in: not their own request, cleared for it). Refused (ValidationError by
    field, nothing written) unless `delegate` could hold `actor`'s steps (org.permissions.
    stand_ins: above them in their line or the same role in their unit, cleared as high), the
    absence starts today or later (within PLAN_AHEAD_DAYS) and lasts at most
    QIAO_DELEGATION_MAX_DAYS days."""
    refusal = _delegation_refusal(actor, delegate, starts_on, ends_on)
    if refusal:
        raise ValidationError(refusal)
    delegation = Delegation.objects.create(user=actor, delegate=delegate, starts_on=starts_on,
                                           ends_on=ends_on)
    if starts_on <= timezone.localdate():
        _pass_waiting_tasks(actor, delegate)
    return delegation


def _pass_waiting_tasks(actor, delegate):
    tasks = (ApprovalTask.objects.filter(approver=actor, state=Task.WAITING)
             .exclude(request__requester=delegate).select_related("request"))
    for task in tasks:
        if not rules.may_stand_in(task.request, actor, delegate):
            continue
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
    """Back early: a delegation not yet begun is removed, one under way ends yesterday, and
    the steps still waiting with the delegate come back (`_give_back`)."""
    if delegation.user_id != actor.pk:
        raise PermissionDenied
    today = timezone.localdate()
    if delegation.starts_on >= today:
        delegation.delete()
    elif delegation.ends_on >= today:
        delegation.ends_on = today - timedelta(days=1)
        delegation.save(update_fields=["ends_on"])
    _give_back(ApprovalTask.objects.filter(delegated_from=actor, approver_id=delegation.delegate_id,
                                           state=Task.WAITING), today)


def _give_back(tasks, today) -> int:
    """Each of `tasks` (waiting with a delegate) whose delegation is no longer in force goes
    back to the approver it was passed from — or to their delegate now, if another delegation
    is in force. A delegate decides only while the delegation lasts. Returns how many moved."""
    moved = 0
    for task in tasks.select_related("request", "approver", "delegated_from"):
        away, delegate = task.delegated_from, task.approver
        current = rules.delegation_in_force(away, today)
        if current is not None and current.delegate_id == delegate.pk:
            continue  # still in force (another delegation to the same person)
        target = rules.delegate_for(away, today, task.request) or away
        back = ApprovalTask.objects.filter(pk=task.pk, approver=delegate, state=Task.WAITING).update(
            approver=target, delegated_from=away if target != away else None)
        if not back:
            continue  # decided meanwhile
        task.approver, task.delegated_from = target, (away if target != away else None)
        authored_by(task, away).save(update_fields=["approver", "delegated_from"])
        _event(task.request, Kind.DELEGATION_ENDED, None, step_label=task.step_label,
               comment=f"{delegate} → {target}")
        notifications.waiting(task.request, [target])
        moved += 1
    return moved


def delegations_expire(*, today=None) -> int:
    """Steps still waiting with a delegate whose delegation has run out go back (`_give_back`).
    Run daily by a periodic task; repeating it moves nothing twice. Returns how many moved."""
    today = today or timezone.localdate()
    with transaction.atomic():
        return _give_back(ApprovalTask.objects.filter(state=Task.WAITING,
                                                      delegated_from__isnull=False), today)


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
           params={"approver": str(task.approver), "hours": hours,
                   "boss": str(boss) if boss else None})
    notifications.overdue(task, boss, hours)
    return True
