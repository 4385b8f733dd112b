"""Work order pages: thin — parse, fetch through the access function, one service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.core.exceptions import ConflictError, http_status, user_message
from qiao.core.forms import add_errors
from qiao.core.htmx import render_page
from qiao.core.pagination import paginate
from qiao.core.views import attempt, perform
from qiao.org.decorators import requires

from . import selectors, services
from .forms import FilterForm, StageForm, WorkOrderForm
from .models import STAGE_HINTS, Stage

PAGE_SIZE = 25


@require_GET
@requires(APPROVAL_REQUEST)
def work_order_list(request):
    filters = FilterForm(request.GET or None)
    rows = selectors.work_order_list(request.user, **filters.values())
    page, query = paginate(request, rows, PAGE_SIZE)
    return render_page(request, "workorders/list.html",
                       {"page": page, "query": query, "filters": filters})


@requires(APPROVAL_REQUEST)
def work_order_new(request):
    form = WorkOrderForm(request.POST or None, user=request.user,
                         initial={"customer": request.GET.get("customer")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            work_order, status = attempt(form, lambda: services.work_order_create(
                actor=request.user, data=data))
            if status is None:
                messages.success(request, _("Work order saved as a draft."))
                return redirect("workorders:detail", pk=work_order.pk)
    return render_page(request, "workorders/form.html", {"form": form}, status=status)


@requires(APPROVAL_REQUEST)
def work_order_edit(request, pk):
    work_order = selectors.work_order_get(request.user, pk)
    if work_order.author_id != request.user.pk:
        raise Http404  # the author's own action: hidden from everyone else
    if not services.open_for_changes(work_order):
        messages.error(request, _("The work order is %s; only a draft or one returned for "
                                  "changes can be changed.") % work_order.get_stage_display())
        return redirect("workorders:detail", pk=pk)
    form = WorkOrderForm(request.POST or None, instance=work_order, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        work_order = selectors.work_order_get(request.user, pk)  # the form wrote onto its copy
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            _saved, status = attempt(form, lambda: services.work_order_update(
                actor=request.user, work_order=work_order, data=data,
                expected_version=form.cleaned_data["version"] or work_order.version))
            if status is None:
                messages.success(request, _("Changes saved."))
                return redirect("workorders:detail", pk=pk)
    return render_page(request, "workorders/form.html",
                       {"form": form, "work_order": work_order}, status=status)


def _detail(request, work_order, *, status=200, stage_form=None):
    user = request.user
    may_record = work_order.next_stage is not None and services.may_record(user, work_order)
    if may_record and stage_form is None:
        stage_form = StageForm(initial={"stage": work_order.stage, "version": work_order.version,
                                        "date": timezone.localdate()})
    approval = selectors.work_order_approval(work_order)
    return render_page(request, "workorders/detail.html", {
        "work_order": work_order,
        "approval": approval,
        "steps": selectors.work_order_steps(work_order),
        "stage_form": stage_form if may_record else None,
        "current_hint": STAGE_HINTS.get(work_order.stage),
        "may_change": work_order.author_id == user.pk
        and services.open_for_changes(work_order, approval),
    }, status=status)


@require_GET
@requires(APPROVAL_REQUEST)
def work_order_detail(request, pk):
    return _detail(request, selectors.work_order_get(request.user, pk))


@require_POST
@requires(APPROVAL_REQUEST)
def work_order_submit(request, pk):
    work_order = selectors.work_order_get(request.user, pk)
    return perform(
        request, lambda: services.work_order_submit(actor=request.user, work_order=work_order),
        done=_("Work order submitted for approval."), then=reverse("workorders:detail", args=[pk]),
        refused=lambda status: _detail(request, selectors.work_order_get(request.user, pk),
                                       status=status))


@require_POST
@requires(APPROVAL_REQUEST)
def stage_record(request, pk):
    work_order = selectors.work_order_get(request.user, pk)
    form = StageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The stage was not recorded; see the messages below."))
        return _detail(request, work_order, status=400, stage_form=form)
    data = form.cleaned_data
    try:
        services.stage_record(actor=request.user, work_order=work_order, stage=data["stage"],
                              date=data["date"], people=data["people"], note=data["note"],
                              files=data["files"], expected_version=data["version"])
    except ValidationError as exc:
        messages.error(request, user_message(exc))
        if not hasattr(exc, "error_dict"):  # the wrong stage or archived: a fresh form
            return _detail(request, selectors.work_order_get(request.user, pk), status=400)
        add_errors(form, exc, rename={"file": "files"})
        return _detail(request, selectors.work_order_get(request.user, pk), status=400,
                       stage_form=form)
    except ConflictError as exc:
        messages.error(request, user_message(exc))
        return _detail(request, selectors.work_order_get(request.user, pk),
                       status=http_status(exc))
    messages.success(request, _("Stage “%s” recorded.") % Stage(data["stage"]).label)
    return redirect("workorders:detail", pk=pk)
