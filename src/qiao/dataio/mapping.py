"""Which column of a sheet is which field of an importer: suggested from the header names
(Chinese or English, compared with width, case, traditional characters, spaces and marks
such as * and ： ignored), and remembered per user for files of the same layout."""

import hashlib
import re

from qiao.core.text import search_key

_MARKS = re.compile(r"[\s*:：()（）\[\]【】<>《》_\-—/\\.·、]+|必填|选填|\(必填\)")


def header_key(text) -> str:
    return _MARKS.sub("", search_key(str(text or "")))


def layout_key(headers) -> str:
    """The layout of a file: its folded headers, in order."""
    return hashlib.sha256("\x1f".join(header_key(h) for h in headers).encode()).hexdigest()


def suggest(importer, headers, remembered: dict | None = None) -> dict[str, str]:
    """{column index (as text): field code}: the user's own mapping of this layout when there
    is one, else each field for the column whose header is its label or one of its names,
    then for a column whose header contains one (the longest name wins). A field maps to one
    column at most."""
    codes = {f.code for f in importer.fields}
    if remembered:
        kept = {k: v for k, v in remembered.items()
                if v in codes and k.isdigit() and int(k) < len(headers)}
        if kept:
            return kept
    names = {f.code: {header_key(n) for n in (f.label, *f.headers)} - {""} for f in importer.fields}
    keys = [header_key(h) for h in headers]
    found: dict[str, str] = {}
    taken: set[str] = set()
    for index, key in enumerate(keys):
        for field in importer.fields:
            if key and field.code not in taken and key in names[field.code]:
                found[str(index)] = field.code
                taken.add(field.code)
                break
    for index, key in enumerate(keys):
        if str(index) in found or not key:
            continue
        best = max(((len(name), field.code) for field in importer.fields
                    if field.code not in taken for name in names[field.code]
                    if len(name) >= 2 and name in key), default=None)
        if best is not None:
            found[str(index)] = best[1]
            taken.add(best[1])
    return found
