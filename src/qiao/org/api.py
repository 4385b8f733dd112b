"""REST API of the organisation: who am I, the units, the staff in my scope."""

from ninja import Query, Router, Schema

from qiao.core.api import PageQuery, error_responses, page_of, paged

from . import selectors
from .permissions import DataScope
from .scope import visible_users

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    unit_id: int | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    unit: UnitOut | None
    role: str | None
    role_name: str | None
    data_scope: str
    clearance: int
    actions: list[str]


@router.get("/me", response={200: MeOut, **error_responses()})
def me(request):
    """The user the request is authenticated as: role, data scope, clearance and actions."""
    user = request.auth
    role = user.role
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name,
        "unit": user.unit, "role": role.code if role else None,
        "role_name": role.name if role else None,
        "data_scope": role.data_scope if role else DataScope.NONE,
        "clearance": user.clearance, "actions": sorted(user.action_set()),
    }


@router.get("/org/units", response={200: paged(UnitOut), **error_responses()})
def unit_list(request, page: Query[PageQuery]):
    """The organisation units in tree order."""
    return page_of(selectors.org_units(), page)


@router.get("/org/users", response={200: paged(UserOut), **error_responses()})
def user_list(request, page: Query[PageQuery]):
    """The account managers the user may choose as a customer's owner: active staff within the
    user's scope whose role may own customers (the owner choices of the pages)."""
    return page_of(visible_users(request.auth).order_by("username", "pk"), page)
