"""Arrears collection (CRD-3) and over-limit orders as approval requests (CRD-2): dunning
actions and promises to pay, settled and escalated by the daily pass (idempotent), bad input
refused with nothing written, scope, the arrears list, the desk, the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.approvals import services as approval_services
from qiao.approvals.models import ApprovalRequest, ApprovalTask
from qiao.customers.models import CustomerEvent
from qiao.notify.models import Notification
from qiao.sales import credit_requests, selectors, services
from qiao.sales.models import (
    ArrearsEscalation,
    CreditOrderRequest,
    DunningAction,
    Order,
    PaymentPromise,
)
from tests.api.conftest import api  # noqa: F401 (the /api/v1 client fixture)

from .factories import make_order, make_product

pytestmark = pytest.mark.django_db
D = Decimal


def _owing(personas, name="am01", days_ago=100, index=0):
    """A customer of `name` with ¥1,000.00 delivered `days_ago` days ago (30 days' term)."""
    customer = personas.customers[name][index]
    today = timezone.localdate()
    make_order(personas[name], customer, ordered_on=today - timedelta(days=days_ago),
               delivered_on=today - timedelta(days=days_ago))
    return customer


def _nothing_written():
    return (DunningAction.objects.count(), PaymentPromise.objects.count(),
            CustomerEvent.objects.filter(kind__in=("dunning_recorded", "payment_promised"))
            .count())


def test_a_dunning_action_with_a_promise_is_recorded_on_the_timeline(personas):
    customer = _owing(personas)
    today = timezone.localdate()
    action = services.dunning_record(
        actor=personas["am01"], customer=customer, method="phone", acted_on=today,
        result="客户答应月底付款", promise_amount=D("600.00"),
        promise_due=today + timedelta(days=10))
    promise = PaymentPromise.objects.get()
    assert promise.action == action and promise.amount == D("600.00")
    assert promise.promised_on == today and promise.status == "open"
    kinds = set(CustomerEvent.objects.filter(customer=customer).values_list("kind", flat=True))
    assert {"dunning_recorded", "payment_promised"} <= kinds
    assert action.history.count() == 1 and promise.history.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"promise_amount": D("-5.00")}, "大于零"),
    ({"promise_amount": D("0.00")}, "大于零"),
    ({"promise_amount": D("1000000000000.00")}, "不能超过"),
    ({"promise_amount": D("1000.01")}, "客户欠款 ¥1,000.00"),
    ({"promise_due": "before"}, "不早于做出承诺的日期"),
    ({"promise_due": "far"}, "一年之内"),
    ({"promise_due": None}, "金额和日期"),
    ({"acted_on": "year1"}, "1900-01-01"),
    ({"acted_on": "before_debt"}, "第一笔订单"),
    ({"result": "  "}, "催缴结果"),
])
def test_bad_input_is_refused_and_nothing_is_written(personas, change, message):
    customer = _owing(personas)
    today = timezone.localdate()
    days = {"before": today - timedelta(days=1), "far": today + timedelta(days=400),
            "year1": today.replace(year=1), "before_debt": today - timedelta(days=101)}
    data = {"method": "phone", "acted_on": today, "result": "已催", "promise_amount": D("500.00"),
            "promise_due": today + timedelta(days=5)}
    data.update({name: days.get(value, value) if isinstance(value, str) and name != "result"
                 else value for name, value in change.items()})
    before = _nothing_written()
    with pytest.raises(ValidationError) as refused:
        services.dunning_record(actor=personas["am01"], customer=customer, **data)
    assert message in str(refused.value)
    assert _nothing_written() == before


