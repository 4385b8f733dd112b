"""Customer archive pages. Thin: parse → fetch through a selector → one service → render. One
module per concern; every view is imported here (customers.urls)."""

from .archive import (
    CONFLICT,
    PAGE_SIZE,
    REVEALABLE,
    customer_create,
    customer_delete,
    customer_detail,
    customer_edit,
    customer_export,
    customer_follow_up,
    customer_grade,
    customer_history,
    customer_list,
    customer_restore,
    customer_tab,
    duplicate_check,
    field_reveal,
    recycle_bin,
)
from .attachments import (
    attachment_delete,
    attachment_upload,
)
from .contacts import (
    contact_create,
    contact_delete,
    contact_edit,
    contact_restore,
)
from .handover import (
    handover,
    handover_list,
)
from .lifecycle import customer_transition
from .pool import (
    pool_claim,
    pool_list,
    pool_release,
)
from .privacy import (
    personal_data_download,
    personal_data_list,
    personal_data_new,
)

__all__ = [
    "PAGE_SIZE",
    "CONFLICT",
    "customer_list",
    "customer_export",
    "customer_create",
    "customer_edit",
    "duplicate_check",
    "customer_detail",
    "customer_tab",
    "customer_history",
    "customer_grade",
    "customer_follow_up",
    "customer_delete",
    "recycle_bin",
    "customer_restore",
    "REVEALABLE",
    "field_reveal",
    "customer_transition",
    "contact_create",
    "contact_edit",
    "contact_delete",
    "contact_restore",
    "attachment_upload",
    "attachment_delete",
    "pool_list",
    "pool_claim",
    "pool_release",
    "handover_list",
    "handover",
    "personal_data_new",
    "personal_data_list",
    "personal_data_download",
]
