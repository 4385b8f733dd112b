"""Chinese identifiers (credit codes, phones, company names) and hostile text, property-tested.

Credit codes are built with python-stdnum's own check-digit function, so the tests prove our
adaptation (Django errors, normal forms), not stdnum's arithmetic. The last test pushes any
text through the real create form and the detail page.
"""

import contextlib
import unicodedata

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from qiao.core.text import clean_text, has_visible
from qiao.core.validators import (
    normalize_company_name,
    normalize_credit_code,
    normalize_phone,
    validate_cn_phone,
    validate_credit_code,
    validate_id_number,
)
from qiao.customers.models import Customer

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# No per-example deadline: a loaded CI machine must not turn slowness into a failure.
NO_DEADLINE = settings(deadline=None)


@st.composite
def credit_codes(draw):
    """A valid unified social credit code: 8 digits (authority, kind, division), 9 characters
    of the organisation code, then stdnum's check character."""
    head = draw(st.text("0123456789", min_size=8, max_size=8))
    body = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    return head + body + uscc.calc_check_digit(head + body)


# --- unified social credit codes -------------------------------------------------------------

@NO_DEADLINE
@given(credit_codes())
def test_valid_credit_codes_are_accepted_and_kept_as_typed(code):
    validate_credit_code(code)
    assert normalize_credit_code(code) == code
    # People type them in lower case or in groups; both mean the same code.
    assert normalize_credit_code(code.lower()) == code
    assert normalize_credit_code(f"{code[:6]} {code[6:12]}-{code[12:]}") == code


# Any other character in any position: digits, the code's letters, letters the code does not
# use (I O S V Z), lower case letters, Chinese, full-width digits and punctuation.
REPLACEMENTS = st.sampled_from(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgxyz中一０９#*"))


@NO_DEADLINE
@given(credit_codes(), st.integers(0, 17), REPLACEMENTS)
def test_any_single_character_change_is_rejected(code, position, new_char):
    old_char = code[position]
    # compact() folds case and width: "a" for "A" or "０" for "0" is the same code.
    assume(unicodedata.normalize("NFKC", new_char).upper() != old_char)
    changed = code[:position] + new_char + code[position + 1:]
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(changed)
    assert excinfo.value.code == "invalid_credit_code"


@pytest.mark.parametrize("value", ["", None])
def test_empty_credit_code_is_allowed(value):
    validate_credit_code(value)  # the field is optional (individual customers)


@pytest.mark.parametrize("value", ["913101150000000", "91310115MA1FL4TM3XX", "ABCDEFGH123456789X",
                                   "<script>", "９１３１０１１５ＭＡ１ＦＬ４ＴＭ３Ｘ"])
def test_malformed_credit_codes_are_rejected(value):
    with pytest.raises(ValidationError):
        validate_credit_code(value)


# --- phone numbers ---------------------------------------------------------------------------

MOBILE_PREFIXES = ("135", "138", "139", "150", "158", "186", "188", "130", "133", "177", "189",
                   "199")
# Area codes with 8-digit subscriber numbers that start with 2..8.
AREAS = ("021", "010", "020", "022", "025", "0571", "0755")


@st.composite
def mobiles(draw):
    return draw(st.sampled_from(MOBILE_PREFIXES)) + draw(st.text("0123456789", min_size=8,
                                                                 max_size=8))


@st.composite
def landlines(draw):
    """Area code + subscriber number in a range the numbering plan has allocated (the
    phonenumbers metadata decides: 021-8xxxxxxx, say, is not a Shanghai number)."""
    area = draw(st.sampled_from(AREAS))
    subscriber = draw(st.sampled_from("2345678")) + draw(st.text("0123456789", min_size=7,
                                                                 max_size=7))
    assume(phonenumbers.is_valid_number(phonenumbers.parse(area + subscriber, "CN")))
    return area, subscriber


@NO_DEADLINE
@given(mobiles())
def test_mobile_numbers_in_any_formatting_are_valid_and_normalise_alike(number):
    variants = [number, f"{number[:3]} {number[3:7]} {number[7:]}", f"{number[:3]}-{number[3:7]}-"
                f"{number[7:]}", f"+86 {number}", f"+86-{number[:3]}-{number[3:]}", f"0086{number}",
                f"(+86) {number}"]
    for variant in variants:
        validate_cn_phone(variant)
        assert normalize_phone(variant) == number, variant
    assert normalize_phone(normalize_phone(number)) == number


@NO_DEADLINE
@given(landlines())
def test_landlines_keep_the_trunk_zero_whatever_the_formatting(parts):
    area, subscriber = parts
    expected = area + subscriber
    variants = [expected, f"{area}-{subscriber}", f"{area}-{subscriber[:4]} {subscriber[4:]}",
                f"({area}){subscriber}", f"+86 {area[1:]} {subscriber}"]
    for variant in variants:
        validate_cn_phone(variant)
        assert normalize_phone(variant) == expected, variant
    assert normalize_phone(normalize_phone(expected)) == expected


def test_the_issue_examples_normalise_to_the_same_number():
    assert normalize_phone("021-5012 3456") == normalize_phone("02150123456") == "02150123456"
    assert normalize_phone("+86 138 0013 8000") == normalize_phone("13800138000") == "13800138000"


@NO_DEADLINE
@given(st.text("0123456789", min_size=1, max_size=5))
def test_too_short_numbers_are_rejected(digits):
    with pytest.raises(ValidationError) as excinfo:
        validate_cn_phone(digits)
    assert excinfo.value.code == "invalid_phone"


@pytest.mark.parametrize("value", ["abc", "138001380001234", "1380013800", "12345678901",
                                   "<script>", "010-1234"])
def test_invalid_phones_are_rejected(value):
    with pytest.raises(ValidationError):
        validate_cn_phone(value)


@NO_DEADLINE
@given(st.text(max_size=40))
def test_normalize_phone_never_raises(value):
    assert isinstance(normalize_phone(value), str)


# --- company names ---------------------------------------------------------------------------

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团公司", "公司")
# Base names drawn from characters that cannot join a legal-form suffix ("有限" + "公司").
BASE_CHARS = "恒鑫瑞华泰嘉盛宏信达隆丰源通贸易商行科技上海北京ABCXYZabcxyz0123456789"


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@NO_DEADLINE
@given(st.text())
@example("a公司公司")
@example("甲有限公司有限公司")
@example("ＡＢＣ（上海）贸易有限公司")
def test_normalize_company_name_is_idempotent(name):
    once = normalize_company_name(name)
    assert normalize_company_name(once) == once


@NO_DEADLINE
@given(st.text(BASE_CHARS, min_size=1, max_size=20), st.sampled_from(SUFFIXES),
       st.sampled_from(SUFFIXES))
def test_legal_form_width_case_and_spacing_do_not_matter(base, suffix, other_suffix):
    expected = normalize_company_name(base)
    assert normalize_company_name(base + suffix) == expected
    assert normalize_company_name(to_full_width(base) + other_suffix) == expected
    assert normalize_company_name(base.upper() + " " + suffix) == expected
    assert normalize_company_name(f"（{base}）{suffix}") == expected


def test_the_issue_example_names_are_the_same_company():
    assert normalize_company_name("ＡＢＣ贸易有限公司") == normalize_company_name("ABC贸易有限责任公司")
    assert normalize_company_name("ABC贸易股份有限公司") == "abc贸易"
    assert normalize_company_name("ABC贸易有限公司") != normalize_company_name("ABD贸易有限公司")
    # A name that is only a legal form is not emptied (nothing would be left to compare).
    assert normalize_company_name("公司") == "公司"
    assert normalize_company_name("有限公司") == "有限"


# --- any text through the real form and the detail page --------------------------------------

HOSTILE = st.sampled_from([
    "<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>", "{{ customer.pk }}",
    "{% csrf_token %}", "&amp;&lt;", "😀🏪👨‍👩‍👧", "Ωμέγα Русский العربية 한국어 日本語",
    "𠀀𪚥", "张三\u200b李四", "O'Brien & Sons \"Ltd\"", "%s %(name)s", "a" * 2000,
    "\u202eRTL override", "'; DROP TABLE customers_customer; --",
])
TEXT = st.one_of(HOSTILE, st.text(st.characters(exclude_categories=("Cs",)), max_size=150),
                 st.builds(lambda a, b: a + b, HOSTILE, st.text(max_size=20)))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=TEXT, notes=TEXT)
