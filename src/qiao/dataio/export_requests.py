"""Exports above the approval threshold (DAT-2, CHECKS C07) as approval requests.

`core.exports.send` sends no file of more than QIAO_EXPORT_APPROVAL_ROWS rows without a
superior's approval: it hands the export to `ask` (registered in core.registry.export_approvals
by DataioConfig.ready), which writes an `ExportRequest` — the export's URL name, path and query
string (its filters), title, filters as people read them, format and row count — and raises an
approval request of type `data_export` for it; its chain is the requester's supervisor
(`ensure_chain`). Approved, the requester downloads the file from 我的导出 for
QIAO_EXPORT_DOWNLOAD_DAYS days (views.export_download): it is made then, by the same page, as
the requester sees the rows now, under a `core.exports.Grant` of the approved row count.
Rejected, returned or withdrawn: nothing to download."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.exports import approval_rows
from qiao.core.forms import BootstrapFormMixin
from qiao.core.text import clean_text

from .models import ExportRequest

EXPORT_TYPE = "data_export"
EXPORT_LABEL = gettext_lazy("Data export")
NOT_FILTERS = ("page", "print")  # as core.lists: query-string keys that are no filter


def download_days() -> int:
    return getattr(settings, "QIAO_EXPORT_DOWNLOAD_DAYS", 7)


def ensure_chain():
    """The chain of export requests: the requester's supervisor."""
    from qiao.approvals import services as approval_services

    return approval_services.supervisor_chain_ensure(EXPORT_TYPE, "数据导出审批", "上级审批")


def request_create(*, actor, list_name, path, query, title, filters, fmt, rows) -> ExportRequest:
    """Write the export request and send it to the requester's superior, all or nothing;
    refused (ValidationError) when the chain finds nobody to approve it."""
    from qiao.approvals import services as approval_services

    with transaction.atomic():
        export = ExportRequest(
            requester=actor, list_name=list_name[:100], path=path, query=query, fmt=fmt,
            title=str(title)[:200], rows=rows,
            filters=[[str(label), str(value)] for label, value in dict(filters).items()])
        export.full_clean()
        export.save()
        ensure_chain()
        approval_services.request_submit(actor=actor, type_code=EXPORT_TYPE, subject=export)
    return export


def _back(request) -> str:
    """Where a refused request goes back to: the page the export was asked from, if ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()},
                                                   request.is_secure()):
        return referer
    return "/"


def ask(request, *, what, rows, filters, fmt):
    """core.exports.ExportApproval's hook: the export becomes a request, no file is sent."""
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    try:
        match = request.resolver_match
        request_create(actor=request.user, list_name=match.view_name if match else "",
                       path=request.path_info, query=query.urlencode(), title=what,
                       filters=filters, fmt=fmt, rows=rows)
    except PermissionDenied:
        messages.error(request, _(
            "This export holds %(rows)s rows; more than %(limit)s need a superior's approval, "
            "which you may not ask for. Narrow the filters.") % {
                "rows": f"{rows:,}", "limit": f"{approval_rows():,}"})
        return redirect(_back(request))
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(_back(request))
    messages.success(request, _("Export request submitted, waiting for your superior's "
                                "approval."))
    return redirect("dataio:exports")


def downloadable_check(export: ExportRequest) -> None:
    """Refuse (ValidationError) the download of a request not approved or no longer open."""
    if export.state != ExportRequest.State.APPROVED:
        raise ValidationError(_("This export is %(state)s; only an approved export can be "
                                "downloaded.") % {"state": export.get_state_display()})
    if not export.downloadable(timezone.now()):
        raise ValidationError(_("This export could be downloaded until %(until)s; ask for it "
                                "again.") % {
            "until": timezone.localtime(export.expires_at).strftime("%Y-%m-%d %H:%M")})


def downloaded(export: ExportRequest, sha256: str) -> None:
    """Count a download (inside the export log's transaction)."""
    ExportRequest.objects.filter(pk=export.pk).update(
        downloads=F("downloads") + 1, last_downloaded_at=timezone.now(), last_sha256=sha256)


def decided(request, actor):
    """The engine's outcome, mirrored on the export request: approved → downloadable for
    QIAO_EXPORT_DOWNLOAD_DAYS days."""
    export = ExportRequest.objects.select_for_update().get(pk=request.object_id)
    State = request.State
    now = timezone.now()
    outcome = {State.APPROVED: ExportRequest.State.APPROVED,
               State.REJECTED: ExportRequest.State.REJECTED,
               State.RETURNED: ExportRequest.State.RETURNED,
               State.WITHDRAWN: ExportRequest.State.WITHDRAWN}.get(request.state,
                                                                  ExportRequest.State.WAITING)
    export.state = outcome
    export.decided_at = None if outcome == ExportRequest.State.WAITING else now
    export.expires_at = (now + datetime.timedelta(days=download_days())
                         if outcome == ExportRequest.State.APPROVED else None)
    export.updated_at = now
    export.save(update_fields=["state", "decided_at", "expires_at", "updated_at"])


def title(params) -> str:
    return _("%(type)s: %(what)s, %(rows)s rows") % {"type": EXPORT_LABEL, **params}


def title_params(export) -> dict:
    return {"what": export.title, "rows": f"{export.rows:,}"}


class EditForm(BootstrapFormMixin, forms.ModelForm):
    """What the requester adds before asking again: what the file is for (an approver returns
    a request to ask). The list and its filters stay: other rows are another export."""

    class Meta:
        model = ExportRequest
        fields = ["purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, data=None, *, subject, user, **kwargs):
        super().__init__(data, instance=subject, **kwargs)
        self.fields["purpose"].required = True


def edit(export, data, actor):
    purpose = clean_text(data.get("purpose") or "", multiline=True)
    if not purpose:
        raise ValidationError({"purpose": _("Say what the file is for.")})
    export.purpose = purpose[:500]
    export.save(update_fields=["purpose", "updated_at"])


def register():
    from qiao.approvals import registry

    registry.register(EXPORT_TYPE, ExportRequest, EXPORT_LABEL,
                      detail_template="dataio/_subject_export.html",
                      on_decided=decided, title=title, title_params=title_params,
                      edit_form=EditForm, on_edit=edit, second_factor=True)
