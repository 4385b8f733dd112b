"""Login, logout, language choice, the landing page and the user's API tokens."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qiao.core.decorators import requires
from qiao.core.htmx import render_page

from . import selectors, services
from .forms import ApiTokenForm
from .middleware import SessionTimeoutMiddleware
from .permissions import Action, can


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        now = time.time()  # the session's clocks start now (SessionTimeoutMiddleware)
        self.request.session[SessionTimeoutMiddleware.LOGIN_AT] = now
        self.request.session[SessionTimeoutMiddleware.SEEN_AT] = now
        if form.get_user().language:
            self.request.session["qiao_language"] = form.get_user().language
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.get_user().language,
                                samesite="Lax")
        return response


def lockout(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page again, with a message saying when to
    try again, and status 429. The same for unknown usernames as for real ones (axes counts
    both), so it tells nobody which accounts exist."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed login attempts. Login for this username is blocked for "
                "%(minutes)d minutes; please try again later.") % {"minutes": minutes}
    next_url = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    form = AuthenticationForm(request, initial={"username": username})
    return render(request, "org/login.html",
                  {"form": form, "next": next_url, "lockout_message": message}, status=429)


@login_required
def home(request):
    """The start page: the customer archive for those who work with customers, the admin for
    administrators, else a page saying which pages the user's role opens."""
    if can(request.user, Action.CUSTOMER_VIEW):
        return redirect("customers:list")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "org/home.html")


@require_POST
def set_language(request):
    """Switch the interface language; a logged-in user keeps the choice on their profile."""
    lang = request.POST.get("language", "")
    if lang not in dict(settings.LANGUAGES):
        lang = settings.LANGUAGE_CODE
    if request.user.is_authenticated and request.user.language != lang:
        request.user.language = lang
        request.user.save(update_fields=["language"])
    request.session["qiao_language"] = lang
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax")
    return response


# The secret of a token just made, carried from the POST to the page that shows it (and there
# forgotten): post/redirect/get, so that a refresh neither makes a second token nor shows it again.
NEW_TOKEN_SESSION_KEY = "qiao_new_api_token"  # noqa: S105 -- the name of a session entry


@never_cache  # the page that shows a new token's secret must not be kept by any cache
@requires(Action.API_USE)
def api_tokens(request):
    """The user's personal API tokens: the list, a new one (its secret shown on the next page
    only, never again), and revoking one (POST revoke=<id>, asked to confirm)."""
    if request.method == "POST" and "revoke" in request.POST:
        return _api_token_revoke(request)
    if request.method == "POST":
        return _api_token_create(request)
    return _api_tokens_page(request, ApiTokenForm(), new=request.session.pop(NEW_TOKEN_SESSION_KEY, None))


def _api_token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            created, secret = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"],
                days=form.cleaned_data["days"], request=request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = {"name": created.name, "secret": secret}
            return redirect("org:api_tokens")
    return _api_tokens_page(request, form, status=400)


def _api_tokens_page(request, form, *, new=None, status=200):
    return render_page(request, "org/api_tokens.html", {
        "form": form, "tokens": selectors.api_tokens_of(request.user), "now": timezone.now(),
        "new_name": new and new["name"], "secret": new and new["secret"],
    }, status=status)


def _api_token_revoke(request):
    pk = request.POST.get("revoke", "")
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        raise Http404
    token = selectors.api_token_get(request.user, int(pk))
    services.api_token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, _("Token “%s” revoked: it no longer opens the API.") % token.name)
    return redirect("org:api_tokens")