def test_a_manager_never_dunns_or_sees_another_managers_customer(personas):
    theirs = _owing(personas, "am02")
    services.dunning_record(actor=personas["am02"], customer=theirs, method="sms",
                            acted_on=timezone.localdate(), result="短信已发")
    with pytest.raises(PermissionDenied):
        services.dunning_record(actor=personas["am01"], customer=theirs, method="phone",
                                acted_on=timezone.localdate(), result="越权")
    with pytest.raises(PermissionDenied):
        services.promise_record(actor=personas["am01"], customer=theirs, amount=D("1.00"),
                                due_on=timezone.localdate())
    assert not selectors.dunning_actions(personas["am01"]).exists()
    assert selectors.dunning_actions(personas["sup1"]).count() == 1  # the team's supervisor
    assert selectors.dunning_actions(personas["am03"]).count() == 0


def test_promises_are_kept_or_broken_and_escalated_once(personas, settings):
    settings.QIAO_DUNNING_ESCALATE_DAYS = 365  # only the broken promise escalates here
    today = timezone.localdate()
    kept_customer = _owing(personas, index=0)
    broken_customer = _owing(personas, index=1)
    am01 = personas["am01"]
    kept = services.promise_record(actor=am01, customer=kept_customer, amount=D("600.00"),
                                   promised_on=today - timedelta(days=20),
                                   due_on=today - timedelta(days=5))
    broken = services.promise_record(actor=am01, customer=broken_customer, amount=D("600.00"),
                                     promised_on=today - timedelta(days=20),
                                     due_on=today - timedelta(days=5))
    waiting = services.promise_record(actor=am01, customer=broken_customer, amount=D("100.00"),
                                      due_on=today + timedelta(days=5))
    # ¥400 + ¥200 after the promise and by its date: kept; ¥599.99 is short: broken.
    for amount, days in (("400.00", 15), ("200.00", 6)):
        services.receipt_post(actor=am01, customer=kept_customer, amount=D(amount),
                              method="transfer", received_on=today - timedelta(days=days))
    services.receipt_post(actor=am01, customer=broken_customer, amount=D("599.99"),
                          method="cash", received_on=today - timedelta(days=10))
    services.receipt_post(actor=am01, customer=broken_customer, amount=D("50.00"),
                          method="cash", received_on=today - timedelta(days=25))  # before it
    counts = services.dunning_daily(today)
    assert counts["kept"] == 1 and counts["broken"] == 1 and counts["escalated"] == 1
    kept.refresh_from_db(); broken.refresh_from_db(); waiting.refresh_from_db()  # noqa: E702
    assert (kept.status, kept.paid) == ("kept", D("600.00"))
    assert (broken.status, broken.paid) == ("broken", D("599.99"))
    assert waiting.status == "open"
    escalation = ArrearsEscalation.objects.get()
    assert escalation.promise == broken and escalation.escalated_to == personas["sup1"]
    told = Notification.objects.filter(recipient=personas["sup1"],
                                       kind=services.DUNNING_ESCALATED)
    assert told.count() == 1
    # Repeated: nothing more is settled, escalated or sent.
    assert services.dunning_daily(today) == {"kept": 0, "broken": 0, "escalated": 0,
                                             "closed": 0}
    assert told.count() == 1 and ArrearsEscalation.objects.count() == 1


def test_a_debt_overdue_too_long_escalates_once_and_closes_when_paid(personas, settings):
    settings.QIAO_DUNNING_ESCALATE_DAYS = 60
    customer = _owing(personas, days_ago=100)  # due 30 days after delivery: 70 days overdue
    recent = _owing(personas, days_ago=50, index=1)  # 20 days overdue: not yet
    today = timezone.localdate()
    assert services.dunning_daily(today)["escalated"] == 1
    escalation = ArrearsEscalation.objects.get()
    assert (escalation.customer, escalation.reason, escalation.overdue, escalation.days) == (
        customer, "overdue", D("1000.00"), 70)
    assert services.dunning_daily(today)["escalated"] == 0
    line = next(line for line in selectors.arrears(personas["am01"])["lines"]
                if line["customer"] == customer)
    assert line["escalation"] == escalation
    assert not ArrearsEscalation.objects.filter(customer=recent).exists()
    services.receipt_post(actor=personas["am01"], customer=customer, amount=D("2000.00"),
                          method="transfer", received_on=today)  # pays both orders' worth
    assert services.dunning_daily(today)["closed"] == 1


