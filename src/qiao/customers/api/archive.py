"""REST API of the customers themselves, and the router every module of customers.api adds
its operations to."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from qiao.audit import services as audit_services
from qiao.core.api import (
    MAX_ID,
    FormInvalid,
    Input,
    PageQuery,
    RecordId,
    Ref,
    error_responses,
    optional_id,
    page_of,
    paged,
    record_id,
)
from qiao.core.masking import unchanged_or_new
from qiao.core.models import Clearance
from qiao.core.origin import Origin
from qiao.org.actions import FIELD_REVEAL
from qiao.org.api_access import check, masked_field

from .. import selectors, services
from ..actions import CUSTOMER_CREATE, CUSTOMER_DELETE, CUSTOMER_EDIT, CUSTOMER_VIEW
from ..forms import CustomerForm
from ..models import Customer
from ..selectors import SORTS, CustomerFilters

router = Router(tags=["customers"])


def _choices(choices, blank=True):
    """A Literal of a model field's choice values ('' too when the field may be blank)."""
    return Literal[(("",) if blank else ()) + tuple(choices.values)]


# --- output ----------------------------------------------------------------------------------

class GradeRef(Schema):
    id: int
    code: str
    name: str
    rank: int


class GradeOut(GradeRef):
    description: str


class OwnerRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj):
        return str(obj)


class CustomerListItem(Schema):
    id: int
    kind: str
    name: str
    short_name: str
    credit_code: str
    status: str
    category: str
    secret_level: int
    grade: GradeRef | None
    region: Ref | None
    owner: OwnerRef | None
    in_pool: bool
    phone: str = Field(description="Masked.")
    updated_at: datetime
    version: int

    resolve_phone = masked_field("phone")


class CustomerOut(CustomerListItem):
    licence_no: str
    licence_expiry: date | None
    legal_representative: str
    id_number: str = Field(description="Masked.")
    address: str
    district: str
    fax: str = Field(description="Masked.")
    industry: str
    nature: str
    staff_count: int | None
    business_mode: str
    business_status: str
    peer_position: str
    peak_months: list[int]
    off_months: list[int]
    main_products: str
    bank: str
    bank_account: str = Field(description="Masked.")
    start_date: date | None
    source: str
    notes: str
    tags: list[Ref]
    status_changed_at: datetime
    onboarded_on: date | None
    offboarded_on: date | None
    last_activity_at: datetime
    created_at: datetime

    resolve_id_number = masked_field("id_number")
    resolve_fax = masked_field("fax")
    resolve_bank_account = masked_field("bank_account")

    @staticmethod
    def resolve_tags(obj):
        return list(obj.tags.all())


class RevealOut(Schema):
    field: str
    value: str


# --- input -----------------------------------------------------------------------------------

Id = int | None
Month = Annotated[int, Field(ge=1, le=12)]


class CustomerFields(Input):
    """What the customer form lets a user set; every field optional here."""

    kind: _choices(Customer.Kind, blank=False) = None
    name: str = Field(None, max_length=120)
    short_name: str = Field(None, max_length=40)
    credit_code: str = Field(None, max_length=18,
                             description="Unified social credit code, checksum-validated.")
    licence_no: str = Field(None, max_length=40)
    licence_expiry: date | None = None
    legal_representative: str = Field(None, max_length=40)
    id_number: str = Field(None, max_length=18)
    address: str = Field(None, max_length=200)
    district: str = Field(None, max_length=60)
    region: Id = optional_id("Id of a unit of kind region.")
    phone: str = Field(None, max_length=30)
    fax: str = Field(None, max_length=30)
    industry: _choices(Customer.Industry) = None
    nature: _choices(Customer.Nature) = None
    staff_count: int | None = Field(None, ge=0, le=2_147_483_647)
    business_mode: _choices(Customer.BusinessMode) = None
    business_status: _choices(Customer.BusinessStatus) = None
    peer_position: _choices(Customer.PeerPosition) = None
    peak_months: list[Month] = Field(None, max_length=12)
    off_months: list[Month] = Field(None, max_length=12)
    main_products: str = Field(None, max_length=200)
    bank: str = Field(None, max_length=80)
    bank_account: str = Field(None, max_length=40)
    start_date: date | None = None
    source: _choices(Customer.Source) = None
    notes: str = Field(None, max_length=5000)
    owner: Id = optional_id("Account manager; null puts the customer in its region's public "
                            "pool. Needs the reassign permission unless it is yourself.")
    secret_level: Literal[tuple(Clearance.values)] = Field(
        None, description="Needs the secret-level permission.")
    tags: list[RecordId] = Field(None, max_length=50)
    confirm_duplicate: bool = Field(False, description="Save although customers with the same "
                                                       "name or phone exist.")


