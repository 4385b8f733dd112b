"""Views that belong to no business domain (the health check), and the one way a page runs a
service on a record and answers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect

from .exceptions import ConflictError, user_message


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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
