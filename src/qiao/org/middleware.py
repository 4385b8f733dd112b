"""Activate the user's chosen language before LocaleMiddleware falls back to the browser's;
log out sessions that have been idle or alive too long; send a user whose password someone else
chose to the page where they choose their own; ask for the second factor on privileged routes."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from . import second_factor


class UserLanguageMiddleware:
    """Puts the user's saved language into the language cookie's place for this request.

    Runs before authentication, so it reads the language the session stored at login or
    when the user switched (see org.views.set_language); the browser's Accept-Language is
    used when neither exists.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = request.session.get("qiao_language") if hasattr(request, "session") else None
        if lang:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = lang
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Logs a user out after QIAO_SESSION_IDLE_MINUTES without a request, or
    QIAO_SESSION_ABSOLUTE_HOURS after login, whichever comes first (C25).

    The session keeps the login time and the last activity as Unix seconds (time.time()). A
    session without them (one that predates this middleware, or force_login in tests) starts
    counting at its first request. The last activity is written at most once a minute, so that
    not every request saves the session. An expired user is logged out (the session is flushed,
    its cookie is worth nothing afterwards) and sent to the login page with ?next= for GET
    requests; htmx requests get an HX-Redirect so the whole page goes there.
    """

    LOGIN_AT = "qiao_login_at"
    SEEN_AT = "qiao_seen_at"
    WRITE_EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request)
            if expired:
                return expired
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        login_at = session.get(self.LOGIN_AT)
        seen_at = session.get(self.SEEN_AT)
        if login_at is None or seen_at is None:
            session[self.LOGIN_AT] = login_at or now
            session[self.SEEN_AT] = now
            return None
        idle = settings.QIAO_SESSION_IDLE_MINUTES * 60
        absolute = settings.QIAO_SESSION_ABSOLUTE_HOURS * 3600
        if now - seen_at > idle or now - login_at > absolute:
            return self._expire(request)
        if now - seen_at >= self.WRITE_EVERY:
            session[self.SEEN_AT] = now
        return None

    def _expire(self, request):
        logout(request)
        messages.info(request, _("Your session has expired. Please log in again."))
        url = resolve_url(settings.LOGIN_URL)
        if request.method == "GET" and request.path != url:
            url = redirect_to_login(request.get_full_path(), url)["Location"]
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class PasswordChangeRequiredMiddleware:
    """With QIAO_FORCE_PASSWORD_CHANGE on, a user whose password someone else chose (an
    administrator, the demo: `User.must_change_password`) gets only the password page until
    they have chosen their own: every other page answers with a redirect there (htmx: an
    HX-Redirect), coming back afterwards to the page they asked for. Logging out and switching
    the language stay open. API calls with a personal token are not affected: making a token
    needs a session, so a token's owner has already been through this page.
    """

    OPEN = ("logout", "set_language", "org:password_change")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (settings.QIAO_FORCE_PASSWORD_CHANGE and user is not None and user.is_authenticated
                and user.must_change_password
                and request.path not in {reverse(name) for name in self.OPEN}):
            return self._to_password_page(request)
        return self.get_response(request)

    def _to_password_page(self, request):
        url = reverse("org:password_change")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        if request.method == "GET":  # back to this page afterwards (?next=)
            url = redirect_to_login(request.get_full_path(), url)["Location"]
        return HttpResponseRedirect(url)


class SecondFactorMiddleware:
    """The privileged routes (C24) — the admin's pages and views marked
    `second_factor.mark_required` — answer a session that has not verified its second factor
    with a redirect to the verification page (the set-up page for someone without an
    authenticator; htmx: an HX-Redirect), coming back afterwards to a GET's page. The admin's
    logout stays open. Below django-otp's OTPMiddleware, which tells whether it has verified."""

    OPEN_ADMIN_VIEWS = ("logout",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or second_factor.satisfied(user):
            return None
        match = request.resolver_match
        privileged = getattr(view_func, "second_factor_required", False) or (
            match is not None and match.namespace == "admin"
            and match.url_name not in self.OPEN_ADMIN_VIEWS)
        if not privileged:
            return None
        # A POST cannot be replayed: back to the page it was sent from.
        back = (request.get_full_path() if request.method == "GET"
                else request.headers.get("Referer") or reverse("home"))
        url = second_factor.page_for(user, back)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
