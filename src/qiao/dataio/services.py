"""Imports (DAT-1): upload a file, map its columns, check it (a dry run), then run it.

A dry run and a run are the same pass over the rows: each row is normalised (dataio.normalize)
and handed to its importer (core.registry.importers), which validates and saves it with the
forms and services of its own pages, inside a savepoint, so a bad row leaves nothing behind.
A dry run rolls everything back at the end — what it reports is what the run would do, rows
that repeat an earlier row of the same file included. A run is

* all or none (the default): one transaction; one bad row and nothing is written;
* partial: the good rows are saved, BATCH rows per transaction, the bad ones reported.

Every saved row is recorded (ImportedRow: importer, the file's SHA-256, sheet, row number) in
the transaction that saved it, so a run repeated after a crash or a kill skips the rows already
saved and writes no duplicate (CHECKS C10). The rows are streamed from the stored file
(reading.open_table), one at a time, so memory does not grow with the file: what a pass keeps
is its counts, the first PREVIEW results, the bad rows' errors and the numbers of the rows
already saved. A file of more than reading.max_rows() rows is refused at upload and before a
run (reading.count_rows, a scan of the bytes)."""

import contextlib
import datetime
import itertools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from qiao.audit import services as audit_services
from qiao.audit.models import OperationLog
from qiao.core import files
from qiao.core.exceptions import ConflictError
from qiao.core.registry import importers
from qiao.org.permissions import can

from . import mapping as mappings
from . import reading
from .actions import DATA_BACKUP, DATA_IMPORT
from .models import ImportedRow, ImportMapping, ImportRun
from .normalize import normalize

BATCH = 200
PROGRESS = 25  # rows between two progress reports (and looks for a cancellation)
STALE = datetime.timedelta(minutes=15)  # a run without news for this long has died
PREVIEW = 200  # the rows a run's page lists (bad rows are all kept)
CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"


def usable_importers(user) -> list:
    """The importers `user` may run: dataio's action and every action of the importer."""
    if not can(user, DATA_IMPORT):
        return []
    return [i for i in importers if all(can(user, a) for a in i.actions)]


def _importer(user, code: str):
    try:
        importer = importers.get(code)
    except LookupError:
        raise ValidationError({"importer": _("Choose what the file holds.")}) from None
    if importer not in usable_importers(user):
        raise PermissionDenied
    return importer


def _table(run: ImportRun) -> reading.Table:
    """The run's sheet: its headers and first row (the rows are streamed by a pass)."""
    with run.file.open("rb") as handle:
        return reading.read_table(handle, reading.kind_of(run.original_name), sheet=run.sheet,
                                  header_only=True)


def _count(run: ImportRun) -> int:
    """At most how many rows the run's sheet has (ValidationError above the cap)."""
    with run.file.open("rb") as handle:
        return reading.count_rows(handle, reading.kind_of(run.original_name), sheet=run.sheet)


def _remembered(user, importer, headers) -> dict | None:
    row = (ImportMapping.objects.filter(user=user, importer=importer.code,
                                        layout=mappings.layout_key(headers))
           .values_list("mapping", flat=True).first())
    return row


@transaction.atomic
def import_upload(*, actor, importer: str, upload) -> ImportRun:
    """A new import run of `upload` (xlsx or csv), its first sheet's columns mapped as
    suggested. Refused before anything is kept: a file of another type, or one that cannot be
    read as a table (an unknown encoding, an empty sheet, a zip bomb)."""
    entry = _importer(actor, importer)
    kind = reading.kind_of(upload.name or "")
    upload.seek(0)
    table = reading.read_table(upload, kind, header_only=True)
    upload.seek(0)
    reading.count_rows(upload, kind, sheet=table.sheet)  # too many rows: refused now
    upload.seek(0)
    run = ImportRun(owner=actor, importer=entry.code, sheets=table.sheets, sheet=table.sheet,
                    encoding=table.encoding, headers=table.headers)
    files.store(run, upload, uploaded_by=actor)
    run.mapping = mappings.suggest(entry, table.headers, _remembered(actor, entry, table.headers))
    run.save()
    return run


