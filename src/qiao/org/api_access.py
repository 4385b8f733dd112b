"""What every app's REST API router shares about its caller: who they are (a personal API token
or the login session), whether their role allows an action, and sensitive values masked on the
way out. The rest of what routers share (errors, input, pages) is `core.api`.

Authentication. A personal API token (org.ApiToken) in `Authorization: Bearer <token>`; or,
for the browser (the docs page's "Try it out"), the login session — with Django's CSRF check
on unsafe methods, as for the pages. A request that sends an Authorization header is judged by
its token alone. A token that is unknown, expired, revoked, or whose user is disabled or has no
`api.use` permission (any more) gets 401 with one fixed body, so nothing tells those apart.
"""

from django.http import Http404
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from qiao.core.masking import masked

from .actions import API_USE
from .permissions import can
from .services import api_token_authenticate

# --- authentication --------------------------------------------------------------------------

def _api_user(user):
    return user if user is not None and can(user, API_USE) else None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal API token>`."""

    def authenticate(self, request, token):
        user = _api_user(api_token_authenticate(token))
        if user is not None:
            request.user = user  # the operation log and history read request.user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's login session; CSRF-checked for unsafe methods (ninja's APIKeyCookie)."""

    def __call__(self, request):
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None  # a token was sent (it alone counts), or there is no session
        return super().__call__(request)

    def authenticate(self, request, key):
        return _api_user(request.user)


# --- actions ----------------------------------------------------------------------------------

def check(request, action: str) -> None:
    """The page's rule (org.permissions.can); a refused action answers 404 like a record
    outside the user's scope."""
    if not can(request.auth, action):
        raise Http404


def masked_field(field: str):
    """A ninja resolver giving `field` as core.masking.masked shows it: sensitive values leave
    the API masked, always; the clear value only through a reveal."""
    return staticmethod(lambda obj: masked(obj, field))
