"""`qiao` (src/qiao/__main__.py), the administrator's commands: what each one starts and with which
settings (servers mocked, nothing listens), `qiao check` refusing a bad deployment and passing a
sound one, and the ASGI application."""

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core import management
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from qiao import __main__ as cli
from qiao.core import calendar
from qiao.core.models import CalendarDay
from qiao.settings import base

PYTHON = sys.executable
GUNICORN = [PYTHON, "-m", "gunicorn", "qiao.wsgi:application"]


@pytest.fixture
def environment(monkeypatch):
    """A clean environment for the command: no address, port or settings given, unless a test
    sets them (monkeypatch puts back what was there, DJANGO_SETTINGS_MODULE included)."""
    for name in ("QIAO_HOST", "QIAO_PORT", "DJANGO_SETTINGS_MODULE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QIAO_SECRET_KEY", "k" * 60)
    loaded = set(sys.modules)
    yield monkeypatch
    for name in set(sys.modules) - loaded:  # the settings modules a command loaded here
        if name.startswith("qiao.settings."):
            del sys.modules[name]


@pytest.fixture
def execv(monkeypatch):
    calls = []
    monkeypatch.setattr(cli.os, "execv", lambda path, args: calls.append(args))
    return calls


@pytest.fixture
def django_main(monkeypatch):
    """Django's command line, recorded instead of run."""
    calls = []
    monkeypatch.setattr(management, "execute_from_command_line", lambda argv: calls.append(argv))
    return calls


def test_python_m_qiao_help_lists_the_commands():
    result = subprocess.run([PYTHON, "-m", "qiao", "--help"], capture_output=True, text=True,
                            timeout=60, cwd=django_settings.PROJECT_DIR)
    assert result.returncode == 0, result.stderr
    for command in ("serve", "worker", "demo", "check", "backup", "restore", "manage"):
        assert command in result.stdout


# --- serve -----------------------------------------------------------------------------------

def test_serve_runs_gunicorn_in_its_place_with_the_production_settings(environment, execv):
    assert cli.main(["serve"]) == 0
    assert execv == [[*GUNICORN, "--bind", "127.0.0.1:8000", "--workers", "2", "--threads", "4",
                      "--access-logfile", "-"]]
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "qiao.settings.production"


def test_serve_listens_where_the_environment_or_the_options_say(environment, execv):
    environment.setenv("QIAO_HOST", "::1")
    environment.setenv("QIAO_PORT", "9000")
    environment.setenv("DJANGO_SETTINGS_MODULE", "qiao.settings.test")
    cli.main(["serve"])
    cli.main(["serve", "--host", "10.1.2.3", "--port", "8080", "--workers", "5", "--threads", "8"])
    assert execv[0][4:6] == ["--bind", "[::1]:9000"]
    assert execv[1][4:] == ["--bind", "10.1.2.3:8080", "--workers", "5", "--threads", "8",
                            "--access-logfile", "-"]
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "qiao.settings.test"  # as given


@pytest.mark.parametrize("arguments", [["serve", "--port", "0"], ["serve", "--port", "http"],
                                       ["serve", "--workers", "0"], ["serve", "--daemon"],
                                       ["check", "--fail-level", "LOUD"], ["restart"]])
