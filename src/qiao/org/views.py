"""Login, logout, language choice, the landing page, the user's password, second factor and API
tokens."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qiao.core.htmx import render_page
from qiao.core.origin import Origin
from qiao.core.views import attempt
from qiao.org.decorators import requires

from . import second_factor, selectors, services
from .actions import API_USE
from .forms import ApiTokenForm, PasswordChangeForm, PasswordResetForm, SecondFactorCodeForm
from .lockout import ADDRESS_LOCKED
from .middleware import SessionTimeoutMiddleware
from .permissions import VIEWS_CUSTOMERS, can


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
    both), so it tells nobody which accounts exist. A lock of the address (qiao.org.lockout)
    says so, since trying another username will not help."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if getattr(request, ADDRESS_LOCKED, False):
        message = _("Too many failed login attempts from this network address. Login from "
                    "here is blocked for up to %(minutes)d minutes; please try again later or "
                    "ask your administrator.") % {"minutes": minutes}
    else:
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
    """The start page (工作台): the desk widgets the user's role sees (org.selectors.desk). An
    administrator whose role works with no customers lands in the admin, their working page."""
    if request.user.is_staff and not can(request.user, VIEWS_CUSTOMERS):
        return redirect("admin:index")
    return render(request, "org/home.html", {"blocks": selectors.desk(request.user)})


def _safe_next(request, default):
    next_url = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                                    require_https=request.is_secure()):
        return next_url
    return default


@never_cache
@login_required
def password_change(request):
    """The user's own password: the current one, the new one twice (the policy checked), then
    back where they were. Also the page a user whose password someone else chose is sent to
    (org.middleware.PasswordChangeRequiredMiddleware); their other sessions end."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_password_change(user=request.user,
                                      password=form.cleaned_data["new_password1"],
                                      origin=Origin.of(request))
        update_session_auth_hash(request, request.user)  # this session stays logged in
        messages.success(request, _("Your password has been changed."))
        return redirect(_safe_next(request, "home"))
    return render(request, "org/password_change.html", {
        "form": form, "next": _safe_next(request, ""),
        "required": request.user.must_change_password,
    }, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetConfirmView):
    """A one-time link an administrator issued (org.services.user_password_reset_link): Django
    checks the token (and moves it out of the address into the session, so that it leaks in no
    Referer); the new password is stored through org.services, then the user logs in."""

    template_name = "org/password_reset.html"
    form_class = PasswordResetForm

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None  # a leaver's link is void

    def form_valid(self, form):
        services.user_password_reset(user=form.user, password=form.cleaned_data["new_password1"],
                                     origin=Origin.of(self.request))
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your new password is set. Log in with it."))
        return redirect("login")


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
@requires(API_USE)
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
    status = 400
    if form.is_valid():
        created, status = attempt(form, lambda: services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"],
            origin=Origin.of(request)))
        if status is None:
            token, secret = created
            request.session[NEW_TOKEN_SESSION_KEY] = {"name": token.name, "secret": secret}
            return redirect("org:api_tokens")
    return _api_tokens_page(request, form, status=status)


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
    services.api_token_revoke(actor=request.user, token=token, origin=Origin.of(request))
    messages.success(request, _("Token “%s” revoked: it no longer opens the API.") % token.name)
    return redirect("org:api_tokens")


# --- the second factor (org.second_factor) --------------------------------------------------------

@require_GET
@never_cache
@login_required
def second_factor_page(request):
    """The user's second factor: whether it is set up, how many recovery codes are left; set it
    up (again), new recovery codes."""
    return render(request, "org/second_factor.html", {
        "enrolled": second_factor.enrolled(request.user),
        "verified": second_factor.verified(request.user),
        "codes_left": second_factor.recovery_codes_left(request.user),
        "required": second_factor.required(),
    })


@never_cache
@login_required
def second_factor_setup(request):
    """The QR code of a new secret (and the secret as text), then the first code from the app;
    the recovery codes shown once. Replacing an authenticator asks for the current one first,
    so that a stolen password alone cannot move the second factor to another phone."""
    if second_factor.enrolled(request.user) and not second_factor.verified(request.user):
        return redirect(second_factor.page_for(request.user, request.get_full_path()))
    device = second_factor.pending_device(request.user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        codes = second_factor.enrolment_confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(request, "org/second_factor_codes.html",
                          {"codes": codes, "next": _safe_next(request, reverse("home"))})
        form.add_error("code", _("The code is wrong or has expired. Enter the code the app "
                                 "shows now."))
    if device is None or request.method == "GET":
        device = second_factor.enrolment_start(request.user)
    return render(request, "org/second_factor_setup.html", {
        "form": form, "next": _safe_next(request, ""),
        "qr_code": second_factor.qr_code_svg(device), "secret": second_factor.secret_text(device),
    }, status=400 if form.errors else 200)


@never_cache
@login_required
def second_factor_verify(request):
    """A code from the authenticator app or a recovery code, then back where the user was."""
    if not second_factor.enrolled(request.user):
        return redirect(second_factor.page_for(request.user, _safe_next(request, reverse("home"))))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_safe_next(request, "home"))
        form.add_error("code", _("The code is wrong or has expired (or too many wrong codes: "
                                 "wait a little and enter the code the app shows now)."))
    return render(request, "org/second_factor_verify.html",
                  {"form": form, "next": _safe_next(request, "")},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def second_factor_recovery_codes(request):
    """New recovery codes (the old ones stop working), for a session that has verified."""
    if not second_factor.verified(request.user):
        return redirect(second_factor.page_for(request.user, reverse("org:second_factor")))
    return render(request, "org/second_factor_codes.html", {
        "codes": second_factor.recovery_codes_renew(request),
        "next": reverse("org:second_factor")})
