"""Request types: any model becomes an approvable subject by registering a type in code,
as models register with the admin (`approvals.registry.register(...)`). The types are kept in
`core.registry.approval_types`, the product's one registry; this module builds their entries."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model

from qiao.core.models import Clearance
from qiao.core.registry import approval_types


@dataclass(frozen=True)
class RequestType:
    code: str
    model: type[Model]
    label: str
    amount_field: str | None = None  # the subject's amount, compared with steps' min_amount
    customer_field: str | None = None  # the subject's customer (for "customer owner's" rules)
    detail_template: str | None = None  # how the detail page shows the subject
    # Called as on_decided(request, actor) inside the engine's transaction whenever a person's
    # action moves the request: approved, rejected, returned, withdrawn, or resubmitted after a
    # return (state `submitted` again). The subject's module applies the outcome (moves a
    # customer, starts a work order). Raising undoes the whole action.
    on_decided: Callable | None = None
    # The title, composed when read, in the reader's language: title_params(subject) → a dict
    # of plain values (names, amounts, codes) stored with the request when it is written;
    # title(params) → the text, translating whatever needs it (a status code's label) then.
    title: Callable[[dict], str] | None = None
    title_params: Callable[[object], dict] | None = None
    # A request returned for changes is edited by its requester before it is resubmitted:
    # edit_form(data, *, subject, user) → the form of every field the requester may change
    # (unbound with data=None: the subject as it is); on_edit(subject, cleaned_data, actor)
    # applies a valid form's data to the subject (with its history) inside the engine's
    # transaction, raising ValidationError to refuse.
    edit_form: Callable | None = None
    on_edit: Callable | None = None
    # The subject's secret level (密级): what a delegate must be cleared for. Default: its
    # customer's, else public.
    secret_level: Callable[[object], int] | None = None
    # The page where a person raises a request of this type (a URL name) and its button's
    # label, offered on the approval pages to those who may request approval.
    create_url: str | None = None
    create_label: str | None = None
    # Approving lets something privileged happen (a file of many customers leaves): only from a
    # session that has verified its second factor (C24, org.second_factor).
    second_factor: bool = False
    # A subject beyond a limit of its module (a hospitality request over the manager's monthly
    # budget) needs the next approval level: over_limit(subject) → True adds one step after the
    # chain's last, decided by the superior of that step's approver (rules.escalation_target),
    # labelled over_limit_label.
    over_limit: Callable[[object], bool] | None = None
    over_limit_label: str | None = None

    def amount_of(self, subject):
        return getattr(subject, self.amount_field) if self.amount_field else None

    def customer_of(self, subject):
        return getattr(subject, self.customer_field) if self.customer_field else None

    def secret_level_of(self, subject) -> int:
        if self.secret_level is not None:
            return self.secret_level(subject)
        customer = self.customer_of(subject)
        return customer.secret_level if customer is not None else Clearance.PUBLIC

    def title_params_of(self, subject) -> dict:
        if self.title_params is not None:
            return self.title_params(subject)
        return {"subject": str(subject)}

    def title_of(self, params: dict) -> str:
        """The title in the active language; `params` from title_params_of."""
        if self.title is not None:
            return self.title(params)
        return f"{self.label}: {params.get('subject', '')}"

    def is_over_limit(self, subject) -> bool:
        return self.over_limit is not None and self.over_limit(subject)

    @property
    def editable(self) -> bool:
        return self.edit_form is not None and self.on_edit is not None

    def decided(self, request, actor):
        if self.on_decided is not None:
            self.on_decided(request, actor)


def register(code, model, label, amount_field=None, **hooks):
    """Register request type `code` for `model` in `core.registry.approval_types`; `hooks` are
    RequestType's other fields."""
    return approval_types.register(RequestType(code, model, label, amount_field, **hooks))


def get(code) -> RequestType:
    return approval_types.get(code)


def all_types() -> list[RequestType]:
    return list(approval_types)


def creatable() -> list[RequestType]:
    """The types raised from a page of their own (the approval pages' "new request" buttons)."""
    return [t for t in approval_types if t.create_url]


def choices():
    return [(t.code, t.label) for t in approval_types]
