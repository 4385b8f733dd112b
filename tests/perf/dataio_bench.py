"""`make bench`'s data in and out (issue 13's Performance): each case runs in a process of its
own, so its peak resident memory (getrusage's ru_maxrss) is its own, on the benchmark's
database (QIAO_DATABASE_URL, tests.perf.settings):

* `import`: the customer importer on an xlsx of `rows` customers, 1 % of them bad (a wrong
  credit-code check digit; tests.perf.dataio_data), as the director: the upload, the dry run
  and the run (partial mode: the good rows are written), timed apart. All of it inside one
  transaction rolled back at the end, so the benchmark's data stays as it was; the stored file
  goes to a temporary MEDIA_ROOT, removed after. Target: the run ≤ 180 s, ≤ 512 MB resident.
* `export`: the customer list's file (core.exports.list_file, the columns of the list page) of
  every customer the director sees, xlsx then csv. Target: ≤ 60 s, memory flat.
* `backup`: dataio.backup.backup_create of the whole database (SQLite's online backup API and
  its integrity check, the manifest's counts and checksums) into a temporary directory.
  Target: ≤ 60 s at M.

    python -m tests.perf.dataio_bench import|export|backup [ROWS]   (the child; JSON on stdout)
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
IMPORT_TARGET_S, EXPORT_TARGET_S, BACKUP_TARGET_S, RSS_TARGET_MB = 180, 60, 60, 512


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KB


class _RolledBack(Exception):
    pass


def _import(rows: int) -> dict:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from qiao.dataio import services
    from qiao.org.models import User
    from tests.perf.dataio_data import write_customer_sheet

    sheet = PROJECT_DIR / "var" / f"bench-import-{rows}.xlsx"
    if not sheet.exists():
        write_customer_sheet(sheet, rows, bad_every=100)
    director = User.objects.get(username="director")
    figures = {"rows": rows, "file_mb": round(sheet.stat().st_size / 2**20, 1),
               "rss_at_start_mb": _rss_mb()}
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        try:
            with transaction.atomic():
                started = time.monotonic()
                upload = SimpleUploadedFile("客户.xlsx", sheet.read_bytes())
                run = services.import_upload(actor=director, importer="customers",
                                             upload=upload)
                del upload
                run = services.import_configure(actor=director, run=run, sheet=run.sheet,
                                                mapping=run.mapping, duplicates="skip",
                                                all_or_none=False)
                figures["upload_s"] = round(time.monotonic() - started, 1)
                started = time.monotonic()
                run = services.import_check(actor=director, run=run)
                figures["dry_run_s"] = round(time.monotonic() - started, 1)
                figures["rss_after_dry_run_mb"] = _rss_mb()
                started = time.monotonic()
                run = services.import_run(actor=director, run=run)
                figures["run_s"] = round(time.monotonic() - started, 1)
                figures.update(created=run.created, skipped=run.skipped, failed=run.failed,
                               errors_reported=len({e["row"] for e in run.errors}))
                raise _RolledBack
        except _RolledBack:
            pass
    figures["peak_rss_mb"] = _rss_mb()
    return figures


def _export(rows: int) -> dict:  # noqa: ARG001 (every customer the director sees)
    from django.test import RequestFactory

    from qiao.core import exports
    from qiao.customers.lists import CUSTOMERS
    from qiao.org.models import User

    director = User.objects.get(username="director")
    request = RequestFactory().get("/customers/")
    request.user = director
    figures = {"rss_at_start_mb": _rss_mb()}
    for fmt in ("xlsx", "csv"):
        queryset = CUSTOMERS.rows(director, CUSTOMERS.form(request))
        started = time.monotonic()
        file = exports.list_file(fmt, title=str(CUSTOMERS.title), columns=CUSTOMERS.columns,
                                 rows=queryset)
        handle = file.write(director)
        handle.seek(0, os.SEEK_END)
        figures[f"{fmt}_s"] = round(time.monotonic() - started, 1)
        figures[f"{fmt}_mb"] = round(handle.tell() / 2**20, 1)
        figures[f"rss_after_{fmt}_mb"] = _rss_mb()
        handle.close()
    figures["rows"] = queryset.count()
    figures["peak_rss_mb"] = _rss_mb()
    return figures


def _backup(rows: int) -> dict:  # noqa: ARG001
    from qiao.dataio import backup

    with tempfile.TemporaryDirectory() as directory, tempfile.TemporaryDirectory() as media:
        started = time.monotonic()
        archive = backup.backup_create(directory=Path(directory), media_root=Path(media))
        seconds = round(time.monotonic() - started, 1)
        size = sum(p.stat().st_size for p in archive.path.rglob("*") if p.is_file())
        return {"seconds": seconds, "rows": sum(archive.manifest["tables"].values()),
                "archive_mb": round(size / 2**20, 1), "check": archive.manifest["check"],
                "peak_rss_mb": _rss_mb()}


CASES = {"import": _import, "export": _export, "backup": _backup}


def measure(case: str, rows: int, url: str) -> dict:
    """Run `case` in a child process on the database `url`; its figures."""
    env = {**os.environ, "QIAO_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.perf.settings"}
    done = subprocess.run([sys.executable, "-m", "tests.perf.dataio_bench", case, str(rows)],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"data in/out case {case} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_all(url: str, vendor: str, rows: int) -> dict:
    """The three cases (the backup on SQLite only, as issue 13 sets it), printed as they end."""
    results = {}
    for case in ("import", "export", "backup"):
        if case == "backup" and vendor != "sqlite":
            continue
        print(f"  data in/out: {case}…", flush=True)
        results[case] = figures = measure(case, rows, url)
        print(f"    {json.dumps(figures, ensure_ascii=False)}", flush=True)
    return results


def main(argv) -> int:
    import django

    django.setup()
    case, rows = argv[0], int(argv[1]) if len(argv) > 1 else 100_000
    print(json.dumps(CASES[case](rows), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
