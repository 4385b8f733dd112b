"""REST API of imports (DAT-1, issue 13): the import pages' steps for a program — upload a
sheet, map its columns, a dry run, the run, its progress and the error report — through the
same services and selectors. Every operation needs data.import, and each importer its own
actions (refused → 404); a job is its uploader's alone (anyone else's → 404). A dry run and a
run are queued in the task worker as the page queues them (202): read the job until its status
is no longer `queued` or `running`. Refusals carry the service's message: an unknown importer,
a file that cannot be read as a table (C11: a zip bomb, too many rows) or a bad mapping → 400;
a run without a dry run of its settings, or a job in progress → 409."""

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qiao.core import exports
from qiao.core.api import (
    Input,
    PageQuery,
    error_responses,
    larger_body,
    page_of,
    paged,
    record_id,
)
from qiao.org.api_access import check

from . import selectors, services
from .actions import DATA_IMPORT
from .models import ImportRun

router = Router(tags=["imports"])

ERRORS_SHOWN = 200  # as the page: the report (errors.xlsx) holds them all
MULTIPART_OVERHEAD = 64 * 1024
Duplicates = Literal[tuple(ImportRun.Duplicates.values)]


def _upload_limit() -> int:
    """A body as large as the largest file the page takes (core.files.check_upload), with its
    multipart envelope."""
    return settings.QIAO_ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD


# --- output ----------------------------------------------------------------------------------

class ImportFieldOut(Schema):
    code: str
    label: str
    headers: list[str] = Field(description="Header names (Chinese and English) that suggest "
                                           "this field for a column, besides its label.")
    kind: str = Field(description="How a cell is read: text, phone, date, amount, number, "
                                  "yes_no.")
    required: bool


class ChoiceOut(Schema):
    code: str
    label: str


class ImporterOut(Schema):
    code: str
    label: str
    description: str
    fields: list[ImportFieldOut]
    duplicates: list[ChoiceOut] = Field(description="How a row like an existing record may be "
                                                    "handled; the first is the default.")

    @staticmethod
    def resolve_label(obj):
        return str(obj.label)

    @staticmethod
    def resolve_description(obj):
        return str(obj.description)

    @staticmethod
    def resolve_fields(obj):
        return [{"code": f.code, "label": str(f.label), "headers": list(f.headers),
                 "kind": f.kind, "required": f.required} for f in obj.fields]

    @staticmethod
    def resolve_duplicates(obj):
        labels = dict(ImportRun.Duplicates.choices)
        return [{"code": code, "label": str(labels[code])} for code in obj.duplicates]


class ImportJobItem(Schema):
    id: int
    importer: str
    file_name: str = Field(alias="original_name")
    size: int = Field(description="Bytes.")
    status: str = Field(description="uploaded (not checked yet), queued, running, checked (a "
                                    "dry run done), done, failed (all or none: nothing "
                                    "imported), cancelled.")
    status_label: str
    job: str = Field(description="What the worker was last asked: check (a dry run) or run.")
    uploaded_at: datetime
    checked_at: datetime | None
    finished_at: datetime | None
    total_rows: int
    created: int = Field(description="Rows created (a dry run: that would be).")
    updated: int
    skipped: int
    failed: int = Field(description="Bad rows.")

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class ImportPreviewRow(Schema):
    row: int = Field(description="The row number the spreadsheet shows.")
    outcome: Literal["created", "updated", "skipped"]
    note: str


class ImportErrorOut(Schema):
    row: int
    column: str = Field(description="The column's letter (A, B…); empty for the row as a whole.")
    header: str
    reason: str


class ImportJobOut(ImportJobItem):
    encoding: str = Field(description="A CSV file's encoding (UTF-8, GBK…).")
    sheets: list[str]
    sheet: str
    headers: list[str] = Field(description="The chosen sheet's column headers, in order.")
    mapping: dict[str, str] = Field(description="{column index (from 0, as text): field code}: "
                                                "suggested at upload, then as configured.")
    duplicates: str
    all_or_none: bool
    done_rows: int = Field(description="Rows the worker has done of a job in progress.")
    percent: int = Field(description="The progress bar: 0–100.")
    preview: list[ImportPreviewRow] = Field(description=(
        "What the last dry run or run did with each good row (the first 200 rows)."))
    errors: list[ImportErrorOut] = Field(description=(
        f"The bad rows' reasons, the first {ERRORS_SHOWN}; errors.xlsx holds all of them."))
    errors_count: int

    @staticmethod
    def resolve_done_rows(obj):
        return services.progress(obj)

    @staticmethod
    def resolve_percent(obj):
        return services.progress(obj) * 100 // obj.total_rows if obj.total_rows else 0

    @staticmethod
    def resolve_preview(obj):
        return obj.results

    @staticmethod
    def resolve_errors(obj):
        return obj.errors[:ERRORS_SHOWN]

    @staticmethod
    def resolve_errors_count(obj):
        return len(obj.errors)


# --- input -----------------------------------------------------------------------------------

class ImportUploadIn(Input):
    importer: str = Field(..., max_length=40, description="The code of one of GET "
                                                          "/importers (customers, contacts…).")


