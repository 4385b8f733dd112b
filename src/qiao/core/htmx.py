"""The one helper that picks the full page or its htmx fragment (NetBox's utilities/htmx)."""

from django.shortcuts import render


def render_page(request, template: str, context: dict, *, fragment: str | None = None,
                status: int = 200):
    """Render `fragment` for an htmx request that targets it, else the whole `template`."""
    if fragment and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, fragment, context, status=status)
    return render(request, template, context, status=status)
