"""Files kept with a customer."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.models import BusinessModel, StoredFile
from qiao.org.scope import ScopedSoftDeleteQuerySet

from .archive import Customer


def attachment_path(instance, filename):
    # Named by migrations 0001–0005; attachments are now stored under core.models.stored_file_path.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"customers/{timezone.now():%Y/%m}/{instance.customer_id}-{timezone.now():%H%M%S%f}.{ext}"


class Attachment(StoredFile, BusinessModel):
    """A file kept with a customer (licence scan, contract, photo of the shop)."""

    upload_dir = "customers"

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="attachments")
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = ScopedSoftDeleteQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at"]
