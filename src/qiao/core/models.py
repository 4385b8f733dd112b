"""The secret levels (Clearance) records carry and roles grant; base models every business record
builds on (timestamps, soft delete and a version; a stored file), and the business calendar's
tables (`qiao.core.calendar` reads them)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import PlausibleDate


class Clearance(models.IntegerChoices):
    """Secret levels (密级, SPEC ORG-5), in ascending order: a record carries one, a role grants
    one, and a user sees a record only at or below their role's clearance."""

    PUBLIC = 0, _("Public")
    INTERNAL = 1, _("Internal")
    CONFIDENTIAL = 2, _("Confidential")
    SECRET = 3, _("Secret")


def choice_labels(field) -> dict:
    """{value: label} of a model field's choices, as Django's get_FOO_display() builds it on
    every call: built once per field here (the labels stay lazy, translated when shown), again
    if the field's choices are replaced; choices given as a callable are read every time."""
    choices = field.choices
    if not isinstance(choices, list | tuple):
        return dict(make_hashable(field.flatchoices))
    cached = field.__dict__.get("_qiao_choice_labels")
    if cached is None or cached[0] is not choices:
        cached = (choices, dict(make_hashable(field.flatchoices)))
        field.__dict__["_qiao_choice_labels"] = cached
    return cached[1]


class ChoiceLabelsModel(models.Model):
    """get_FOO_display() as Django's, without building the {value: label} dict again, whose
    lazy labels are each translated to be hashed, on every call: a list page shows a status
    and a classification per row."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)


class TimeStampedModel(ChoiceLabelsModel):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(is_deleted=False)

    def deleted(self):
        return self.filter(is_deleted=True)


class BusinessModel(TimeStampedModel):
    """A record people edit together: soft delete, and a version for optimistic locking.

    `version` is compared and bumped in one UPDATE by `core.concurrency.save_versioned`,
    which works the same on SQLite (where select_for_update is a no-op) and PostgreSQL.
    """

    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        abstract = True


def stored_file_path(instance, filename):
    """`<upload_dir>/<year>/<month>/<random>.<ext>`: the stored name is Qiao's own, never the
    uploader's (no path tricks, no clashes); `core.files.store` passes the extension of the
    detected type."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.upload_dir}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class StoredFile(models.Model):
    """A file people upload and download (a customer's attachment, a work-order stage's file, a
    receipt's signature). `core.files.store` fills every field from the upload; the one download
    view, `core.views.stored_file_download`, serves it after the domain's `visible_to(user)`
    found the record — which includes `secret_level <= the user's clearance`.

    `content_type` is detected from the content, never taken from the name or the browser, and
    is what the file is served as; `sha256` and `size` say which bytes were received. Files
    stored before these were recorded were filled in from the disk by a migration (`sha256` is
    empty when the file was missing then)."""

    upload_dir = "files"  # where a kind of file is kept under MEDIA_ROOT

    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, default="")
    content_type = models.CharField(_("type"), max_length=100,
                                    default="application/octet-stream")
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField("SHA-256", max_length=64, default="", editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    secret_level = models.PositiveSmallIntegerField(
        _("secret level"), choices=Clearance.choices, default=Clearance.INTERNAL)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


class CalendarDay(models.Model):
    """A day that departs from the Monday-to-Friday rule of the business calendar: an official
    holiday (放假) or a make-up workday (调休上班) on a weekend. Every other day is a working day
    from Monday to Friday and a day off on Saturday and Sunday. Seeded from chinesecalendar for
    the years it knows (`manage.py calendar_seed`); administrators enter later years in the
    admin. `qiao.core.calendar` reads this table."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True, validators=[PlausibleDate()])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True,
                            help_text=_("The holiday it belongs to, e.g. 春节 or 国庆节."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        if self.kind == self.Kind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": _("A make-up workday falls on a Saturday or a Sunday: "
                                             "Monday to Friday are working days anyway.")})


class WorkingPeriod(models.Model):
    """One period of working time on every working day (e.g. 09:00–12:00 and 13:30–18:00).
    Business hours are counted inside these periods only."""

    start = models.TimeField(_("starts at"))
    end = models.TimeField(_("ends at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working hours")
        ordering = ["start"]

    def __str__(self):
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is None or self.end is None:
            return
        if self.start >= self.end:
            raise ValidationError({"end": _("A working period ends after it starts, on the same "
                                            "day.")})
        overlapping = (WorkingPeriod.objects.exclude(pk=self.pk)
                       .filter(start__lt=self.end, end__gt=self.start).first())
        if overlapping:
            raise ValidationError(_("This period overlaps the working period %(period)s.")
                                  % {"period": overlapping})
