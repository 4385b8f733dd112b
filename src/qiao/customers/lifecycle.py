"""The customer lifecycle (CUS-2) as an explicit transition table.

prospect 潜在 → onboarded 入网 → active → suspended → offboarded 退网; an offboarded customer
can be brought back as a prospect. Checklists and approvals on these steps arrive with the
approval engine; the table is the one place that says which step is allowed.
"""

from .models import Customer

S = Customer.Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PROSPECT: (S.ONBOARDED, S.OFFBOARDED),
    S.ONBOARDED: (S.ACTIVE, S.SUSPENDED, S.OFFBOARDED),
    S.ACTIVE: (S.SUSPENDED, S.OFFBOARDED),
    S.SUSPENDED: (S.ACTIVE, S.OFFBOARDED),
    S.OFFBOARDED: (S.PROSPECT,),
}


def allowed_targets(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


# Lifecycle steps that follow a standard: a checklist (customers.models.ChecklistItem, per
# target status) and, when a chain is configured for the type, an approval. Any target may have
# a checklist; these targets also have an approval request type.
APPROVAL_TYPES: dict[str, str] = {
    S.ONBOARDED: "customer_onboarding",  # 入网
    S.OFFBOARDED: "customer_offboarding",  # 退网
}
TRANSFER_TYPE = "customer_transfer"  # 客户转移 (ORG-6)


def approval_type(to_status: str) -> str | None:
    """The approval request type of a change into `to_status`, or None (never approved)."""
    return APPROVAL_TYPES.get(to_status)
