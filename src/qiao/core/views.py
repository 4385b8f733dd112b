"""Views that belong to no business domain (the health check, the download of a stored file),
and the one way a page runs a service on a record and answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from .exceptions import ANSWERED_ON_PAGE, http_status, user_message
from .files import stored_file_response
from .forms import add_errors


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


def attempt(form, call, *, let_through=()):
    """Run `call()` (one service call) for a page's valid form: (its result, None), or — the
    service refused — (None, the status to answer) with the refusal on the form. Out of scope
    (404) and the kinds in `let_through` (a question the page asks, not an error) go on up."""
    try:
        return call(), None
    except let_through:
        raise
    except ANSWERED_ON_PAGE as exc:
        add_errors(form, exc)
        return None, http_status(exc)


def perform(request, call, *, done, then, refused):
    """Run `call()` (one service call) for a page's POST. Done: the message `done` and a
    redirect to `then`. Refused: its message on the page again, `refused(status)` with the
    refusal's status (400 bad input, 409 a conflict, 429 too many); out of scope is 404."""
    try:
        call()
    except ANSWERED_ON_PAGE as exc:
        messages.error(request, user_message(exc))
        return refused(http_status(exc))
    messages.success(request, done)
    return redirect(then)
