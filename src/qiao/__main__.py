"""`qiao` (or `python -m qiao`): the administrator's commands. docs/deployment.md shows them in use.

    qiao serve    the web server (gunicorn, WSGI) — behind an HTTPS proxy in production
    qiao worker   the task worker (huey: e-mail and webhook copies, reminders, periodic jobs)
    qiao demo     what `make demo` does: migrate, demo data once, static files, the banner, then
                  the web server and the task worker together, stopped together
    qiao check    Django's deployment checks and Qiao's own, migrations applied, static files
                  collected; exits non-zero on any problem
    qiao backup   one archive of the database, the stored files and a manifest in QIAO_BACKUP_DIR
                  (--prune: then delete those older than QIAO_BACKUP_KEEP_DAYS)
    qiao restore  ARCHIVE into the configured, empty database and MEDIA_ROOT, verified against
                  the archive's manifest; exits non-zero on a refusal or a difference
    qiao manage   any Django management command (`qiao manage migrate`, `qiao manage createsuperuser`)

Settings: DJANGO_SETTINGS_MODULE when it is set; otherwise qiao.settings.demo for `demo` and
qiao.settings.production for the others. Settings that cannot load (production without
QIAO_SECRET_KEY) stop the command with what is missing, before anything starts.
"""

import argparse
import importlib
import os
import signal
import subprocess
import sys
from pathlib import Path

DEMO_SETTINGS = "qiao.settings.demo"
PRODUCTION_SETTINGS = "qiao.settings.production"
DEFAULT_SETTINGS = {"demo": DEMO_SETTINGS, "serve": PRODUCTION_SETTINGS,
                    "worker": PRODUCTION_SETTINGS, "check": PRODUCTION_SETTINGS,
                    "manage": PRODUCTION_SETTINGS, "backup": PRODUCTION_SETTINGS,
                    "restore": PRODUCTION_SETTINGS}
DEFAULT_WORKERS = 2  # gunicorn processes
DEFAULT_THREADS = 4  # threads per process


class CannotStart(Exception):
    """The command cannot run as asked; the message says why and what to do."""


def use_settings(command: str) -> str:
    """Name the settings module in DJANGO_SETTINGS_MODULE (the one given, or the command's
    default) and load it once here, so that settings which cannot load stop the command with
    what is missing instead of a traceback in a server's log."""
    from django.core.exceptions import ImproperlyConfigured

    given = os.environ.get("DJANGO_SETTINGS_MODULE")
    module = given or DEFAULT_SETTINGS[command]
    os.environ["DJANGO_SETTINGS_MODULE"] = module  # for this process and what it starts
    try:
        importlib.import_module(module)
    except ImproperlyConfigured as error:
        raise CannotStart(
            f"qiao {command}: the settings {module} cannot load: {error}.\n"
            + ("docs/deployment.md lists the variables; or choose other settings with "
               f"DJANGO_SETTINGS_MODULE ({DEMO_SETTINGS} to try Qiao with demo data)."
               if module == PRODUCTION_SETTINGS else "docs/deployment.md lists the variables.")
        ) from error
    except ModuleNotFoundError as error:
        if not module.startswith(error.name or "\0"):
            raise
        raise CannotStart(f"qiao {command}: no settings module named {module} "
                          "(DJANGO_SETTINGS_MODULE).") from error
    return module


def listening_on(args) -> tuple[str, int]:
    """The address and port from --host and --port, else QIAO_HOST and QIAO_PORT, else
    127.0.0.1:8000 (this PC only)."""
    host = (args.host or os.environ.get("QIAO_HOST") or "127.0.0.1").strip("[]")
    try:
        port = args.port or _port(os.environ.get("QIAO_PORT") or "8000")
    except (ValueError, argparse.ArgumentTypeError) as error:
        raise CannotStart(f"QIAO_PORT={os.environ['QIAO_PORT']} is not a port number.") from error
    return host, port


def bind_address(host: str, port: int) -> str:
    """gunicorn's --bind: an IPv6 address in brackets, however it was given."""
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_command(bind: str, workers: int, threads: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "qiao.wsgi:application", "--bind", bind,
            "--workers", str(workers), "--threads", str(threads), "--access-logfile", "-"]


def worker_command(extra=()) -> list[str]:
    return [sys.executable, "-m", "qiao", "worker", *extra]


# --- the commands ----------------------------------------------------------------------------

def serve(args) -> int:
    use_settings("serve")
    command = gunicorn_command(bind_address(*listening_on(args)), args.workers, args.threads)
    sys.stdout.flush()
    # gunicorn replaces this process, so a service manager's signals reach it directly.
    os.execv(command[0], command)  # noqa: S606 -- our own interpreter, arguments from argparse
    return 0  # not reached


def worker(args, extra) -> int:
    use_settings("worker")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qiao worker", "run_huey", *extra])
    return 0


def backup_or_restore(command, extra) -> int:
    """`qiao backup` and `qiao restore`: the management commands of the same names
    (dataio.management.commands), their options passed on."""
    use_settings(command)
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"qiao {command}", command, *extra])
    return 0


def manage(argv) -> int:
    use_settings("manage")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qiao manage", *argv])
    return 0


