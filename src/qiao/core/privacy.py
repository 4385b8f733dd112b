"""A person's data taken out of text (PIPL Art. 47, SPEC DAT-4, CHECKS C22): the kernel's part.

An erasure removes a person's *needles* — their names, phone numbers, e-mail address, ID
number — from what Qiao has written down. `scrub` replaces each needle in a string or a JSON
value with MASK; `scrub_rows` does it in every text and JSON column of some rows, writing only
the rows that change, as plain UPDATEs (the erasure is not a new version of a record: its
history rows are scrubbed the same way); `sweep` runs it over the columns registered as
copies (`core.registry.personal_copies`: inbox messages, approval titles, webhook payloads),
finding their rows by the needles in the database. Which person, which needles and which rows
are the business of the app the person belongs to (customers.privacy).
"""

import json

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from . import registry

MASK = "＊＊"
MIN_NEEDLE = 2  # a single character is in too many words to be taken out of text


def needles_of(*values) -> tuple[str, ...]:
    """The distinct values worth searching for, longest first (a number before a shorter one
    inside it)."""
    found = {str(v).strip() for v in values if v}
    return tuple(sorted((v for v in found if len(v) >= MIN_NEEDLE), key=lambda v: (-len(v), v)))


def scrub(value, needles):
    """`value` (text, or a JSON value of lists and objects) with every needle replaced by MASK."""
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, MASK)
        return value
    if isinstance(value, list):
        return [scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {scrub(key, needles): scrub(item, needles) for key, item in value.items()}
    return value


def text_columns(model) -> list[str]:
    """The columns of `model` that hold text a person may be named in."""
    return [field.name for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
            and not field.primary_key and not field.choices]


def scrub_rows(queryset, needles, fields=None) -> int:
    """Scrub `fields` (every text column) of the rows of `queryset`; how many rows changed."""
    model = queryset.model
    fields = list(fields or text_columns(model))
    if not needles or not fields:
        return 0
    changed = 0
    for row in queryset.values("pk", *fields).iterator(chunk_size=500):
        new = {name: scrub(row[name], needles) for name in fields}
        diff = {name: value for name, value in new.items() if value != row[name]}
        if diff:
            model._base_manager.filter(pk=row["pk"]).update(**diff)
            changed += 1
    return changed


def _escaped(needle: str) -> str:
    """The needle as a JSON text stores it with non-ASCII escaped (SQLite's JSON columns)."""
    return json.dumps(needle)[1:-1]


def mentioning(model, fields, needles):
    """The rows of `model` with a needle in one of `fields`, found by the database (a scan: an
    erasure is rare, and the copies are not indexed by content)."""
    rows = model._base_manager.all()
    condition = Q()
    for name in fields:
        if isinstance(model._meta.get_field(name), models.JSONField):
            alias = f"{name}_as_text"
            rows = rows.annotate(**{alias: Cast(name, models.TextField())})
            for needle in needles:
                condition |= Q(**{f"{alias}__contains": needle})
                condition |= Q(**{f"{alias}__contains": _escaped(needle)})
        else:
            for needle in needles:
                condition |= Q(**{f"{name}__contains": needle})
    return rows.filter(condition) if condition else rows.none()


def sweep(needles) -> int:
    """Scrub the registered copies that mention a needle; how many rows changed."""
    if not needles:
        return 0
    return sum(scrub_rows(mentioning(copy.model, copy.fields, needles), needles, copy.fields)
               for copy in registry.personal_copies)
