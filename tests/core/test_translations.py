"""The Simplified Chinese catalogue is complete and its compiled .mo matches the .po."""

import ast
import gettext
import re
from pathlib import Path

import qiao

LOCALE = Path(qiao.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)', re.M)


def po_entries():
    """(msgctxt, msgid, msgid_plural, [msgstr…], fuzzy) for every message after the header."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        fields = {}
        for name, quoted in FIELD.findall(block):
            fields[name] = "".join(ast.literal_eval(line) for line in quoted.split("\n") if line)
        if "msgid" in fields:
            strings = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            yield (fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strings,
                   "#, fuzzy" in block)


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [msgid for _c, msgid, _p, strings, fuzzy in po_entries()
                    if fuzzy or not strings or not all(strings)]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for context, msgid, plural, strings, _fuzzy in po_entries():
        if context:
            actual = compiled.pgettext(context, msgid)
        elif plural:
            actual = compiled.ngettext(msgid, plural, 1)
        else:
            actual = compiled.gettext(msgid)
        assert actual == strings[0], f"run `make messages`: {msgid!r} is stale in django.mo"
