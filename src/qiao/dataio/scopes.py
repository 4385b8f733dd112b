"""Who reads import runs (core.registry.scopes, registered in apps.ready): the person who
uploaded the file, nobody else (the file may hold customers they alone see)."""

from qiao.core.registry import Scope, ScopeMode

from .models import ImportRun


def own_runs(runs, user):
    return runs.filter(owner=user)


SCOPES = (Scope(ImportRun, ScopeMode.CUSTOM, custom=own_runs),)
