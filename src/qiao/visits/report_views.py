"""The visits' report-centre pages (visits.reports): thin — parse the filters, read through
visits.coverage (always from `visible_to(user)`), render the page, its print layout (?print=1,
logged) or its Excel file (core.exports.send, logged)."""

from datetime import timedelta

from django.utils import timezone
from django.views.decorators.http import require_GET

from qiao.audit import services as audit_services
from qiao.core.exports import send
from qiao.core.htmx import render_page
from qiao.core.lists import list_export, list_page
from qiao.core.origin import Origin
from qiao.org.decorators import requires

from . import coverage
from .actions import VISIT_EXPORT, VISIT_RECORD
from .reports import (
    CONTACT_TABLE,
    COVERAGE,
    FIGURES,
    HOSPITALITY_TABLE,
    VISIT_TABLE,
    CoverageFile,
    CoverageFilter,
    cells,
    chart,
    first_heading,
    period_text,
)

PRINT_LIMIT = 1000  # rows of a seed table on paper; the Excel file has them all
DRILL_LIMIT = 200  # overdue customers and missed visits listed on a manager's drill-down


def _query(request) -> str:
    query = request.GET.copy()
    for name in ("print", "format"):
        query.pop(name, None)
    return query.urlencode()


@require_GET
@requires(VISIT_RECORD)
def coverage_table(request):
    """拜访覆盖率: the table of the period by manager, team, region or grade, its chart, its
    print layout and its Excel file."""
    form = CoverageFilter(request.GET or None, user=request.user)
    chosen = form.values()
    manager = chosen["manager"]
    table = coverage.coverage(request.user, chosen["start"], chosen["end"], by=chosen["by"],
                              manager=manager.pk if manager else None)
    described = dict(form.description())
    export = CoverageFile(table)
    if request.GET.get("format") == "xlsx":
        return send(request, export.file(request.user, COVERAGE, form.description()),
                    rows=export.rows, filters=described)
    printing = request.GET.get("print") == "1"
    if printing:
        audit_services.print_record(actor=request.user, origin=Origin.of(request),
                                    what=str(COVERAGE.label), rows=export.rows,
                                    filters=described)
    for row in table["rows"]:
        row.cells = cells(row)
    table["total"].cells = cells(table["total"])
    return render_page(request, "visits/coverage.html", {
        "report": COVERAGE, "form": form, "table": table, "figures": FIGURES,
        "first": first_heading(table["by"]), "period": period_text(table),
        "chart": chart(table), "printing": printing, "query": _query(request),
        "filters_text": form.description(), "today": timezone.localdate(),
        "drill": table["by"] == coverage.MANAGER, "chosen": chosen})


@require_GET
@requires(VISIT_RECORD)
def coverage_drill(request, pk):
    """One manager's overdue customers at the period's end and the scheduled visits missed in
    the period: only a manager the user may see (themselves or within their scope), else 404."""
    manager = coverage.coverage_manager(request.user, pk)
    form = CoverageFilter(request.GET or None, user=request.user)
    chosen = form.values()
    start, end = chosen["start"], chosen["end"]
    today = timezone.localdate()
    overdue = coverage.overdue_of(request.user, manager, end, limit=DRILL_LIMIT)
    for customer in overdue:
        customer.days_late = (end - customer.cutoff).days
    # Missed: planned for a day already past (up to yesterday) and not visited by then.
    until = min(end, today - timedelta(days=1))
    missed = coverage.missed_visits(request.user, manager, start, until, limit=DRILL_LIMIT)
    return render_page(request, "visits/coverage_drill.html", {
        "report": COVERAGE, "manager": manager, "overdue": overdue, "missed": missed,
        "start": start, "end": end, "query": _query(request), "limit": DRILL_LIMIT})


# --- the three seed tables (CUS-10) -----------------------------------------------------------

@require_GET
@requires(VISIT_RECORD)
def contacts_table(request):
    return list_page(request, CONTACT_TABLE, print_limit=PRINT_LIMIT)


@require_GET
@requires(VISIT_RECORD)
@requires(VISIT_EXPORT)
def contacts_table_export(request):
    return list_export(request, CONTACT_TABLE)


@require_GET
@requires(VISIT_RECORD)
def visits_table(request):
    return list_page(request, VISIT_TABLE, print_limit=PRINT_LIMIT)


@require_GET
@requires(VISIT_RECORD)
@requires(VISIT_EXPORT)
def visits_table_export(request):
    return list_export(request, VISIT_TABLE)


@require_GET
@requires(VISIT_RECORD)
def hospitality_table(request):
    return list_page(request, HOSPITALITY_TABLE, print_limit=PRINT_LIMIT)


@require_GET
@requires(VISIT_RECORD)
@requires(VISIT_EXPORT)
def hospitality_table_export(request):
    return list_export(request, HOSPITALITY_TABLE)
