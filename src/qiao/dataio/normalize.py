"""A cell as an importer takes it (core.registry.ImportFieldKind): text folded as every form
folds it (core.text.clean_text: full-width ＡＢＣ１２３ → ABC123, invisible characters out), Excel's
numbers read as the text they show (13812345678.0 → 13812345678), dates and amounts in the
ways Chinese sheets write them. Anything else is a ValidationError with the reason; nothing
else is ever raised (CHECKS C12)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from qiao.core.registry import ImportFieldKind as K
from qiao.core.text import clean_text

_DATE = re.compile(r"(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(\.0+)?")
# An Excel serial between 1954 and 2119: a five-digit number in a date column is one.
SERIALS = (20000, 80000)
_CURRENCY = re.compile(r"^(?:¥|￥|RMB|CNY|人民币)|(?:元|圆|RMB|CNY)$", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_UNITS = re.compile(r"(人|个|名|位)$")
YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对", "有", "x"}
NO = {"否", "n", "no", "false", "0", "无", "没有", "-"}
MAX_TEXT = 5000


def cell_text(value) -> str:
    """The text a cell shows: numbers without Excel's trailing .0, dates as ISO, text cleaned
    (one line) and trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else ""
    if isinstance(value, datetime.datetime):
        return (value.date().isoformat() if value.time() == datetime.time() else
                value.isoformat(sep=" ", timespec="minutes"))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return clean_text(str(value)[:MAX_TEXT]).strip()


def normalize(kind: str, value) -> str:
    """The cell `value` (as openpyxl or the CSV reader gave it) for a field of `kind`."""
    if kind == K.DATE:
        return _date(value)
    text = cell_text(value)
    if not text:
        return ""
    if kind == K.AMOUNT:
        return _amount(text)
    if kind == K.NUMBER:
        return _number(text)
    if kind == K.YES_NO:
        return _yes_no(text)
    return text  # TEXT, PHONE: the form's field does the rest (PhoneField: the stored form)


def _date(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = cell_text(value)
    if not text:
        return ""
    if _SERIAL.fullmatch(text):
        return _serial(float(text))
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        # 2024-03-05 10:00 from a date-time cell: its day.
        match = _DATE.match(text) if re.fullmatch(r".+\s\d{1,2}:\d{2}(:\d{2})?", text) else None
    if match is None:
        raise ValidationError(_("%s is not a date: write it as 2024-03-05, 2024/3/5 or "
                                "2024年3月5日.") % text[:40], code="date")
    try:
        return datetime.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        raise ValidationError(_("%s is not a day of the calendar.") % text[:40],
                              code="date") from None


def _serial(number: float) -> str:
    if not SERIALS[0] <= number < SERIALS[1]:
        raise ValidationError(_("%s is not a date.") % cell_text(number), code="date")
    return from_excel(number).date().isoformat()


def _amount(text: str) -> str:
    plain = re.sub(r"[\s,，]", "", text)
    plain = _CURRENCY.sub("", plain)
    factor = Decimal(1)
    if plain.endswith("万元"):
        plain, factor = plain[:-2], Decimal(10_000)
    elif plain.endswith("万"):
        plain, factor = plain[:-1], Decimal(10_000)
    plain = _CURRENCY.sub("", plain)
    if not _NUMBER.fullmatch(plain):
        raise ValidationError(_("%s is not an amount: write it as 1234.50, ¥1,234.50 or 12.5万.")
                              % text[:40], code="amount")
    try:
        amount = (Decimal(plain) * factor).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError(_("%s is not an amount.") % text[:40], code="amount") from None
    return format(amount, "f")


def _number(text: str) -> str:
    plain = _UNITS.sub("", re.sub(r"[\s,，]", "", text))
    if re.fullmatch(r"\d+(\.0+)?", plain):
        return str(int(Decimal(plain)))
    raise ValidationError(_("%s is not a whole number.") % text[:40], code="number")


def _yes_no(text: str) -> str:
    folded = text.strip().lower()
    if folded in YES:
        return "1"
    if folded in NO:
        return ""
    raise ValidationError(_("%s is neither yes (是) nor no (否).") % text[:40], code="yes_no")
