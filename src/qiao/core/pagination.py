"""Paged lists: the requested page, and the query string its page links keep."""

import math
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models.lookups import Exact
from django.utils.functional import cached_property
from django.utils.translation import gettext

# An exact COUNT(*) of a million customers takes PostgreSQL 0.15–0.3 s on two cores (an
# index-only scan of every row: `make bench` at scale L, docs/benchmarks.md), more than the
# list's whole budget. A list with no condition but "not deleted" — the customer list of a
# user who sees everything, before any filter — shows an estimate ("约 1,000,000") once the
# table's statistics put it above this many rows; fewer are counted exactly (≤ 40 ms), and so
# is every list with a filter, a data scope or a secret level, on any table size.
ESTIMATE_ABOVE = 200_000

# A search counts its matches only this far (or to the page after the one asked for, when that
# is further): a one-letter word matches most customers, and counting them all would cost more
# than the page. The list then shows "1,000+".
COUNT_AT_MOST = 1000

# One query whatever the size, so that a page runs as many queries at 10k rows as at 1M: the
# table's row estimate (pg_class.reltuples, kept by ANALYZE and autovacuum) times the share of
# rows not deleted (the column's most-common-values statistics; 1 when there are none yet),
# returned negated when above the threshold, else the exact count.
_COUNT_OR_ESTIMATE = """
SELECT CASE WHEN e.live > %s THEN -ROUND(e.live)::bigint ELSE ({count}) END
FROM (
    SELECT c.reltuples * COALESCE((
        SELECT SUM(CASE WHEN NOT f.val THEN f.freq ELSE 0 END)
        FROM pg_stats s,
             unnest(s.most_common_vals::text::boolean[], s.most_common_freqs) AS f(val, freq)
        WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'is_deleted'
    ), 1) AS live
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = to_regclass(%s)
) e
"""


class ApproximateCount(int):
    """A row count known to the statistics' precision (about 1 % after an ANALYZE): used as
    a number (pages), printed as "约 1,000,000"."""

    estimated = True

    def __str__(self):
        return gettext("about %(count)s") % {"count": f"{int(self):,}"}


def approximate(rows: float) -> ApproximateCount:
    """`rows` rounded to three significant digits: 1,234,567 → 1,230,000."""
    digits = max(0, int(math.log10(max(rows, 1))) - 2)
    return ApproximateCount(round(int(rows), -digits))


def _only_alive(rows) -> bool:
    """Is `rows` a plain queryset of its table whose only condition is `is_deleted = false`
    (no data scope, no secret level, no filter, no join in the condition)?"""
    query = getattr(rows, "query", None)
    if query is None or query.is_sliced or query.distinct or query.combinator:
        return False
    where, table = query.where, query.get_initial_alias()
    if where.negated or where.connector != "AND" or len(where.children) != 1:
        return False
    condition = where.children[0]
    return (isinstance(condition, Exact) and condition.rhs is False
            and getattr(condition.lhs, "alias", None) == table
            and getattr(getattr(condition.lhs, "target", None), "name", None) == "is_deleted")


def count_or_estimate(rows) -> int | None:
    """The count of an unconditional list on PostgreSQL in one query: an ApproximateCount
    above ESTIMATE_ABOVE, else exact. None for any other list (the paginator counts)."""
    if not _only_alive(rows):
        return None
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return None
    # Django's own compiled query of the list, its values as parameters.
    count_sql, params = rows.order_by().values("pk").query.sql_with_params()
    sql = _COUNT_OR_ESTIMATE.format(
        count=f"SELECT COUNT(*) FROM ({count_sql}) AS page_rows")  # noqa: S608
    table = connection.ops.quote_name(rows.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ESTIMATE_ABOVE, *params, table])
        row = cursor.fetchone()
    if row is None:  # no such table in the search path: let the paginator count
        return None
    return approximate(-row[0]) if row[0] < 0 else row[0]


class CappedCount(int):
    """At least this many rows: the count stopped there. Printed as "1,000+"."""

    def __str__(self):
        return f"{int(self):,}+"


def count_at_most(rows: Any, limit: int) -> int:
    """The rows of a queryset counted up to `limit` in one query (COUNT(*) of the first limit + 1): the exact
    count, or CappedCount(limit) when there are more."""
    counted = rows.order_by()[:limit + 1].count()
    return CappedCount(limit) if counted > limit else counted


def search_count_limit(page: int, per_page: int) -> int:
    """How far a search counts when page `page` is asked for: COUNT_AT_MOST, or to the end of
    the next page."""
    return max(COUNT_AT_MOST, (page + 1) * per_page)


class EstimatingPaginator(Paginator):
    """Django's paginator; a huge unconditional list is counted by estimate
    (`count_estimated`). With `capped`, the count stops at COUNT_AT_MOST rows, or at the end of
    the page after the one asked for (`count_capped`): the pages up to there and a link to the
    next always work."""

    def __init__(self, object_list, per_page, *, capped=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.capped, self._asked = capped, 1

    def get_page(self, number):
        try:
            self._asked = max(1, int(number))
        except (TypeError, ValueError):
            self._asked = 1
        return super().get_page(number)

    @cached_property
    def count(self):
        if self.capped:
            return count_at_most(self.object_list, search_count_limit(self._asked, self.per_page))
        counted = count_or_estimate(self.object_list)
        return super().count if counted is None else counted

    @property
    def count_estimated(self) -> bool:
        return isinstance(self.count, ApproximateCount)

    @property
    def count_capped(self) -> bool:
        return isinstance(self.count, CappedCount)


def query_without(request, *keys) -> str:
    """The request's query string without `keys` (the filters a page link must keep)."""
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def paginate(request, rows, per_page):
    """(page, query): `?page=` of `rows` (bad numbers give the nearest page, never an error),
    and the filters for `_pagination.html` to append to its links."""
    page = EstimatingPaginator(rows, per_page).get_page(request.GET.get("page"))
    return page, query_without(request, "page")
