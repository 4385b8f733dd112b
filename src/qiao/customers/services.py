"""Every change to the customer archive: one function per business action, each in one
transaction, each writing history (django-simple-history) and a timeline event."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core.concurrency import save_versioned
from qiao.core.exceptions import DuplicateRecordError, TransitionNotAllowed
from qiao.core.pinyin import pinyin_keys
from qiao.core.validators import normalize_company_name, normalize_credit_code, normalize_phone

from .lifecycle import allowed_targets
from .models import Attachment, Contact, Customer, CustomerEvent

# Fields a user edits on the customer form; everything else is set by a service.
EDITABLE_FIELDS = (
    "kind", "name", "short_name", "credit_code", "licence_no", "licence_expiry",
    "legal_representative", "address", "district", "region", "phone", "fax", "industry",
    "nature", "staff_count", "business_mode", "business_status", "peer_position",
    "peak_months", "off_months", "main_products", "bank", "bank_account", "start_date",
    "source", "notes", "owner",
)
# Set when the customer is registered; changed later only with a reason (customer_change_grade).
INITIAL_FIELDS = ("grade", "category")
CONTACT_FIELDS = (
    "name", "employer", "title", "is_key_person", "has_decision_power", "mobile", "phone",
    "email", "address", "birthday", "education", "character", "hobbies", "background",
    "private_info", "notes",
)


def _by(instance, actor):
    """Name `actor` as the author of the history rows this save writes, also when the
    service runs outside a request (imports, tasks, the API's background work)."""
    instance._history_user = actor
    return instance


def _reason(text: str) -> str:
    # django-simple-history keeps at most 100 characters of a change reason (a longer one
    # fails on PostgreSQL); the timeline event keeps the whole text.
    return text.strip()[:100]


def customer_event_record(*, customer, kind, message, actor=None, data=None):
    """Add a line to the customer's timeline (used by this app and, later, by others)."""
    return CustomerEvent.objects.create(
        customer=customer, kind=kind, message=message[:300], actor=actor, data=data or {}
    )


def fill_search_keys(customer: Customer, contact_names=()) -> None:
    full, initials = pinyin_keys(customer.name)
    short_full, short_initials = pinyin_keys(customer.short_name)
    customer.name_normalized = normalize_company_name(customer.name)[:120]
    customer.name_pinyin = full[:400]
    customer.phone_normalized = normalize_phone(customer.phone)
    parts = [
        customer.name, customer.short_name, full, initials, short_full, short_initials,
        customer.phone_normalized, customer.credit_code, *contact_names,
    ]
    customer.search_text = " ".join(p.lower() for p in parts if p)


def _contact_search_names(customer: Customer) -> list[str]:
    names = []
    for contact in customer.contacts.filter(is_deleted=False).only("name", "mobile"):
        names += [contact.name, *pinyin_keys(contact.name), normalize_phone(contact.mobile)]
    return names


def _apply(customer: Customer, data: dict) -> None:
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(customer, field, data[field])
    customer.credit_code = normalize_credit_code(customer.credit_code)
    customer.owner_unit_id = owning_unit_id(customer)


def owning_unit_id(customer: Customer):
    """The unit whose scope covers the customer: its manager's unit, or — for a customer
    without a manager (the public pool) — its region."""
    return customer.owner.unit_id if customer.owner_id else customer.region_id


def customers_follow_owner(*, owner) -> int:
    """Re-point the owning unit of `owner`'s customers after the owner changed unit. The unit is
    derived data (the owner did not change), so no history row is written for it."""
    return Customer._base_manager.filter(owner=owner).update(owner_unit_id=owner.unit_id)


def _check_and_save_new(customer: Customer):
    # Constraints are left to the database: a taken credit code is a DuplicateRecordError
    # (409), not a form error, whether it was taken long ago or a moment ago.
    customer.full_clean(exclude=["owner_unit", "tags"], validate_constraints=False)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise DuplicateRecordError(
            _("A customer with credit code %(code)s already exists.") % {"code": customer.credit_code}
        ) from None


@transaction.atomic
def customer_create(*, actor, data: dict, tags=()) -> Customer:
    customer = _by(Customer(created_by=actor, status=Customer.Status.PROSPECT), actor)
    _apply(customer, data)
    for field in INITIAL_FIELDS:
        if data.get(field):
            setattr(customer, field, data[field])
    if customer.owner_id is None and "owner" not in data:
        customer.owner = actor
        customer.owner_unit_id = owning_unit_id(customer)
    fill_search_keys(customer)
    _check_and_save_new(customer)
    if tags:
        customer.tags.set(tags)
    customer_event_record(customer=customer, kind="created", actor=actor,
                          message=_("Customer created"))
    return customer


def _changed_labels(before: dict, customer: Customer) -> list[str]:
    return [
        str(Customer._meta.get_field(f).verbose_name)
        for f, old in before.items()
        if getattr(customer, Customer._meta.get_field(f).attname) != old
    ]


@transaction.atomic
def customer_update(*, actor, customer: Customer, data: dict, expected_version: int,
                    tags=None) -> Customer:
    """Save an edit made on a form opened at `expected_version` (StaleVersionError if someone
    saved in between; DuplicateRecordError if the credit code is taken)."""
    attnames = [Customer._meta.get_field(f).attname for f in EDITABLE_FIELDS]
    before = {f: getattr(customer, a) for f, a in zip(EDITABLE_FIELDS, attnames, strict=True)}
    _by(customer, actor)
    _apply(customer, data)
    customer.full_clean(exclude=["owner_unit", "tags"], validate_constraints=False)
    fill_search_keys(customer, _contact_search_names(customer))
    try:
        with transaction.atomic():
            save_versioned(customer, expected_version=expected_version)
    except IntegrityError:
        raise DuplicateRecordError(
            _("A customer with credit code %(code)s already exists.") % {"code": customer.credit_code}
        ) from None
    if tags is not None:
        customer.tags.set(tags)
    changed = _changed_labels(before, customer)
    if changed or tags is not None:
        customer_event_record(
            customer=customer, kind="edited", actor=actor,
            message=_("Edited: %s") % "、".join(changed) if changed else _("Tags edited"),
        )
    return customer


@transaction.atomic
def customer_change_grade(*, actor, customer: Customer, grade, category: str, reason: str,
                          expected_version: int) -> Customer:
    """Grade and classification are changed by hand only with a reason (CUS-3)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    old = (customer.display_grade, customer.get_category_display())
    _by(customer, actor)
    customer.grade = grade
    customer.category = category
    customer.full_clean(exclude=["owner_unit", "tags"], validate_constraints=False)
    save_versioned(customer, expected_version=expected_version, change_reason=_reason(reason))
    new = (customer.display_grade, customer.get_category_display())
    customer_event_record(
        customer=customer, kind="graded", actor=actor,
        message=_("Grade %(old_grade)s/%(old_cat)s → %(new_grade)s/%(new_cat)s: %(reason)s") % {
            "old_grade": old[0], "old_cat": old[1], "new_grade": new[0], "new_cat": new[1],
            "reason": reason.strip(),
        },
        data={"reason": reason.strip()},
    )
    return customer


@transaction.atomic
def customer_transition(*, actor, customer: Customer, to_status: str, note: str,
                        expected_version: int) -> Customer:
    if to_status not in allowed_targets(customer.status):
        raise TransitionNotAllowed(
            _("A customer cannot go from %(old)s to %(new)s.") % {
                "old": customer.get_status_display(),
                "new": Customer.Status(to_status).label if to_status in Customer.Status.values
                else to_status,
            }
        )
    old_label = customer.get_status_display()
    _by(customer, actor)
    now = timezone.now()
    customer.status = to_status
    customer.status_changed_at = now
    if to_status == Customer.Status.ONBOARDED:
        customer.onboarded_on = timezone.localdate(now)
        customer.offboarded_on = None
    elif to_status == Customer.Status.OFFBOARDED:
        customer.offboarded_on = timezone.localdate(now)
    save_versioned(customer, expected_version=expected_version,
                   change_reason=_reason(note) or _("Status changed"))
    customer_event_record(
        customer=customer, kind="status", actor=actor,
        message=_("Status %(old)s → %(new)s") % {"old": old_label,
                                                 "new": customer.get_status_display()}
        + (f": {note.strip()}" if note.strip() else ""),
    )
    return customer


@transaction.atomic
def customer_delete(*, actor, customer: Customer) -> None:
    """Soft delete: the customer leaves every list but stays restorable with its history."""
    _by(customer, actor)
    customer.is_deleted = True
    customer.deleted_at = timezone.now()
    save_versioned(customer, expected_version=customer.version, change_reason=_("Deleted"))
    customer_event_record(customer=customer, kind="deleted", actor=actor,
                          message=_("Customer deleted"))


@transaction.atomic
def customer_restore(*, actor, customer: Customer) -> Customer:
    _by(customer, actor)
    customer.is_deleted = False
    customer.deleted_at = None
    try:
        with transaction.atomic():
            save_versioned(customer, expected_version=customer.version,
                           change_reason=_("Restored"))
    except IntegrityError:
        raise DuplicateRecordError(
            _("Cannot restore: another live customer has credit code %(code)s.")
            % {"code": customer.credit_code}
        ) from None
    customer_event_record(customer=customer, kind="restored", actor=actor,
                          message=_("Customer restored"))
    return customer


def _refresh_search(customer: Customer) -> None:
    """Rebuild the search text from the row as it is now (locked on PostgreSQL), not from the
    copy a contact page loaded: a rename saved meanwhile must stay searchable."""
    fresh = Customer._base_manager.select_for_update().get(pk=customer.pk)
    fill_search_keys(fresh, _contact_search_names(fresh))
    Customer._base_manager.filter(pk=fresh.pk).update(search_text=fresh.search_text)


@transaction.atomic
def contact_create(*, actor, customer: Customer, data: dict) -> Contact:
    contact = _by(Contact(customer=customer), actor)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    if not contact.employer:
        contact.employer = customer.name
    contact.full_clean()
    contact.save()
    _refresh_search(customer)
    customer_event_record(customer=customer, kind="contact", actor=actor,
                          message=_("Contact added: %s") % contact.name)
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, data: dict, expected_version: int) -> Contact:
    _by(contact, actor)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    contact.full_clean()
    save_versioned(contact, expected_version=expected_version)
    _refresh_search(contact.customer)
    customer_event_record(customer=contact.customer, kind="contact", actor=actor,
                          message=_("Contact edited: %s") % contact.name)
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: Contact) -> None:
    _by(contact, actor)
    contact.is_deleted = True
    contact.deleted_at = timezone.now()
    save_versioned(contact, expected_version=contact.version, change_reason=_("Deleted"))
    _refresh_search(contact.customer)
    customer_event_record(customer=contact.customer, kind="contact", actor=actor,
                          message=_("Contact deleted: %s") % contact.name)


@transaction.atomic
def contact_restore(*, actor, contact: Contact) -> Contact:
    _by(contact, actor)
    contact.is_deleted = False
    contact.deleted_at = None
    save_versioned(contact, expected_version=contact.version, change_reason=_("Restored"))
    _refresh_search(contact.customer)
    customer_event_record(customer=contact.customer, kind="contact", actor=actor,
                          message=_("Contact restored: %s") % contact.name)
    return contact


# Attachments: what the handbooks' archive keeps — scans, office documents, photos.
ALLOWED_ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "txt": (),
    "csv": (),
}


def _check_upload(upload) -> str:
    """Size and type (extension and the file's own signature) or a ValidationError."""
    limit = settings.QIAO_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": _("The file is too large (%(size)s); the limit is %(limit)s.")
                               % {"size": filesizeformat(upload.size),
                                  "limit": filesizeformat(limit)}})
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if ext not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError({"file": _(
            "This type of file is not accepted. Allowed: PDF, images (PNG, JPG, GIF), "
            "Word, Excel, PowerPoint, text and CSV.")})
    head = upload.read(8)
    upload.seek(0)
    signatures = ALLOWED_ATTACHMENT_TYPES[ext]
    text_like = not signatures and b"\x00" not in upload.read(4096)
    upload.seek(0)
    if signatures and not any(head.startswith(sig) for sig in signatures) or (
        not signatures and not text_like
    ):
        raise ValidationError({"file": _("The file's content does not match its type (.%s).")
                               % ext})
    return ext


@transaction.atomic
def attachment_add(*, actor, customer: Customer, upload, description="") -> Attachment:
    _check_upload(upload)
    attachment = _by(Attachment(
        customer=customer, original_name=upload.name[-200:], size=upload.size,
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        description=description, uploaded_by=actor,
    ), actor)
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    customer_event_record(customer=customer, kind="attachment", actor=actor,
                          message=_("Attachment added: %s") % attachment.original_name)
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment: Attachment) -> None:
    _by(attachment, actor)
    attachment.is_deleted = True
    attachment.deleted_at = timezone.now()
    save_versioned(attachment, expected_version=attachment.version, change_reason=_("Deleted"))
    customer_event_record(customer=attachment.customer, kind="attachment", actor=actor,
                          message=_("Attachment deleted: %s") % attachment.original_name)
