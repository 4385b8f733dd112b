"""Chinese identifiers: unified social credit codes, phone numbers, company names.

Checksums come from python-stdnum and phonenumbers; this module only adapts them to
Django validation errors and to the normal forms we store and search on.
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

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


def normalize_phone(value: str) -> str:
    """E.164-free national form: digits only, +86 / 0086 prefix dropped (13812345678,
    02112345678). Empty when there is nothing that looks like a number."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return ""
    national = phonenumbers.national_significant_number(parsed)
    is_mobile = national.startswith("1") and len(national) == 11
    if parsed.country_code == 86 and not is_mobile:
        national = "0" + national  # landlines keep their trunk prefix: 021…, Beijing's 010…
    return national


def validate_cn_phone(value: str) -> None:
    """A mainland China mobile or landline number (with or without area code separators)."""
    if not value:
        return
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("Invalid phone number: enter a mainland mobile (13812345678) or a landline with "
              "area code (021-12345678)."),
            code="invalid_phone",
        )


def normalize_company_name(value: str) -> str:
    """The form two names are compared in for duplicates: full-width folded to half-width
    (NFKC), case and punctuation ignored, legal-form suffixes (有限公司…) removed."""
    text, previous = value or "", None
    # Repeated until nothing changes, so that a normal form is its own normal form: a suffix
    # can hide another ("某公司有限公司"), and dropping punctuation can let NFKC recompose.
    for _round in range(10):
        if text == previous:
            break
        previous = text
        text = _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text).lower())
        while suffix := next((s for s in _COMPANY_SUFFIXES
                              if text.endswith(s) and len(text) > len(s)), None):
            text = text[: -len(suffix)]
    return text
