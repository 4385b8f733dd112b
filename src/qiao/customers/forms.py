"""Forms of the customer archive: they parse and validate; services save."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin, filter_description, valid_data
from qiao.core.masking import MaskedFieldsFormMixin
from qiao.core.models import Clearance
from qiao.core.validators import normalize_credit_code
from qiao.org.models import OrgUnit
from qiao.org.permissions import can
from qiao.org.scope import resolved_scope, visible_users

from .actions import CUSTOMER_REASSIGN, CUSTOMER_SECRET_LEVEL
from .models import Contact, Customer, FollowUpChannel, Grade, PersonalDataRequest, Tag
from .selectors import SORTS, credit_code_taken
from .services import CONTACT_FIELDS, EDITABLE_FIELDS, FOLLOW_UP_NOTE_MAX, INITIAL_FIELDS

# format_lazy keeps the label lazy, so it follows each request's language.
MONTH_CHOICES = [(m, format_lazy(_("Month {m}"), m=m)) for m in range(1, 13)]


class MonthsField(forms.TypedMultipleChoiceField):
    """Months of the year as twelve checkboxes, kept as a sorted list of numbers (so that the
    same months saved again, in whatever order they came, are no change)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=MONTH_CHOICES, coerce=int, required=False, **kwargs)

    def clean(self, value):
        return sorted(set(super().clean(value)))


def clearance_choices(user):
    """The secret levels `user` may give a record: up to their own clearance."""
    return [(value, label) for value, label in Clearance.choices if value <= user.clearance]


class CustomerForm(MaskedFieldsFormMixin, BootstrapFormMixin, forms.ModelForm):
    peak_months = MonthsField(label=_("peak season months"))
    off_months = MonthsField(label=_("off season months"))
    tags = forms.ModelMultipleChoiceField(label=_("tags"), queryset=Tag.objects.all(),
                                          required=False, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("I have checked: this is not the same customer"), required=False)

    class Meta:
        model = Customer
        # Every field the form shows is listed here, also those declared above: a field left
        # out gets no initial value from the record, so an unchanged save would empty it.
        fields = [*EDITABLE_FIELDS, *INITIAL_FIELDS, "tags"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION)
        owner = self.fields["owner"]
        owner.queryset = visible_users(user, keep=self.instance.owner_id)
        owner.required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True  # no version, no protection from lost updates
            for field in INITIAL_FIELDS:  # changed on the customer page, with a reason
                del self.fields[field]
        else:
            self.fields["category"].required = False  # blank: an ordinary customer
            self.initial["owner"] = user.pk  # who creates a customer looks after it
        if not can(user, CUSTOMER_REASSIGN):
            # Another manager, or none (the public pool), would be a reassignment.
            owner.disabled = True
        level = self.fields["secret_level"]
        level.required = False  # left out: the record keeps its level (new ones: internal)
        level.choices = clearance_choices(user)
        if self.instance.secret_level not in dict(level.choices):
            level.choices = Clearance.choices  # shown as it is; the service refuses changes
        if not can(user, CUSTOMER_SECRET_LEVEL):
            level.disabled = True

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the customer's name."))
        return name

    def clean_secret_level(self):
        level = self.cleaned_data.get("secret_level")
        return self.instance.secret_level if level in (None, "") else level

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        if code and credit_code_taken(code, exclude_pk=self.instance.pk):
            # code "duplicate": the view answers 409, as for a clash found while saving.
            raise forms.ValidationError(
                _("A customer with credit code %(code)s already exists.") % {"code": code},
                code="duplicate")
        return code

    def clean(self):
        cleaned = super().clean()
        if ("owner" in cleaned and cleaned["owner"] is None
                and not _sees_pool(self.user, cleaned.get("region"))):
            self.add_error("owner", _("Choose an account manager: a customer without one goes "
                                      "to its region's public pool, which you cannot see."))
        return cleaned

    def service_data(self):
        return {f: self.cleaned_data[f] for f in EDITABLE_FIELDS + INITIAL_FIELDS
                if f in self.cleaned_data}


def _sees_pool(user, region) -> bool:
    """Would `user` still see a customer without an owner in `region` (its public pool)?"""
    kind, ids = resolved_scope(user)
    return kind == "all" or (kind == "units" and region is not None and region.pk in ids)


