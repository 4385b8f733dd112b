"""Form helpers shared by every app."""

from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from qiao.core.text import clean_text, has_visible
from qiao.core.validators import PlausibleDate

# --- clean input: one way for every form -----------------------------------------------------

if TYPE_CHECKING:  # what the mixins below are mixed into, for the type checker
    _Form = forms.BaseForm
else:
    _Form = object


class CleanInputMixin(_Form):
    """Every form's input cleaned the same way before it is validated: text by
    `core.text.clean_text` (a required field needs a visible character), dates within the
    plausible range of `core.validators.PlausibleDate` unless the field has its own. Every form
    of Qiao has it, through BootstrapFormMixin or directly, and every admin through
    `core.admin.CleanInputAdminMixin` (tests/core/test_clean_input.py finds them all)."""

    def full_clean(self):
        for field in self.fields.values():
            clean_input(field)
        super().full_clean()


def clean_input(field) -> None:
    """Make `field` (a form's own copy) clean what it receives; idempotent."""
    if getattr(field, "cleans_input", False):
        return
    field.cleans_input = True
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        # The field is the form's own copy: its conversion is wrapped for this form only.
        field.to_python = _cleaned_text(field, field.to_python)  # type: ignore[method-assign]
    if (isinstance(field, forms.DateField)
            and not any(isinstance(v, PlausibleDate) for v in field.validators)):
        field.validators.append(PlausibleDate())


def _cleaned_text(field, to_python):
    multiline = isinstance(field.widget, forms.Textarea)

    def cleaned(value):
        # The field's own parsing first (it strips), then ours: the length and required
        # checks that follow see the text as it will be stored.
        text = to_python(value)
        if not isinstance(text, str) or not text:
            return text
        text = clean_text(text, multiline=multiline)
        if field.strip:
            text = text.strip()
        if has_visible(text):
            return text
        if field.required:
            raise forms.ValidationError(
                _("Enter visible characters: this contains only invisible or control "
                  "characters."), code="required")
        return field.empty_value

    return cleaned


def valid_data(form: forms.Form) -> dict:
    """The cleaned values of a filter form's valid fields ({} when unbound): one bad field
    shows its error and leaves the others' filters applied."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


def add_errors(form: forms.Form, refusal: Exception, *, rename: dict | None = None,
               skip=()) -> None:
    """A service's refusal on the form that asked for it: a ValidationError's messages by field
    (`rename`: service names → the form's; `skip`: fields another form of the page shows), a
    conflict's on its `field`, anything the form has no field for on top of the form."""
    rename = rename or {}

    def add(name, messages):
        if name in skip:
            return
        name = rename.get(name, name)
        form.add_error(name if name in form.fields else None, messages)

    if not isinstance(refusal, ValidationError):
        add(getattr(refusal, "field", None), str(refusal))
    elif hasattr(refusal, "error_dict"):
        for name, messages in refusal.message_dict.items():
            add(name, messages)
    else:
        add(None, refusal.messages)


def filter_description(form: forms.Form, *, skip=()) -> list[tuple[str, str]]:
    """The filters of a filter form in force, as people read them ((label, value) pairs, the
    chosen option's label rather than its code): for printouts, export files and the log."""
    data, described = valid_data(form), []
    for name, field in form.fields.items():
        value = data.get(name)
        if not value or name in skip:
            continue
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            # Django keeps choices as (value, label) pairs once set; the stubs type the getter
            # as whatever the setter accepts.
            value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
        elif isinstance(field, MonthField):
            value = value.strftime("%Y-%m")
        described.append((str(field.label).capitalize(), str(value)))
    return described


# --- Bootstrap ---------------------------------------------------------------------------------

# What a browser's <input type="date"> reads and sends, in every language. Django would render
# the language's first input format instead (zh-Hans: 2031/04/21), which the browser cannot
# read: the field shows empty and an unchanged save stores nothing.
ISO_DATE = "%Y-%m-%d"
# Django's empty choice (BLANK_CHOICE_DASH, ModelChoiceField's default empty_label).
DASHES = "---------"
NOT_SET = _("— Not set —")
CHOOSE = _("— Choose —")


class MonthInput(forms.DateInput):
    """The browser's month picker: it shows and sends "2026-11"."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month (its first day), from the browser's month picker or typed as 2026-11; a month
    from 2000 to next year (a slip of the keyboard, year 0001, is refused)."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        if day is None:
            return None
        if not date(2000, 1, 1) <= day <= date(timezone.localdate().year + 1, 12, 31):
            raise forms.ValidationError(_("Choose a month from 2000 to next year."),
                                        code="implausible_month")
        return day.replace(day=1)


class BootstrapFormMixin(CleanInputMixin):
    """Every form of the project (tests/core/test_forms.py checks they all have it):

    - each widget gets its Bootstrap class and invalid fields are marked, so templates stay
      plain `{% include "_field.html" %}`;
    - each date field is a browser date picker whose value is ISO 8601 in every language;
    - an empty choice says what it means ("— Not set —", or "— Choose —" when a value is
      required) instead of Django's dashes; field-specific ones ("All regions") stay;
    - text comes back with the line breaks it was shown with: browsers send a textarea's as
      CRLF, which would otherwise change every multi-line text an unchanged form saves.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _style(field)

    def __getitem__(self, name):
        # Again when a field is rendered: a form may add or change fields after this
        # __init__ (quantities per item, choices from the database).
        if name in self.fields:
            _style(self.fields[name])
        return super().__getitem__(name)

    def _clean_fields(self):
        super()._clean_fields()  # type: ignore[misc]  # Django's, missing from the stubs
        for name, value in self.cleaned_data.items():
            if isinstance(value, str) and "\r" in value:
                self.cleaned_data[name] = value.replace("\r\n", "\n").replace("\r", "\n")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def _style(field):
    """Idempotent, so that it may run again on a field already styled."""
    _date_picker(field)
    _name_empty_choice(field)
    _bootstrap_class(field.widget)


def _date_picker(field):
    widget = field.widget
    if isinstance(field, forms.DateField) and isinstance(widget, forms.DateInput) \
            and not widget.is_hidden and not isinstance(widget, MonthInput):
        widget.input_type, widget.format = "date", ISO_DATE


def _name_empty_choice(field):
    label = CHOOSE if field.required else NOT_SET
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DASHES:
            field.empty_label = label
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)  # type: ignore[arg-type]  # pairs once set (as above)
        if any(value == "" and text == DASHES for value, text in choices):
            field.choices = [(value, label if value == "" and text == DASHES else text)
                             for value, text in choices]