def test_bad_arguments_are_refused_before_anything_starts(environment, execv, arguments, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(arguments)
    assert exit_.value.code == 2 and execv == []
    assert "usage: qiao" in capsys.readouterr().err


def test_a_bad_qiao_port_is_named(environment, execv, capsys):
    environment.setenv("QIAO_PORT", "80a")
    assert cli.main(["serve"]) == 2 and execv == []
    assert "QIAO_PORT=80a is not a port number" in capsys.readouterr().err


def test_production_without_a_secret_key_says_what_is_missing(environment, execv, capsys):
    environment.delenv("QIAO_SECRET_KEY")
    environment.delitem(sys.modules, "qiao.settings.production", raising=False)  # loaded afresh
    for command in ("serve", "worker", "check"):
        assert cli.main([command]) == 2
        error = capsys.readouterr().err
        assert "qiao.settings.production" in error and "QIAO_SECRET_KEY" in error
        assert "docs/deployment.md" in error and "qiao.settings.demo" in error
    assert execv == []


def test_settings_that_do_not_exist_are_named(environment, execv, capsys):
    environment.setenv("DJANGO_SETTINGS_MODULE", "qiao.settings.staging")
    assert cli.main(["serve"]) == 2 and execv == []
    assert "no settings module named qiao.settings.staging" in capsys.readouterr().err


# --- worker and manage -----------------------------------------------------------------------

def test_worker_runs_run_huey_with_its_options(environment, django_main):
    assert cli.main(["worker"]) == 0
    assert cli.main(["worker", "-w", "4", "-k", "process"]) == 0
    assert django_main == [["qiao worker", "run_huey"],
                           ["qiao worker", "run_huey", "-w", "4", "-k", "process"]]
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "qiao.settings.production"


def test_backup_and_restore_run_their_management_commands(environment, django_main):
    assert cli.main(["backup"]) == 0
    assert cli.main(["backup", "--prune"]) == 0
    assert cli.main(["restore", "var/backups/qiao-20261207-013000"]) == 0
    assert django_main == [["qiao backup", "backup"], ["qiao backup", "backup", "--prune"],
                           ["qiao restore", "restore", "var/backups/qiao-20261207-013000"]]
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "qiao.settings.production"


def test_manage_passes_everything_to_django(environment, django_main):
    environment.setenv("DJANGO_SETTINGS_MODULE", "qiao.settings.test")
    cli.main(["manage", "migrate", "--check"])
    cli.main(["manage", "--help"])
    cli.main(["manage"])
    assert django_main == [["qiao manage", "migrate", "--check"], ["qiao manage", "--help"],
                           ["qiao manage"]]


# --- demo ------------------------------------------------------------------------------------

class FakeProcess:
    """A started process that ends when its `wait` says so."""

    def __init__(self, command, pid, wait=lambda: 0):
        self.command, self.pid, self._wait = command, pid, wait
        self.returncode = None
        self.terminated = False

    def wait(self):
        if self.returncode is None:
            self.returncode = self._wait()
        return self.returncode

    def poll(self):
        return self.returncode

    def terminate(self):
        self.terminated = True
        self.returncode = -signal.SIGTERM


@pytest.fixture
def demo_run(environment, settings, tmp_path, monkeypatch):
    """`qiao demo` with its management commands and processes recorded, var/ in tmp_path."""
    settings.VAR_DIR = tmp_path / "var"
    steps, started = [], []
    monkeypatch.setattr(management, "call_command",
                        lambda name, **options: steps.append((name, options)))

    def popen(command, **options):
        started.append((command, options, os.environ["DJANGO_SETTINGS_MODULE"]))
        return FakeProcess(command, pid=4000 + len(started))

    monkeypatch.setattr(cli.subprocess, "Popen", popen)
    return steps, started


def test_demo_prepares_then_starts_the_worker_and_the_web_server(demo_run, capsys):
    steps, started = demo_run
    assert cli.main(["demo", "--port", "8765"]) == 0
    assert steps == [("migrate", {"interactive": False, "verbosity": 0}),
                     ("load_demo", {"if_empty": True}),
                     ("collectstatic", {"interactive": False, "verbosity": 0}),
                     ("demo_banner", {"port": 8765})]
    (worker, worker_options, worker_settings), (web, _options, web_settings) = started
    assert worker == [PYTHON, "-m", "qiao", "worker"]
    assert worker_options["stdout"].name == str(django_settings.VAR_DIR / "huey.log")
    assert worker_options["stderr"] == subprocess.STDOUT
    assert web == [*GUNICORN, "--bind", "127.0.0.1:8765", "--workers", "2", "--threads", "4",
                   "--access-logfile", "-"]
    assert worker_settings == web_settings == "qiao.settings.demo"
    assert f"  Task worker started (pid 4001, log {django_settings.VAR_DIR / 'huey.log'})" \
        in capsys.readouterr().out


def test_demo_on_the_lan_tells_its_settings_the_address(demo_run):
    _steps, started = demo_run
    cli.main(["demo", "--host", "0.0.0.0"])  # noqa: S104 -- what an administrator types
    assert started[1][0][4:6] == ["--bind", "0.0.0.0:8000"]
    assert os.environ["QIAO_HOST"] == "0.0.0.0"  # noqa: S104


def test_demo_refuses_the_production_settings(demo_run, capsys):
    steps, started = demo_run
    os.environ["DJANGO_SETTINGS_MODULE"] = "qiao.settings.production"  # put back by `environment`
    assert cli.main(["demo"]) == 2
    assert steps == started == []
    assert "not with the production settings" in capsys.readouterr().err


def test_the_web_server_stopping_stops_the_worker():
    web = FakeProcess("web", 1, wait=lambda: 3)
    worker = FakeProcess("worker", 2, wait=lambda: 0)
    assert cli.run_together(web, worker) == 3
    assert worker.terminated and not web.terminated


def test_a_term_stops_both_and_exits_130():
    def terminated_while_waiting():
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill <pid of qiao demo>` does
        return 0

    web = FakeProcess("web", 1, wait=terminated_while_waiting)
    worker = FakeProcess("worker", 2)
    previous = signal.getsignal(signal.SIGTERM)
    assert cli.run_together(web, worker) == 130
    assert web.terminated and worker.terminated
    assert signal.getsignal(signal.SIGTERM) is previous
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- check -----------------------------------------------------------------------------------

PRODUCTION = {"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": False, "SESSION_COOKIE_SECURE": True,
              "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
              "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
              "SECURE_HSTS_PRELOAD": True}


@pytest.fixture
def sound(db, settings, environment):
    """The test settings with production's security values, and this year's and (from
    October) next year's holidays entered: nothing for `qiao check` to find."""
    environment.setenv("DJANGO_SETTINGS_MODULE", "qiao.settings.test")
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    for year in calendar.years_without_holidays():
        CalendarDay.objects.create(date=date(year, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    calendar.forget()
    return settings


def test_check_passes_a_sound_deployment(sound, capsys):
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert "System check identified no issues" in out and "qiao check: no problems found." in out


def test_check_of_the_test_settings_passes_at_the_error_level_only(db, environment, capsys):
    environment.setenv("DJANGO_SETTINGS_MODULE", "qiao.settings.test")
    assert cli.main(["check", "--fail-level", "ERROR"]) == 0
    assert "qiao check: nothing at or above ERROR." in capsys.readouterr().out
    assert cli.main(["check"]) == 1  # not HTTPS-only: the deployment warnings fail it
    assert "security.W004" in capsys.readouterr().err


@pytest.mark.parametrize(("setting", "value", "issue"), [
    ("DEBUG", True, "security.W018"),
    ("SECURE_HSTS_SECONDS", 0, "security.W004"),
    ("SESSION_COOKIE_SECURE", False, "security.W012"),
    ("SECRET_KEY", "short", "security.W009"),
])
def test_check_fails_on_a_bad_setting(sound, capsys, setting, value, issue):
    setattr(sound, setting, value)
    assert cli.main(["check"]) == 1
    error = capsys.readouterr().err
    assert issue in error and "qiao check: problems found" in error


def test_check_fails_while_next_years_holidays_are_missing(sound, monkeypatch, capsys):
    CalendarDay.objects.filter(date__year=2027).delete()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 6))
    calendar.forget()
    assert cli.main(["check"]) == 1
    assert "core.W001" in capsys.readouterr().err


def test_check_fails_on_a_migration_not_applied(sound, capsys):
    MigrationRecorder.Migration.objects.filter(app="promotions", name="0003_promotion_message_params"
                                               ).delete()
    assert cli.main(["check"]) == 1
    assert "Migrations not applied (1): promotions.0003_promotion_message_params" in \
        capsys.readouterr().err


def test_check_fails_while_static_files_are_not_collected(sound, tmp_path, capsys):
    sound.STORAGES = {**django_settings.STORAGES, "staticfiles": base.STORAGES["staticfiles"]}
    sound.STATIC_ROOT = tmp_path / "static"
    assert cli.main(["check"]) == 1
    assert "Static files are not collected" in capsys.readouterr().err
    # Collected before an upgrade that added a file: the manifest lacks it.
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text(
        '{"version": "1.1", "paths": {"qiao/qiao.css": "qiao/qiao.0123456789ab.css"}, "hash": ""}')
    assert cli.main(["check"]) == 1
    assert "Static files not collected (" in capsys.readouterr().err


# --- ASGI ------------------------------------------------------------------------------------

def test_the_asgi_application_answers(db):
    from qiao.asgi import application

    sent, requests = [], [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer is sent

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/health/", "raw_path": b"/health/", "query_string": b"",
             "root_path": "", "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 5000),
             "server": ("127.0.0.1", 8000)}
    asyncio.run(application(scope, receive, send))
    assert sent[0]["status"] == 200
    assert b'"ok"' in b"".join(m.get("body", b"") for m in sent[1:])
