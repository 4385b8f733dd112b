"""Import runs (DAT-1): the uploaded file, how its columns map, what a dry run or a run did,
and the rows already saved from each file (so that a run repeated after a crash saves none of
them twice)."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiao.core.models import StoredFile, TimeStampedModel
from qiao.org.scope import ScopedQuerySet


class ImportRun(StoredFile):
    """One uploaded file and what was done with it, visible to its owner alone."""

    upload_dir = "imports"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Not checked yet")
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", pgettext_lazy("import", "In progress")
        CHECKED = "checked", _("Checked")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")
        CANCELLED = "cancelled", _("Cancelled")

    class Duplicates(models.TextChoices):
        SKIP = "skip", _("Skip rows like an existing record")
        UPDATE = "update", _("Update the existing record")
        CREATE = "create", _("Create a new record anyway")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                              on_delete=models.PROTECT, related_name="+")
    importer = models.CharField(_("import as"), max_length=40)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    sheets = models.JSONField(default=list, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # {column index: field code}
    duplicates = models.CharField(_("duplicates"), max_length=10, choices=Duplicates.choices,
                                  default=Duplicates.SKIP)
    all_or_none = models.BooleanField(_("all or none"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # What the last dry run or run did: [{row, outcome, id, note}] (the first PREVIEW rows) and
    # every bad row's [{row, column, header, reason}].
    results = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    job = models.CharField(max_length=5, blank=True)  # what the worker was asked: check or run
    started_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["owner", "-uploaded_at"], name="importrun_owner")]


class ImportedRow(models.Model):
    """A row of a file that a run saved: the same file (by SHA-256) run again skips it."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="imported_rows")
    importer = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    sheet = models.CharField(max_length=100, blank=True)
    row_number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10)
    object_id = models.PositiveBigIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["importer", "sha256", "sheet", "row_number"],
                                               name="importedrow_once")]

    def __str__(self):
        return f"{self.importer} {self.sha256[:12]} {self.sheet} #{self.row_number}"


class ImportMapping(models.Model):
    """How a user mapped the columns of a file of one layout (its folded headers), offered
    again for the next file with the same headers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    importer = models.CharField(max_length=40)
    layout = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "importer", "layout"],
                                               name="importmapping_once")]

    def __str__(self):
        return f"{self.user} {self.importer} {self.layout[:12]}"


class ExportRequest(TimeStampedModel):
    """An export above QIAO_EXPORT_APPROVAL_ROWS rows (C07), waiting for, or given, the
    requester's superior's approval (approval type `data_export`). It holds what makes the file
    again when the requester downloads it: the export's URL (its name, path and query string:
    the filters), its title and filters as people read them, the format and the rows counted
    when it was asked for. Visible to its requester alone; its approver reads it on the
    approval's page."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"),
                                  on_delete=models.PROTECT, related_name="+")
    list_name = models.CharField(_("list"), max_length=100)  # the export URL's name
    path = models.CharField(max_length=300)
    query = models.CharField(max_length=2000, blank=True)
    title = models.CharField(_("title"), max_length=200)
    filters = models.JSONField(_("filters"), default=list, blank=True)  # [[label, value], …]
    fmt = models.CharField(_("format"), max_length=4)
    rows = models.PositiveIntegerField(_("rows"), validators=[MaxValueValidator(100_000_000)])
    # Why the file is needed: asked for when an approver returns the request (导出用途).
    purpose = models.CharField(_("purpose of the export"), max_length=500, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices,
                             default=State.WAITING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0,
                                            validators=[MaxValueValidator(1_000_000)])
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    last_sha256 = models.CharField(max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "-created_at"], name="exportrequest_requester")]

    def __str__(self):
        return f"{self.title} ({self.rows})"

    def downloadable(self, now) -> bool:
        return (self.state == self.State.APPROVED and self.expires_at is not None
                and now < self.expires_at)
