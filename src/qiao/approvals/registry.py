"""Request types: any model becomes an approvable subject by registering a type in code,
as models register with the admin (`approvals.registry.register(...)`)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestType:
    code: str
    model: type
    label: str
    amount_field: str | None = None  # the subject's amount, compared with steps' min_amount
    customer_field: str | None = None  # the subject's customer (for "customer owner's" rules)
    detail_template: str | None = None  # how the detail page shows the subject
    # Called as on_decided(request, actor) inside the engine's transaction whenever a person's
    # action moves the request: approved, rejected, returned, withdrawn, or resubmitted after a
    # return (state `submitted` again). The subject's module applies the outcome (moves a
    # customer, starts a work order). Raising undoes the whole action.
    on_decided: object = None

    def amount_of(self, subject):
        return getattr(subject, self.amount_field) if self.amount_field else None

    def customer_of(self, subject):
        return getattr(subject, self.customer_field) if self.customer_field else None

    def decided(self, request, actor):
        if self.on_decided is not None:
            self.on_decided(request, actor)


_types: dict[str, RequestType] = {}


def register(code, model, label, amount_field=None, *, customer_field=None, detail_template=None,
             on_decided=None):
    if code in _types and _types[code].model is not model:
        raise ValueError(f"Approval request type {code!r} is already registered.")
    _types[code] = RequestType(code, model, label, amount_field, customer_field, detail_template,
                               on_decided)
    return _types[code]


def get(code) -> RequestType:
    try:
        return _types[code]
    except KeyError:
        raise LookupError(f"No approval request type {code!r} is registered.") from None


def choices():
    return [(t.code, t.label) for t in _types.values()]
