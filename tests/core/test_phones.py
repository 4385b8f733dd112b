"""Phone numbers: one stored form whatever way they are typed, extensions kept, masks right."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from qiao.core.fields import PhoneFormField
from qiao.core.masking import mask_phone
from qiao.core.validators import format_phone, normalize_phone, validate_cn_phone

STORED = [
    ("13812345678", "13812345678"), ("+86 138 1234 5679", "13812345679"),
    ("0086-138-1234-5679", "13812345679"), ("１３８１２３４５６７８", "13812345678"),
    ("138 1234 5678", "13812345678"), ("021 1234 5678", "021-12345678"),
    ("(021) 1234-5678", "021-12345678"), ("０２１－１２３４５６７８", "021-12345678"),
    ("0571-8888-8888", "0571-88888888"), ("+86 10 6552 9988", "010-65529988"),
    ("021-12345678转801", "021-12345678转801"), ("021-12345678 转 801", "021-12345678转801"),
    ("021-12345678分机801", "021-12345678转801"), ("021-12345678 ext. 801", "021-12345678转801"),
    ("021-12345678 x801", "021-12345678转801"), ("021-12345678#801", "021-12345678转801"),
    ("021-12345678-801", "021-12345678转801"), ("400-820-8820", "400-820-8820"),
    ("4008208820", "400-820-8820"), ("+852 2123 4567", "+852 2123 4567"),
]


@pytest.mark.parametrize(("typed", "stored"), STORED)
def test_every_way_of_typing_a_number_is_stored_in_one_form(typed, stored):
    assert PhoneFormField(required=False).clean(typed) == stored
    assert format_phone(stored) == stored
    validate_cn_phone(stored)


@pytest.mark.parametrize("typed", ["12345", "138-0013-800", "abc", "021-1234", "021转801"])
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(ValidationError):
        validate_cn_phone(format_phone(typed))


@pytest.mark.parametrize(("stored", "shown"), [
    ("13812345678", "138****5678"), ("021-12345678", "021****5678"),
    ("021-12345678转801", "021****5678转801"), ("0571-88888888", "057****8888"),
    ("400-820-8820", "400****8820"),
    # stored before numbers were put into one form
    ("+86 138 1234 5679", "138****5679"), ("１３８１２３４５６７８", "138****5678"),
    ("123", "***"),
])
def test_masks_show_three_digits_and_the_last_four_and_the_extension(stored, shown):
    assert mask_phone(stored) == shown


def test_the_search_and_duplicate_key_is_the_main_number_as_dialled_at_home():
    assert normalize_phone("021-12345678转801") == normalize_phone("+86 21 1234 5678") \
        == "02112345678"
    assert normalize_phone("400-820-8820") == "4008208820"


@given(st.sampled_from(["138", "139", "150", "186"]), st.integers(0, 10**8 - 1),
       st.sampled_from(["", " ", "-"]), st.booleans(), st.booleans())
def test_mobiles_typed_any_way_are_stored_as_eleven_digits(prefix, rest, separator, wide, plus):
    digits = f"{prefix}{rest:08d}"
    typed = ("+86 " if plus else "") + separator.join((digits[:3], digits[3:7], digits[7:]))
    if wide:
        typed = typed.translate({ord(d): ord(d) - ord("0") + ord("０") for d in "0123456789"})
    assert format_phone(typed) == digits
    assert mask_phone(typed) == mask_phone(digits) == f"{digits[:3]}****{digits[-4:]}"


@given(st.one_of(
    st.from_regex(r"1[0-9]{10}", fullmatch=True),
    st.from_regex(r"0[0-9]{2,3}-[0-9]{7,8}", fullmatch=True),
), st.sampled_from(["", "转801", "转1"]))
def test_a_number_stored_in_its_form_is_masked_as_the_parsed_way_masks_it(main, extension):
    """mask_phone reads a stored mobile or landline without parsing it (a list masks one per
    row): the same mask as the number parsed, valid or not (10000000000, 000-0000000)."""
    from qiao.core.masking import _NOT_DIGIT
    from qiao.core.validators import parse_phone

    parsed = normalize_phone(main) if parse_phone(main) else _NOT_DIGIT.sub("", main)
    expected = f"{parsed[:3]}****{parsed[-4:]}"
    assert mask_phone(main + extension) == expected + extension