def _bootstrap_class(widget):
    if widget.is_hidden:
        return
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.RadioSelect):
        widget.attrs.setdefault("class", "form-check-input")
    else:
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control")


# --- the form renderer -------------------------------------------------------------------------

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), except that a <select> is written
    here, in Python, rather than by Django's templates: the same HTML, byte for byte
    (tests/core/test_form_renderer.py compares them), without an included template per option
    and per attribute list. A list page's filters (owners, regions, grades, tags…) are most of
    its <option>s. A select that differs from Django's own (another option template, a value
    the templates would call or localise) is left to the templates."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)


def _plain(value) -> bool:
    """A value the templates print as its str() (escaped): no call, no localisation."""
    return isinstance(value, str | Promise)


def _formatted(value):
    """`{{ value|stringformat:'s' }}`, or None for a value the filter would treat otherwise."""
    if callable(value) or isinstance(value, tuple):
        return None
    return conditional_escape(str(value))  # "%s" % value; a safe string stays unescaped


def _attrs_html(attrs) -> str | None:
    """django/forms/widgets/attrs.html."""
    if "items" in attrs:  # the template would read attrs["items"], not attrs.items()
        return None
    html = []
    for name, value in attrs.items():
        if value is False:
            continue
        if not _plain(name):
            return None
        html.append(" " + conditional_escape(name))
        if value is not True:
            text = _formatted(value)
            if text is None:
                return None
            html.append(f'="{text}"')
    return "".join(html)


def select_html(widget) -> str | None:
    """django/forms/widgets/select.html with its options, as the renderer returns it
    (stripped); None when it has to be left to the templates."""
    attrs = _attrs_html(widget["attrs"])
    if attrs is None or not _plain(widget["name"]):
        return None
    html = [f'<select name="{conditional_escape(widget["name"])}"{attrs}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            if not _plain(group_name):
                return None
            html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            value = _formatted(option["value"])
            option_attrs = _attrs_html(option["attrs"])
            if (option["template_name"] != OPTION_TEMPLATE or value is None
                    or option_attrs is None or not _plain(option["label"])):
                return None
            html.append(f'\n  <option value="{value}"{option_attrs}>'
                        f'{conditional_escape(option["label"])}</option>\n')
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)  # a str, as Django's renderer returns; the widget marks it safe
