"""Chinese identifiers (unified social credit codes, phone numbers, company names) and the
plausible ranges of dates and counts.

Checksums come from python-stdnum and phonenumbers; this module only adapts them to
Django validation errors and to the normal forms we store and search on.
"""

import re
import unicodedata
from datetime import date, datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from qiao.core.text import search_key

# Longest first, so 有限责任公司 is stripped before 有限公司 would leave 责任 behind.
_COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "公司",
)
_PUNCTUATION = re.compile(r"[\s\-_·.,，。()（）\[\]【】'\"“”‘’/\\&]+")


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "").upper()


def validate_credit_code(value: str) -> None:
    """A unified social credit code (统一社会信用代码): 18 characters with a check digit."""
    if not value:
        return
    try:
        uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Invalid unified social credit code: it must be 18 characters with a valid check "
              "character."),
            code="invalid_credit_code",
        ) from None


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def validate_id_number(value: str) -> None:
    """A resident identity card number (居民身份证号码): 18 characters, birth date and check
    character valid."""
    if not value:
        return
    try:
        ric.validate(value)
    # python-stdnum raises KeyError for a birthplace code it knows only the province of.
    except (StdnumError, KeyError):
        raise ValidationError(
            _("Invalid ID card number: it must be 18 characters with a valid birth date and "
              "check character."),
            code="invalid_id_number",
        ) from None


# --- phone numbers ---------------------------------------------------------------------------
# Stored in one form: a mobile as 11 digits (13812345678), a landline with its area code and a
# hyphen (021-12345678), a service number grouped (400-820-8820), a number abroad
# internationally (+852 2123 4567); an extension follows 转 (021-12345678转801). Typed with
# full-width digits, +86, spaces, brackets or an extension as 转/分机/ext/x/#/-801, all the same.

EXTENSION_MARK = "转"
# The stored form of a mobile or landline without extension, recognised without parsing.
CANONICAL_PHONE = re.compile(r"1\d{10}|0\d{2,3}-\d{7,8}")
_EXTENSION_WORDS = re.compile(r"\s*(?:转|轉|分机|分機|ext\.?|x|#)\s*(?=\d+\s*$)", re.IGNORECASE)
_TRAILING_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,6})$")


def _parse(text: str):
    try:
        return phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None


def parse_phone(value: str):
    """The phonenumbers object of `value` (its extension in `.extension`), None when it is not
    a valid number. A trailing "-801" is an extension only when the digits before it are a
    whole number by themselves."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return None
    text = _EXTENSION_WORDS.sub(" ext ", text, count=1)
    parsed = _parse(text)
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return parsed
    if match := _TRAILING_EXTENSION.match(text):
        parsed = _parse(match[1])
        if parsed is not None and phonenumbers.is_valid_number(parsed) and not parsed.extension:
            parsed.extension = match[2]
            return parsed
    return None


def _national(parsed) -> str:
    """Digits as dialled at home: 13812345678, 4008208820, and 0 + area code for landlines
    (02112345678)."""
    national = phonenumbers.national_significant_number(parsed)
    if parsed.country_code == 86 and phonenumbers.length_of_geographical_area_code(parsed):
        national = "0" + national
    return national


def _is_cn_mobile(national_significant: str) -> bool:
    return national_significant.startswith("1") and len(national_significant) == 11


def format_phone(value: str) -> str:
    """The stored form of a valid number (see above); other text is returned unchanged, for
    the validator to refuse."""
    parsed = parse_phone(value)
    if parsed is None:
        return value
    number = phonenumbers.national_significant_number(parsed)
    if parsed.country_code != 86:
        main = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        main = main.split(" ext.")[0]
    elif _is_cn_mobile(number):
        main = number
    elif area := phonenumbers.length_of_geographical_area_code(parsed):
        main = f"0{number[:area]}-{number[area:]}"
    else:  # 400/800 and other service numbers: grouped as they are announced
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        main = national.split(" ext.")[0].replace(" ", "-")
    return f"{main}{EXTENSION_MARK}{parsed.extension}" if parsed.extension else main


def split_extension(value: str) -> tuple[str, str]:
    """(main number, extension) of a stored number."""
    main, _mark, extension = (value or "").partition(EXTENSION_MARK)
    return main, extension


def normalize_phone(value: str) -> str:
    """The key numbers are compared and searched by: the main number's digits as dialled at
    home, without the extension (13812345678, 02112345678). For text that is not a whole valid
    number (a fragment typed in the search box), its digits as phonenumbers reads them; empty
    when there is nothing that looks like a number."""
    if CANONICAL_PHONE.fullmatch(value or ""):  # most stored numbers: no parsing needed
        return value.replace("-", "")
    parsed = parse_phone(value)
    if parsed is None:
        text = _EXTENSION_WORDS.sub(" ext ", unicodedata.normalize("NFKC", value or ""), count=1)
        parsed = _parse(text) if text.strip() else None
        if parsed is None:
            return ""
    return _national(parsed)


def validate_cn_phone(value: str) -> None:
    """A mainland China mobile or landline number (with or without area code separators), or
    a number abroad with its country code; an extension may follow."""
    if not value:
        return
    if parse_phone(value) is None:
        raise ValidationError(
            _("Invalid phone number: enter a mainland mobile (13812345678) or a landline with "
              "area code (021-12345678), an extension after 转 (021-12345678转801)."),
            code="invalid_phone",
        )


# --- plausible dates and counts --------------------------------------------------------------

EARLIEST_DATE = date(1900, 1, 1)
YEARS_AHEAD = 100


def _years_later(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)


@deconstructible
class PlausibleDate:
    """A date a person can mean: from 1900 to 100 years from today, or to today at the latest
    (`not_future`, for birthdays and things already done). Year 0001 or 9999 is a slip of the
    keyboard, and dates beyond what the database or Python can add to make pages fail."""

    def __init__(self, *, not_future: bool = False):
        self.not_future = not_future

    def __call__(self, value) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        today = timezone.localdate()
        latest = today if self.not_future else _years_later(today, YEARS_AHEAD)
        if self.not_future and day > today:
            raise ValidationError(_("Enter a date no later than today (%(today)s).")
                                  % {"today": today.isoformat()}, code="future_date")
        if not EARLIEST_DATE <= day <= latest:
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_DATE.isoformat(), "latest": latest.isoformat()},
                code="implausible_date")

    def __eq__(self, other):
        return isinstance(other, PlausibleDate) and other.not_future == self.not_future

    def __hash__(self):
        return hash(self.not_future)


def plausible_count(maximum: int) -> list:
    """Validators of a count a person enters (staff, quota, quantity…): from 0 to `maximum`."""
    return [
        MinValueValidator(0, message=_("Enter a number that is 0 or more.")),
        MaxValueValidator(maximum, message=_("Enter a number no larger than %(limit_value)s.")),
    ]


def normalize_company_name(value: str) -> str:
    """The form two names are compared in for duplicates: the search key (full-width folded to
    half-width, invisible characters dropped, traditional characters to simplified, lower
    case), punctuation ignored, legal-form suffixes (有限公司…) removed."""
    text, previous = search_key(value), None
    # Repeated until nothing changes, so that a normal form is its own normal form: a suffix
    # can hide another ("某公司有限公司"), and dropping punctuation can let NFKC recompose.
    for _round in range(10):
        if text == previous:
            break
        previous = text
        text = _PUNCTUATION.sub("", search_key(text))
        while suffix := next((s for s in _COMPANY_SUFFIXES
                              if text.endswith(s) and len(text) > len(s)), None):
            text = text[: -len(suffix)]
    return text
