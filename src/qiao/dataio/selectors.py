"""Reads of import runs, always through visible_to (one's own runs only)."""

from django.shortcuts import get_object_or_404

from .models import ImportRun

RECENT = 50


def run_list(user):
    return (ImportRun.objects.visible_to(user)
            .defer("results", "errors", "headers", "mapping", "sheets")[:RECENT])


def run_get(user, pk) -> ImportRun:
    """The user's own run, or 404 (another person's run is as missing as one that never was)."""
    return get_object_or_404(ImportRun.objects.visible_to(user), pk=pk)
