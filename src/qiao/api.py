"""The REST API (SPEC DAT-3), assembled from each app's router as urls.py assembles the pages.
Mounted at /api/v1/; OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs.

The docs page is ninja's Swagger UI from its own static files (ninja is in INSTALLED_APPS, so
no CDN), which runs under the site's CSP: its scripts are files, its settings a JSON data block.
The online spec validator badge is switched off (it would call out to swagger.io)."""

from ninja import NinjaAPI, Swagger

from qiao.appraisal.api import router as appraisal_router
from qiao.approvals.api import router as approvals_router
from qiao.core.api import install_error_handlers
from qiao.customers.api import router as customers_router
from qiao.dataio.api import router as dataio_router
from qiao.org.api import router as org_router
from qiao.org.api_access import SessionAuth, TokenAuth
from qiao.sales.api import router as sales_router
from qiao.tickets.api import router as tickets_router
from qiao.visits.api import router as visits_router
from qiao.workorders.api import router as workorders_router


class QiaoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """`qiao_<app>_api_<function>`, wherever in the app's `api` package the function is
        written: moving code between modules must not rename operations for the clients
        generated from the schema."""
        app, _sep, _inner = operation.view_func.__module__.partition(".api")
        return f"{app}.api_{operation.view_func.__name__}".replace(".", "_")


api = QiaoAPI(
    title="Qiao API",
    version="1",
    description=(
        "Customers, contacts, the organisation, approvals (waiting for me, my requests, "
        "approve / reject / return / withdraw / resubmit), work orders (list, create, edit, "
        "submit, record stages) and customer visits (list, record with an idempotency key, "
        "detail; commitments) and imports of Excel and CSV files (upload, map the columns, dry "
        "run, run, progress, the error report), with the same permissions, data "
        "scope and masking as the pages. Authenticate with a personal API token (made on the page "
        "/account/tokens/) in `Authorization: Bearer <token>`. Errors are `{\"detail\", \"errors\": {field: "
        "[messages]}}`: 400 bad input, 401 no valid token, 404 not found / not in your scope / "
        "not allowed, 409 conflict (stale version, duplicate), 413 body over 1 MB (an import's "
        "upload: the file size the page takes), 429 too "
        "many reveals."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)
api.add_router("", org_router)
api.add_router("", customers_router)
api.add_router("", approvals_router)
api.add_router("", workorders_router)
api.add_router("", tickets_router)
api.add_router("", sales_router)
api.add_router("", appraisal_router)
api.add_router("", visits_router)
api.add_router("", dataio_router)
