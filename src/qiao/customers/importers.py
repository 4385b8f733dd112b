"""The customer archive's importers (DAT-1), registered in `core.registry.importers` by
CustomersConfig.ready(): customers (with their key contact) and contacts.

dataio reads the file, maps its columns and normalises the cells; here each row is validated
and saved exactly as the pages do it — `CustomerForm` / `ContactForm` (clean text, the credit
code's check digit, the owner among the managers the importer may choose, the secret level
within the importer's clearance) and then `services.customer_create` / `customer_update` /
`contact_create` / `contact_update` — so an import can do nothing the importer could not type
in. Duplicates are found by the archive's own rule (`selectors.find_duplicates`, CUS-5).

Look-up tables (managers in the importer's scope, grades, regions, choice labels) are read once
per run, so a row costs a fixed number of queries."""

import copy

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.models import Clearance
from qiao.core.registry import Importer, ImportField, ImportFieldKind
from qiao.core.text import search_key
from qiao.org.models import OrgUnit
from qiao.org.permissions import can
from qiao.org.scope import visible_users

from . import selectors, services
from .actions import CONTACT_EDIT, CUSTOMER_CREATE, CUSTOMER_EDIT
from .forms import ContactForm, CustomerForm
from .models import Customer, Grade

CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"
SKIP, UPDATE, CREATE = "skip", "update", "create"

F = ImportField
K = ImportFieldKind

CUSTOMER_FIELDS = (
    F("name", gettext_lazy("customer name"), ("客户名称", "客户", "名称", "公司名称", "单位名称",
                                             "企业名称", "客户全称", "name", "customer",
                                             "company", "company name"), required=True),
    F("short_name", gettext_lazy("short name"), ("简称", "客户简称", "short name")),
    F("credit_code", gettext_lazy("unified social credit code"),
      ("统一社会信用代码", "信用代码", "社会信用代码", "credit code", "uscc")),
    F("kind", gettext_lazy("customer type"), ("客户类型", "类型", "type")),
    F("phone", gettext_lazy("phone"), ("电话", "联系电话", "公司电话", "固定电话", "座机",
                                      "phone", "tel", "telephone"), K.PHONE),
    F("fax", gettext_lazy("fax"), ("传真", "fax"), K.PHONE),
    F("address", gettext_lazy("address"), ("地址", "公司地址", "注册地址", "通讯地址", "address")),
    F("district", gettext_lazy("administrative area"), ("行政区域", "区县", "所在地区", "district")),
    F("region", gettext_lazy("region"), ("区域", "所属区域", "大区", "片区", "region")),
    F("industry", gettext_lazy("industry"), ("行业", "所属行业", "industry")),
    F("nature", gettext_lazy("enterprise nature"), ("企业性质", "性质", "nature")),
    F("legal_representative", gettext_lazy("legal representative"),
      ("法人", "法定代表人", "法人代表", "legal representative")),
    F("licence_no", gettext_lazy("licence number"), ("营业执照号", "执照号码", "licence number")),
    F("licence_expiry", gettext_lazy("licence expiry"),
      ("营业执照到期日", "执照有效期", "licence expiry"), K.DATE),
    F("staff_count", gettext_lazy("staff count"), ("员工人数", "人数", "staff", "employees"),
      K.NUMBER),
    F("main_products", gettext_lazy("main products purchased"), ("主要产品", "经营产品", "products")),
    F("bank", gettext_lazy("bank"), ("开户行", "开户银行", "bank")),
    F("bank_account", gettext_lazy("bank account"), ("银行账号", "账号", "bank account")),
    F("start_date", gettext_lazy("doing business with us since"),
      ("合作开始日期", "开始合作日期", "合作日期", "start date"), K.DATE),
    F("source", gettext_lazy("source"), ("来源", "客户来源", "source")),
    F("owner", gettext_lazy("account manager"), ("客户经理", "负责人", "业务员", "归属人",
                                                "owner", "account manager")),
    F("grade", gettext_lazy("grade"), ("客户等级", "等级", "级别", "grade")),
    F("category", gettext_lazy("classification"), ("客户分类", "分类", "classification")),
    F("secret_level", gettext_lazy("secret level"), ("密级", "保密级别", "secret level")),
    F("notes", gettext_lazy("notes"), ("备注", "说明", "notes", "remark", "remarks")),
    F("contact_name", gettext_lazy("contact"), ("联系人", "联系人姓名", "contact",
                                               "contact name")),
    F("contact_title", gettext_lazy("contact's position"), ("联系人职务", "职务", "title")),
    F("contact_mobile", gettext_lazy("contact's mobile"), ("手机", "手机号", "手机号码",
                                                          "联系人手机", "mobile"), K.PHONE),
)

