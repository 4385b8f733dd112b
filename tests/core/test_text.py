"""core.text: what every form and the API store of what people type, and the keys duplicates
and searches compare."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from qiao.core.text import clean_text, has_visible, search_key

ZWSP, ZWJ, RLO, BOM, SOFT_HYPHEN = "\u200b", "\u200d", "\u202e", "\ufeff", "\u00ad"


def test_invisible_and_bidirectional_characters_are_removed():
    assert clean_text(f"华{ZWSP}东{ZWJ}恒{BOM}通{SOFT_HYPHEN}") == "华东恒通"
    assert clean_text(f"恒通{RLO}司公限有") == "恒通司公限有"  # shown as typed, not reversed
    assert clean_text("\u2066恒通\u2069\u200e") == "恒通"
    assert clean_text("恒\x07通\x1b[31m") == "恒通[31m"


def test_full_width_letters_and_digits_fold_but_chinese_punctuation_stays():
    assert clean_text("ＡＢＣ贸易１２３") == "ABC贸易123"
    assert clean_text("你好，世界！（上海）：是；吗？1～3月……") == "你好，世界！（上海）：是；吗？1～3月……"
    assert clean_text("①面积200m²") == "①面积200m²"
    assert clean_text("恒通\u3000商行\u00a0A") == "恒通 商行 A"  # ideographic and no-break spaces
    assert clean_text("\ufa10") == unicodedata.normalize("NFKC", "\ufa10")  # compatibility ideograph


def test_multi_line_text_keeps_newlines_and_tabs_single_line_text_does_not():
    text = "第一行\r\n第二行\r第三行\u2028\t第四行"
    assert clean_text(text, multiline=True) == "第一行\n第二行\n第三行\n\t第四行"
    assert clean_text(text) == "第一行 第二行 第三行  第四行"


def test_a_visible_character_is_a_letter_digit_punctuation_or_symbol():
    assert not has_visible(clean_text(ZWSP * 3 + RLO + "\u3164\u2800 \t"))
    assert not has_visible("\u0301")  # a combining mark alone draws on nothing
    for text in ("张", "A", "1", "。", "¥", "😀", "\ue000", "\U00031350"):  # private use, unassigned here
        assert has_visible(text), text


def test_search_keys_fold_traditional_to_simplified_and_full_width_and_case():
    assert search_key("賃") == search_key("赁") == "赁"
    assert search_key("華東恆通貿易有限公司") == search_key("华东恒通贸易有限公司")
    assert search_key(f"ＡＢＣ{ZWSP}（上海）") == "abc(上海)"
    assert search_key("  Zhang San ") == "zhang san"


printable_or_not = st.text(st.characters(codec="utf-8"), max_size=40)


@given(printable_or_not, st.booleans())
def test_cleaning_is_idempotent_and_leaves_nothing_invisible(text, multiline):
    cleaned = clean_text(text, multiline=multiline)
    assert clean_text(cleaned, multiline=multiline) == cleaned
    allowed = "\n\t" if multiline else ""
    assert not [c for c in cleaned
                if unicodedata.category(c) in ("Cc", "Cf", "Cs") and c not in allowed]


@given(printable_or_not)
def test_search_keys_are_their_own_key(text):
    key = search_key(text)
    assert search_key(key) == key
