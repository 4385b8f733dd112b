"""Field protection (SPEC ORG-4): the one place that turns a sensitive value into what a person
may see. Pages (the `sensitive` template tag), forms, exports, the API and the history page
all call `masked`; nothing prints a sensitive field any other way.

A model lists its sensitive fields in `SENSITIVE_FIELDS` ({field: kind}). Everybody sees them
masked; a user with the `field.reveal` action reveals one value at a time
(audit.services.field_reveal), which is logged and throttled.
"""

import re
import unicodedata
from typing import TYPE_CHECKING

from django import forms

from qiao.core.validators import (
    CANONICAL_PHONE,
    EXTENSION_MARK,
    normalize_phone,
    parse_phone,
    split_extension,
)

# Long text (a contact's private background) is hidden whole: its length tells nothing.
HIDDEN_TEXT = "******"
_NOT_DIGIT = re.compile(r"\D")


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_phone(value: str) -> str:
    """138****5678, 021****3456: three digits, four stars, the last four digits of the number
    as dialled at home (+86 dropped, full-width digits read as digits); an extension is shown
    (021****5678转801): it says which desk, and nothing without the masked number."""
    main, extension = split_extension(value)
    if main.isascii() and CANONICAL_PHONE.fullmatch(main):
        # How most numbers are stored (13812345678, 021-12345678): both ways below give these
        # digits, without parsing (a list page masks a number per row).
        digits = main.replace("-", "")
    else:
        digits = (normalize_phone(main) if parse_phone(main)
                  else _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", main)))
    masked_main = "*" * len(digits) if len(digits) < 8 else digits[:3] + "****" + digits[-4:]
    return f"{masked_main}{EXTENSION_MARK}{extension}" if extension else masked_main


def mask_id(value: str) -> str:
    """110***********123X: the first three and last four characters."""
    return _keep_ends(value.replace(" ", ""), 3, 4)


def mask_account(value: str) -> str:
    """**** 1234: the last four digits only."""
    digits = _NOT_DIGIT.sub("", value)
    return "**** " + digits[-4:] if len(digits) > 4 else "*" * len(digits)


MASKS = {
    "phone": mask_phone,
    "id": mask_id,
    "account": mask_account,
    "text": lambda value: HIDDEN_TEXT,
}


def sensitive_kind(model, field: str) -> str | None:
    """The mask kind of `field` on `model` (a class or an instance), None if not sensitive."""
    return getattr(model, "SENSITIVE_FIELDS", {}).get(field)


def mask(value, kind: str) -> str:
    if value in (None, ""):
        return ""
    return MASKS[kind](str(value))


def masked(instance, field: str) -> str:
    """What anyone sees of `instance.field` before revealing it."""
    kind = sensitive_kind(instance, field)
    value = getattr(instance, field)
    return mask(value, kind) if kind else value


def unchanged_or_new(instance, field: str, posted):
    """The value to store for a sensitive field posted back by a form or the API: the stored
    value when the masked text came back untouched (it must not overwrite the real number),
    else what was posted."""
    if instance is not None and instance.pk and posted == masked(instance, field) and posted:
        return getattr(instance, field)
    return posted


if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker
    _ModelForm = forms.ModelForm
else:
    _ModelForm = object


class MaskedFieldsFormMixin(_ModelForm):
    """A model form that shows the record's sensitive fields masked and keeps the stored value
    when the masked text is posted back unchanged. Put it before forms.ModelForm."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for field in self._sensitive_form_fields():
                if getattr(self.instance, field):
                    self.initial[field] = masked(self.instance, field)

    def _sensitive_form_fields(self):
        return [f for f in getattr(self.instance, "SENSITIVE_FIELDS", {}) if f in self.fields]

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        for field in self._sensitive_form_fields():
            if field in cleaned:
                cleaned[field] = unchanged_or_new(self.instance, field, cleaned[field])
        return cleaned
