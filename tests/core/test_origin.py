"""Services take where an action came from as a plain value (core.origin.Origin), never the
HTTP request: the view makes it once."""

from django.test import RequestFactory

from qiao.core.origin import USER_AGENT_MAX, Origin


def test_the_origin_of_a_request_is_its_address_and_browser():
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Mozilla/5.0",
                                   HTTP_X_FORWARDED_FOR="6.6.6.6")
    # The forwarded header a browser can write is no evidence (TrustedProxyMiddleware decides).
    assert Origin.of(request) == Origin(ip_address="10.1.2.3", user_agent="Mozilla/5.0")


def test_a_long_browser_name_is_cut_and_no_request_is_no_origin():
    request = RequestFactory().get("/", HTTP_USER_AGENT="x" * 1000)
    assert len(Origin.of(request).user_agent) == USER_AGENT_MAX
    assert Origin.of(None) is None
