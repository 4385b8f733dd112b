"""Reads of import runs and export requests, always through visible_to (one's own only); the
backups (files, not records: to those holding data.backup)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from qiao.core import exports
from qiao.org.permissions import can

from . import backup
from .actions import DATA_BACKUP
from .models import ExportRequest, ImportRun

RECENT = 50


def run_list(user):
    return runs(user)[:RECENT]


def run_get(user, pk) -> ImportRun:
    """The user's own run, or 404 (another person's run is as missing as one that never was)."""
    return get_object_or_404(ImportRun.objects.visible_to(user), pk=pk)


def backups(user) -> dict:
    """The archives in QIAO_BACKUP_DIR, newest first, and the last failed backup if none
    succeeded since; for those holding data.backup alone."""
    if not can(user, DATA_BACKUP):
        raise PermissionDenied
    return {"archives": backup.archives(), "failure": backup.last_failure(),
            "directory": backup.backup_dir(), "keep_days": backup.keep_days()}
def export_list(user):
    """The user's own export requests, newest first (one query)."""
    return ExportRequest.objects.visible_to(user)[:RECENT]


def export_get(user, pk) -> ExportRequest:
    """The user's own export request, or 404 (anyone else's, the approver's too, is missing)."""
    return get_object_or_404(ExportRequest.objects.visible_to(user), pk=pk)


def runs(user):
    """All the user's own runs, newest first, without what a list does not show (the rows'
    results and errors, the columns)."""
    return (ImportRun.objects.visible_to(user)
            .defer("results", "errors", "headers", "mapping", "sheets"))


def run_errors_file(user, pk) -> exports.File:
    """The error report of the user's own run (404 for anyone else's): the bad rows of its last
    dry run or run, with row, column, header and reason; the page's download and the API's."""
    run = run_get(user, pk)
    title = _("Import errors %s") % run.original_name.rsplit(".", 1)[0]

    def build(book, formats):
        sheet = exports.Sheet(book, formats, _("Errors"))
        sheet.widths([8, 8, 20, 80])
        sheet.heading(title, [run.original_name, exports.notes_for(user, [])[0]], 4)
        sheet.header([_("row"), _("column"), _("header"), _("reason")])
        for error in run.errors:
            sheet.values([error["row"], error["column"], error["header"], error["reason"]])

    return exports.workbook(title, build)
