"""Money: renminbi amounts as Decimal with two places, never float.

`MoneyField` is the one model field for an amount: a DecimalField of two places whose largest
value is `settings.QIAO_MAX_AMOUNT` (¥100,000,000 unless a department needs more; the column
holds up to ¥999,999,999,999.99). Its form field takes what people type — "1234.5", "1,234.50",
"¥1234.50", full-width digits — and refuses an exponent ("1e5"): nobody means one in an amount,
and it was shown back as ¥1E+5. `format_cny` and `format_wan` are how amounts are shown
(templates: the `cny` and `wan` filters of `{% load money %}`); `round_half_up` is how they
are rounded (四舍五入, not the banker's rounding of Decimal's default).
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
DEFAULT_MAX_AMOUNT = Decimal("100000000.00")
MAX_DIGITS = 14  # ¥999,999,999,999.99: room for QIAO_MAX_AMOUNT to be raised
WAN = Decimal(10_000)


def _decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a Decimal, an int or a string")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_half_up(value, places: int = 2) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (2.345 → 2.35)."""
    return _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def max_amount() -> Decimal:
    return Decimal(str(getattr(settings, "QIAO_MAX_AMOUNT", DEFAULT_MAX_AMOUNT)))


def format_amount(value, places: int = 2) -> str:
    """1234.5 → "1,234.50"; "" for None."""
    if value is None or value == "":
        return ""
    return f"{round_half_up(value, places):,.{places}f}"


def format_cny(value) -> str:
    """1234.5 → "¥1,234.50", -3 → "-¥3.00"; "" for None."""
    text = format_amount(value)
    return f"-¥{text[1:]}" if text.startswith("-") else (f"¥{text}" if text else "")


def format_wan(value) -> str:
    """In 万元, as reports show large sums: 123456 → "12.35万"; "" for None."""
    if value is None or value == "":
        return ""
    return f"{format_amount(_decimal(value) / WAN)}万"


@deconstructible
class MaxAmountValidator:
    """No more than settings.QIAO_MAX_AMOUNT, read when validating (so a deployment can raise
    it without a migration)."""

    def __call__(self, value):
        if value is not None and abs(value) > max_amount():
            raise ValidationError(
                _("Enter an amount of at most %(limit)s.") % {"limit": format_cny(max_amount())},
                code="max_amount")

    def __eq__(self, other):
        return isinstance(other, MaxAmountValidator)

    def __hash__(self):
        return hash(MaxAmountValidator)


def min_amount_validator(minimum) -> MinValueValidator:
    return MinValueValidator(Decimal(minimum),
                             message=_("Enter an amount of at least %(limit_value)s."))


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DECORATION = re.compile(r"[¥,\s]|元$|^CNY|^RMB", re.IGNORECASE)


class MoneyFormField(forms.DecimalField):
    """What people type for an amount: thousands separators, a ¥ sign or 元 and full-width
    digits are accepted; an exponent (1e5) or a third decimal place is refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("step", "0.01")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int):
            value = str(value)
        text = _DECORATION.sub("", unicodedata.normalize("NFKC", str(value)).strip())
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValidationError(
                _("Enter the amount in plain digits, for example 1234.50 (no exponent such as "
                  "1e5)."), code="invalid")
        return super().to_python(text)


class MoneyField(models.DecimalField):
    """An amount in CNY (see the module's docstring). `minimum` is the smallest amount the
    field accepts (0 unless said); None for a signed amount (a reversal, a correction, a sum of
    them), whose size is capped either way."""

    def __init__(self, verbose_name=None, *, minimum="0", **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        self.minimum = minimum
        floor = [] if minimum is None else [min_amount_validator(minimum)]
        kwargs.setdefault("validators", [*floor, MaxAmountValidator()])
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)  # rebuilt from `minimum`
        if self.minimum != "0":
            kwargs["minimum"] = self.minimum
        for key, default in (("max_digits", MAX_DIGITS), ("decimal_places", 2)):
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs

    def to_python(self, value):
        if isinstance(value, float):
            raise TypeError("money is never a float: pass a Decimal, an int or a string")
        value = super().to_python(value)
        return None if value is None else round_half_up(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MoneyFormField, **kwargs})

