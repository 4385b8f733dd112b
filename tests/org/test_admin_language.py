"""The Django admin speaks the administrator's language: every app has a translated name of its
own (AppConfig.verbose_name), and django-axes, which ships no Simplified Chinese, is translated
in Qiao's catalogue (LOCALE_PATHS come before the apps' own catalogues)."""

import re
from pathlib import Path

import axes
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from qiao.org.models import User
from tests.conftest import PASSWORD

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# "API 令牌" is what Chinese users call it; GET, POST and HTTP Accept are names of the protocol.
ALLOWED_LATIN = {"API", "Qiao", "GET", "POST", "HTTP", "Accept"}


def latin_words(text):
    return set(LATIN_WORD.findall(text)) - ALLOWED_LATIN


def axes_messages():
    """Every message django-axes marks for translation (_("…") in its code; the one built with
    an f-string cannot be translated by anyone)."""
    found = set()
    for source in Path(axes.__file__).parent.rglob("*.py"):
        found |= set(re.findall(r'\b_\(\s*"([^"]+)"', source.read_text(encoding="utf-8")))
    return found


@pytest.fixture
def admin_zh(personas):
    client = personas.client("admin")
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    return client


def test_every_app_caption_on_the_admin_index_is_chinese(admin_zh):
    page = admin_zh.get(reverse("admin:index")).content.decode()
    captions = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", page, re.S)
    models = re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>(.*?)</a>', page, re.S)
    assert len(captions) >= 7 and models
    assert {c: latin_words(c) for c in captions if latin_words(c)} == {}
    assert {m: latin_words(m) for m in models if latin_words(m)} == {}


def test_every_installed_app_with_models_has_a_translated_name():
    with translation.override("zh-hans"):
        english_names = {config.label: str(config.verbose_name)
                         for config in apps.get_app_configs()
                         if list(config.get_models()) and latin_words(str(config.verbose_name))}
    assert english_names == {}
    with translation.override("zh-hans"):  # no models, a name all the same
        assert not latin_words(str(apps.get_app_config("demo").verbose_name))


def test_every_axes_message_is_translated():
    messages = axes_messages()
    assert "access attempts" in messages and "Attempt Time" in messages  # the scan works
    with translation.override("zh-hans"):
        untranslated = sorted(m for m in messages if gettext(m) == m)
    assert untranslated == []


def test_the_axes_pages_are_chinese(admin_zh):
    # A successful then a failed login: a row for the attempts' and the log's detail pages
    # (the failure log is off: AXES_ENABLE_ACCESS_FAILURE_LOG).
    Client().post(reverse("login"), {"username": "am01", "password": PASSWORD})
    Client().post(reverse("login"), {"username": "am01", "password": "wrong"})
    pages = [reverse(f"admin:axes_{m._meta.model_name}_changelist")
             for m in (AccessAttempt, AccessLog, AccessFailureLog)]
    pages += [reverse(f"admin:axes_{m._meta.model_name}_change", args=[m.objects.first().pk])
              for m in (AccessAttempt, AccessLog)]
    usernames = set(User.objects.values_list("username", flat=True))
    for url in pages:
        body = admin_zh.get(url).content.decode()
        content = body[body.index('id="content"'):body.index('id="footer"')]
        # Headings, column titles, filter titles and field labels.
        labels = re.findall(r"<(th|h1|h2|h3|label)\b[^>]*>(.*?)</\1>", content, re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", inner) for _tag, inner in labels)
        assert latin_words(text) - usernames == set(), url  # names people chose are data
