"""List pages (SPEC DAT-2, RPT-2): the one way a page lists records, filters them, pages through
them, prints them and exports them.

A list is declared once as a `ListSpec`: its filter form, the selector that gives the user's
rows for that form (always from `visible_to(user)`), its columns, its page size and templates.
Two helpers do the rest, the same way for every list:

- `list_page`: the page, or the fragment an htmx request refreshes (core.htmx.render_page),
  paginated with the estimated count at scale (core.pagination), optionally as a print layout
  (`?print=1`, capped and logged like a file).
- `list_export`: the rows as an Excel or CSV file through core.exports (constant memory,
  formula-safe cells, capped at QIAO_EXPORT_MAX_ROWS), sent by `exports.send`: approved first
  above QIAO_EXPORT_APPROVAL_ROWS, watermarked, logged with its row count, filters, format and
  SHA-256.

Columns (`Column`) are mask-aware: a column declared by a field path ("phone", "grade.name")
shows a sensitive field masked as the `{% sensitive %}` tag does (core.masking), and a choice
field by its label; the same column is the screen's cell, the paper's and the file's.
Sorts (`Sorts`) pair each order's code, as the query string and the API carry it, with its label
and its ORDER BY, which always ends with a unique key so that pages never repeat or skip a row.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from qiao.core import exports, registry
from qiao.core.htmx import render_page
from qiao.core.origin import Origin
from qiao.core.pagination import EstimatingPaginator, query_without

PAGE_SIZE = 25
# Query-string keys that are no filter: a page link, an export link or a refused export's way
# back keeps everything else.
NOT_FILTERS = ("page", "print")


# --- sorts --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sort:
    code: str
    label: Any  # a lazy translation
    order: tuple  # order_by() arguments, ending with a unique key


class Sorts:
    """The orders a list offers, the first one its default. Iterating gives the codes."""

    def __init__(self, *sorts: Sort):
        self._sorts = {sort.code: sort for sort in sorts}
        self.default = sorts[0]

    def __iter__(self):
        return iter(self._sorts)

    def choices(self) -> list[tuple[str, Any]]:
        """(code, label) pairs for a filter form's <select>."""
        return [(sort.code, sort.label) for sort in self._sorts.values()]

    def order(self, code: str) -> tuple:
        """The order_by() arguments of `code`; the default's for an unknown code."""
        return self._sorts.get(code, self.default).order


# --- columns ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column(exports.Column):
    """An export column (header, value or field path, width in Excel, kind) with how it shows
    in a table drawn from `lines`."""

    css: str = ""  # Bootstrap classes of the cell on screen
    wrap: bool = False  # long text that may wrap; other columns keep to one line on paper
    link: Callable[[Any], str] | None = None  # the cell links to this URL of its row
    badge: Callable[[Any], str] | None = None  # the cell is a badge of this CSS class


@dataclass(frozen=True)
class Cell:
    text: str
    column: Column
    raw: Any
    url: str = ""
    badge: str = ""


@dataclass(frozen=True)
class Line:
    number: int
    cells: list
    group: str  # the line's group on paper (its grade, region, classification…)


