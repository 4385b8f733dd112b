"""The operation log page (操作日志). Thin: parse → selector → render."""


from qiao.core.htmx import render_page
from qiao.core.pagination import paginate
from qiao.org.decorators import requires

from . import selectors
from .actions import AUDIT_VIEW
from .forms import LogFilterForm

PAGE_SIZE = 50


@requires(AUDIT_VIEW)
def operation_log(request):
    form = LogFilterForm(request.GET or None)
    rows = selectors.operation_list(request.user, form.filters())
    page, query = paginate(request, rows, PAGE_SIZE)
    return render_page(request, "audit/log.html", {
        "form": form, "page": page, "query": query,
        "alerts": selectors.recent_alerts(request.user),
    })
