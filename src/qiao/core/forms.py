"""Form helpers shared by every app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.text import clean_text, has_visible
from qiao.core.validators import PlausibleDate

# --- clean input: one way for every form -----------------------------------------------------


class CleanInputMixin:
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
        field.to_python = _cleaned_text(field, field.to_python)
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


# --- Bootstrap ---------------------------------------------------------------------------------


class BootstrapFormMixin(CleanInputMixin):
    """Gives every widget its Bootstrap class and marks invalid fields, so templates stay
    plain `{% include "_field.html" %}`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
