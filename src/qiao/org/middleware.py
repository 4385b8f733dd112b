"""Activate the user's chosen language before LocaleMiddleware falls back to the browser's."""

from django.conf import settings


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
