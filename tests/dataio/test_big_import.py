"""Imports that stream (issue 13's 100k rows, CHECKS C09 and C10, at a size `make test` affords;
the 100k-row figures come from `make bench`, docs/benchmarks.md).

* A sheet is read a row at a time: a file past the old cap of 5,000 rows reads, and reading
  30,000 CSV rows takes no more memory than reading 3,000 (tracemalloc; an xlsx's 5,000 rows
  some 80 bytes a row more than its 500, openpyxl's parser's leftovers, never a row's cells).
* C09: a sheet with 1 % bad rows: all or none writes nothing, partial writes exactly the good
  rows, every bad row is reported with its row number and reason.
* C10: the run, in a process of its own on a file SQLite database, SIGKILLed at a few points,
  then run again: only whole batches were ever written, each with its ledger rows, and the
  last run leaves exactly the good rows, none twice."""

import io
import os
import random
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from qiao.customers.models import Customer
from qiao.dataio import reading, services
from qiao.dataio.models import ImportedRow, ImportRun
from tests.perf.dataio_data import HEADER, customer_row, is_bad, write_customer_sheet

ROOT = Path(__file__).resolve().parents[2]


def csv_bytes(rows: int, *, bad_every=None, prefix="导入流式") -> bytes:
    lines = [",".join(HEADER)]
    lines += [",".join(customer_row(n, bad=is_bad(n, bad_every), prefix=prefix))
              for n in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_upload(tmp_path, rows, *, bad_every=None, prefix="导入流式"):
    path = tmp_path / "客户.xlsx"
    write_customer_sheet(path, rows, bad_every=bad_every, prefix=prefix)
    return SimpleUploadedFile("客户.xlsx", path.read_bytes())


def peak_while_reading(data: bytes, kind: str) -> tuple[int, int]:
    """(rows read, peak bytes allocated while the rows were read, past the opening)."""
    handle = io.BytesIO(data)
    with reading.open_table(handle, kind) as table:
        tracemalloc.start()
        try:
            count = sum(1 for _ in table.rows)
            return count, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_reading_streams_past_the_old_cap_with_flat_memory(tmp_path):
    assert reading.max_rows() >= 100_000
    small, large = csv_bytes(3_000), csv_bytes(30_000)
    rows_small, peak_small = peak_while_reading(small, reading.CSV)
    rows_large, peak_large = peak_while_reading(large, reading.CSV)
    assert (rows_small, rows_large) == (3_000, 30_000)
    # Ten times the rows, the same memory: a list of 30,000 rows would take megabytes.
    assert peak_large < peak_small + 256 * 1024, (peak_small, peak_large)
    assert reading.count_rows(io.BytesIO(large), reading.CSV) == 30_000
    write_customer_sheet(tmp_path / "a.xlsx", 500)
    write_customer_sheet(tmp_path / "b.xlsx", 5_000)
    xlsx_small, xlsx_large = ((tmp_path / n).read_bytes() for n in ("a.xlsx", "b.xlsx"))
    rows_small, peak_small = peak_while_reading(xlsx_small, reading.XLSX)
    rows_large, peak_large = peak_while_reading(xlsx_large, reading.XLSX)
    assert (rows_small, rows_large) == (500, 5_000)
    # openpyxl's XML parser keeps an emptied element per row read (some 80 bytes): far less
    # than a row's cells (six texts, 600 bytes and more), so no row is kept.
    assert (peak_large - peak_small) / 4_500 < 200, (peak_small, peak_large)
    assert reading.count_rows(io.BytesIO(xlsx_large), reading.XLSX) == 5_000


def test_more_rows_than_the_cap_are_refused_at_upload_before_anything_is_kept(personas,
                                                                             settings, tmp_path):
    settings.QIAO_IMPORT_MAX_ROWS = 50
    for upload in (SimpleUploadedFile("a.csv", csv_bytes(51)), xlsx_upload(tmp_path, 51)):
        with pytest.raises(ValidationError, match="50"):
            services.import_upload(actor=personas["am01"], importer="customers", upload=upload)
    assert not ImportRun.objects.exists()
    run = services.import_upload(actor=personas["am01"], importer="customers",
                                 upload=SimpleUploadedFile("a.csv", csv_bytes(50)))
    assert run.pk


def test_a_cap_lowered_after_the_upload_refuses_the_run_and_leaves_it_runnable(personas,
                                                                               settings):
    am01 = personas["am01"]
    run = configured(am01, SimpleUploadedFile("a.csv", csv_bytes(50)), all_or_none=True)
    settings.QIAO_IMPORT_MAX_ROWS = 10
    with pytest.raises(ValidationError, match="10"):
        services.import_check(actor=am01, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED
    settings.QIAO_IMPORT_MAX_ROWS = 50
    assert services.import_check(actor=am01, run=run).status == ImportRun.Status.CHECKED


def configured(user, upload, *, all_or_none):
    run = services.import_upload(actor=user, importer="customers", upload=upload)
    return services.import_configure(actor=user, run=run, sheet=run.sheet, mapping=run.mapping,
                                     duplicates="skip", all_or_none=all_or_none)


def test_c09_one_percent_bad_rows_all_or_none_partial_and_every_bad_row_reported(
        personas, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 30)  # several batches in the partial run
    am01, rows = personas["am01"], 200
    bad = {n + 2 for n in range(rows) if is_bad(n, 100)}  # sheet rows: header is row 1
    assert len(bad) == 2
    upload = xlsx_upload(tmp_path, rows, bad_every=100, prefix="导入C09")
    for all_or_none, written in ((True, 0), (False, rows - len(bad))):
        run = services.import_check(actor=am01, run=configured(am01, upload,
                                                                all_or_none=all_or_none))
        assert (run.total_rows, run.created, run.failed) == (rows, rows - len(bad), len(bad))
        run = services.import_run(actor=am01, run=run)
        assert Customer.objects.filter(name__startswith="导入C09").count() == written
        assert ImportedRow.objects.filter(run=run).count() == written
        assert {e["row"] for e in run.errors} == bad
        assert all(e["reason"] and e["column"] == "B" for e in run.errors), run.errors
        assert run.failed == len(bad)
        assert run.status == (ImportRun.Status.FAILED if all_or_none else ImportRun.Status.DONE)
        upload.seek(0)


# The run in a process of its own (the test settings: the task runs in the calling process),
# on the test's database and media, started as the page starts it (import_start); a run
# killed before is known dead (STALE 0), as it is once STALE has passed.
RUNNER = """
import datetime
import sys
import django
django.setup()
from django.conf import settings
settings.MEDIA_ROOT = sys.argv[1]
from qiao.dataio import services
from qiao.dataio.models import ImportRun
services.BATCH = int(sys.argv[3])
services.STALE = datetime.timedelta(0)
run = ImportRun.objects.get(pk=int(sys.argv[2]))
run = services.import_start(actor=run.owner, run=run, dry_run=False)
print(run.status, run.created, run.skipped)
"""


@pytest.fixture
def workers():
    """The runs started; any still alive at the end is killed (before the database is)."""
    started = []
    yield started
    for worker in started:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)


def start_run(workers, run, media, batch):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qiao.settings.test",
           "QIAO_TEST_DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    worker = subprocess.Popen([sys.executable, "-c", RUNNER, str(media), str(run.pk),
                               str(batch)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    workers.append(worker)
    return worker


def imported():
    return Customer.objects.filter(name__startswith="导入C10")


@pytest.mark.django_db(transaction=True)
def test_c10_a_run_killed_at_random_points_then_run_again_writes_whole_batches_and_no_duplicate(
        personas, tmp_path, media, workers):
    if connection.vendor != "sqlite":
        pytest.skip("the killed process shares the test's SQLite file")
    am01, rows, batch = personas["am01"], 160, 20
    upload = SimpleUploadedFile("c10.csv", csv_bytes(rows, prefix="导入C10"))
    # All or none, killed in the middle: nothing at all.
    run = services.import_check(actor=am01, run=configured(am01, upload, all_or_none=True))
    worker = start_run(workers, run, media, batch)
    deadline = time.monotonic() + 60
    while ImportRun.objects.get(pk=run.pk).status != ImportRun.Status.RUNNING:
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.02)
    time.sleep(0.5)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert not imported().exists() and not ImportedRow.objects.exists()
    # Partial: killed three times after a random number of committed batches.
    upload.seek(0)
    run = services.import_check(actor=am01, run=configured(am01, upload, all_or_none=False))
    rng, kills = random.Random(13), 0
    for point in sorted(rng.sample(range(1, rows // batch - 1), 3)):
        worker = start_run(workers, run, media, batch)
        deadline = time.monotonic() + 60
        while imported().count() < point * batch and worker.poll() is None:
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills += worker.returncode == -signal.SIGKILL
        saved = imported().count()
        # Whole batches only, each with the ledger rows of its customers.
        assert saved % batch == 0 and saved == ImportedRow.objects.filter(run=run).count()
    assert kills >= 2  # a worker may finish before its kill lands only at the very end
    worker = start_run(workers, run, media, batch)
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, out
    names = list(imported().values_list("name", flat=True))
    assert len(names) == rows == len(set(names))
    assert ImportedRow.objects.filter(run=run).count() == rows
    status, created, skipped = out.split()[-3:]
    assert status == ImportRun.Status.DONE and int(created) + int(skipped) == rows
