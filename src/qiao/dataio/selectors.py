"""Reads of import runs and export requests, always through visible_to (one's own only)."""

from django.shortcuts import get_object_or_404

from .models import ExportRequest, ImportRun

RECENT = 50


def run_list(user):
    return (ImportRun.objects.visible_to(user)
            .defer("results", "errors", "headers", "mapping", "sheets")[:RECENT])


def run_get(user, pk) -> ImportRun:
    """The user's own run, or 404 (another person's run is as missing as one that never was)."""
    return get_object_or_404(ImportRun.objects.visible_to(user), pk=pk)


def export_list(user):
    """The user's own export requests, newest first (one query)."""
    return ExportRequest.objects.visible_to(user)[:RECENT]


def export_get(user, pk) -> ExportRequest:
    """The user's own export request, or 404 (anyone else's, the approver's too, is missing)."""
    return get_object_or_404(ExportRequest.objects.visible_to(user), pk=pk)