class GradeForm(BootstrapFormMixin, forms.Form):
    grade = forms.ModelChoiceField(label=_("grade"), queryset=Grade.objects.all(),
                                   required=False)
    category = forms.ChoiceField(label=_("classification"), choices=Customer.Category.choices)
    reason = forms.CharField(label=_("reason for the change"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(BootstrapFormMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("new status"), choices=Customer.Status.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpForm(BootstrapFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("follow-up by"), choices=FollowUpChannel.choices)
    note = forms.CharField(label=_("what was discussed"), max_length=FOLLOW_UP_NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(MaskedFieldsFormMixin, BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)
        widgets = {
            "background": forms.Textarea(attrs={"rows": 2}),
            "private_info": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("file"))
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    secret_level = forms.TypedChoiceField(label=_("secret level"), coerce=int, required=False,
                                          empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        level = self.fields["secret_level"]
        level.choices = clearance_choices(user)
        level.initial = min(Clearance.INTERNAL, user.clearance)

    def clean_secret_level(self):
        level = self.cleaned_data["secret_level"]
        return self.fields["secret_level"].initial if level is None else level


class CustomerFilterForm(BootstrapFormMixin, forms.Form):
    """The list's search box and filters; invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("search"), required=False)
    grade = forms.ModelChoiceField(label=_("grade"), queryset=Grade.objects.all(),
                                   required=False, empty_label=_("All grades"))
    region = forms.ModelChoiceField(
        label=_("region"), queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION),
        required=False, empty_label=_("All regions"))
    owner = forms.ModelChoiceField(label=_("account manager"), queryset=None, required=False,
                                   empty_label=_("All managers"))
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses"))] + Customer.Status.choices)
    category = forms.ChoiceField(label=_("classification"), required=False,
                                 choices=[("", _("All classifications"))]
                                 + Customer.Category.choices)
    tag = forms.ModelChoiceField(label=_("tag"), queryset=Tag.objects.all(), required=False,
                                 empty_label=_("All tags"))
    sort = forms.ChoiceField(label=_("sort"), required=False, choices=SORTS.choices())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = visible_users(user)

    def clean_q(self):
        # A pasted paragraph searches on its beginning rather than being ignored.
        return self.cleaned_data["q"].strip()[:100]

    def filters(self):
        from .selectors import CustomerFilters

        data = valid_data(self)
        return CustomerFilters(
            q=data.get("q") or "",
            grade=data["grade"].pk if data.get("grade") else None,
            region=data["region"].pk if data.get("region") else None,
            owner=data["owner"].pk if data.get("owner") else None,
            status=data.get("status") or "",
            category=data.get("category") or "",
            tag=data["tag"].pk if data.get("tag") else None,
            sort=data.get("sort") or SORTS.default.code,
        )

    def description(self) -> list[tuple[str, str]]:
        """The filters in force, as people read them (the order is not a filter)."""
        return filter_description(self, skip=("sort",))


class PoolFilterForm(BootstrapFormMixin, forms.Form):
    """The pool page's search box, and a region filter for those who work in several."""

    q = forms.CharField(label=_("search"), required=False)
    region = forms.TypedChoiceField(label=_("region"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = regions
        self.fields["region"].choices = [("", _("All regions"))] + [(r.pk, r.name) for r in regions]

    def clean_q(self):
        return self.cleaned_data["q"].strip()[:100]

    def values(self) -> tuple[str, int | None]:
        """(search, region id); invalid values are ignored, never an error page."""
        data = valid_data(self)
        return data.get("q") or "", data.get("region")


class ReleaseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)


class IdListField(forms.Field):
    """The ids of the ticked checkboxes (name="customers"), as integers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose customers from the list.")) from None


class HandoverForm(BootstrapFormMixin, forms.Form):
    """Hand the ticked customers, or all of them, to another account manager."""

    ALL, CHOSEN = "all", "chosen"

    to_user = forms.ModelChoiceField(label=_("new account manager"), queryset=None,
                                     empty_label=_("Choose the new account manager"))
    reason = forms.CharField(label=_("reason for the handover"), max_length=200)
    customers = IdListField(required=False)
    scope = forms.ChoiceField(choices=[(ALL, ALL), (CHOSEN, CHOSEN)], widget=forms.HiddenInput)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = targets

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.CHOSEN and not cleaned.get("customers"):
            self.add_error(None, _("Tick at least one customer, or hand over all of them."))
        return cleaned

    def chosen(self):
        """The ids to hand over, None for all of the person's customers."""
        return None if self.cleaned_data["scope"] == self.ALL else self.cleaned_data["customers"]



class PersonalDataRequestForm(BootstrapFormMixin, forms.Form):
    """A person's request about their data: whose (the individual customer or a contact),
    which, and how it was received."""

    person = forms.TypedChoiceField(label=_("person"), coerce=str, required=False)
    kind = forms.ChoiceField(label=_("request"), choices=PersonalDataRequest.Kind.choices,
                             widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("how the request was received"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When and how the person asked, and how their identity was checked."))

    def __init__(self, data=None, *, choices, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["person"].choices = choices

    def contact(self, customer):
        """The contact chosen, or None for the customer itself."""
        chosen = self.cleaned_data.get("person")
        return customer.contacts.filter(pk=int(chosen)).first() if chosen else None
