"""A person's data on request (PIPL Art. 45 and 47; SPEC DAT-4; CHECKS C22).

The person is an individual customer or a contact of any customer. A user holding
`customer.personal_data` who sees the customer records the request (`request_create`): a copy
of everything Qiao holds about the person, or its erasure; either goes to the requester's
superior as an approval request of type `personal_data` (a second factor needed to approve).

- **Where the person is written down** (`holdings`): every model with a foreign key to the
  customer (or the contact), or to a model that has one — a ticket's messages, an order's
  lines —, history tables included, found from the models themselves, so an app added later
  is covered without registering anything. An append-only model (`append_only = True`: the
  operation log) is never rewritten; it names people by number only (Customer.log_label).
- **The copy**: approved, the requester downloads a zip for QIAO_EXPORT_DOWNLOAD_DAYS days —
  the records as JSON and as a watermarked workbook, and the stored files — sent through
  `core.exports.send` (logged with its SHA-256).
- **The erasure**, carried out when approved: the person's fields are overwritten
  (`ERASED_NAME`, blanks) in the records and in their history; their needles (names, numbers,
  e-mail, ID number, address) are taken out of every text column of the customer's holdings
  and of the copies registered with `core.registry.personal_copies` (core.privacy); for an
  individual customer the stored files are deleted, as are the uploaded sheets an import made
  their record from. Amounts, counts and dates stay: the statistics do not change. The
  operation log records it (numbers only).
"""

import datetime
import functools
import json
import tempfile
import zipfile

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.approvals import services as approval_services
from qiao.audit import services as audit_services
from qiao.audit.models import OperationLog
from qiao.core import exports, privacy
from qiao.core.forms import BootstrapFormMixin
from qiao.core.models import StoredFile
from qiao.core.text import clean_text
from qiao.dataio.export_requests import download_days
from qiao.org.permissions import can

from .actions import PERSONAL_DATA
from .events import CUSTOMER_UPDATED, customer_emit
from .models import Contact, Customer, PersonalDataRequest
from .services.archive import (
    KEY_COLUMNS,
    _contact_search_names,
    customer_event_record,
    fill_search_keys,
)

REQUEST_TYPE = "personal_data"
LABEL = gettext_lazy("Personal data request")
ERASED_NAME = "（已删除）"
Kind = PersonalDataRequest.Kind
State = PersonalDataRequest.State

# The person's own fields: overwritten by an erasure (live record and history), blank or empty.
CONTACT_FIELDS = ("mobile", "phone", "email", "address", "birthday", "education", "character",
                  "hobbies", "background", "private_info", "notes")
CUSTOMER_FIELDS = ("short_name", "id_number", "legal_representative", "address", "phone", "fax",
                   "bank", "bank_account", "licence_no", "notes", "main_products")
# What a contact's erasure leaves of their customer's record: the enterprise's name is not theirs.
CUSTOMER_NAME_FIELDS = ("name", "name_normalized", "name_pinyin", "search_text",
                        "phone_normalized")


# --- where a person is written down --------------------------------------------------------------

def _historical(model) -> bool:
    """A history table of django-simple-history: of a model, or of a many-to-many field."""
    names = {field.name for field in model._meta.concrete_fields}
    return bool(names & {"history_id", "m2m_history_id"})


def _rewritable(model) -> bool:
    return not getattr(model, "append_only", False)


@functools.cache
def _paths(root) -> tuple[tuple[type, tuple[str, ...]], ...]:
    """(model, lookups) of every model holding rows about a `root` record (Customer or
    Contact): a foreign key to it, or to a live model that has one."""
    def keys_to(targets):
        found: dict[type, list[str]] = {}
        for model in apps.get_models():
            if model is root:
                continue
            for field in model._meta.concrete_fields:
                if field.many_to_one and field.related_model in targets:
                    found.setdefault(model, []).append(
                        f"{field.name}__{targets[field.related_model]}"
                        if targets[field.related_model] else field.name)
        return found

    direct = keys_to({root: ""})
    live = {model: lookups[0] for model, lookups in direct.items() if not _historical(model)}
    paths = {**keys_to(live), **direct}
    return tuple((model, tuple(lookups)) for model, lookups in paths.items())


def holdings(root_record, *, live_only=False):
    """(model, queryset) of every model's rows about `root_record` (a customer or a contact)."""
    for model, lookups in _paths(type(root_record)):
        if live_only and _historical(model):
            continue
        condition = Q()
        for lookup in lookups:
            condition |= Q(**{lookup: root_record.pk})
        yield model, model._base_manager.filter(condition)


