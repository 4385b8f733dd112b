"""Middleware of every request and response Qiao itself makes."""

from contextlib import suppress
from functools import cached_property
from ipaddress import ip_address, ip_network

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from .exceptions import REFUSALS, http_status, user_message


class TrustedProxyMiddleware:
    """The client's address behind the reverse proxies of QIAO_TRUSTED_PROXIES (nginx in front
    of Qiao): REMOTE_ADDR becomes the nearest address in X-Forwarded-For that is not one of
    them, so the operation log and the login limit per address (org/lockout.py) see people,
    not the proxy. The header is read only when the connection comes from a trusted proxy: a
    browser can write it, so from anyone else it is ignored, and so is what lies beyond an
    untrusted hop.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def proxies(self):
        return [ip_network(entry, strict=False) for entry in settings.QIAO_TRUSTED_PROXIES]

    def trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address.strip())
        except ValueError:
            return False
        return any(parsed in network for network in self.proxies)

    def __call__(self, request):
        meta = request.META
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and self.proxies and self.trusted(meta.get("REMOTE_ADDR", "")):
            for hop in reversed(forwarded.split(",")):
                if not self.trusted(hop):
                    with suppress(ValueError):  # not an address: the proxy's own stays
                        meta["REMOTE_ADDR"] = str(ip_address(hop.strip()))
                    break
        return self.get_response(request)


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


class RefusalMiddleware:
    """A service's refusal that no page caught, answered by the one table of
    `core.exceptions.http_status`: out of scope or not allowed as "not found" (never 403, which
    would confirm the record exists), a conflict, a rate or bad input as a page saying what was
    refused, with its status. Pages with a form catch refusals themselves (`core.views.attempt`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, REFUSALS):
            return None
        status = http_status(exception)
        if status == 404:
            return response_for_exception(request, Http404())
        return render(request, "refused.html", {"message": user_message(exception)},
                      status=status)
