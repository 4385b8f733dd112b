"""`make demo` runs as production does apart from HTTPS (qiao.settings.demo): DEBUG off, a secret
key made once and kept in var/, stored files only through the views that check who may see
them (no settings maps a URL to MEDIA_ROOT), and the LAN only when QIAO_HOST asks for it."""

import importlib.util
import io
import os
import runpy
import socket
import stat
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

import qiao.urls
from qiao.core.models import Clearance
from qiao.customers import services as customer_services
from qiao.promotions import services as promotion_services
from qiao.promotions.demo import signature_data_url
from qiao.settings.machine import _interface_addresses, lan_allowed_hosts, secret_key_in
from qiao.workorders.models import StageAttachment
from tests.conftest import PASSWORD
from tests.promotions.factories import confirm_list, make_recommendation
from tests.workorders.factories import make_approved_work_order

PDF = b"%PDF-1.4\n% scan\n"
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 -- what QIAO_HOST is set to, not a bind here


def demo_run(tmp_path, **env_extra):
    """DEBUG, the secret key and ALLOWED_HOSTS of a fresh interpreter started with the demo
    settings and var/ in `tmp_path` (so nothing here touches the checkout's var/)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QIAO_", "DJANGO_SETTINGS_MODULE"))}
    env.update({"DJANGO_SETTINGS_MODULE": "qiao.settings.demo", "QIAO_VAR_DIR": str(tmp_path),
                **env_extra})
    script = ("import django; django.setup()\n"
              "from django.conf import settings\n"
              "print(settings.DEBUG, settings.SECRET_KEY, ','.join(settings.ALLOWED_HOSTS))\n")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=120, cwd=settings.PROJECT_DIR)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


# --- DEBUG and the secret key ----------------------------------------------------------------

def test_demo_runs_with_debug_off_and_a_key_of_its_own_kept_in_var(tmp_path):
    debug, key, hosts = demo_run(tmp_path)
    assert debug == "False" and hosts == "127.0.0.1,localhost"
    assert len(key) >= 50 and "insecure" not in key
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by its owner only
    # Made once: the next start (and the task worker next to the web server) signs with it.
    # QIAO_ALLOWED_HOSTS, when given, is the list whatever QIAO_HOST says.
    again = demo_run(tmp_path, QIAO_HOST=EVERY_INTERFACE, QIAO_ALLOWED_HOSTS="crm.example.cn,10.1.2.3")
    assert again == ["False", key, "crm.example.cn,10.1.2.3"]


def test_qiao_secret_key_wins_over_the_kept_one(monkeypatch):
    assert demo_settings(monkeypatch, QIAO_SECRET_KEY="s" * 50)["SECRET_KEY"] == "s" * 50


def test_var_is_not_in_git():
    result = subprocess.run(["git", "check-ignore", "-q", "var/secret_key"],
                            cwd=settings.PROJECT_DIR, capture_output=True)
    assert result.returncode == 0


def test_the_web_server_and_the_worker_starting_at_once_get_the_same_key(tmp_path):
    start = threading.Barrier(8)

    def start_up(_):
        start.wait()
        return secret_key_in(tmp_path)

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(start_up, range(8)))
    assert len(keys) == 1 and list(tmp_path.iterdir()) == [tmp_path / "secret_key"]


def test_make_demo_and_its_task_worker_use_the_demo_settings():
    makefile = (settings.PROJECT_DIR / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_SETTINGS_MODULE := qiao.settings.demo" in makefile
    assert "qiao.settings.dev" not in demo
    # `qiao demo` starts gunicorn and the task worker under the settings it was given
    # (tests/core/test_cli.py).
    assert "$(PY) -m qiao demo" in demo


# --- stored files: never under a URL of their own --------------------------------------------

def urls_built_with(*, debug):
    """qiao/urls.py imported afresh as a server with DEBUG = `debug` would import it."""
    spec = importlib.util.spec_from_file_location("qiao_urls_probe", qiao.urls.__file__)
    module = importlib.util.module_from_spec(spec)
    with override_settings(DEBUG=debug):
        spec.loader.exec_module(module)
    return module


@pytest.fixture
def stored_files(personas, settings, tmp_path):
    """A classified customer attachment, a work-order stage file and a promotion signature of
    am01's, each with its scoped download URL."""
    settings.MEDIA_ROOT = tmp_path / "media"
    am01 = personas["am01"]
    attachment = customer_services.attachment_add(
        actor=personas["sup1"], customer=personas.customers["am01"][0],
        upload=SimpleUploadedFile("营业执照.pdf", PDF), secret_level=Clearance.CONFIDENTIAL)
    work_order = make_approved_work_order(am01, personas.customers["am01"][1])
    stage_file = StageAttachment.objects.get(record__work_order=work_order)
    recommendation = make_recommendation(am01, personas.customers["am01"][1])
    confirm_list(recommendation)
    item = recommendation.campaign.items.first()
    handout = promotion_services.handout_record(
        actor=am01, recommendation=recommendation, handed_out_on=timezone.localdate(),
        quantities={item.pk: 1}, signer_name="王采购", signature_data_url=signature_data_url(1))
    return [
        (attachment.file, "sup1", reverse("customers:attachment_download", args=[attachment.pk])),
        (stage_file.file, "am01", reverse("workorders:attachment", args=[stage_file.pk])),
        (handout.file, "am01", reverse("promotions:signature", args=[handout.pk])),
    ]


