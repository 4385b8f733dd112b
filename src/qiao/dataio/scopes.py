"""Who reads import runs and export requests (core.registry.scopes, registered in apps.ready):
the person who uploaded the file or asked for the export, nobody else (the file may hold
customers they alone see). An export request's approver reads it on the approval's page."""

from qiao.core.registry import Scope, ScopeMode

from .models import ExportRequest, ImportRun


def own_runs(runs, user):
    return runs.filter(owner=user)


def own_requests(requests, user):
    return requests.filter(requester=user)


SCOPES = (Scope(ImportRun, ScopeMode.CUSTOM, custom=own_runs),
          Scope(ExportRequest, ScopeMode.CUSTOM, custom=own_requests))
