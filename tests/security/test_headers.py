"""C26 (headers): nosniff, frame denial, referrer policy and a CSP without inline scripts, on
the login page and on a page behind login; and no inline script in the templates."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

TEMPLATE_ROOT = Path(settings.SRC_DIR)


def policy(response):
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


@pytest.mark.parametrize("who", [None, "am01"])
def test_security_headers_on_every_page(personas, who):
    client = personas.client(who) if who else Client()
    response = client.get("/customers/" if who else "/login/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    # Inline style attributes only (Bootstrap, htmx's indicator style): cannot run code.
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]


def test_htmx_fragments_carry_the_headers_too(personas):
    response = personas.client("am01").get("/customers/", HTTP_HX_REQUEST="true")
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
# Inline handlers the CSP blocks today, in templates owned elsewhere: their onsubmit
# confirm() no longer runs (the form is sent without asking). To be replaced by a data-confirm
# attribute and a listener in a static script; remove them from here when that is done.


def test_no_inline_scripts_or_event_handlers_in_templates():
    offenders = set()
    for path in TEMPLATE_ROOT.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or HANDLER.search(text):
            offenders.add(str(path.relative_to(TEMPLATE_ROOT)))
    assert offenders == set(), sorted(offenders)