CONTACT_FIELDS = (
    F("customer", gettext_lazy("customer name"), ("客户名称", "客户", "所属客户", "公司名称",
                                                 "单位名称", "customer", "company"), required=True),
    F("credit_code", gettext_lazy("unified social credit code"),
      ("统一社会信用代码", "信用代码", "credit code")),
    F("name", gettext_lazy("name"), ("联系人", "姓名", "联系人姓名", "name", "contact"),
      required=True),
    F("title", gettext_lazy("position"), ("职务", "职位", "title", "position")),
    F("mobile", gettext_lazy("mobile"), ("手机", "手机号", "手机号码", "mobile"), K.PHONE),
    F("phone", gettext_lazy("office phone"), ("电话", "办公电话", "座机", "联系电话", "phone"),
      K.PHONE),
    F("email", gettext_lazy("email"), ("邮箱", "电子邮箱", "email", "e-mail")),
    F("address", gettext_lazy("address"), ("地址", "address")),
    F("birthday", gettext_lazy("birthday"), ("生日", "出生日期", "birthday"), K.DATE),
    F("is_key_person", gettext_lazy("key person"), ("关键人", "是否关键人", "key person"),
      K.YES_NO),
    F("has_decision_power", gettext_lazy("has decision power"), ("决策权", "有决策权"), K.YES_NO),
    F("hobbies", gettext_lazy("hobbies"), ("爱好", "兴趣爱好", "hobbies")),
    F("notes", gettext_lazy("notes"), ("备注", "notes", "remarks")),
)


def fold(text) -> str:
    """How a label is compared: width, case, traditional characters and spaces ignored."""
    return search_key(str(text)).replace(" ", "")


def _choice_map(choices) -> dict:
    """{folded label in Chinese or English, or the stored value: the stored value}."""
    found = {}
    for value, label in choices:
        found[fold(value)] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found.setdefault(fold(label), value)
    return found


def _form_data(form) -> dict:
    """What the record's edit form posts back unchanged (the cells of an update go on top)."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list | tuple):
            value = [getattr(v, "pk", v) for v in value]
        if value not in (None, False, ""):
            data[name] = value
    return data


def _refuse_disabled(form, data: dict, given: dict) -> None:
    """A cell for a field the importer may not set on the page (the owner without the right to
    reassign, the secret level without the right to classify) is refused, not ignored."""
    errors = {}
    for name in given:
        field = form.fields.get(name)
        if field is not None and field.disabled:
            value = data.get(name)
            initial = form.get_initial_for_field(field, name)
            if str(getattr(initial, "pk", initial)) != str(value):
                errors[name] = _("You may not set this field.")
    if errors:
        raise ValidationError(errors)


class CustomerRows:
    """Saves the rows of one customer import for `actor`."""

    LOOKUPS = ("owner", "grade", "region", "secret_level")

    def __init__(self, actor):
        self.actor = actor
        # What the new-customer page posts before anything is typed (the same for every row).
        self.blank = _form_data(CustomerForm(user=actor))
        self.owners = {}
        for user in visible_users(actor):
            for key in (user.username, user.display_name):
                if key:
                    self.owners.setdefault(fold(key), user.pk)
        self.grades = {}
        for grade in Grade.objects.all():
            self.grades[fold(grade.code)] = self.grades[fold(grade.name)] = grade.pk
        self.regions = {fold(r.name): r.pk for r in OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION)}
        self.levels = _choice_map(Clearance.choices)
        self.choices = {name: _choice_map(Customer._meta.get_field(name).choices)
                        for name in ("kind", "industry", "nature", "source", "category")}

    def _look_up(self, values: dict) -> dict:
        """The cells as the form's fields take them: names to ids, labels to codes."""
        data, errors = dict(values), {}
        tables = {"owner": (self.owners, _("No account manager called %s within your scope.")),
                  "grade": (self.grades, _("No grade called %s.")),
                  "region": (self.regions, _("No region called %s."))}
        for name, (table, message) in tables.items():
            if data.get(name):
                pk = table.get(fold(data[name]))
                if pk is None:
                    errors[name] = message % data[name]
                data[name] = pk
        if data.get("secret_level"):
            data["secret_level"] = self.levels.get(fold(data["secret_level"]), data["secret_level"])
        for name, table in self.choices.items():
            if data.get(name):
                data[name] = table.get(fold(data[name]), data[name])
        if errors:
            raise ValidationError(errors)
        return data

    def __call__(self, values: dict, *, duplicates: str = SKIP):
        given = {k: v for k, v in values.items() if v not in ("", None)}
        contact = {k[len("contact_"):]: given.pop(k) for k in list(given) if k.startswith("contact_")}
        data = self._look_up(given)
        if contact and not contact.get("name"):
            raise ValidationError({"contact_name": _("Give the contact's name with the mobile.")})
        existing = None
        if duplicates in (SKIP, UPDATE):
            found = selectors.find_duplicates(
                self.actor, name=data.get("name", ""), credit_code=data.get("credit_code", ""),
                phone=data.get("phone", ""))
            if found and duplicates == SKIP:
                return SKIPPED, found.visible[0].pk if found.visible else None, _duplicates_note(found)
            if found:
                if found.hidden_count or len(found.visible) > 1:
                    raise ValidationError({"name": _(
                        "Cannot tell which customer to update: %s. Correct it on its page.")
                        % _duplicates_note(found)})
                existing = found.visible[0]
        if existing is not None:
            return self._update(existing, data, contact)
        return self._create(data, contact)

    def _create(self, data: dict, contact: dict):
        # What the new-customer page posts with only these cells filled in.
        form_data = {**self.blank, **data}
        form = CustomerForm(data=form_data, user=self.actor)
        _refuse_disabled(form, form_data, data)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        customer = services.customer_create(actor=self.actor, data=form.service_data(),
                                            tags=form.cleaned_data.get("tags") or ())
        if contact:
            _save_contact(self.actor, customer, {"is_key_person": True, **contact},
                          prefix="contact_")
        return CREATED, customer.pk, ""

    def _update(self, customer: Customer, data: dict, contact: dict):
        if not can(self.actor, CUSTOMER_EDIT):
            raise ValidationError({"name": _("This customer exists and you may not edit "
                                             "customers.")})
        for name, current in (("grade", customer.grade_id), ("category", customer.category)):
            if data.get(name) not in (None, "") and str(data[name]) != str(current):
                # The edit form has no grade: it changes on the customer's page, with a reason.
                raise ValidationError({name: _("Grade and classification change on the "
                                               "customer's page, with a reason.")})
        blank = CustomerForm(instance=customer, user=self.actor)
        form_data = {**_form_data(blank), "version": customer.version,
                     **{k: v for k, v in data.items() if k in blank.fields}}
        # The form writes onto its instance: the service compares with the record as it was.
        form = CustomerForm(data=form_data, instance=copy.copy(customer), user=self.actor)
        _refuse_disabled(form, form_data, data)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        services.customer_update(actor=self.actor, customer=customer,
                                 data=form.service_data(), tags=form.cleaned_data.get("tags"),
                                 expected_version=form.cleaned_data["version"])
        if contact and not customer.contacts.filter(is_deleted=False,
                                                    name=contact["name"]).exists():
            _save_contact(self.actor, customer, {"is_key_person": True, **contact},
                          prefix="contact_")
        return UPDATED, customer.pk, ""