@pytest.mark.parametrize("debug", [False, True], ids=["demo", "dev"])
def test_a_stored_file_is_404_under_media_for_everyone(personas, stored_files, settings, debug):
    settings.ROOT_URLCONF = urls_built_with(debug=debug)
    settings.DEBUG = debug
    for field_file, viewer, scoped_url in stored_files:
        path = field_file.url  # /media/…, where the file would be served if anything served it
        assert (settings.MEDIA_ROOT / field_file.name).is_file()
        for client in (Client(), personas.client("am01"), personas.client("director")):
            status = client.get(path).status_code
            assert status == 404, f"{path} answered {status}"
        # Only the view that checks scope and clearance hands it out.
        assert personas.client(viewer).get(scoped_url).status_code == 200
        assert personas.client("am03").get(scoped_url).status_code == 404


# --- listening on the LAN --------------------------------------------------------------------

def demo_settings(monkeypatch, **env):
    """qiao.settings.demo's values when started with `env` (its module run afresh; the key
    given, so that nothing is written to var/)."""
    for name in ("QIAO_HOST", "QIAO_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"QIAO_SECRET_KEY": "k" * 50, **env}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module("qiao.settings.demo")


def test_without_qiao_host_only_this_pc_can_open_the_demo(monkeypatch):
    assert demo_settings(monkeypatch)["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_with_qiao_host_the_demo_answers_to_this_machine_not_to_any_name(monkeypatch):
    hosts = demo_settings(monkeypatch, QIAO_HOST="192.0.2.77")["ALLOWED_HOSTS"]
    assert "192.0.2.77" in hosts and socket.gethostname().lower() in hosts
    assert "127.0.0.1" in hosts and "*" not in hosts


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="interfaces are read on Linux")
def test_a_wildcard_bind_answers_to_every_address_of_this_machine():
    interfaces = _interface_addresses()
    assert "127.0.0.1" in interfaces  # the loopback interface: the reading works
    hosts = lan_allowed_hosts(EVERY_INTERFACE)
    assert interfaces <= set(hosts)
    assert EVERY_INTERFACE not in hosts and "*" not in hosts
    assert socket.gethostname().lower() in hosts
    assert "[fd00::5]" in lan_allowed_hosts("[fd00::5]")  # IPv6 as a Host header writes it


def test_a_login_from_another_pc_passes_the_csrf_check(personas, settings):
    """Plain HTTP on the LAN: the browser sends Origin http://<address>:<port>, which Django
    compares with the Host header, so no CSRF_TRUSTED_ORIGINS entry is needed."""
    settings.ALLOWED_HOSTS = lan_allowed_hosts("192.0.2.77")
    client = Client(enforce_csrf_checks=True, HTTP_HOST="192.0.2.77:8000")
    token = client.get("/login/").cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post("/login/", {"username": "am01", "password": PASSWORD,
                                       "csrfmiddlewaretoken": token},
                           HTTP_ORIGIN="http://192.0.2.77:8000")
    assert response.status_code == 302 and response["Location"] == "/"
    stranger = Client(HTTP_HOST="attacker.example")
    assert stranger.get("/login/").status_code == 400


def test_the_banner_says_where_to_open_the_demo_and_what_the_lan_implies(settings):
    settings.QIAO_DEMO_PASSWORD = "pw-from-settings"

    def banner():
        out = io.StringIO()
        call_command("demo_banner", port=8123, stdout=out)
        return out.getvalue()

    local = banner()
    assert "http://127.0.0.1:8123/" in local and "Password: pw-from-settings" in local
    settings.QIAO_HOST, settings.ALLOWED_HOSTS = "0.0.0.0", lan_allowed_hosts("192.0.2.77")  # noqa: S104
    lan = banner()
    assert "http://192.0.2.77:8123/" in lan and "http://127.0.0.1:8123/" not in lan
    assert "unencrypted" in lan and "HTTPS" in lan