class CustomerIn(CustomerFields):
    name: str = Field(..., max_length=120)
    grade: Id = optional_id("Grade id.")
    category: _choices(Customer.Category, blank=False) = None


class CustomerPatch(CustomerFields):
    version: int = Field(..., ge=1, le=MAX_ID,
                         description="The version you read; a newer one in the database is 409.")


class CustomerReveal(Input):
    field: Literal[tuple(Customer.SENSITIVE_FIELDS)]


class CustomerQuery(PageQuery):
    q: str = Field("", max_length=1000, description="Name, pinyin, initials, phone, credit code "
                                                    "or contact name (first 100 characters).")
    grade: Id = optional_id("Grade id.")
    region: Id = optional_id("Region id.")
    owner: Id = optional_id("Account manager's user id.")
    status: _choices(Customer.Status) = ""
    category: _choices(Customer.Category) = ""
    tag: Id = optional_id("Tag id.")
    sort: Literal[tuple(SORTS)] = "recent"

    def filters(self) -> CustomerFilters:
        return CustomerFilters(q=self.q.strip()[:100], grade=self.grade, region=self.region,
                               owner=self.owner, status=self.status, category=self.category,
                               tag=self.tag, sort=self.sort)


# --- from JSON to the page's form ------------------------------------------------------------

NOT_FORM_FIELDS = ("version", "confirm_duplicate")