def _needles(customer: Customer | None, contacts) -> tuple[str, ...]:
    values = []
    for contact in contacts:
        values += [contact.name, contact.mobile, contact.phone, contact.email, contact.address]
    if customer is not None:
        values += [customer.name, customer.short_name, customer.id_number, customer.phone,
                   customer.fax, customer.address, customer.legal_representative,
                   customer.bank_account]
    return privacy.needles_of(*values)


# --- requests ------------------------------------------------------------------------------------

def person_choices(customer: Customer) -> list[tuple[str, str]]:
    """Whose data a request about `customer` may be: the customer if a person, its contacts."""
    choices = []
    if customer.kind == Customer.Kind.INDIVIDUAL:
        choices.append(("", _("The customer (an individual): %(name)s") % {"name": customer.name}))
    choices += [(str(c.pk), _("Contact: %(name)s") % {"name": c.name})
                for c in customer.contacts.filter(is_deleted=False).order_by("name", "pk")]
    return choices


def request_create(*, actor, customer: Customer, contact: Contact | None, kind: str,
                   reason: str) -> PersonalDataRequest:
    """Record a person's request and send it for approval, all or nothing. `customer` has been
    read through the actor's visible_to."""
    if not can(actor, PERSONAL_DATA):
        raise PermissionDenied
    reason = clean_text(reason or "", multiline=True)
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose a copy or an erasure.")
    if not reason:
        errors["reason"] = _("Say when and how the person asked, and how you checked who they "
                             "are.")
    if contact is None and customer.kind != Customer.Kind.INDIVIDUAL:
        errors["person"] = _("An enterprise is not a person: choose one of its contacts.")
    if contact is not None and (contact.customer_id != customer.pk or contact.is_deleted):
        errors["person"] = _("Choose a contact of this customer.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if PersonalDataRequest.objects.filter(customer=customer, contact=contact, kind=kind,
                                              state=State.OPEN).exists():
            raise ValidationError({"kind": _("Such a request for this person is already waiting "
                                             "for approval.")})
        request = PersonalDataRequest.objects.create(
            requester=actor, customer=customer, contact=contact, kind=kind, reason=reason[:1000])
        approval_services.supervisor_chain_ensure(REQUEST_TYPE, "个人信息请求审批", "上级审批")
        approval_services.request_submit(actor=actor, type_code=REQUEST_TYPE, subject=request)
        customer_event_record(customer, "personal_data_requested", actor=actor, link=request,
                              params={"kind": kind})
    return request


def decided(approval, actor):
    """The engine's outcome: approved → an erasure is carried out now, a copy becomes
    downloadable; rejected or withdrawn → closed."""
    request = PersonalDataRequest.objects.select_for_update().get(pk=approval.object_id)
    outcome = {approval.State.APPROVED: State.APPROVED, approval.State.REJECTED: State.REJECTED,
               approval.State.WITHDRAWN: State.WITHDRAWN}.get(approval.state, State.OPEN)
    now = timezone.now()
    request.state = outcome
    request.decided_at = None if outcome == State.OPEN else now
    if outcome == State.APPROVED and request.kind == Kind.EXPORT:
        request.expires_at = now + datetime.timedelta(days=download_days())
    request.save(update_fields=["state", "decided_at", "expires_at", "updated_at"])
    if outcome == State.APPROVED and request.kind == Kind.ERASURE:
        erase(request, actor=actor)


def title(params) -> str:
    kind = dict(Kind.choices).get(params.get("kind"), "")
    return _("%(type)s: %(kind)s, customer No. %(customer)s") % {"type": LABEL, "kind": kind,
                                                                 "customer": params["customer"]}


def title_params(request) -> dict:
    return {"kind": request.kind, "customer": request.customer_id}


class EditForm(BootstrapFormMixin, forms.ModelForm):
    """What the requester adds when the approver returns the request: how it was received."""

    class Meta:
        model = PersonalDataRequest
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, data=None, *, subject, user, **kwargs):
        super().__init__(data, instance=subject, **kwargs)


def edit(request, data, actor):
    reason = clean_text(data.get("reason") or "", multiline=True)
    if not reason:
        raise ValidationError({"reason": _("Say when and how the person asked, and how you "
                                           "checked who they are.")})
    request.reason = reason[:1000]
    request.save(update_fields=["reason", "updated_at"])


