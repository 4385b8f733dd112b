"""Views that belong to no business domain (the health check, the download of a stored file),
and the one way a page runs a service on a record and answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from .exceptions import ConflictError, user_message
from .files import stored_file_response


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@login_required
def stored_file_download(request, pk, *, get):
    """The one download of a stored file (core.models.StoredFile), for every domain: a domain's
    URL names its selector `get(user, pk)` — which reads through `visible_to(user)`, so a record
    outside the user's scope or above their clearance answers 404 — and the actions that open
    it, through `org.decorators.stored_file_view(...)`. The file is served by
    `core.files.stored_file_response`: an attachment of the type detected when it was stored."""
    return stored_file_response(get(request.user, pk))


def perform(request, call, *, done, then, refused):
    """Run `call()` (one service call) for a page's POST. Done: the message `done` and a
    redirect to `then`. Refused: its message on the page again, `refused(status)` with 400
    (bad input) or 409 (a conflict). PermissionDenied answers 404, as a record out of reach."""
    try:
        call()
    except PermissionDenied:
        raise Http404 from None
    except (ConflictError, ValidationError) as exc:
        messages.error(request, user_message(exc))
        return refused(409 if isinstance(exc, ConflictError) else 400)
    messages.success(request, done)
    return redirect(then)