def demo(args) -> int:
    """`make demo`: the steps it prints, then the web server and the task worker side by side.
    Ctrl-C, a TERM or the web server's exit stops both."""
    host, port = listening_on(args)
    if os.environ.get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS:
        raise CannotStart("qiao demo: not with the production settings: it would load demo users "
                          "with a shared, published password into an empty production database.")
    if args.host:  # the demo settings answer to the names of the address listened on
        os.environ["QIAO_HOST"] = args.host
    use_settings("demo")
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", if_empty=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("demo_banner", port=port)
    connections.close_all()  # the children open their own

    log_path = Path(settings.VAR_DIR) / "huey.log"
    shown = os.path.relpath(log_path) if log_path.is_relative_to(Path.cwd()) else str(log_path)
    with open(log_path, "ab") as log:
        task_worker = subprocess.Popen(worker_command(), stdout=log,  # noqa: S603 -- our own
                                       stderr=subprocess.STDOUT)
    print(f"  Task worker started (pid {task_worker.pid}, log {shown})", flush=True)
    web = subprocess.Popen(gunicorn_command(  # noqa: S603 -- our interpreter, arguments from argparse
        bind_address(host, port), DEFAULT_WORKERS, DEFAULT_THREADS))
    return run_together(web, task_worker)


def _stop(signum, frame):
    raise KeyboardInterrupt


def run_together(web, task_worker) -> int:
    """Wait for the web server; then (or on Ctrl-C or TERM) stop both and wait for them."""
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        status = web.wait()
    except KeyboardInterrupt:
        status = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in (web, task_worker):
            if process.poll() is None:
                process.terminate()
        for process in (web, task_worker):
            process.wait()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, previous)
    return status


def check(args) -> int:
    """Django's checks with --deploy and the database ones (Qiao's own: the business calendar's
    coming year), then migrations not applied, then static files not collected."""
    use_settings("check")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    problems = 0
    try:
        call_command("check", deploy=True, databases=["default"], fail_level=args.fail_level)
    except CommandError as error:  # SystemCheckError: the issues at or above the fail level
        print(error, file=sys.stderr)
        problems += 1
    for problem in unapplied_migrations() + static_files_missing():
        print(problem, file=sys.stderr)
        problems += 1
    if problems:
        print("qiao check: problems found (above).", file=sys.stderr)
        return 1
    print("qiao check: no problems found." if args.fail_level in ("WARNING", "INFO", "DEBUG")
          else f"qiao check: nothing at or above {args.fail_level}.")
    return 0


def unapplied_migrations() -> list[str]:
    """What `migrate --check` looks at, with the migrations' names."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    loader = MigrationExecutor(connections[DEFAULT_DB_ALIAS]).loader
    # Every migration not recorded, not only those before the newest recorded one of each app.
    missing = sorted(set(loader.graph.nodes) - set(loader.applied_migrations))
    if not missing:
        return []
    names = [f"{app}.{name}" for app, name in missing]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [f"Migrations not applied ({len(names)}): {shown}. Run `qiao manage migrate`."]


def static_files_missing() -> list[str]:
    """With production's hashed static files (WhiteNoise's manifest storage) a page that uses a
    file `collectstatic` has not collected fails: none collected yet, or collected before an
    upgrade that added files."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    advice = "Run `qiao manage collectstatic --noinput`."
    if staticfiles_storage.read_manifest() is None:
        return [f"Static files are not collected in {settings.STATIC_ROOT}: every page would "
                f"fail. {advice}"]
    collected, _hash = staticfiles_storage.load_manifest()
    missing = sorted({path for finder in finders.get_finders()
                      for path, _storage in finder.list(["CVS", ".*", "*~"])} - set(collected))
    if not missing:
        return []
    return [f"Static files not collected ({len(missing)}, e.g. {missing[0]}): pages that use "
            f"them would fail. {advice}"]


# --- the command line ------------------------------------------------------------------------

def _port(value) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{value} is not a port number")
    return port


def _positive(value) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value}: at least 1")
    return number


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="qiao", description="Qiao's commands for the administrator (docs/deployment.md).",
        epilog="Settings: DJANGO_SETTINGS_MODULE, or qiao.settings.demo for demo and "
               "qiao.settings.production for the others.")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def listening(sub):
        sub.add_argument("--host", help="address to listen on (default: QIAO_HOST, else 127.0.0.1)")
        sub.add_argument("--port", type=_port, help="port (default: QIAO_PORT, else 8000)")

    serve_parser = commands.add_parser("serve", help="run the web server (gunicorn)")
    listening(serve_parser)
    serve_parser.add_argument("--workers", type=_positive, default=DEFAULT_WORKERS,
                              help=f"processes (default {DEFAULT_WORKERS})")
    serve_parser.add_argument("--threads", type=_positive, default=DEFAULT_THREADS,
                              help=f"threads per process (default {DEFAULT_THREADS})")
    commands.add_parser("worker", help="run the task worker (huey); other options go to run_huey",
                        epilog="Options not listed are run_huey's: qiao manage run_huey --help.")
    listening(commands.add_parser(
        "demo", help="migrate, load the demo data once, then the web server and the task worker"))
    check_parser = commands.add_parser(
        "check", help="deployment checks, migrations applied, static files collected")
    check_parser.add_argument("--fail-level", default="WARNING",
                              choices=["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"],
                              help="the least serious check message that fails (default WARNING)")
    commands.add_parser("backup", help="back up the database and stored files (QIAO_BACKUP_DIR)",
                        epilog="Its options: qiao manage backup --help.")
    commands.add_parser("restore", help="restore a backup into an empty database, verified",
                        epilog="Its options: qiao manage restore --help.")
    commands.add_parser("manage", add_help=False,
                        help="a Django management command: qiao manage <command> [options]")
    return main_parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv[:1] == ["manage"]:  # everything after it is Django's, --help included
            return manage(argv[1:])
        main_parser = parser()
        args, extra = main_parser.parse_known_args(argv)
        if extra and args.command not in ("worker", "backup", "restore"):
            main_parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if args.command == "worker":
            return worker(args, extra)
        if args.command in ("backup", "restore"):
            return backup_or_restore(args.command, extra)
        return {"serve": serve, "demo": demo, "check": check}[args.command](args)
    except CannotStart as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
