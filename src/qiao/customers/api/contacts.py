"""REST API of a customer's contacts."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Query, Schema, Status

from qiao.core.api import (
    MAX_ID,
    Input,
    PageQuery,
    error_responses,
    page_of,
    paged,
    record_id,
)
from qiao.org.actions import FIELD_REVEAL
from qiao.org.api_access import check, masked_field

from .. import selectors, services
from ..actions import CONTACT_EDIT, CUSTOMER_VIEW
from ..forms import ContactForm
from ..models import Contact
from .archive import (
    RevealOut,
    _choices,
    _current_values,
    _reveal,
    _sent,
    _valid,
    _with_masked_posted_back,
    router,
)


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    employer: str
    title: str
    is_key_person: bool
    has_decision_power: bool
    mobile: str = Field(description="Masked.")
    phone: str = Field(description="Masked.")
    email: str
    address: str
    birthday: date | None
    education: str
    character: str
    hobbies: str
    background: str = Field(description="Hidden.")
    private_info: str = Field(description="Hidden.")
    notes: str
    updated_at: datetime
    version: int

    resolve_mobile = masked_field("mobile")
    resolve_phone = masked_field("phone")
    resolve_background = masked_field("background")
    resolve_private_info = masked_field("private_info")


class ContactFields(Input):
    name: str = Field(None, max_length=40)
    employer: str = Field(None, max_length=120)
    title: str = Field(None, max_length=40)
    is_key_person: bool = None
    has_decision_power: bool = None
    mobile: str = Field(None, max_length=30)
    phone: str = Field(None, max_length=30)
    email: str = Field(None, max_length=254)
    address: str = Field(None, max_length=200)
    birthday: date | None = None
    education: _choices(Contact.Education) = None
    character: str = Field(None, max_length=100)
    hobbies: str = Field(None, max_length=200)
    background: str = Field(None, max_length=2000)
    private_info: str = Field(None, max_length=2000)
    notes: str = Field(None, max_length=2000)


class ContactIn(ContactFields):
    name: str = Field(..., max_length=40)


class ContactPatch(ContactFields):
    version: int = Field(..., ge=1, le=MAX_ID)


class ContactReveal(Input):
    field: Literal[tuple(Contact.SENSITIVE_FIELDS)]


# --- contacts --------------------------------------------------------------------------------

@router.get("/customers/{customer_id}/contacts",
            response={200: paged(ContactOut), **error_responses()})
def contact_list(request, page: Query[PageQuery], customer_id: int = record_id()):
    """The customer's contacts (relationship cards), key people first."""
    check(request, CUSTOMER_VIEW)
    customer = selectors.customer_get(request.auth, customer_id)
    return page_of(selectors.customer_contacts(customer).order_by("-is_key_person", "name", "id"),
                   page)


@router.post("/customers/{customer_id}/contacts",
             response={201: ContactOut, **error_responses(413)})
def contact_create(request, payload: ContactIn, customer_id: int = record_id()):
    check(request, CONTACT_EDIT)
    customer = selectors.customer_get(request.auth, customer_id)
    form = _valid(ContactForm(_sent(payload)))
    contact = services.contact_create(actor=request.auth, customer=customer,
                                      data=form.cleaned_data)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **error_responses()})
def contact_detail(request, contact_id: int = record_id()):
    check(request, CUSTOMER_VIEW)
    return selectors.contact_get(request.auth, contact_id)


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **error_responses(409, 413)})
def contact_update(request, payload: ContactPatch, contact_id: int = record_id()):
    """Change the fields sent; `version` is the one read (newer → 409); a masked value sent
    back unchanged keeps the stored value."""
    check(request, CONTACT_EDIT)
    contact = selectors.contact_get(request.auth, contact_id)
    sent = _with_masked_posted_back(contact, _sent(payload))
    data = {**_current_values(ContactForm(instance=contact), contact), **sent,
            "version": payload.version}
    form = _valid(ContactForm(data, instance=selectors.contact_get(request.auth, contact_id)))
    return services.contact_update(actor=request.auth, contact=contact, data=form.cleaned_data,
                                   expected_version=payload.version)


@router.delete("/contacts/{contact_id}", response={204: None, **error_responses()})
def contact_delete(request, contact_id: int = record_id()):
    check(request, CONTACT_EDIT)
    contact = selectors.contact_get(request.auth, contact_id)
    services.contact_delete(actor=request.auth, contact=contact)
    return Status(204, None)


@router.post("/contacts/{contact_id}/reveal",
             response={200: RevealOut, **error_responses(413, 429)})
def contact_reveal(request, payload: ContactReveal, contact_id: int = record_id()):
    """The clear value of one masked field of a contact; logged and throttled."""
    check(request, FIELD_REVEAL)
    contact = selectors.contact_get(request.auth, contact_id)
    return _reveal(request, contact, contact.customer, payload.field)
