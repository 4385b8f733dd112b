"""Import pages and my exports: thin — parse, one service, render."""

import copy
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.core import exports
from qiao.core.exceptions import ANSWERED_ON_PAGE, http_status, user_message
from qiao.core.htmx import render_page
from qiao.core.origin import Origin
from qiao.core.registry import importers
from qiao.core.views import attempt, perform
from qiao.org.decorators import requires

from . import export_requests, selectors, services
from .actions import DATA_BACKUP, DATA_IMPORT
from .forms import SettingsForm, UploadForm
from .models import ImportRun
from .reading import max_rows

ERRORS_SHOWN = 200


@requires(DATA_IMPORT)
def index(request):
    user = request.user
    usable = services.usable_importers(user)
    form = UploadForm(request.POST or None, request.FILES or None, importers=usable)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            run, status = attempt(form, lambda: services.import_upload(
                actor=user, importer=form.cleaned_data["importer"],
                upload=form.cleaned_data["file"]))
            if status is None:
                return redirect("dataio:detail", pk=run.pk)
    return render_page(request, "dataio/index.html", {
        "form": form, "runs": selectors.run_list(user), "importers": usable,
        "max_rows": max_rows()}, status=status)


@requires(DATA_IMPORT)
def detail(request, pk):
    user = request.user
    run = selectors.run_get(user, pk)
    importer = importers.get(run.importer)
    form = SettingsForm(request.POST or None, run=run, importer=importer)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("run", "cancel"):
            try:
                if action == "run":
                    run = services.import_start(actor=user, run=run, dry_run=False)
                else:
                    services.import_cancel(actor=user, run=run)
            except ANSWERED_ON_PAGE as exc:
                messages.error(request, user_message(exc))
                status = http_status(exc)
            else:
                _announce(request, run)
                return redirect("dataio:detail", pk=run.pk)
        elif form.is_valid():
            previous_sheet = run.sheet

            def configure():
                saved = services.import_configure(
                    actor=user, run=run, sheet=form.cleaned_data["sheet"],
                    mapping=form.mapping(), duplicates=form.cleaned_data["duplicates"],
                    all_or_none=form.cleaned_data["all_or_none"])
                if action == "check" and saved.sheet == previous_sheet:
                    saved = services.import_start(actor=user, run=saved, dry_run=True)
                return saved

            saved, status = attempt(form, configure)
            if status is None:
                if saved.status == ImportRun.Status.CHECKED:
                    messages.info(request, _("Dry run done: nothing has been saved yet."))
                elif saved.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
                    _announce(request, saved)
                return redirect("dataio:detail", pk=run.pk)
        else:
            status = 400
    done = services.progress(run)
    return render_page(request, "dataio/detail.html", {
        "run": run, "busy": run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING),
        "done": done, "percent": done * 100 // run.total_rows if run.total_rows else 0,
        "importer": importer, "form": form, "shown_errors": run.errors[:ERRORS_SHOWN]},
        status=status)


def _announce(request, run):
    if run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
        messages.info(request, _("The import is running in the background; this page shows "
                                 "how far it has got."))
    elif run.status == ImportRun.Status.CANCELLED:
        messages.info(request, _("Cancelled."))
    elif run.status == ImportRun.Status.DONE:
        messages.success(request, _("Imported: %(created)s created, %(updated)s updated, "
                                    "%(skipped)s skipped, %(failed)s bad rows.") % {
            "created": run.created, "updated": run.updated, "skipped": run.skipped,
            "failed": run.failed})
    else:
        messages.error(request, _("Nothing was imported: %d rows are bad. Correct them in the "
                                  "file and upload it again.") % run.failed)


@require_GET
@requires(DATA_IMPORT)
def errors_xlsx(request, pk):
    """The bad rows of the run's last dry run or run: row, column, header, reason."""
    report = selectors.run_errors_file(request.user, pk)
    return exports.file_response(report, report.write(None))


@requires(DATA_BACKUP)
def backups(request):
    """The backups (DAT-4): the archives, and "back up now" queued in the task worker. No
    archive is downloaded from here: each holds every record and file."""
    if request.method == "POST":
        if request.POST.get("action") != "backup":
            messages.error(request, _("Nothing was asked."))
            return render_page(request, "dataio/backups.html",
                               selectors.backups(request.user), status=400)
        origin = Origin.of(request)
        return perform(request, lambda: services.backup_queue(actor=request.user, origin=origin),
                       done=_("The backup has been queued; it appears here when the task "
                              "worker has made it."),
                       then="dataio:backups",
                       refused=lambda status: render_page(
                           request, "dataio/backups.html", selectors.backups(request.user),
                           status=status))
    return render_page(request, "dataio/backups.html", selectors.backups(request.user))
# --- my exports (我的导出): export requests and their approved downloads ---------------------------

@require_GET
@requires(APPROVAL_REQUEST)
def exports_mine(request):
    """The user's export requests with their state; an approved one's download button."""
    return render_page(request, "dataio/exports.html", {
        "requests": selectors.export_list(request.user), "now": timezone.now(),
        "days": export_requests.download_days(), "limit": exports.approval_rows()})


@require_GET
@requires(APPROVAL_REQUEST)
def export_download(request, pk):
    """An approved export, made now by the page it was asked from, as its requester sees the
    rows (scope, masking) with the approved filters, no more rows than approved (core.exports.
    send under a Grant). Anyone else's request is missing (404), the approver's too."""
    export = selectors.export_get(request.user, pk)
    back = reverse("dataio:exports")
    try:
        export_requests.downloadable_check(export)
        match = resolve(export.path)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(back)
    except Resolver404:
        messages.error(request, _("This export no longer exists; ask for it again."))
        return redirect(back)
    again = copy.copy(request)
    again.GET = QueryDict(export.query)
    again.META = {**request.META, "QUERY_STRING": export.query}
    again.path_info = export.path
    again.path = f"{request.META.get('SCRIPT_NAME', '')}{export.path}"
    again.resolver_match = match
    again.export_grant = exports.Grant(
        rows=export.rows, back=back, sent=partial(export_requests.downloaded, export))
    return match.func(again, *match.args, **match.kwargs)
