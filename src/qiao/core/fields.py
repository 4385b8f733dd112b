"""Model fields shared by every app (money has its own module, core.money)."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from qiao.core.text import clean_text
from qiao.core.validators import CANONICAL_PHONE, format_phone, validate_cn_phone


class PhoneFormField(forms.CharField):
    """A phone number as typed (full-width digits, +86, spaces, an extension after 转 or ext),
    handed on in the stored form of core.validators.format_phone."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")

    def to_python(self, value):
        return format_phone(clean_text(super().to_python(value) or "").strip())


class PhoneField(models.CharField):
    """A mainland (or foreign, with its country code) phone number, stored in one form:
    13812345678, 021-12345678, 021-12345678转801 (core.validators.format_phone)."""

    description = _("Phone number")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("validators", [validate_cn_phone])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("validators") == [validate_cn_phone]:
            del kwargs["validators"]
        if kwargs.get("max_length") == 30:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return format_phone(value) if value else value

    def pre_save(self, model_instance, add):
        # Every save stores the one form, whichever way the value came (a service, an import).
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})


def phones_reformat(model, fields, *, batch_size=2000) -> int:
    """Put the numbers already stored in `fields` of `model` into the stored form (data
    migrations use it with their historical model). Numbers that are already in that form —
    nearly all, since forms validated them — are recognised without parsing; invalid ones are
    left as they are. Plain UPDATEs: no history row, no version bump (the number is the same).
    Returns how many rows changed."""
    changed, last_pk = 0, 0
    while True:
        rows = list(model._base_manager.filter(pk__gt=last_pk).order_by("pk")
                    .values_list("pk", *fields)[:batch_size])
        if not rows:
            return changed
        last_pk = rows[-1][0]
        for pk, *values in rows:
            new = {field: formatted for field, value in zip(fields, values, strict=True)
                   if value and not CANONICAL_PHONE.fullmatch(value)
                   and (formatted := format_phone(value)) != value}
            if new:
                model._base_manager.filter(pk=pk).update(**new)
                changed += 1
