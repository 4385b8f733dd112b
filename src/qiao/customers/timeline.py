"""The kinds of the customer archive's own timeline events (core.registry.timeline_kinds),
registered in CustomersConfig.ready. Each event stores plain values — names, codes, reasons —
and is composed when read, in the reader's language: a status written by a Chinese-speaking
colleague reads "Status Prospect → Onboarded" to an English reader."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from qiao.core.registry import TimelineKind, timeline_kinds

from .models import Customer, FollowUpChannel


def choice_label(choices, code) -> str:
    """The label of `code` in the active language; an unknown code (of an older version) as is."""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def _with_note(text, note) -> str:
    return _("%(text)s: %(note)s") % {"text": text, "note": note} if note else text


def _field_label(name) -> str:
    try:
        return str(Customer._meta.get_field(name).verbose_name)
    except LookupError:  # FieldDoesNotExist: a field since removed
        return name


def edited_text(params) -> str:
    return _("Edited: %s") % pgettext("list separator", ", ").join(
        _field_label(name) for name in params["fields"])


def graded_text(params) -> str:
    return _("Grade %(old_grade)s/%(old_cat)s → %(new_grade)s/%(new_cat)s: %(reason)s") % {
        "old_grade": params["old_grade"], "new_grade": params["new_grade"],
        "old_cat": choice_label(Customer.Category, params["old_category"]),
        "new_cat": choice_label(Customer.Category, params["new_category"]),
        "reason": params["reason"]}


def status_text(params) -> str:
    text = _("Status %(old)s → %(new)s") % {"old": choice_label(Customer.Status, params["old"]),
                                            "new": choice_label(Customer.Status, params["new"])}
    return _with_note(text, params["note"])


def status_request_text(params) -> str:
    text = _("Status change %(old)s → %(new)s submitted for approval") % {
        "old": choice_label(Customer.Status, params["old"]),
        "new": choice_label(Customer.Status, params["new"])}
    return _with_note(text, params["note"])


def follow_up_text(params) -> str:
    return _("%(channel)s: %(note)s") % {
        "channel": choice_label(FollowUpChannel, params["channel"]), "note": params["note"]}


def personal_data_text(params) -> str:
    kinds = {"export": _("a copy of their data"), "erasure": _("the erasure of their data")}
    return _("A person asked for %(what)s; sent for approval") % {
        "what": kinds.get(params["kind"], params["kind"])}


def reclaim_text(params) -> str:
    if params["days"] is None:
        return _("Reclaimed to the public pool: the customer is offboarded")
    return _("Reclaimed to the public pool: no follow-up for %(days)d days") % {
        "days": int(params["days"])}


KINDS = (
    # Contact with the customer: these move its last follow-up (the pool's reclaim clock, which
    # starts when the customer is registered).
    TimelineKind("created", gettext_lazy("Customer created"), "bi-person-plus", follow_up=True),
    TimelineKind("follow_up", follow_up_text, "bi-telephone-outbound", follow_up=True,
                 params=("channel", "note")),
    # Changes of the record
    TimelineKind("edited", edited_text, "bi-pencil", params=("fields",)),
    TimelineKind("graded", graded_text, "bi-award",
                 params=("old_grade", "old_category", "new_grade", "new_category", "reason")),
    TimelineKind("status", status_text, "bi-flag", params=("old", "new", "note")),
    TimelineKind("status_request", status_request_text, "bi-hourglass-split",
                 params=("old", "new", "note")),
    TimelineKind("deleted", gettext_lazy("Customer deleted"), "bi-trash"),
    TimelineKind("restored", gettext_lazy("Customer restored"), "bi-arrow-counterclockwise"),
    TimelineKind("contact_added", gettext_lazy("Contact added: %(name)s"), "bi-person-vcard",
                 params=("name",)),
    TimelineKind("contact_edited", gettext_lazy("Contact edited: %(name)s"), "bi-person-vcard",
                 params=("name",)),
    TimelineKind("contact_deleted", gettext_lazy("Contact deleted: %(name)s"), "bi-person-vcard",
                 params=("name",)),
    TimelineKind("contact_restored", gettext_lazy("Contact restored: %(name)s"),
                 "bi-person-vcard", params=("name",)),
    TimelineKind("attachment_added", gettext_lazy("Attachment added: %(name)s"), "bi-paperclip",
                 params=("name",)),
    TimelineKind("attachment_deleted", gettext_lazy("Attachment deleted: %(name)s"),
                 "bi-paperclip", params=("name",)),
    # Who keeps the customer (the pool's own moves are not a follow-up)
    TimelineKind("pool_claim", gettext_lazy("Claimed from the public pool by %(actor)s"),
                 "bi-box-arrow-in-down", params=("actor",)),
    TimelineKind("pool_release",
                 gettext_lazy("Returned to the public pool by %(actor)s: %(reason)s"),
                 "bi-box-arrow-up", params=("actor", "reason")),
    TimelineKind("pool_reclaim", reclaim_text, "bi-recycle", params=("days",)),
    TimelineKind("handover",
                 gettext_lazy("Handed over from %(from)s to %(to)s by %(actor)s: %(reason)s"),
                 "bi-arrow-left-right", params=("from", "to", "actor", "reason")),
    # A person's data (customers.privacy): the events name nobody.
    TimelineKind("personal_data_requested", personal_data_text, "bi-shield-lock",
                 params=("kind",)),
    TimelineKind("personal_data_erased",
                 gettext_lazy("A person's data erased on their request (%(contacts)s contacts)"),
                 "bi-shield-lock", params=("contacts",)),
)


def register_kinds() -> None:
    for kind in KINDS:
        timeline_kinds.register(kind)
