"""Approval pages: thin — parse, fetch through the access function, one service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qiao.core.exceptions import ConflictError, http_status, user_message
from qiao.core.forms import add_errors
from qiao.core.htmx import render_page
from qiao.core.pagination import paginate
from qiao.core.views import attempt, perform
from qiao.org import second_factor
from qiao.org.permissions import can

from . import registry, selectors, services
from .actions import APPROVAL_REQUEST
from .forms import DecisionForm, DelegationForm, ResubmitForm

PAGE_SIZE = 25


def _tabs(user):
    """What the pages' tabs need: the "new request" buttons of the types that have a page."""
    return {"perms_request": can(user, APPROVAL_REQUEST), "creatable": registry.creatable()}


@login_required
def waiting(request):
    page, query = paginate(request, selectors.waiting_for(request.user), PAGE_SIZE)
    return render_page(request, "approvals/waiting.html", {
        "page": page, "query": query, **_tabs(request.user)})


@login_required
def mine(request):
    page, query = paginate(request, selectors.my_requests(request.user), PAGE_SIZE)
    return render_page(request, "approvals/mine.html", {
        "page": page, "query": query, **_tabs(request.user)})


def _detail(request, approval, *, status=200, form=None, edit_form=None, reply=None):
    user = request.user
    tasks = selectors.request_tasks(approval)
    mine = next((t for t in tasks if t.approver_id == user.pk and t.state == "waiting"), None)
    may_edit = selectors.may_edit(approval, user)
    events = selectors.request_events(approval)
    return render_page(request, "approvals/detail.html", {
        "approval": approval,
        "subject": approval.subject,
        "subject_template": approval.type.detail_template,
        "steps": selectors.request_steps(approval),
        "events": events,
        "returned": next((e for e in reversed(events) if e.kind == "returned"), None),
        "my_task": mine if approval.is_open else None,
        "form": form or (DecisionForm(initial={"task": mine.pk}) if mine else None),
        "is_requester": approval.requester_id == user.pk,
        "edit_form": (edit_form or selectors.edit_form(approval, user)) if may_edit else None,
        "reply_form": (reply or ResubmitForm()) if may_edit else None,
    }, status=status)


@require_GET
@login_required
def detail(request, pk):
    return _detail(request, selectors.request_get(request.user, pk))


@require_POST
@login_required
def decide(request, pk):
    approval = selectors.request_get(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve, reject or return."))
        return _detail(request, approval, status=400)
    task = selectors.task_on_request(approval, form.cleaned_data["task"])
    if (form.cleaned_data["decision"] == "approve" and registry.get(approval.type_code).second_factor
            and not second_factor.satisfied(request.user)):  # verify first, then approve again
        return redirect(second_factor.page_for(request.user, reverse("approvals:detail", args=[pk])))
    action = {"approve": services.task_approve, "reject": services.task_reject,
              "return": services.task_return}[form.cleaned_data["decision"]]


    def refused(status):  # bad input: the form again; a conflict: the request as it is now
        if status == 400:
            return _detail(request, approval, status=status, form=form)
        return _detail(request, selectors.request_get(request.user, pk), status=status)

    return perform(request, lambda: action(actor=request.user, task=task,
                                           comment=form.cleaned_data["comment"]),
                   done=_("Your decision is recorded."),
                   then=reverse("approvals:detail", args=[pk]), refused=refused)


def _requester_action(request, pk, service, done):
    approval = selectors.request_get(request.user, pk)
    return perform(
        request, lambda: service(actor=request.user, request=approval), done=done,
        then=reverse("approvals:detail", args=[pk]),
        refused=lambda status: _detail(request, selectors.request_get(request.user, pk),
                                       status=status))


@require_POST
@login_required
def withdraw(request, pk):
    return _requester_action(request, pk, services.request_withdraw, _("Request withdrawn."))


@require_POST
@login_required
def resubmit(request, pk):
    """The requester's changes (every field of the type's edit form) and reply, then a new
    round. Refused: the form again with the messages by field (400), or why not (409)."""
    approval = selectors.request_get(request.user, pk)
    try:
        services.request_resubmit(actor=request.user, request=approval,
                                  data=request.POST if approval.type.editable else None,
                                  comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, _("The request was not resubmitted; see the messages below."))
        reply = ResubmitForm(request.POST)
        reply.is_valid()  # shows its own message (too long)
        return _detail(request, selectors.request_get(request.user, pk), status=400, reply=reply,
                       edit_form=_refused_form(request, pk, exc))
    except ConflictError as exc:
        messages.error(request, user_message(exc))
        return _detail(request, selectors.request_get(request.user, pk),
                       status=http_status(exc))
    messages.success(request, _("Request resubmitted."))
    return redirect("approvals:detail", pk=pk)


def _refused_form(request, pk, exc):
    """The edit form as posted, with the form's own messages and those of the type's rules
    (its on_edit), each by its field. Bound to a subject read again: a model form writes what
    it validates onto its instance, and the page shows the subject as it is."""
    form = selectors.edit_form(selectors.request_get(request.user, pk), request.user,
                               request.POST)
    if form is not None and form.is_valid():  # the form was fine; the type's rules refused
        add_errors(form, exc, skip=("comment",))  # the reply's own form shows that one
    return form


@login_required
def delegations(request):
    """While away: who decides in one's place (APR-1), the user's own delegations."""
    form = DelegationForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _delegation, status = attempt(form, lambda: services.delegation_set(
                actor=request.user, **form.cleaned_data))
            if status is None:
                messages.success(request, _("Delegation saved: %s decides in your place while you "
                                            "are away.") % form.cleaned_data["delegate"])
                return redirect("approvals:delegations")
    page, query = paginate(request, selectors.my_delegations(request.user), PAGE_SIZE)
    return render_page(request, "approvals/delegations.html", {
        "form": form, "page": page, "query": query, "today": timezone.localdate(),
        "max_days": settings.QIAO_DELEGATION_MAX_DAYS,
        **_tabs(request.user)}, status=status)


@require_POST
@login_required
def delegation_end(request, pk):
    services.delegation_end(actor=request.user, delegation=selectors.delegation_get(request.user, pk))
    messages.success(request, _("Delegation ended."))
    return redirect("approvals:delegations")
