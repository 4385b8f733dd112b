"""The ledger's rules (messages in the users' language): bad input refused with a clear
message and nothing half-posted, posted entries never edited in place, ERP postings
idempotent, the credit check, scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qiao.customers.models import CustomerEvent
from qiao.sales import selectors, services
from qiao.sales.models import (
    CreditFile,
    CustomerMonth,
    ManagerMonth,
    Order,
    OrderLine,
    Receipt,
    SalesReturn,
)

from .factories import make_order, make_product

pytestmark = pytest.mark.django_db
D = Decimal


def _nothing_posted():
    return (Order.objects.count(), OrderLine.objects.count(), SalesReturn.objects.count(),
            Receipt.objects.count(), ManagerMonth.objects.count(), CustomerMonth.objects.count())


def test_an_order_is_credited_to_the_customers_manager_and_on_the_timeline(personas):
    customer = personas.customers["am01"][0]
    order = make_order(personas["sup1"], customer)  # the supervisor takes it down for am01
    assert order.manager == personas["am01"] and order.unit_id == personas["am01"].unit_id
    assert order.customer_kind == "new" and order.amount == D("1000.00")
    assert order.marginal_cost == D("600.00")
    assert make_order(personas["am01"], customer).customer_kind == "fixed"
    event = CustomerEvent.objects.filter(customer=customer, kind="order_posted").first()
    assert event.params == {"number": order.number, "amount": "¥1,000.00"}


@pytest.mark.parametrize(("lines", "message"), [
    ([], "至少需要一行"),
    ([("P1", 0, None)], "数量至少为 1"),
    ([("P1", -3, None)], "数量至少为 1"),
    ([("P1", 2, D("-1.00"))], "单价不能为负数"),
    ([("P1", 10_000_001, None)], "1000000"),
])
def test_bad_lines_are_refused_and_nothing_is_posted(personas, lines, message):
    product = make_product()
    before = _nothing_posted()
    with pytest.raises(ValidationError) as refused:
        services.order_post(actor=personas["am01"], customer=personas.customers["am01"][0],
                            lines=[(product, q, p) for _code, q, p in lines],
                            ordered_on=timezone.localdate(), channel="visit")
    assert message in str(refused.value)
    assert _nothing_posted() == before


def test_a_discount_above_the_amount_and_a_future_or_ancient_date_are_refused(personas):
    customer = personas.customers["am01"][0]
    with pytest.raises(ValidationError, match="优惠和佣金不能为负数"):
        make_order(personas["am01"], customer, discount=D("1000.01"))
    for day in (timezone.localdate() + timedelta(days=1), date(1, 1, 1)):
        with pytest.raises(ValidationError):
            make_order(personas["am01"], customer, ordered_on=day)
    assert Order.objects.count() == 0


def test_a_product_no_longer_on_sale_is_refused(personas):
    product = make_product("OLD")
    product.active = False
    product.save()
    with pytest.raises(ValidationError, match="已停售"):
        make_order(personas["am01"], personas.customers["am01"][0], lines=[(product, 1)])


def test_another_managers_customer_is_out_of_reach(personas):
    theirs = personas.customers["am02"][0]
    with pytest.raises(PermissionDenied):
        make_order(personas["am01"], theirs)
    with pytest.raises(PermissionDenied):
        services.receipt_post(actor=personas["am01"], customer=theirs, amount=D("1.00"),
                              method="cash", received_on=timezone.localdate())
    order = make_order(personas["am02"], theirs, delivered_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.return_post(actor=personas["am01"], line=order.lines.get(), quantity=1,
                             reason="quality", returned_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=personas["am01"], order=make_order(personas["am02"], theirs),
                              cancelled_on=timezone.localdate(), reason="x")
    assert Receipt.objects.count() == SalesReturn.objects.count() == 0


def test_a_return_larger_than_what_is_left_is_refused(personas):
    today = timezone.localdate()
    order = make_order(personas["am01"], personas.customers["am01"][0], delivered_on=today)
    line = order.lines.get()
    services.return_post(actor=personas["am01"], line=line, quantity=6, reason="late",
                         returned_on=today)
    before = _nothing_posted()
    with pytest.raises(ValidationError, match="最多还能退 4"):
        services.return_post(actor=personas["am01"], line=line, quantity=5, reason="late",
                             returned_on=today)
    assert _nothing_posted() == before
    line.refresh_from_db()
    assert line.returned == 6


def test_undelivered_goods_cannot_be_returned_and_delivered_ones_cannot_be_cancelled(personas):
    today = timezone.localdate()
    customer = personas.customers["am01"][0]
    posted = make_order(personas["am01"], customer)
    with pytest.raises(ValidationError, match="只有已送货的货物才能退货"):
        services.return_post(actor=personas["am01"], line=posted.lines.get(), quantity=1,
                             reason="other", returned_on=today)
    delivered = make_order(personas["am01"], customer, delivered_on=today)
    with pytest.raises(ValidationError, match="办理退货"):
        services.order_cancel(actor=personas["am01"], order=delivered, cancelled_on=today,
                              reason="x")
    with pytest.raises(ValidationError, match="请填写作废原因"):
        services.order_cancel(actor=personas["am01"], order=posted, cancelled_on=today,
                              reason="  ")
    services.order_cancel(actor=personas["am01"], order=posted, cancelled_on=today, reason="重复")
    with pytest.raises(ValidationError):
        services.order_cancel(actor=personas["am01"], order=posted, cancelled_on=today,
                              reason="again")
    with pytest.raises(ValidationError):
        services.order_deliver(actor=personas["am01"], order=posted, delivered_on=today)


def test_a_receipt_needs_a_positive_amount_and_a_note_its_due_date(personas):
    customer = personas.customers["am01"][0]
    today = timezone.localdate()
    for amount in (D("0.00"), D("-5.00"), None):
        with pytest.raises(ValidationError, match="金额应大于零"):
            services.receipt_post(actor=personas["am01"], customer=customer, amount=amount,
                                  method="cash", received_on=today)
    with pytest.raises(ValidationError, match="期票需要填写到期日"):
        services.receipt_post(actor=personas["am01"], customer=customer, amount=D("1.00"),
                              method="note", received_on=today)
    with pytest.raises(ValidationError, match="不能早于收款日期"):
        services.receipt_post(actor=personas["am01"], customer=customer, amount=D("1.00"),
                              method="note", received_on=today,
                              note_due=today - timedelta(days=1))
    other = make_order(personas["am01"], personas.customers["am01"][1])
    with pytest.raises(ValidationError, match="不属于此客户"):
        services.receipt_post(actor=personas["am01"], customer=customer, amount=D("1.00"),
                              method="cash", received_on=today, order=other)
    assert Receipt.objects.count() == 0


def test_a_receipt_is_reversed_once_never_edited(personas):
    customer = personas.customers["am01"][0]
    receipt = services.receipt_post(actor=personas["am01"], customer=customer,
                                    amount=D("300.00"), method="cash",
                                    received_on=timezone.localdate())
    with pytest.raises(PermissionDenied):  # reversing is a supervisor's
        services.receipt_reverse(actor=personas["am01"], receipt=receipt, reason="错")
    reversal = services.receipt_reverse(actor=personas["sup1"], receipt=receipt, reason="录错")
    assert reversal.amount == D("-300.00") and reversal.reverses == receipt
    for again in (receipt, reversal):
        with pytest.raises(ValidationError, match="已被冲销"):
            services.receipt_reverse(actor=personas["sup1"], receipt=again, reason="再来")
    assert selectors.customer_receivable(customer) == D("0.00")
    assert Receipt.objects.get(pk=receipt.pk).amount == D("300.00")


def test_an_erp_posting_repeated_returns_the_first(personas):
    customer = personas.customers["am01"][0]
    first = make_order(personas["am01"], customer, external_id="ERP-1")
    again = make_order(personas["am01"], customer, external_id="ERP-1")
    assert again.pk == first.pk and Order.objects.count() == 1
    assert ManagerMonth.objects.get().order_count == 1
    with pytest.raises(ValidationError, match="已被其他记录使用"):
        make_order(personas["am01"], personas.customers["am01"][1], external_id="ERP-1")
    receipt = services.receipt_post(actor=personas["am01"], customer=customer, amount=D("5.00"),
                                    method="cash", received_on=timezone.localdate(),
                                    external_id="R-1")
    assert services.receipt_post(actor=personas["am01"], customer=customer, amount=D("5.00"),
                                 method="cash", received_on=timezone.localdate(),
                                 external_id="R-1") == receipt
    assert selectors.customer_receivable(customer) == D("995.00")


def _credit_file(customer, actor, limit):
    return services.credit_file_create(actor=actor, customer=customer, data={
        "investigated_on": timezone.localdate(), "rating": "B", "score": 75, "terms": "credit",
        "credit_limit": D(limit), "term_days": 30})


def test_an_order_over_the_credit_limit_needs_a_supervisor_and_a_reason(personas):
    customer = personas.customers["am01"][0]
    _credit_file(customer, personas["am01"], "1500.00")
    make_order(personas["am01"], customer)  # ¥1,000 owed
    with pytest.raises(ValidationError, match="超过赊销限额"):
        make_order(personas["am01"], customer)
    with pytest.raises(ValidationError, match="超过赊销限额"):
        make_order(personas["sup1"], customer)  # without a reason
    passed = make_order(personas["sup1"], customer, over_limit_reason="老客户，月底结清")
    assert passed.over_limit_reason == "老客户，月底结清"
    services.receipt_post(actor=personas["am01"], customer=customer, amount=D("2000.00"),
                          method="transfer", received_on=timezone.localdate())
    assert selectors.customer_credit(customer)["available"] == D("1500.00")
    make_order(personas["am01"], customer)  # back within the limit


def test_the_block_policy_refuses_everyone(personas, settings):
    settings.QIAO_CREDIT_POLICY = "block"
    customer = personas.customers["am01"][0]
    _credit_file(customer, personas["am01"], "500.00")
    with pytest.raises(ValidationError, match="超过赊销限额"):
        make_order(personas["director"], customer, over_limit_reason="总监放行")


def test_overdue_debt_blocks_a_new_order(personas):
    customer = personas.customers["am01"][0]
    long_ago = timezone.localdate() - timedelta(days=60)
    make_order(personas["am01"], customer, ordered_on=long_ago, delivered_on=long_ago)
    with pytest.raises(ValidationError, match="逾期未付"):
        make_order(personas["am01"], customer)
    assert selectors.arrears(personas["sup1"])["total"]["overdue"] == D("1000.00")
    assert selectors.arrears(personas["am02"])["lines"] == []


def test_the_latest_credit_investigation_rules_and_each_is_kept(personas):
    customer = personas.customers["am01"][0]
    _credit_file(customer, personas["am01"], "1000.00")
    services.credit_file_create(actor=personas["am01"], customer=customer, data={
        "investigated_on": timezone.localdate(), "rating": "A", "score": 92, "terms": "credit",
        "credit_limit": D("5000.00"), "term_days": 45})
    assert CreditFile.objects.filter(customer=customer).count() == 2
    assert selectors.customer_credit(customer)["file"].credit_limit == D("5000.00")
    with pytest.raises(ValidationError):
        services.credit_file_create(actor=personas["am01"], customer=customer, data={
            "investigated_on": timezone.localdate(), "rating": "Z", "score": 101,
            "terms": "credit", "credit_limit": D("-1.00")})
    with pytest.raises(PermissionDenied):
        _credit_file(personas.customers["am02"][0], personas["am01"], "1.00")


def test_targets_and_costs_only_for_managers_in_scope(personas):
    month = timezone.localdate().replace(day=1)
    with pytest.raises(PermissionDenied):
        services.targets_set(actor=personas["sup1"], month=month,
                             amounts={personas["am05"]: D("1000.00")})
    with pytest.raises(PermissionDenied):
        services.cost_post(actor=personas["sup1"], manager=personas["am05"], month=month,
                           kind="fuel", amount=D("100.00"))
    with pytest.raises(PermissionDenied):
        services.targets_set(actor=personas["am01"], month=month,
                             amounts={personas["am01"]: D("1000.00")})
    services.targets_set(actor=personas["sup1"], month=month,
                         amounts={personas["am01"]: D("1000.00"), personas["am02"]: None})
    services.targets_set(actor=personas["sup1"], month=month,
                         amounts={personas["am01"]: D("1200.00")})
    assert selectors.targets_of(personas["sup1"], month) == {personas["am01"].pk: D("1200.00")}