@transaction.atomic
def import_configure(*, actor, run: ImportRun, sheet: str, mapping: dict, duplicates: str,
                     all_or_none: bool) -> ImportRun:
    """The sheet, the columns' fields, the duplicate handling and the mode; a change of sheet
    reads its headers and suggests their mapping afresh. The next run needs a new dry run."""
    entry = _importer(actor, run.importer)
    if run.status == ImportRun.Status.DONE:
        raise ConflictError(_("This file has been imported; upload it again to import it again."))
    if duplicates not in entry.duplicates:
        raise ValidationError({"duplicates": _("Choose how rows like existing records are "
                                               "handled.")})
    if sheet and sheet not in run.sheets:
        raise ValidationError({"sheet": _("Choose a sheet of the workbook.")})
    outside = sorted({str(k) for k in mapping} - {str(i) for i in range(len(run.headers))}, key=str)
    if outside:
        raise ValidationError({"mapping": _("The sheet has no column %(columns)s (its columns "
                                            "are numbered from 0 to %(last)s).")
                               % {"columns": "、".join(outside), "last": len(run.headers) - 1}})
    run.duplicates, run.all_or_none = duplicates, all_or_none
    if sheet and sheet != run.sheet:
        run.sheet = sheet
        table = _table(run)
        run.headers = table.headers
        run.mapping = mappings.suggest(entry, table.headers,
                                       _remembered(actor, entry, table.headers))
    else:
        codes = {f.code for f in entry.fields}
        chosen = {str(k): v for k, v in mapping.items()
                  if v and str(k).isdigit() and int(k) < len(run.headers)}
        unknown = set(chosen.values()) - codes
        if unknown:
            raise ValidationError({"mapping": _("Choose fields of the list.")})
        twice = sorted({entry.field(c).label for c in chosen.values()
                        if list(chosen.values()).count(c) > 1}, key=str)
        if twice:
            raise ValidationError({"mapping": _("Each field can take one column only: %s.")
                                   % "、".join(str(t) for t in twice)})
        missing = [str(f.label) for f in entry.fields if f.required and f.code not in chosen.values()]
        if missing:
            raise ValidationError({"mapping": _("Choose the column of: %s.") % "、".join(missing)})
        run.mapping = chosen
        ImportMapping.objects.update_or_create(
            user=actor, importer=entry.code, layout=mappings.layout_key(run.headers),
            defaults={"mapping": chosen})
    run.status, run.checked_at = ImportRun.Status.UPLOADED, None
    run.save()
    return run


def _huey():
    from huey.contrib.djhuey import HUEY

    return HUEY


def _key(run_pk: int, what: str) -> str:
    return f"qiao.dataio.{run_pk}.{what}"


def progress(run: ImportRun) -> int:
    """How many rows the worker has done of the run in progress."""
    if run.status != ImportRun.Status.RUNNING:
        return 0
    try:
        return int(_huey().get(_key(run.pk, "progress"), peek=True) or 0)
    except Exception:  # noqa: BLE001 -- the queue's storage is down: no news, not an error
        return 0


def _busy(run: ImportRun) -> bool:
    return (run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
            and run.started_at is not None and timezone.now() - run.started_at < STALE)


def import_start(*, actor, run: ImportRun, dry_run: bool) -> ImportRun:
    """Queue the dry run or the run of `run` in the task worker. A run needs a dry run of the
    same settings first; a run the worker is doing is not started twice (one that has given no
    news for STALE died with its worker and may be started again)."""
    _importer(actor, run.importer)
    if _busy(run):
        raise ConflictError(_("This file is being imported; wait for it or cancel it."))
    if not dry_run:
        _check_runnable(run)
    run.status, run.job, run.started_at = ImportRun.Status.QUEUED, "check" if dry_run else "run", \
        timezone.now()
    run.save(update_fields=["status", "job", "started_at"])
    _forget_signals(run.pk)
    from .tasks import import_task

    import_task(run.pk, actor.pk, dry_run)
    run.refresh_from_db()
    return run


def import_cancel(*, actor, run: ImportRun) -> None:
    """Ask the worker to stop the run (it stops within PROGRESS rows)."""
    _importer(actor, run.importer)
    if run.status not in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
        raise ConflictError(_("Only a run in progress can be cancelled."))
    _huey().put(_key(run.pk, "cancel"), "1")


def _cancelled(run_pk: int) -> bool:
    try:
        return _huey().get(_key(run_pk, "cancel"), peek=True) is not None
    except Exception:  # noqa: BLE001 -- the queue's storage is down: go on
        return False


class _Cancel(Exception):
    pass


def import_check(*, actor, run: ImportRun) -> ImportRun:
    """The dry run: every row validated and saved, then all of it rolled back."""
    return _execute(actor, run, dry_run=True)


