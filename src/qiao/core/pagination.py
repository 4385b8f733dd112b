"""Paged lists: the requested page, and the query string its page links keep."""

from django.core.paginator import Paginator


def query_without(request, *keys) -> str:
    """The request's query string without `keys` (the filters a page link must keep)."""
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def paginate(request, rows, per_page):
    """(page, query): `?page=` of `rows` (bad numbers give the nearest page, never an error),
    and the filters for `_pagination.html` to append to its links."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return page, query_without(request, "page")
