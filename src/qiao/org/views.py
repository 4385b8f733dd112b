"""Login, logout, language choice and the landing page."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .permissions import Action, can


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.get_user().language:
            self.request.session["qiao_language"] = form.get_user().language
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.get_user().language,
                                samesite="Lax")
        return response


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