def _duplicates_note(found) -> str:
    shown = ", ".join(f"#{c.pk} {c.name}" for c in found.visible)
    hidden = (_("%d customers you cannot see") % found.hidden_count) if found.hidden_count else ""
    return _("Possible duplicate of %s") % "; ".join(p for p in (shown, hidden) if p)


def _save_contact(actor, customer, values: dict, *, contact=None, prefix=""):
    """A contact through ContactForm and the contact services; errors named `prefix` + field."""
    if contact is None:
        data = values
    else:
        blank = ContactForm(instance=contact)
        data = {**_form_data(blank), "version": contact.version, **values}
    form = ContactForm(data=data, instance=copy.copy(contact))
    if not form.is_valid():
        raise ValidationError({f"{prefix}{k}": v for k, v in form.errors.as_data().items()})
    fields = {k: form.cleaned_data[k] for k in services.CONTACT_FIELDS if k in form.cleaned_data}
    if contact is None:
        return services.contact_create(actor=actor, customer=customer, data=fields)
    return services.contact_update(actor=actor, contact=contact, data=fields,
                                   expected_version=form.cleaned_data["version"])


class ContactRows:
    """Saves the rows of one contact import for `actor`: each contact joins a customer the
    importer sees, found by credit code or by name (as duplicates compare names)."""

    def __init__(self, actor):
        self.actor = actor

    def _customer(self, values: dict) -> Customer:
        return selectors.row_customer(self.actor, values)

    def __call__(self, values: dict, *, duplicates: str = SKIP):
        given = {k: v for k, v in values.items() if v not in ("", None)}
        customer = self._customer(given)
        data = {k: v for k, v in given.items() if k in services.CONTACT_FIELDS}
        same = None
        if duplicates in (SKIP, UPDATE):
            key = search_key(data.get("name", ""))
            same = next((c for c in customer.contacts.filter(is_deleted=False)
                         if search_key(c.name) == key), None)
            if same is not None and duplicates == SKIP:
                return SKIPPED, same.pk, _("%(customer)s already has a contact called %(name)s.") % {
                    "customer": customer.name, "name": same.name}
        if same is not None:
            _save_contact(self.actor, customer, data, contact=same)
            return UPDATED, same.pk, ""
        contact = _save_contact(self.actor, customer, data)
        return CREATED, contact.pk, ""


IMPORTERS = (
    Importer("customers", gettext_lazy("Customers"), (CUSTOMER_CREATE,), CUSTOMER_FIELDS,
             CustomerRows, order=10,
             description=gettext_lazy(
                 "One customer a row, with its key contact if the sheet has one. Duplicates are "
                 "judged by credit code, name and phone.")),
    Importer("contacts", gettext_lazy("Contacts"), (CONTACT_EDIT,), CONTACT_FIELDS, ContactRows,
             order=20,
             description=gettext_lazy(
                 "One contact a row, joined to a customer of yours by credit code or name. A "
                 "contact with the same name at the same customer is a duplicate.")),
)

assert {f.code for f in CONTACT_FIELDS} - {"customer", "credit_code"} <= set(
    services.CONTACT_FIELDS), "contact import fields must be the contact form's"
