"""Action checks for views: the rule book (org.permissions.can) decides, 404 hides."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from qiao.core.views import stored_file_download

from .permissions import can


def requires(*actions: str):
    """Login, then the action permission (any one of `actions`). A refused action answers 404,
    like a record outside the user's scope, so the response says nothing about what exists."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(can(request.user, action) for action in actions):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def stored_file_view(*actions: str):
    """The one download of a stored file (core.views.stored_file_download) for a domain's URL,
    opened by any one of `actions`: a method other than GET is 405 for everyone, before the
    action is asked; then login, then the action (404), then the domain's selector."""
    return require_GET(requires(*actions)(stored_file_download))