def register():
    from qiao.approvals import registry

    registry.register(REQUEST_TYPE, PersonalDataRequest, LABEL, customer_field="customer",
                      detail_template="customers/_subject_personal_data.html",
                      on_decided=decided, title=title, title_params=title_params,
                      edit_form=EditForm, on_edit=edit, second_factor=True)


def request_list(user):
    return (PersonalDataRequest.objects.visible_to(user)
            .select_related("customer", "contact", "requester").order_by("-created_at", "-id"))


# --- the copy ------------------------------------------------------------------------------------

def _exported_fields(model):
    return [f for f in model._meta.concrete_fields
            if (f.editable or f.primary_key or isinstance(f, models.DateTimeField))
            and f.name not in ("version", "is_deleted")]


class _Labels:
    """Related records named once each (a user, a product) while records are written out."""

    def __init__(self):
        self.names: dict = {}

    def __call__(self, model, pk):
        if pk is None:
            return None
        if (model, pk) not in self.names:
            self.names[model, pk] = str(model._base_manager.filter(pk=pk).first() or pk)
        return self.names[model, pk]


def _value(record, field, labels):
    if field.choices:
        return getattr(record, f"get_{field.name}_display")()
    if field.many_to_one:
        return labels(field.related_model, getattr(record, field.attname))
    value = field.value_from_object(record)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _sections(request: PersonalDataRequest):
    """(title, [field labels], [rows of values], records) of everything held about the person."""
    root = request.contact or request.customer
    labels = _Labels()
    found = [(type(root), type(root)._base_manager.filter(pk=root.pk))]
    found += [(model, rows) for model, rows in holdings(root, live_only=True)
              if _rewritable(model)]
    for model, rows in found:
        records = list(rows.order_by("pk"))
        if not records:
            continue
        fields = _exported_fields(model)
        yield (str(model._meta.verbose_name_plural), [str(f.verbose_name) for f in fields],
               [[_value(r, f, labels) for f in fields] for r in records], records)


