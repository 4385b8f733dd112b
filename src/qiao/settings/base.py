"""Settings shared by every deployment; everything that differs comes from the environment.

Variables: QIAO_SECRET_KEY, QIAO_DEBUG, QIAO_DATABASE_URL (default: SQLite file under var/),
QIAO_ALLOWED_HOSTS, QIAO_MEDIA_ROOT, QIAO_REDIS_URL, QIAO_SESSION_IDLE_MINUTES,
QIAO_SESSION_ABSOLUTE_HOURS, QIAO_MAX_AMOUNT.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF

SRC_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(environ.Env().str("QIAO_VAR_DIR", default=str(PROJECT_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("QIAO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("QIAO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("QIAO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Addresses (or networks) of the reverse proxies in front of Qiao, whose X-Forwarded-For names
# the client (core.middleware.TrustedProxyMiddleware); none by default.
QIAO_TRUSTED_PROXIES = env.list("QIAO_TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "qiao.core.thirdparty.AxesConfig",  # django-axes with a translated name
    # The second factor on privileged routes (org.second_factor): authenticator codes, recovery codes.
    "django_otp",
    "qiao.core.thirdparty.TotpConfig",
    "qiao.core.thirdparty.StaticConfig",
    "csp",
    "huey.contrib.djhuey",  # background and periodic tasks: HUEY below, `manage.py run_huey`
    # django-ninja's own Swagger UI files (static/ninja/), served from here instead of a CDN.
    "ninja",
    "qiao.core",
    "qiao.org",
    "qiao.customers",
    "qiao.visits",
    "qiao.reports",
    "qiao.audit",
    "qiao.approvals",
    "qiao.workorders",
    "qiao.notify",
    "qiao.promotions",
    "qiao.dataio",
    "qiao.tickets",
    "qiao.sales",
    "qiao.appraisal",
    "qiao.demo",
]

MIDDLEWARE = [
    # First: everything below (the operation log, the login limits) sees the client's address.
    "qiao.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their caching), above everything that answers.
    "qiao.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qiao.org.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qiao.org.middleware.SessionTimeoutMiddleware",
    "qiao.org.middleware.PasswordChangeRequiredMiddleware",
    "qiao.org.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A refusal no page caught: 404, 409, 429 or 400 by core.exceptions.http_status.
    "qiao.core.middleware.RefusalMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a lockout flagged during authentication into the login page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qiao.urls"
WSGI_APPLICATION = "qiao.wsgi.application"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out users before any check
    "qiao.org.backends.QiaoBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qiao.org.context_processors.navigation",
                "qiao.notify.inbox.context_processors.inbox",
            ],
        },
    },
]
# Django's, with <select> written in Python (same HTML): core.forms.FormRenderer.
FORM_RENDERER = "qiao.core.forms.FormRenderer"


# SQLite is a real default: WAL (readers never block the writer), IMMEDIATE transactions (a
# transaction takes the write lock when it begins, so two writers queue instead of one of them
# failing on a lock upgrade) and a busy timeout, so several people writing at once wait their
# turn instead of seeing "database is locked". These options are for SQLite only.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
    ),
}


def database_from_env(var="QIAO_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'qiao.sqlite3'}"):
    """DATABASES["default"] from a URL in the environment variable `var` (settings.test uses
    it with QIAO_TEST_DATABASE_URL, so tests run with the same options as production)."""
    db = env.db_url(var, default=default)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {**SQLITE_OPTIONS, **db.get("OPTIONS", {})}
    else:
        db.setdefault("CONN_MAX_AGE", 60)
        db["CONN_HEALTH_CHECKS"] = True
    db["ATOMIC_REQUESTS"] = False
    return db


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords: at least 10 characters, not like the user's name, not a common password, not only
# digits. A password someone else chose (an administrator, the demo) must be replaced by the
# user's own at their next login while QIAO_FORCE_PASSWORD_CHANGE is on (default). An
# administrator's reset link is valid for QIAO_PASSWORD_RESET_HOURS (24) and only once.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "display_name", "first_name", "last_name",
                                     "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
QIAO_FORCE_PASSWORD_CHANGE = env.bool("QIAO_FORCE_PASSWORD_CHANGE", default=True)
# The second factor (C24, org.second_factor): the admin, the routes marked privileged and reveals
# beyond QIAO_REVEALS_PER_HOUR ask once per session for a code from an authenticator app (TOTP,
# any app that reads the QR code: 腾讯身份验证器, Microsoft or Google Authenticator, FreeOTP).
QIAO_SECOND_FACTOR = env.bool("QIAO_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = "Qiao"
PASSWORD_RESET_TIMEOUT = env.int("QIAO_PASSWORD_RESET_HOURS", default=24) * 3600

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = env.str("QIAO_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [SRC_DIR / "static"]  # vendored front-end assets and Qiao's own CSS
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env.str("QIAO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security (C23, C25, C26). production.py adds HTTPS-only cookies, HSTS and the SSL redirect.

# Login throttling (django-axes, C23): 5 failures lock the *username* for 15 minutes, counted
# from the 5th failure. Unknown usernames are counted and locked exactly like real ones, so the
# lockout reveals nothing about which accounts exist. Besides, 30 failures within those 15
# minutes from one *address*, whatever usernames they tried, lock that address
# (qiao.org.lockout): password spraying across accounts is stopped, while a call centre floor
# behind one NAT address is not shut out by one person's typos (docs/decisions.md). Attempts
# made while locked do not restart the 15 minutes, so the user knows when to try again.
AXES_HANDLER = "qiao.org.lockout.UsernameAndAddressHandler"
AXES_FAILURE_LIMIT = env.int("QIAO_LOGIN_FAILURE_LIMIT", default=5)
QIAO_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("QIAO_LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("QIAO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 wants ip_address among axes' own parameters, against lockouts keyed on rotatable
# values (user agent, cookie). The username cannot be rotated to reach the same account, and
# the address has its own, higher limit in qiao.org.lockout (axes applies one limit to all).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "qiao.org.views.lockout"  # the login page with a message, not a 403

# Sessions (C25): a new key at login (django.contrib.auth.login), logged out after 30 idle
# minutes or 12 hours after login (qiao.org.middleware.SessionTimeoutMiddleware).
QIAO_SESSION_IDLE_MINUTES = env.int("QIAO_SESSION_IDLE_MINUTES", default=30)
QIAO_SESSION_ABSOLUTE_HOURS = env.int("QIAO_SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = QIAO_SESSION_ABSOLUTE_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead

# Headers (C26): SecurityMiddleware, XFrameOptionsMiddleware and django-csp.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from our own static files (htmx and Bootstrap are vendored): no inline <script>,
# no on*="..." handlers, no eval. Styles allow 'unsafe-inline' because Bootstrap components and
# htmx (its indicator <style>) set inline styles; inline style cannot run code. Bootstrap's
# icons in CSS are data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Operation log and field protection (AUD-2, ORG-4): a supervisor is alerted when someone
# opens more customers than this in an hour; reveals of masked values beyond this many in an
# hour are refused (429); so are questions to the duplicate check beyond this many (it tells
# whether a name, credit code or phone exists anywhere; a customer form asks up to three
# questions, so 60 covers twenty new customers an hour).
QIAO_AUDIT_VIEW_ALERT_PER_HOUR = env.int("QIAO_AUDIT_VIEW_ALERT_PER_HOUR", default=100)
QIAO_REVEALS_PER_HOUR = env.int("QIAO_REVEALS_PER_HOUR", default=50)
# Beyond that, a session that has verified its second factor may reveal up to this many an hour.
QIAO_REVEALS_PER_HOUR_VERIFIED = env.int("QIAO_REVEALS_PER_HOUR_VERIFIED", default=200)
QIAO_DUPLICATE_CHECKS_PER_HOUR = env.int("QIAO_DUPLICATE_CHECKS_PER_HOUR", default=60)

# Exports (qiao.core.exports): a file of more rows than this is refused with a message asking
# for narrower filters, never cut short.
QIAO_EXPORT_MAX_ROWS = env.int("QIAO_EXPORT_MAX_ROWS", default=50_000)
# A file of more rows than this needs the requester's superior's approval first (C07; dataio's
# export requests), and an approved export can be downloaded for this many days.
QIAO_EXPORT_APPROVAL_ROWS = env.int("QIAO_EXPORT_APPROVAL_ROWS", default=200)
QIAO_EXPORT_DOWNLOAD_DAYS = env.int("QIAO_EXPORT_DOWNLOAD_DAYS", default=7)
# A closed service ticket can be reopened this many days after it was closed (TKT-6).
QIAO_TICKET_REOPEN_DAYS = env.int("QIAO_TICKET_REOPEN_DAYS", default=7)
# Sales and credit (issue 14): a promissory note's interest is counted at this rate a year over
# the days it falls due before or after 60 days from shipment (seed 001 第15条); an order beyond
# the credit limit or from a customer with overdue debt is refused ("block") or passed by someone
# holding sales.manage with a reason ("approve"); an unpaid delivery is overdue after the credit
# file's payment term, or QIAO_CREDIT_TERM_DAYS for a customer without one.
QIAO_NOTE_INTEREST_RATE = env.str("QIAO_NOTE_INTEREST_RATE", default="0.0435")
QIAO_CREDIT_POLICY = env.str("QIAO_CREDIT_POLICY", default="approve")
QIAO_CREDIT_TERM_DAYS = env.int("QIAO_CREDIT_TERM_DAYS", default=30)

# Uploads: attachments are checked by size and type in customers.services; this caps the body.
QIAO_ATTACHMENT_MAX_BYTES = env.int("QIAO_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The largest amount of money any field accepts (core.money), in yuan; up to 999999999999.99.
QIAO_MAX_AMOUNT = Decimal(env.str("QIAO_MAX_AMOUNT", default="100000000"))

# Approvals: how long one delegation while away may last (days, both ends included).
QIAO_DELEGATION_MAX_DAYS = env.int("QIAO_DELEGATION_MAX_DAYS", default=90)

QIAO_DEMO_PASSWORD = env.str("QIAO_DEMO_PASSWORD", default="demo-12345")

# Backups (dataio.backup, `qiao backup`): one archive a run in this directory, the worker's
# daily one at 01:30; archives older than QIAO_BACKUP_KEEP_DAYS are deleted after a new one.
QIAO_BACKUP_DIR = Path(env.str("QIAO_BACKUP_DIR", default=str(VAR_DIR / "backups")))
QIAO_BACKUP_KEEP_DAYS = env.int("QIAO_BACKUP_KEEP_DAYS", default=14)

# Background and periodic tasks (huey). `manage.py run_huey` runs the worker and the periodic
# tasks of each app's tasks.py (the public pool's daily reclaim: customers.tasks; the outbox of
# e-mail and webhook copies, sent after commit, retried, swept every minute:
# notify.delivery.tasks, registered in NotifyConfig.ready); `make demo` starts one next to the
# web server. Storage: a SQLite file under var/, or Redis when QIAO_REDIS_URL is set.
if env.str("QIAO_REDIS_URL", default=""):
    _HUEY_STORAGE = {"huey_class": "huey.RedisHuey", "url": env.str("QIAO_REDIS_URL")}
else:
    _HUEY_FILE = Path(env.str("QIAO_HUEY_FILE", default=str(VAR_DIR / "huey.sqlite3")))
    _HUEY_FILE.parent.mkdir(parents=True, exist_ok=True)  # huey opens it when Django starts
    _HUEY_STORAGE = {"huey_class": "huey.SqliteHuey", "filename": str(_HUEY_FILE)}
HUEY = {
    "name": "qiao",
    "immediate": env.bool("QIAO_TASKS_IMMEDIATE", default=False),
    "utc": False,  # crontab() times are TIME_ZONE's (Django sets the process's time zone)
    "consumer": {"workers": 2, "worker_type": "thread"},
    **_HUEY_STORAGE,
}

# Notifications (NTF-1, qiao.notify). Offline by default: e-mail copies are sent only when
# QIAO_EMAIL_HOST names a mail server, webhook messages only to the group robots an
# administrator entered. QIAO_BASE_URL (e.g. https://crm.example.cn) makes the links in
# e-mails and robot messages absolute; without it e-mails carry the path, robot messages none.
EMAIL_HOST = env.str("QIAO_EMAIL_HOST", default="")
EMAIL_PORT = env.int("QIAO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("QIAO_EMAIL_USER", default="")
EMAIL_HOST_PASSWORD = env.str("QIAO_EMAIL_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("QIAO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("QIAO_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("QIAO_EMAIL_FROM", default="qiao@localhost")
QIAO_BASE_URL = env.str("QIAO_BASE_URL", default="").rstrip("/")
# Seconds a robot or an integration's webhook address has to answer before the attempt fails
# (and is retried with backoff).
QIAO_WEBHOOK_TIMEOUT = env.float("QIAO_WEBHOOK_TIMEOUT", default=5.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"qiao": {"level": env.str("QIAO_LOG_LEVEL", default="INFO")}},
}
