"""Files added to and removed from a customer."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core.concurrency import save_versioned
from qiao.core.files import store
from qiao.core.history import authored_by
from qiao.core.models import Clearance

from ..models import Attachment, Customer
from .archive import _check_within_clearance, customer_event_record


@transaction.atomic
def attachment_add(*, actor, customer: Customer, upload, description="",
                   secret_level=Clearance.INTERNAL) -> Attachment:
    _check_within_clearance(actor, secret_level)  # anyone who may upload classifies the file
    attachment = Attachment(customer=customer, description=description)
    store(attachment, upload, uploaded_by=actor, secret_level=secret_level)
    authored_by(attachment, actor).save()
    customer_event_record(customer, "attachment_added", actor=actor,
                          params={"name": attachment.original_name}, link=attachment,
                          secret_level=attachment.secret_level)
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment: Attachment) -> None:
    authored_by(attachment, actor)
    attachment.is_deleted = True
    attachment.deleted_at = timezone.now()
    save_versioned(attachment, expected_version=attachment.version, change_reason=_("Deleted"))
    customer_event_record(attachment.customer, "attachment_deleted", actor=actor,
                          params={"name": attachment.original_name}, link=attachment,
                          secret_level=attachment.secret_level)
