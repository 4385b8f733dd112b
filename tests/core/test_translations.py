"""The Simplified Chinese catalogue is complete and its compiled .mo matches the .po."""

import ast
import gettext
import re
from pathlib import Path

import qiao

LOCALE = Path(qiao.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
FIELD = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)', re.M)


def po_entries():
    """(msgid, msgid_plural, [msgstr…], fuzzy) for every message after the header."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        fields = {}
        for name, quoted in FIELD.findall(block):
            fields[name] = "".join(ast.literal_eval(line) for line in quoted.split("\n") if line)
        if "msgid" in fields:
            strings = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            yield fields["msgid"], fields.get("msgid_plural"), strings, "#, fuzzy" in block


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [msgid for msgid, _p, strings, fuzzy in po_entries()
                    if fuzzy or not strings or not all(strings)]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, plural, strings, _fuzzy in po_entries():
        context_free = msgid.split("\x04")[-1]
        actual = compiled.ngettext(context_free, plural, 1) if plural else compiled.gettext(
            context_free)
        assert actual == strings[0], f"run `make messages`: {msgid!r} is stale in django.mo"
