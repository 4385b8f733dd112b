"""Production: everything secret comes from the environment; HTTPS assumed at the proxy.

QIAO_SECRET_KEY has no default here: without it the settings do not load and nothing starts.
`manage.py check --deploy --fail-level WARNING` passes with these settings (C26).
"""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env.str("QIAO_SECRET_KEY")  # noqa: F405 — required, no default
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("QIAO_SSL_REDIRECT", default=True)  # noqa: F405
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers often probe over plain http
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
