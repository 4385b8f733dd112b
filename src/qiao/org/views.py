"""Login, logout, language choice and the landing page."""

import time

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