def display(value) -> str:
    """A value as a table cell shows it: dates in ISO form, nothing for no value."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def lines(columns, rows, *, start=1, group_by=None) -> list[Line]:
    """The rows of a list as numbered lines of cells, ready for a template."""
    result = []
    for number, row in enumerate(rows, start=start):
        cells = []
        for column in columns:
            raw = column.value(row)
            cells.append(Cell(display(raw), column, raw,
                              column.link(row) if column.link else "",
                              column.badge(row) if column.badge else ""))
        result.append(Line(number, cells, display(group_by.value(row)) if group_by else ""))
    return result


# --- the declaration ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ListSpec:
    """One list: its page, its print layout and its file.

    `form(request)` is the filter form bound to the query string (invalid values ignored, never
    an error page); its `description()` — the filters in force as people read them — goes in
    the log, the file and the printout. `rows(user, form)` is the selector: the user's rows for
    those filters, ordered, with the related names the columns read joined (no query per row).
    """

    url_name: str  # the page: where a refused export goes back to
    template: str
    form: Callable[[Any], Any]
    rows: Callable[[Any, Any], Any]
    title: Any = ""  # the file's title, and what the log says was exported or printed
    columns: Sequence[exports.Column] = ()  # the file's columns (and the table's, with `cells`)
    fragment: str | None = None  # the part of the page an htmx request refreshes
    page_size: int = PAGE_SIZE
    cells: bool = False  # the template draws `columns` itself, from `lines`
    group_by: Column | None = None  # lines carry this column's value as their group
    context: Callable[[Any, Any], dict] | None = None  # (request, form) → what else the page shows
    # Count tables shown above the list: (user, form) → tables, and how they are written on the
    # file's first sheet, (book, formats, tables, title, notes); the list is then the second
    # sheet, `sheet`.
    summary: Callable[[Any, Any], list] | None = None
    summary_sheet: Callable[..., None] | None = None
    sheet: Any = None  # the name of the list's sheet (the title's by default)
    no_filters: Any = None  # the file's note when no filter is set ("Filters: none")
    # form → is a search typed? Its matches are counted only up to a point ("1,000+",
    # core.pagination.COUNT_AT_MOST): a one-letter word can match most rows.
    searched: Callable[[Any], bool] | None = None


def list_page(request, spec: ListSpec, *, print_limit: int | None = None, **context):
    """The list page: a page of rows (with the estimated count at scale), or the fragment an
    htmx request targets. With `print_limit` and `?print=1`, the print layout instead: the
    first `print_limit` rows, logged as a print with their number and the filters."""
    form = spec.form(request)
    rows = spec.rows(request.user, form)
    tables = spec.summary(request.user, form) if spec.summary else None
    printing = print_limit is not None and request.GET.get("print") == "1"
    if printing:
        page, count, start = None, rows.count(), 1
        shown = rows[:print_limit]
    else:
        capped = bool(spec.searched and spec.searched(form))
        page = EstimatingPaginator(rows, spec.page_size, capped=capped).get_page(
            request.GET.get("page"))
        count, shown, start = page.paginator.count, page.object_list, page.start_index()
    drawn = lines(spec.columns, shown, start=start, group_by=spec.group_by) if spec.cells else None
    if printing:
        registry.emit(exports.PRINTED, actor=request.user, origin=Origin.of(request), what=str(spec.title),
                      rows=min(count, print_limit) if drawn is None else len(drawn),
                      filters=dict(form.description()))
    return render_page(request, spec.template, {
        "form": form, "page": page, "count": count, "query": query_without(request, *NOT_FILTERS),
        "columns": spec.columns, "lines": drawn, "tables": tables,
        "printing": printing, "print_limit": print_limit,
        **(spec.context(request, form) if spec.context else {}), **context,
    }, fragment=None if printing else spec.fragment)


def list_export(request, spec: ListSpec, fmt: str = "xlsx"):
    """The list as the user sees it (scope, secret level, filters, order, masking) in an Excel
    or CSV file, sent through `exports.send`: above QIAO_EXPORT_APPROVAL_ROWS rows it needs a
    superior's approval first; every file watermarked and logged with its rows, filters, format
    and SHA-256. More rows than QIAO_EXPORT_MAX_ROWS: back to the list with a message, no file."""
    form = spec.form(request)
    rows = spec.rows(request.user, form)
    tables = spec.summary(request.user, form) if spec.summary else None
    count = rows.count()
    try:
        exports.check_size(count)
    except exports.TooManyRows as refusal:
        messages.error(request, str(refusal))
        query = query_without(request, *NOT_FILTERS)
        return redirect(reverse(spec.url_name) + (f"?{query}" if query else ""))
    filters = form.description()
    title = str(spec.title)
    notes = exports.notes_for(request.user, filters, no_filters=spec.no_filters)
    before = (partial(spec.summary_sheet, tables=tables, title=title, notes=notes)
              if spec.summary_sheet else None)
    file = exports.list_file(fmt, title=title, columns=spec.columns, rows=rows, notes=notes,
                             sheet=spec.sheet and str(spec.sheet), before=before)
    return exports.send(request, file, rows=count, filters=filters)
