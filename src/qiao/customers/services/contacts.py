"""Changes to a customer's contacts (客户关系卡)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core.concurrency import field_values, save_versioned
from qiao.core.history import authored_by

from ..models import Contact, Customer
from .archive import _refresh_search, customer_event_record

CONTACT_FIELDS = (
    "name", "employer", "title", "is_key_person", "has_decision_power", "mobile", "phone",
    "email", "address", "birthday", "education", "character", "hobbies", "background",
    "private_info", "notes",
)


@transaction.atomic
def contact_create(*, actor, customer: Customer, data: dict) -> Contact:
    contact = authored_by(Contact(customer=customer), actor)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    if not contact.employer:
        contact.employer = customer.name
    contact.full_clean()
    contact.save()
    _refresh_search(customer)
    customer_event_record(customer, "contact_added", actor=actor,
                          params={"name": contact.name}, link=contact)
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, data: dict, expected_version: int) -> Contact:
    """An edit of the relationship card; one that changes nothing writes nothing."""
    before = field_values(contact, CONTACT_FIELDS)
    authored_by(contact, actor)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    if field_values(contact, CONTACT_FIELDS) == before:
        return contact
    contact.full_clean()
    save_versioned(contact, expected_version=expected_version)
    _refresh_search(contact.customer)
    customer_event_record(contact.customer, "contact_edited", actor=actor,
                          params={"name": contact.name}, link=contact)
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: Contact) -> None:
    authored_by(contact, actor)
    contact.is_deleted = True
    contact.deleted_at = timezone.now()
    save_versioned(contact, expected_version=contact.version, change_reason=_("Deleted"))
    _refresh_search(contact.customer)
    customer_event_record(contact.customer, "contact_deleted", actor=actor,
                          params={"name": contact.name}, link=contact)


@transaction.atomic
def contact_restore(*, actor, contact: Contact) -> Contact:
    authored_by(contact, actor)
    contact.is_deleted = False
    contact.deleted_at = None
    save_versioned(contact, expected_version=contact.version, change_reason=_("Restored"))
    _refresh_search(contact.customer)
    customer_event_record(contact.customer, "contact_restored", actor=actor,
                          params={"name": contact.name}, link=contact)
    return contact
