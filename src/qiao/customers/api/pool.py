"""REST API of the public pool (公海, CUS-11)."""

from ninja import Field, Query

from qiao.core.api import (
    PageQuery,
    error_responses,
    page_of,
    paged,
    record_id,
)
from qiao.org.api_access import check

from .. import selectors, services
from ..actions import POOL_CLAIM
from .archive import CustomerListItem, CustomerOut, router

# --- the public pool (公海, CUS-11) ------------------------------------------------------------

class PoolQuery(PageQuery):
    q: str = Field("", max_length=1000, description="As in the customer list.")


@router.get("/pool", response={200: paged(CustomerListItem), **error_responses()})
def pool_list(request, query: Query[PoolQuery]):
    """The public pool of the regions the user works in, newest change first; masked (a pool
    customer's numbers stay hidden until claimed)."""
    check(request, POOL_CLAIM)
    q = query.q.strip()[:100]
    return page_of(selectors.pool_customers(request.auth, q), query, searched=bool(q))


@router.post("/pool/{customer_id}/claim", response={200: CustomerOut, **error_responses(409)})
def pool_claim(request, customer_id: int = record_id()):
    """Take a customer from the pool: 409 when the daily claim limit or the most customers a
    manager may own is reached, or someone else claimed it first."""
    check(request, POOL_CLAIM)
    customer = selectors.pool_claim_get(request.auth, customer_id)
    services.pool_claim(actor=request.auth, customer=customer)
    return selectors.customer_get(request.auth, customer_id)