def import_run(*, actor, run: ImportRun) -> ImportRun:
    """The run, after a dry run of the same settings (all or none, or partial)."""
    _check_runnable(run)
    return _execute(actor, run, dry_run=False)


def _check_runnable(run: ImportRun) -> None:
    """A run follows a dry run of its settings (configuring again asks for a new one)."""
    if run.status == ImportRun.Status.DONE:
        raise ConflictError(_("This file has been imported already."))
    queued_run = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING) and run.job == "run"
    if run.checked_at is None or not (queued_run or run.status in (
            ImportRun.Status.CHECKED, ImportRun.Status.FAILED, ImportRun.Status.CANCELLED)):
        raise ConflictError(_("Check the file first (a dry run), then import it."))


class _Outcome:
    def __init__(self, run, importer):
        self.columns = {code: int(index) for index, code in run.mapping.items()}
        self.headers = run.headers
        self.importer = importer
        self.results: list[dict] = []
        self.errors: list[dict] = []
        self.counts = {CREATED: 0, UPDATED: 0, SKIPPED: 0}
        self.rows = 0  # read so far

    def bad(self, row: int, field_errors: dict):
        for code, messages in field_errors.items():
            index = self.columns.get(code)
            column = get_column_letter(index + 1) if index is not None else ""
            header = self.headers[index] if index is not None and index < len(self.headers) else ""
            if not header and code in {f.code for f in self.importer.fields}:
                header = str(self.importer.field(code).label)
            for message in messages:
                self.errors.append({"row": row, "column": column, "header": header,
                                    "reason": str(message)})

    def good(self, row: int, outcome: str, pk, note: str):
        self.counts[outcome] += 1
        if len(self.results) < PREVIEW:
            self.results.append({"row": row, "outcome": outcome, "id": pk, "note": str(note)})

    def bad_rows(self) -> int:
        return len({e["row"] for e in self.errors})


