"""The operation log page (操作日志). Thin: parse → selector → render."""

from django.core.paginator import Paginator

from qiao.core.decorators import requires
from qiao.core.htmx import render_page
from qiao.org.permissions import Action

from . import selectors
from .forms import LogFilterForm

PAGE_SIZE = 50


@requires(Action.AUDIT_VIEW)
def operation_log(request):
    form = LogFilterForm(request.GET or None)
    rows = selectors.operation_list(request.user, form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(request, "audit/log.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "alerts": selectors.recent_alerts(request.user),
    })
