"""Middleware of every response Qiao itself makes."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with `private`, `no-cache`, `max-age=0`) on every response
    that Django makes: customer pages, revealed values, exports, files, API answers, and the
    redirects and error pages around them. No browser, proxy or shared PC keeps a copy to show
    the next person.

    Static files are untouched: WhiteNoise, above this middleware, answers them before it is
    reached, and they hold no one's data. All responses rather than only authenticated ones:
    an API call is authenticated by its token inside the view, after middleware ran, and a
    page that is public today must not become cacheable by mistake when it starts showing
    data tomorrow.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
