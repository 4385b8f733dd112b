"""Orders over the credit limit as an approval request (CRD-2, policy "approve").

An account manager without sales.manage who enters an order the credit check refuses (over the
customer's credit-sale limit, or from a customer with overdue debt) and gives a reason sends it
to the approval engine as a `CreditOrderRequest`: nothing is posted yet. Approving it posts the
order through `services.order_post`, as the approver (who holds sales.manage) with the
request's reason, inside the engine's transaction (a refusal then — a product no longer on
sale — undoes the approval); rejecting or withdrawing it leaves nothing posted. A request
returned for changes is edited (reason, notes) by its requester and resubmitted."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.forms import BootstrapFormMixin
from qiao.core.history import authored_by

from .models import CreditOrderRequest, Product

CREDIT_ORDER_TYPE = "sales_credit_order"
CREDIT_ORDER_LABEL = gettext_lazy("Order over the credit limit")


def request_create(*, actor, customer, built, ordered_on, channel, amount, discount,
                   commission, note, problems, reason) -> CreditOrderRequest:
    """Called by `services.order_post` inside its transaction, the customer's row locked."""
    from qiao.approvals import services as approval_services

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"over_limit_reason": " ".join([*problems, _(
            "Give a reason to send the order to your supervisor for approval.")])},
            code="credit")
    credit = CreditOrderRequest(
        customer=customer, requester=actor, ordered_on=ordered_on, channel=channel,
        lines=[[line.product_id, line.quantity, str(line.price)] for line in built],
        amount=amount, discount=discount, commission=commission, note=note,
        problems=" ".join(problems)[:500], reason=reason[:200])
    credit.full_clean(exclude=["customer", "requester", "order"])
    authored_by(credit, actor).save()
    approval_services.request_submit(actor=actor, type_code=CREDIT_ORDER_TYPE, subject=credit,
                                     amount=amount - discount)
    return credit


def decided(request, actor):
    """The engine's outcome: approved → the order is posted; rejected or withdrawn → closed."""
    from . import services

    credit = CreditOrderRequest.objects.select_for_update().get(pk=request.object_id)
    State = request.State
    if request.state == State.APPROVED and credit.order_id is None:
        products = Product.objects.in_bulk([pk for pk, _q, _p in credit.lines])
        order = services.order_post(
            actor=actor, customer=credit.customer, ordered_on=credit.ordered_on,
            lines=[(products[pk], quantity, Decimal(price))
                   for pk, quantity, price in credit.lines],
            channel=credit.channel, discount=credit.discount, commission=credit.commission,
            note=credit.note, over_limit_reason=credit.reason)
        credit.order, credit.state = order, CreditOrderRequest.State.POSTED
    elif request.state == State.REJECTED:
        credit.state = CreditOrderRequest.State.REJECTED
    elif request.state == State.WITHDRAWN:
        credit.state = CreditOrderRequest.State.WITHDRAWN
    else:
        credit.state = CreditOrderRequest.State.WAITING
    authored_by(credit, actor).save(update_fields=["order", "state", "updated_at"])


def title(params) -> str:
    return _("%(type)s: %(customer)s, %(amount)s") % {"type": CREDIT_ORDER_LABEL, **params}


def title_params(credit) -> dict:
    return {"customer": credit.customer.name, "amount": f"¥{credit.amount - credit.discount:,.2f}"}


class EditForm(BootstrapFormMixin, forms.ModelForm):
    """What the requester may change before resubmitting: the reason and the notes."""

    class Meta:
        model = CreditOrderRequest
        fields = ["reason", "note"]

    def __init__(self, data=None, *, subject, user, **kwargs):
        super().__init__(data, instance=subject, **kwargs)


def edit(credit, data, actor):
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the order should pass the credit limit.")})
    credit.reason, credit.note = reason[:200], (data.get("note") or "").strip()[:500]
    authored_by(credit, actor).save(update_fields=["reason", "note", "updated_at"])


def ensure_chain():
    """The chain of orders over the credit limit the demo and a fresh install start from: the
    requester's supervisor (the chain admin changes it; without a chain, such an order is
    refused by the approval engine, saying so)."""
    from qiao.approvals import services as approval_services

    return approval_services.supervisor_chain_ensure(CREDIT_ORDER_TYPE, "超信用额度订单审批",
                                                     "主管审批")


def register():
    from qiao.approvals import registry

    registry.register(CREDIT_ORDER_TYPE, CreditOrderRequest, CREDIT_ORDER_LABEL,
                      amount_field=None, customer_field="customer",
                      detail_template="sales/_subject_credit_order.html",
                      on_decided=decided, title=title, title_params=title_params,
                      edit_form=EditForm, on_edit=edit)