def test_the_arrears_list_shows_collection_in_fixed_queries(personas, django_assert_max_num_queries):
    am01 = personas["am01"]
    today = timezone.localdate()

    def fill(index):
        customer = _owing(personas, index=index)
        services.dunning_record(actor=am01, customer=customer, method="visit", acted_on=today,
                                result=f"上门催缴{index}", promise_amount=D("100.00"),
                                promise_due=today + timedelta(days=3))

    fill(0)
    client = personas.client("am01")
    client.get(reverse("sales:arrears"))
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("sales:arrears"))
    assert "上门催缴0" in page.content.decode() and "承诺" in page.content.decode()
    fill(1)
    with CaptureQueriesContext(connection) as more:
        page = client.get(reverse("sales:arrears"))
    assert "上门催缴1" in page.content.decode()
    assert len(more) == len(few)
    assert "上门催缴" not in personas.client("am03").get(reverse("sales:arrears")).content.decode()


def test_the_dunning_page_records_an_action_and_refuses_bad_input(personas):
    customer = _owing(personas)
    client = personas.client("am01")
    url = reverse("sales:dunning_new", args=[customer.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    bad = client.post(url, {"method": "phone", "acted_on": today.isoformat(), "result": "已催",
                            "promise_amount": "-1", "promise_due": today.isoformat()})
    assert bad.status_code == 400 and not DunningAction.objects.exists()
    done = client.post(url + "?next=arrears", {
        "method": "letter", "acted_on": today.isoformat(), "result": "催款函已签收",
        "promise_amount": "300.00", "promise_due": (today + timedelta(days=7)).isoformat()})
    assert done.status_code == 302 and done["Location"] == reverse("sales:arrears")
    assert PaymentPromise.objects.get().amount == D("300.00")
    tab = client.get(reverse("customers:detail_tab", args=[customer.pk, "sales"]))
    assert "催款函已签收" in tab.content.decode()
    other = personas.customers["am02"][0]
    assert client.get(reverse("sales:dunning_new", args=[other.pk])).status_code == 404


def test_the_desk_shows_my_overdue_and_broken_promises(personas):
    customer = _owing(personas)
    today = timezone.localdate()
    services.promise_record(actor=personas["am01"], customer=customer, amount=D("100.00"),
                            promised_on=today - timedelta(days=9),
                            due_on=today - timedelta(days=2))
    services.dunning_daily(today)
    mine = selectors.my_overdue(personas["am01"], today)
    assert mine == {"overdue": D("1000.00"), "customers": 1, "broken": 1}
    assert selectors.my_overdue(personas["am02"], today)["overdue"] == D("0.00")
    desk = personas.client("am01").get(reverse("home")).content.decode()
    assert "¥1,000.00" in desk and 'data-testid="desk-broken"' in desk


# --- CRD-2: over the limit, as an approval request ---------------------------------------------

def _over_limit(personas, chain=True):
    if chain:
        credit_requests.ensure_chain()
    customer = personas.customers["am01"][0]
    services.credit_file_create(actor=personas["am01"], customer=customer, data={
        "investigated_on": timezone.localdate(), "rating": "B", "score": 75, "terms": "credit",
        "credit_limit": D("1500.00"), "term_days": 30})
    make_order(personas["am01"], customer)  # ¥1,000 owed
    return customer


def _request(personas, customer, reason="老客户，月底结清"):
    return services.order_post(actor=personas["am01"], customer=customer,
                               lines=[(make_product(), 10, None)],
                               ordered_on=timezone.localdate(), channel="phone",
                               over_limit_reason=reason, request_approval=True)


def test_an_account_managers_order_over_the_limit_waits_for_approval(personas):
    customer = _over_limit(personas)
    orders = Order.objects.count()
    with pytest.raises(ValidationError, match="主管审批"):
        _request(personas, customer, reason="")
    assert not CreditOrderRequest.objects.exists()
    credit = _request(personas, customer)
    assert isinstance(credit, CreditOrderRequest) and Order.objects.count() == orders
    request = ApprovalRequest.objects.get(type_code="sales_credit_order")
    task = ApprovalTask.objects.get(request=request, state="waiting")
    assert task.approver == personas["sup1"]
    approval_services.task_approve(actor=personas["sup1"], task=task, comment="同意")
    credit.refresh_from_db()
    assert credit.state == "posted" and credit.order.over_limit_reason == "老客户，月底结清"
    assert credit.order.manager == personas["am01"] and Order.objects.count() == orders + 1


def test_without_a_chain_the_request_is_refused_and_nothing_is_kept(personas):
    customer = _over_limit(personas, chain=False)
    orders = Order.objects.count()
    with pytest.raises(ValidationError, match="尚未配置审批流程"):
        _request(personas, customer)
    assert not CreditOrderRequest.objects.exists() and Order.objects.count() == orders
    assert not ApprovalRequest.objects.exists()


def test_a_rejected_request_posts_nothing(personas):
    customer = _over_limit(personas)
    orders = Order.objects.count()
    credit = _request(personas, customer)
    task = ApprovalTask.objects.get(request__type_code="sales_credit_order", state="waiting")
    approval_services.task_reject(actor=personas["sup1"], task=task, comment="先清欠款")
    credit.refresh_from_db()
    assert credit.state == "rejected" and credit.order is None
    assert Order.objects.count() == orders


def test_the_supervisor_still_posts_directly_with_a_reason(personas):
    customer = _over_limit(personas)
    order = services.order_post(actor=personas["sup1"], customer=customer,
                                lines=[(make_product(), 10, None)],
                                ordered_on=timezone.localdate(), channel="visit",
                                over_limit_reason="主管放行", request_approval=True)
    assert isinstance(order, Order) and order.over_limit_reason == "主管放行"
    assert not CreditOrderRequest.objects.exists()


def test_the_order_page_sends_it_for_approval(personas):
    customer = _over_limit(personas)
    product = make_product()
    response = personas.client("am01").post(reverse("sales:order_new"), {
        "customer": customer.pk, "ordered_on": timezone.localdate().isoformat(),
        "channel": "visit", "discount": "0", "commission": "0", "note": "",
        "over_limit_reason": "展会订单", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-0-product": product.pk, "lines-0-quantity": "10", "lines-0-price": ""})
    assert response.status_code == 302
    assert CreditOrderRequest.objects.get().reason == "展会订单"


# --- API ---------------------------------------------------------------------------------------

def test_the_api_lists_and_creates_dunning_and_promises(personas, api):  # noqa: F811
    customer = _owing(personas)
    client = api("am01")
    today = timezone.localdate()
    made = client.post("/dunning", {"customer": customer.pk, "method": "phone",
                                        "acted_on": today.isoformat(), "result": "电话催缴"})
    assert made.status_code == 201 and made.json()["result"] == "电话催缴"
    promised = client.post("/promises", {"customer": customer.pk, "amount": "200.00",
                                             "due_on": (today + timedelta(days=3)).isoformat()})
    assert promised.status_code == 201 and promised.json()["status"] == "open"
    too_much = client.post("/promises", {"customer": customer.pk, "amount": "5000.00",
                                             "due_on": today.isoformat()})
    assert too_much.status_code == 400
    assert client.get("/dunning").json()["count"] == 1
    assert client.get("/promises", {"status": "open"}).json()["count"] == 1
    other = api("am02")
    assert other.get("/dunning").json()["count"] == 0
    assert other.post("/promises", {"customer": customer.pk, "amount": "1.00",
                                           "due_on": today.isoformat()}).status_code == 404