def _export_file(request: PersonalDataRequest, what: str) -> tuple[exports.File, int]:
    sections = list(_sections(request))
    rows = sum(len(lines) for _title, _header, lines, _records in sections)

    def write(user):
        document = {"exported_by": exports.watermark(user), "request": request.pk,
                    "sections": [{"title": title_, "rows": [dict(zip(header, line, strict=True))
                                                            for line in lines]}
                                 for title_, header, lines, _records in sections]}

        def build(book, formats):
            for title_, header, lines, _records in sections:
                sheet = exports.Sheet(book, formats, title_)
                sheet.header(header)
                for line in lines:
                    sheet.values(line)

        workbook = exports.workbook(what, build).write(user)
        handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (deletes) it
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("personal-data.json", json.dumps(
                document, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
            archive.writestr("personal-data.xlsx", workbook.read())
            for _title, _header, _lines, records in sections:
                for record in records:
                    if isinstance(record, StoredFile) and record.file:
                        try:
                            with record.file.open("rb") as stored:
                                archive.writestr(f"files/{record.pk}-{record.original_name}",
                                                 stored.read())
                        except FileNotFoundError:
                            continue
        handle.seek(0)
        return handle

    return exports.File("zip", what, write), rows


def export_send(http_request, request: PersonalDataRequest):
    """The copy, for its requester while it may be downloaded (else ValidationError)."""
    if request.requester_id != http_request.user.pk:
        raise PermissionDenied
    if not request.downloadable():
        raise ValidationError(_("Only an approved copy can be downloaded, for %(days)s days "
                                "after its approval.") % {"days": download_days()})
    what = _("Personal data of %(person)s") % {"person": _person_label(request)}
    file, rows = _export_file(request, what)

    def sent(sha256):
        PersonalDataRequest.objects.filter(pk=request.pk).update(
            downloads=F("downloads") + 1, last_sha256=sha256, done_at=timezone.now())

    http_request.export_grant = exports.Grant(rows=rows, back=http_request.path, sent=sent)
    return exports.send(http_request, file, rows=rows, what=what, customer=request.customer,
                        filters={_("Request"): f"#{request.pk}"})


def _person_label(request: PersonalDataRequest) -> str:
    """The person by number only (what the operation log may keep)."""
    if request.contact_id:
        return f"{Contact._meta.verbose_name} #{request.contact_id}"
    return request.customer.log_label


# --- the erasure ---------------------------------------------------------------------------------

def _overwrite(model, pk, values: dict) -> None:
    """The record and every history row of it get `values`."""
    model._base_manager.filter(pk=pk).update(**values)
    history = getattr(model, "history", None)
    if history is not None:
        fields = {f.name for f in history.model._meta.concrete_fields}
        history.model._base_manager.filter(id=pk).update(
            **{name: value for name, value in values.items() if name in fields})


def _blank(model, names) -> dict:
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        values[name] = None if field.null else ""
    return values


def _delete_files(rows) -> int:
    """Delete the stored files of `rows` (StoredFile records) from the disk; the records stay,
    without a file."""
    deleted = 0
    for record in rows.exclude(file=""):
        record.file.delete(save=False)
        type(record)._base_manager.filter(pk=record.pk).update(
            file="", original_name=ERASED_NAME, size=0, sha256="")
        deleted += 1
    return deleted


def _imported_sheets(customer_ids, contact_ids) -> int:
    """Delete the uploaded sheets an import made these records from."""
    from qiao.dataio.models import ImportRun

    runs = ImportRun.objects.filter(
        Q(imported_rows__importer="customers", imported_rows__object_id__in=customer_ids)
        | Q(imported_rows__importer="contacts", imported_rows__object_id__in=contact_ids)
    ).distinct()
    return _delete_files(ImportRun._base_manager.filter(pk__in=runs.values("pk")))


def erase(request: PersonalDataRequest, *, actor) -> dict:
    """Erase the person of an approved request (inside the approval's transaction)."""
    customer = Customer._base_manager.select_for_update().get(pk=request.customer_id)
    individual = request.contact_id is None
    contacts = list(Contact._base_manager.filter(customer=customer) if individual
                    else Contact._base_manager.filter(pk=request.contact_id))
    needles = _needles(customer if individual else None, contacts)
    changed, files = 0, 0
    for contact in contacts:
        _overwrite(Contact, contact.pk, {"name": ERASED_NAME, "is_deleted": True,
                                         **_blank(Contact, CONTACT_FIELDS)})
    if individual:
        _overwrite(Customer, customer.pk, {"name": f"{ERASED_NAME}{customer.pk}",
                                           **_blank(Customer, CUSTOMER_FIELDS)})
    changed += _scrub_customer(customer, needles, keep=() if individual else CUSTOMER_NAME_FIELDS)
    for root in (customer, *contacts):
        for model, rows in holdings(root):
            if not _rewritable(model):
                continue
            changed += privacy.scrub_rows(rows, needles)
            if individual and issubclass(model, StoredFile):
                files += _delete_files(rows)
    if individual:
        files += _imported_sheets([customer.pk], [c.pk for c in contacts])
    changed += privacy.sweep(needles)
    _refresh_search_keys(customer.pk)
    if individual:  # integrations that keep customers' names are told the new one
        customer_emit(CUSTOMER_UPDATED, Customer._base_manager.get(pk=customer.pk),
                      fields=["name", *CUSTOMER_FIELDS])
    result = {"rows": changed, "files": files, "contacts": len(contacts)}
    now = timezone.now()
    PersonalDataRequest.objects.filter(pk=request.pk).update(done_at=now, result=result)
    customer_event_record(customer, "personal_data_erased", actor=actor, link=request,
                          params={"contacts": len(contacts)})
    audit_services.operation_record(
        actor=actor, action=OperationLog.Kind.PERSONAL_DATA_ERASED, customer=customer,
        object_repr=_person_label(request), details={"request": request.pk, **result})
    return result


def _scrub_customer(customer: Customer, needles, *, keep) -> int:
    """The needles out of the customer's own record and its history, but the fields `keep`
    (a contact's erasure leaves their enterprise its name)."""
    changed = 0
    for model, rows in ((Customer, Customer._base_manager.filter(pk=customer.pk)),
                        (Customer.history.model,
                         Customer.history.model._base_manager.filter(id=customer.pk))):
        fields = [name for name in privacy.text_columns(model) if name not in keep]
        changed += privacy.scrub_rows(rows, needles, fields)
    return changed


def _refresh_search_keys(customer_id) -> None:
    """The customer's search keys from what is left of it and its live contacts (the search
    tables follow the customer's row)."""
    customer = Customer._base_manager.get(pk=customer_id)
    fill_search_keys(customer, _contact_search_names(customer))
    Customer._base_manager.filter(pk=customer_id).update(
        **{name: getattr(customer, name) for name in KEY_COLUMNS})