ColumnIndex = Annotated[str, Field(pattern=r"^\d{1,4}$")]
FieldCode = Annotated[str, Field(max_length=40)]


class ImportConfigureIn(Input):
    sheet: str = Field("", max_length=100, description=(
        "One of the job's `sheets`; empty: the current one. Another sheet reads its headers "
        "and suggests their mapping afresh (the `mapping` sent is then not used)."))
    mapping: dict[ColumnIndex, FieldCode] | None = Field(
        None, max_length=1000, description=(
            "{column index (from 0, as text): field code, empty for not imported}: every "
            "column imported, each field once, the required ones all there. Left out: the "
            "job's mapping as it is."),
        examples=[{"0": "name", "1": "credit_code", "2": "phone"}])
    duplicates: Duplicates | None = Field(None, description=(
        "skip, update or create (those the importer offers); left out: as it is."))
    all_or_none: bool | None = Field(None, description=(
        "true: one bad row and nothing is imported; false: the good rows are imported and "
        "the bad ones reported. Left out: as it is."))


# --- reads -----------------------------------------------------------------------------------

def _job(request, import_id):
    check(request, DATA_IMPORT)
    return selectors.run_get(request.auth, import_id)


@router.get("/importers", response={200: list[ImporterOut], **error_responses()})
def importer_list(request):
    """What files may hold for you: each importer's fields (with the header names that
    suggest them) and its ways with rows like existing records."""
    check(request, DATA_IMPORT)
    return services.usable_importers(request.auth)


@router.get("/imports", response={200: paged(ImportJobItem), **error_responses()})
def import_list(request, query: Query[PageQuery]):
    """Your import jobs, newest first."""
    check(request, DATA_IMPORT)
    return page_of(selectors.runs(request.auth), query)


@router.get("/imports/{import_id}", response={200: ImportJobOut, **error_responses()})
def import_detail(request, import_id: int = record_id()):
    """One of your jobs: its settings, status and progress, and what its last dry run or run
    did (counts, the rows' preview, the bad rows)."""
    return _job(request, import_id)


@router.get("/imports/{import_id}/errors.xlsx", response=error_responses(),
            openapi_extra={"responses": {"200": {
                "description": "The error report: row, column, header and reason of every bad "
                               "row of the last dry run or run.",
                "content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
def import_errors(request, import_id: int = record_id()):
    """The error report as an Excel file (the page's download)."""
    check(request, DATA_IMPORT)
    report = selectors.run_errors_file(request.auth, import_id)
    return exports.file_response(report, report.write(None))


# --- writes ----------------------------------------------------------------------------------

@router.post("/imports", response={201: ImportJobOut, **error_responses(413)})
@larger_body(_upload_limit)
def import_upload(request, payload: Form[ImportUploadIn], file: File[UploadedFile]):
    """Upload an xlsx or csv file (UTF-8, UTF-8 with BOM, GBK, GB18030) as multipart form data:
    the job, with the first sheet's headers and their suggested mapping (the one you last
    chose for files of the same headers). Refused before anything is kept: another type, a
    file that cannot be read as a table, a zip bomb, more rows than the limit."""
    check(request, DATA_IMPORT)
    run = services.import_upload(actor=request.auth, importer=payload.importer, upload=file)
    return Status(201, selectors.run_get(request.auth, run.pk))


@router.post("/imports/{import_id}/configure", response={200: ImportJobOut,
                                                       **error_responses(409)})
def import_configure(request, payload: ImportConfigureIn, import_id: int = record_id()):
    """The sheet, the columns' fields, the duplicate handling and the mode, as the page's form
    sets them; the next run then needs a new dry run."""
    run = _job(request, import_id)
    services.import_configure(
        actor=request.auth, run=run, sheet=payload.sheet,
        mapping=run.mapping if payload.mapping is None else payload.mapping,
        duplicates=payload.duplicates or run.duplicates,
        all_or_none=run.all_or_none if payload.all_or_none is None else payload.all_or_none)
    return selectors.run_get(request.auth, import_id)


def _start(request, import_id, *, dry_run):
    run = services.import_start(actor=request.auth, run=_job(request, import_id),
                                dry_run=dry_run)
    return Status(202, selectors.run_get(request.auth, run.pk))


@router.post("/imports/{import_id}/dry-run", response={202: ImportJobOut, **error_responses(409)})
def import_dry_run(request, import_id: int = record_id()):
    """Queue the dry run: every row checked and saved, then all of it rolled back; the job
    then says what the run would do."""
    return _start(request, import_id, dry_run=True)


@router.post("/imports/{import_id}/run", response={202: ImportJobOut, **error_responses(409)})
def import_run(request, import_id: int = record_id()):
    """Queue the run, after a dry run of the same settings (409 without one): all or none, or
    the good rows."""
    return _start(request, import_id, dry_run=False)


@router.post("/imports/{import_id}/cancel", response={202: ImportJobOut, **error_responses(409)})
def import_cancel(request, import_id: int = record_id()):
    """Ask the worker to stop a job in progress (409 for any other); a partial run's saved
    batches stay."""
    services.import_cancel(actor=request.auth, run=_job(request, import_id))
    return Status(202, selectors.run_get(request.auth, import_id))
