"""Text as Qiao stores and compares it.

`clean_text` is applied once to every piece of text a person sends — by every form
(`core.forms.CleanInputMixin`) and by the API's request bodies (`core.api.Input`) — so that what
is stored is what is seen: compatibility forms folded (NFKC: full-width ＡＢＣ１２３ → ABC123),
invisible characters removed (zero-width spaces and joiners, byte-order marks, soft hyphens,
bidirectional overrides that make 司公 read as 公司, control characters, Hangul and Braille
fillers). Multi-line text keeps its newlines and tabs; single-line text turns them into spaces.

`search_key` is the stricter form two texts are compared in for duplicates and search: cleaned,
NFKC without exceptions, traditional characters folded to simplified ones (賃 → 赁, 乾淨 → 干净)
and lower case, so a search for either finds both.
"""

import itertools
import re
import unicodedata
from functools import cache

# NFKC would turn these into ASCII or into several characters, changing how Chinese writing
# reads (你好，世界！→ 你好,世界!; ……→ ......; ①② → 12; m² → m2). Letters and digits still fold.
_KEPT = frozenset("！（），：；？～…²³¹㎡" + "".join(map(chr, range(0x2460, 0x249C))))
_KEPT_SPLIT = re.compile("([" + re.escape("".join(sorted(_KEPT))) + "])")

# Letters and symbols that draw nothing, so a name made of them looks empty.
_FILLERS = "\u115f\u1160\u3164\uffa0\u2800\u034f"
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


@cache
def _invisible() -> re.Pattern:
    """Control, format (zero-width, bidirectional…) and surrogate characters, and the fillers;
    not newline and tab. Built once per process from the Unicode database (about 0.2 s)."""
    # Format characters live in the first two planes and in plane 14 (tags); surrogates are
    # one block.
    codes = itertools.chain(range(0x20000), range(0xE0000, 0xE1000))
    chars = [chr(code) for code in codes if unicodedata.category(chr(code)) in ("Cc", "Cf")]
    chars = [c for c in chars if c not in "\n\t"] + list(_FILLERS)
    return re.compile("[\ud800-\udfff" + "".join(re.escape(c) for c in chars) + "]")


def _nfkc(text: str) -> str:
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "".join(part if part in _KEPT else unicodedata.normalize("NFKC", part)
                   for part in _KEPT_SPLIT.split(text))


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` as it is stored (see the module's docstring); the ends are not stripped."""
    if not value:
        return value
    # Line breaks of every kind become one newline before control characters are dropped.
    text = _LINE_BREAKS.sub("\n", value)
    text = _nfkc(_invisible().sub("", text))
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def has_visible(text: str) -> bool:
    """Does `text` show anything: a letter, digit, punctuation mark or symbol — or a private-use
    or unassigned character, which may be a rare name character of an older encoding or of a
    newer Unicode version than this Python knows (CJK extensions keep being added)?"""
    return any((unicodedata.category(c)[0] in "LNPS" or unicodedata.category(c) in ("Co", "Cn"))
               and c not in _FILLERS for c in text)


@cache
def _traditional_to_simplified() -> dict[int, str]:
    """A character table (str.translate) from OpenCC's traditional-to-simplified conversion.

    Character by character, not OpenCC's phrase conversion: a key must fold a character the
    same way wherever it stands, so that a search for one character finds it inside a word.
    Built once per process from the CJK blocks (about 0.1 s)."""
    import opencc

    converter = opencc.OpenCC("t2s")
    table = {}
    for start, end in ((0x3400, 0x4DC0), (0x4E00, 0xA000)):
        for code in range(start, end):
            simplified = converter.convert(chr(code))
            if simplified != chr(code) and len(simplified) == 1:
                table[code] = simplified
    return table


def to_simplified(text: str) -> str:
    return text.translate(_traditional_to_simplified())


def search_key(value: str) -> str:
    """The form of `value` compared for duplicates and search (see the module's docstring)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", clean_text(value))
    return to_simplified(text).lower().strip()
