"""C26 (deployment): `check --deploy --fail-level WARNING` passes with the production settings,
those settings refuse to load without a secret key, and a probe under them finds HSTS, the SSL
redirect and Secure, HttpOnly, SameSite=Lax cookies."""

import importlib
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.conftest import PASSWORD

MANAGE = settings.PROJECT_DIR / "manage.py"


def run_manage(*args, env_extra=None, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({"DJANGO_SETTINGS_MODULE": "qiao.settings.production", **(env_extra or {})})
    return subprocess.run([sys.executable, str(MANAGE), *args], env=env, capture_output=True,
                          text=True, timeout=120, cwd=settings.PROJECT_DIR)


def test_check_deploy_has_no_warnings_with_the_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env_extra={"QIAO_SECRET_KEY": secrets.token_urlsafe(50)})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
    assert "no issues" in output


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", drop=("QIAO_SECRET_KEY",))
    assert result.returncode != 0
    assert "QIAO_SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr


@pytest.fixture
def production(monkeypatch):
    """The production module's own values for the settings it sets, applied over the test
    settings (the database stays the test one)."""
    monkeypatch.setenv("QIAO_SECRET_KEY", secrets.token_urlsafe(50))
    module = importlib.import_module("qiao.settings.production")
    names = ["DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
             "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
             "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER"]
    with override_settings(**{name: getattr(module, name) for name in names}):
        yield module


def test_probe_under_production_settings(user, production):
    https = {"HTTP_X_FORWARDED_PROTO": "https"}  # as the proxy in front sends it
    plain = Client().get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")

    client = Client(**https)
    page = client.get("/login/")
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert page.cookies[settings.CSRF_COOKIE_NAME]["secure"]

    response = client.post("/login/", {"username": "wang.fang", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