def test_any_text_round_trips_through_create_and_detail_page(personas, name, notes):
    client = personas.client("am01")
    before = Customer.objects.count()
    response = client.post(reverse("customers:create"), {
        "kind": "enterprise", "name": name, "short_name": name[:40], "notes": notes,
        "address": notes[:200], "confirm_duplicate": "on"})
    assert response.status_code in (302, 400), response.status_code
    # Stored as every form cleans text (core.text): invisible and control characters dropped,
    # compatibility forms folded; a name needs something visible.
    clean_name = clean_text(name.strip()).strip()
    clean_notes = clean_text(notes.strip(), multiline=True).strip()
    acceptable = (has_visible(clean_name) and len(clean_name) <= 120 and len(clean_notes) <= 5000
                  # NFKC may lengthen text (ﷺ is 18 letters): the short fields must still fit
                  and len(clean_text(name[:40]).strip()) <= 40
                  and len(clean_text(notes[:200]).strip()) <= 200)
    if response.status_code == 400:
        assert not acceptable, "a name and notes the form should take were refused"
        assert Customer.objects.count() == before
        return
    assert acceptable
    customer = Customer.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert customer.name == clean_name
    assert customer.notes == clean_notes
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert escape(clean_name) in html
    assert escape(clean_notes) in html
    for raw in ("<script>alert", "<img src=x"):
        assert raw not in html


def test_full_width_letters_and_digits_fold_to_half_width():
    assert normalize_company_name("ＡＢＣ１２３商行") == normalize_company_name("abc123商行")


# --- resident ID numbers (居民身份证号码) ------------------------------------------------------

def _with_check_digit(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_a_valid_id_number_is_accepted():
    validate_id_number(_with_check_digit("11010519850615003"))


@pytest.mark.parametrize("value", [
    _with_check_digit("32057119800101001"),  # a code stdnum knows only the province of
    _with_check_digit("11010519851315003"),  # month 13
    "110105198506150031",                     # wrong check character
    "11010519850615003",                      # 17 characters
])
def test_bad_id_numbers_are_a_validation_error_never_a_crash(value):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == "invalid_id_number"


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_any_18_characters_validate_or_raise_only_a_validation_error(value):
    with contextlib.suppress(ValidationError):
        validate_id_number(value)