def _plain(value):
    """A form's initial value as data posted back: records by their ids."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple) or hasattr(value, "model"):
        return [_plain(v) for v in value]
    return value


def _current_values(form, instance) -> dict:
    """What the page's form posts back for `instance` when nothing is changed; sensitive
    fields in clear (server side only: this never leaves the API)."""
    data = {}
    for name, field in form.fields.items():
        if name in NOT_FORM_FIELDS or field.disabled:
            continue
        if name in instance.SENSITIVE_FIELDS:
            data[name] = getattr(instance, name)
        else:
            data[name] = _plain(form.initial.get(name, field.initial))
    return data


def _refuse_unsettable(form, sent: dict) -> None:
    """Fields sent that the page's form does not let this user change: a 400 that names them,
    rather than silently ignoring them (the page simply does not show them)."""
    errors = {}
    for name, value in sent.items():
        field = form.fields.get(name)
        if field is None:
            errors[name] = [_("You may not set this field.")]
        elif field.disabled and value != _plain(form.initial.get(name, field.initial)):
            errors[name] = [_("You may not change this field.")]
    if errors:
        raise ValidationError(errors)


def _sent(payload) -> dict:
    return {k: v for k, v in payload.model_dump(exclude_unset=True).items()
            if k not in NOT_FORM_FIELDS}


def _with_masked_posted_back(instance, sent: dict) -> dict:
    """A masked value sent back unchanged keeps the stored one (core.masking)."""
    return {name: unchanged_or_new(instance, name, value)
            if name in instance.SENSITIVE_FIELDS else value for name, value in sent.items()}


def _valid(form):
    if not form.is_valid():
        raise FormInvalid(form)
    return form


# --- customers -------------------------------------------------------------------------------

@router.get("/grades", response={200: list[GradeOut], **error_responses()})
def grade_list(request):
    """The customer grades, best (rank 1) first."""
    return list(selectors.grade_list())


@router.get("/customers", response={200: paged(CustomerListItem), **error_responses()})
def customer_list(request, query: Query[CustomerQuery]):
    """The customer list: the same filters, sorts, scope and masking as the list page; a
    search counts its matches as the page does (up to 1,000, `count_capped`)."""
    check(request, CUSTOMER_VIEW)
    filters = query.filters()
    return page_of(selectors.customer_list(request.auth, filters), query,
                   searched=bool(filters.q.strip()))


@router.get("/customers/{customer_id}", response={200: CustomerOut, **error_responses()})
def customer_detail(request, customer_id: int = record_id()):
    """One customer; the view is written to the operation log, as the page does."""
    check(request, CUSTOMER_VIEW)
    customer = selectors.customer_get(request.auth, customer_id)
    audit_services.customer_view_record(actor=request.auth, customer=customer,
                                        origin=Origin.of(request))
    return customer


@router.post("/customers", response={201: CustomerOut, **error_responses(409, 413)})
def customer_create(request, payload: CustomerIn):
    """A new customer, checked like the page's form: credit code taken → 409; possible
    duplicates (same name or phone) → 409 unless confirm_duplicate."""
    check(request, CUSTOMER_CREATE)
    user = request.auth
    sent = _sent(payload)
    unbound = CustomerForm(user=user)
    _refuse_unsettable(unbound, sent)
    # Fields not sent take the form's initial values (the model's defaults, yourself as owner).
    form = _valid(CustomerForm({**_current_values(unbound, unbound.instance), **sent}, user=user))
    customer = services.customer_create(actor=user, data=form.service_data(),
                                        tags=form.cleaned_data["tags"],
                                        confirmed_not_duplicate=payload.confirm_duplicate)
    return Status(201, selectors.customer_get(user, customer.pk))


@router.patch("/customers/{customer_id}", response={200: CustomerOut,
                                                     **error_responses(409, 413)})
def customer_update(request, payload: CustomerPatch, customer_id: int = record_id()):
    """Change the fields sent (grade and classification change with a reason, on the page).
    `version` is the one read; a masked value sent back unchanged keeps the stored value."""
    check(request, CUSTOMER_EDIT)
    user = request.auth
    customer = selectors.customer_get(user, customer_id)
    sent = _with_masked_posted_back(customer, _sent(payload))
    unbound = CustomerForm(instance=customer, user=user)
    _refuse_unsettable(unbound, sent)
    data = {**_current_values(unbound, customer), **sent, "version": payload.version}
    # The form writes onto its instance; the service compares with a fresh copy.
    form = _valid(CustomerForm(data, instance=selectors.customer_get(user, customer_id),
                               user=user))
    services.customer_update(
        actor=user, customer=customer, data=form.service_data(),
        tags=form.cleaned_data["tags"] if "tags" in sent else None,
        expected_version=payload.version, confirmed_not_duplicate=payload.confirm_duplicate)
    return selectors.customer_get(user, customer_id)


@router.delete("/customers/{customer_id}", response={204: None, **error_responses()})
def customer_delete(request, customer_id: int = record_id()):
    """Move the customer to the recycle bin (restorable on the recycle bin page)."""
    check(request, CUSTOMER_DELETE)
    customer = selectors.customer_get(request.auth, customer_id)
    services.customer_delete(actor=request.auth, customer=customer)
    return Status(204, None)


@router.post("/customers/{customer_id}/reveal",
             response={200: RevealOut, **error_responses(413, 429)})
def customer_reveal(request, payload: CustomerReveal, customer_id: int = record_id()):
    """The clear value of one masked field; logged, and refused (429) beyond the hourly
    budget. A public pool customer's values stay masked until claimed (404)."""
    check(request, FIELD_REVEAL)
    customer = selectors.customer_get(request.auth, customer_id)
    return _reveal(request, customer, customer, payload.field)


def _reveal(request, instance, customer, field):
    value = audit_services.field_reveal(actor=request.auth, instance=instance, field=field,
                                        customer=customer, origin=Origin.of(request))
    return {"field": field, "value": value or ""}