def _messages(exc) -> dict:
    """{field code: [message]} of what a row's save raised."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {("" if k == "__all__" else k): [m for e in v for m in e.messages]
                    for k, v in exc.error_dict.items()}
        return {"": exc.messages}
    if isinstance(exc, ConflictError):
        return {exc.field or "": [str(exc)]}
    return {"": [_("You may not change this record.")]}


def _cells_of(importer, run) -> tuple[list, list]:
    """(index, field code, kind) of each mapped column, and the required fields' codes: looked
    up once per pass, not per row."""
    mapped = [(int(index), code, importer.field(code).kind) for index, code in run.mapping.items()]
    return mapped, [f.code for f in importer.fields if f.required]


def _values(mapped, required, cells) -> tuple[dict, dict]:
    values, errors = {}, {}
    for index, code, kind in mapped:
        value = cells[index] if index < len(cells) else None
        try:
            values[code] = normalize(kind, value)
        except ValidationError as exc:
            errors[code] = exc.messages
    for code in required:
        if not values.get(code) and code not in errors:
            errors[code] = [_("This cell is required.")]
    return values, errors


def _execute(actor, run: ImportRun, *, dry_run: bool) -> ImportRun:
    importer = _importer(actor, run.importer)
    # One run of a file at a time: a second click waits, then finds the rows saved.
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        was = run.status
        run.status = ImportRun.Status.RUNNING
        run.save(update_fields=["status"])
    try:
        # For the progress bar; more than the cap (lowered since the upload) is refused here,
        # and the run goes back to where it was.
        run.total_rows = _count(run)
        ImportRun.objects.filter(pk=run.pk).update(total_rows=run.total_rows)
        with run.file.open("rb") as handle, reading.open_table(
                handle, reading.kind_of(run.original_name), sheet=run.sheet) as table:
            outcome = _pass(actor, run, importer, table.rows, dry_run=dry_run)
    except _Cancel:
        return _finish_cancelled(run, dry_run=dry_run)
    except BaseException:
        if was in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
            was = ImportRun.Status.CHECKED if run.checked_at else ImportRun.Status.UPLOADED
        ImportRun.objects.filter(pk=run.pk).update(status=was, total_rows=run.total_rows)
        raise
    finally:
        _forget_signals(run.pk)
    return _finish(run, outcome, total=outcome.rows, dry_run=dry_run)


def _forget_signals(run_pk: int) -> None:
    """The pass is over: its progress and a cancel that came late mean nothing to the next
    pass (a cancel left behind would stop it at its first row)."""
    with contextlib.suppress(Exception):  # the queue's storage is down: nothing was kept there
        huey = _huey()
        huey.delete(_key(run_pk, "cancel"))
        huey.delete(_key(run_pk, "progress"))


def _batches(rows, size):
    """`rows` in lists of `size`, or as one iterable when `size` is None."""
    if size is None:
        yield rows
        return
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def _pass(actor, run, importer, rows, *, dry_run: bool):
    """One pass over `rows` (read as it goes): each one transaction (a dry run, all or none)
    or BATCH rows a transaction (partial). The ImportedRow ledger is written BATCH rows at a
    time in the transaction that saved them, so a long transaction holds no list of them."""
    outcome = _Outcome(run, importer)
    save = importer.rows(actor)
    done = set(ImportedRow.objects.filter(importer=importer.code, sha256=run.sha256,
                                          sheet=run.sheet).values_list("row_number", flat=True))
    one_transaction = dry_run or run.all_or_none
    mapped, required = _cells_of(importer, run)
    huey = _huey()
    for batch in _batches(rows, None if one_transaction else BATCH):
        with transaction.atomic():
            saved = []
            for number, cells in batch:
                if outcome.rows % PROGRESS == 0:
                    if _cancelled(run.pk):
                        raise _Cancel
                    with contextlib.suppress(Exception):  # no progress shown, nothing lost
                        huey.put(_key(run.pk, "progress"), str(outcome.rows))
                outcome.rows += 1
                if number in done:
                    outcome.good(number, SKIPPED, None, _("Imported by an earlier run of this file."))
                    continue
                values, errors = _values(mapped, required, cells)
                if errors:
                    outcome.bad(number, errors)
                    continue
                try:
                    with transaction.atomic():
                        result, pk, note = save(values, duplicates=run.duplicates)
                except (ValidationError, ConflictError, PermissionDenied, Http404) as exc:
                    outcome.bad(number, _messages(exc))
                    continue
                outcome.good(number, result, pk, note)
                # A dry run, or an all-or-none run with a bad row, is rolled back: no ledger.
                if result in (CREATED, UPDATED) and not dry_run and not (
                        run.all_or_none and outcome.errors):
                    saved.append(ImportedRow(run=run, importer=importer.code, sha256=run.sha256,
                                             sheet=run.sheet, row_number=number, outcome=result,
                                             object_id=pk))
                    if len(saved) >= BATCH:
                        ImportedRow.objects.bulk_create(saved)
                        saved = []
            if dry_run or (run.all_or_none and outcome.errors):
                transaction.set_rollback(True)
            else:
                ImportedRow.objects.bulk_create(saved)
    return outcome


def _finish_cancelled(run: ImportRun, *, dry_run: bool) -> ImportRun:
    """Cancelled: a dry run or an all-or-none run wrote nothing; a partial run's committed
    batches stay (and a later run skips them)."""
    kept = {} if dry_run else dict(
        ImportedRow.objects.filter(run=run).values_list("outcome").annotate(n=Count("pk")))
    run.status, run.finished_at = ImportRun.Status.CANCELLED, timezone.now()
    run.created, run.updated = kept.get(CREATED, 0), kept.get(UPDATED, 0)
    run.skipped = run.failed = 0
    run.results, run.errors = [], []
    run.save()
    return run


def _finish(run: ImportRun, outcome: _Outcome, *, total: int, dry_run: bool) -> ImportRun:
    now = timezone.now()
    run.total_rows = total
    run.created, run.updated = outcome.counts[CREATED], outcome.counts[UPDATED]
    run.skipped, run.failed = outcome.counts[SKIPPED], outcome.bad_rows()
    run.results, run.errors = outcome.results, outcome.errors
    if dry_run:
        run.status, run.checked_at = ImportRun.Status.CHECKED, now
    elif run.all_or_none and outcome.errors:
        run.status, run.finished_at = ImportRun.Status.FAILED, now
        run.created = run.updated = 0
    else:
        run.status, run.finished_at = ImportRun.Status.DONE, now
    run.save()
    return run


# --- backups (DAT-4; dataio.backup does the work) ---------------------------------------------

def backup_queue(*, actor, origin=None) -> None:
    """An administrator's "back up now": the nightly backup's steps, queued in the task worker
    (with its retention), and the request in the operation log. Refused (404) to anyone
    without data.backup."""
    if not can(actor, DATA_BACKUP):
        raise PermissionDenied
    from .tasks import backup_now

    audit_services.operation_record(actor=actor, action=OperationLog.Kind.BACKUP_REQUESTED,
                                    origin=origin)
    backup_now()
