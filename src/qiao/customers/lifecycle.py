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
