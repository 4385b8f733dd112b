"""Every change to the customer archive: one function per business action, each in one
transaction, each writing history (django-simple-history) and a timeline event. One module per
concern; every public name is imported here."""

# Names the flat module imported and callers reach through it (services.selectors,
# services.ConflictError).
from qiao.core.exceptions import ConflictError

from .. import selectors
from .archive import (
    EDITABLE_FIELDS,
    FOLLOW_UP_NOTE_MAX,
    IDENTITY_FIELDS,
    INITIAL_FIELDS,
    KEY_COLUMNS,
    PossibleDuplicates,
    contact_search_keys,
    customer_change_grade,
    customer_create,
    customer_delete,
    customer_event_build,
    customer_event_record,
    customer_follow_up_record,
    customer_restore,
    customer_transition,
    customer_update,
    customers_follow_owner,
    events_follow_customers,
    fill_search_keys,
    follow_up_kinds,
    owning_unit_id,
    search_keys,
    search_keys_refresh,
)
from .attachments import (
    attachment_add,
    attachment_delete,
)
from .contacts import (
    CONTACT_FIELDS,
    contact_create,
    contact_delete,
    contact_restore,
    contact_update,
)
from .handover import customers_handover
from .pool import (
    RECLAIM_BATCH,
    ClaimLimitReached,
    NotInPool,
    pool_claim,
    pool_reclaim,
    pool_release,
)

__all__ = [
    "ConflictError",
    "selectors",
    "EDITABLE_FIELDS",
    "INITIAL_FIELDS",
    "customer_event_build",
    "customer_event_record",
    "follow_up_kinds",
    "events_follow_customers",
    "FOLLOW_UP_NOTE_MAX",
    "customer_follow_up_record",
    "search_keys",
    "contact_search_keys",
    "fill_search_keys",
    "KEY_COLUMNS",
    "search_keys_refresh",
    "owning_unit_id",
    "customers_follow_owner",
    "IDENTITY_FIELDS",
    "PossibleDuplicates",
    "customer_create",
    "customer_update",
    "customer_change_grade",
    "customer_transition",
    "customer_delete",
    "customer_restore",
    "CONTACT_FIELDS",
    "contact_create",
    "contact_update",
    "contact_delete",
    "contact_restore",
    "attachment_add",
    "attachment_delete",
    "ClaimLimitReached",
    "NotInPool",
    "pool_claim",
    "pool_release",
    "RECLAIM_BATCH",
    "pool_reclaim",
    "customers_handover",
]
