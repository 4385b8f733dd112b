"""Customer transfers that need approval (ORG-6): with an active "customer_transfer" chain the
handover page raises a transfer request instead of moving the customers; on approval
customers_handover moves them (with the registered handover steps) as the requester, checks redone then;
rejection moves nothing; a customer is in at most one open transfer; without a chain the
handover is immediate as before."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.approvals import services as approval_services
from qiao.approvals.models import ApprovalRequest, Chain
from qiao.audit.models import OperationLog
from qiao.customers import requests, services
from qiao.customers.demo_requests import ensure_lifecycle_chains
from qiao.customers.models import Customer, CustomerEvent, TransferItem, TransferRequest

from ..factories import make_customer
from .request_factories import make_transfer_request
from .test_handover import use_steps

REASON = "区域调整，就近服务"


@pytest.fixture
def chains(personas):
    return ensure_lifecycle_chains()


def owners(customers):
    return [Customer._base_manager.get(pk=c.pk).owner_id for c in customers]


def handover_url(user):
    return reverse("customers:handover_user", args=[user.pk])


def post_handover(personas, username, from_user, to_user, customers=None):
    data = {"to_user": to_user.pk, "reason": REASON,
            "scope": "all" if customers is None else "chosen"}
    if customers is not None:
        data["customers"] = [c.pk for c in customers]
    return personas.client(username).post(handover_url(from_user), data)


def test_without_a_chain_the_handover_is_immediate(personas):
    am01, am02 = personas["am01"], personas["am02"]
    customers = personas.customers["am01"]
    text = personas.client("sup1").get(handover_url(am01)).content.decode()
    assert 'data-testid="transfer-needs-approval"' not in text
    response = post_handover(personas, "sup1", am01, am02, customers[:1])
    assert response.status_code == 302 and response["Location"] == reverse("customers:handover")
    assert owners(customers) == [am02.pk, am01.pk]
    assert not TransferRequest.objects.exists() and not ApprovalRequest.objects.exists()


def test_with_a_chain_the_handover_page_raises_a_request(personas, chains):
    am01, am02 = personas["am01"], personas["am02"]
    customers = personas.customers["am01"]
    page = personas.client("sup1").get(handover_url(am01)).content.decode()
    assert "客户转移需要审批" in page
    events_before = CustomerEvent.objects.count()
    response = post_handover(personas, "sup1", am01, am02)  # all of them
    approval = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:detail", args=[approval.pk])
    # nothing moved yet
    assert owners(customers) == [am01.pk, am01.pk]
    assert CustomerEvent.objects.count() == events_before
    transfer = TransferRequest.objects.get()
    assert (transfer.from_user, transfer.to_user, transfer.requester, transfer.reason) == (
        am01, am02, personas["sup1"], REASON)
    assert set(transfer.items.values_list("customer_id", flat=True)) == {c.pk for c in customers}
    assert approval.type_code == "customer_transfer" and approval.subject == transfer
    assert approval.tasks.get().approver == personas["region1"]
    # the handover page shows the pending transfer and marks its customers
    page = personas.client("sup1").get(handover_url(am01)).content.decode()
    assert page.count('data-testid="pending-transfer"') == 1
    assert page.count('data-testid="in-transfer"') == 2 and "转移审批中" in page
    assert reverse("approvals:detail", args=[approval.pk]) in page
    customer_page = personas.client("am01").get(reverse("customers:detail",
                                                        args=[customers[0].pk]))
    assert 'data-testid="pending-transfer"' in customer_page.content.decode()
    # the approval page shows the subject: from → to, the count, the customers
    detail = personas.client("region1").get(reverse("approvals:detail", args=[approval.pk]))
    text = detail.content.decode()
    assert f"{am01} → {am02}" in text and "2 个客户" in text
    for customer in customers:
        assert customer.name in text


def test_approval_moves_the_customers_with_their_open_work(personas, chains, monkeypatch):
    am01, am02, sup1 = personas["am01"], personas["am02"], personas["sup1"]
    customers = personas.customers["am01"]
    calls = []

    def move_open_visits(*, actor, from_user, to_user, customer_ids, reason, now):
        calls.append((actor.username, from_user.username, to_user.username,
                      sorted(customer_ids), reason))
        return 3

    use_steps(monkeypatch, move_open_visits)
    approval = make_transfer_request(am01, customers[0], to_user=am02)
    task = approval.tasks.get()
    response = personas.client("region1").post(reverse("approvals:decide", args=[approval.pk]),
                                               {"task": task.pk, "decision": "approve"})
    assert response.status_code == 302
    assert owners(customers) == [am02.pk, am01.pk]
    assert calls == [("sup1", "am01", "am02", [customers[0].pk], "区域调整")]
    entry = customers[0].history.first()
    assert (entry.owner_id, entry.history_user_id) == (am02.pk, sup1.pk)  # actor: the requester
    log = OperationLog.objects.get(action=OperationLog.Kind.HANDOVER)
    assert log.actor_id == sup1.pk and list(log.details["steps"].values()) == [3]
    transfer = TransferRequest.objects.get()
    assert transfer.state == TransferRequest.State.APPROVED and transfer.decided_at
    assert not TransferItem.objects.filter(is_open=True).exists()


def test_rejection_moves_nothing_and_frees_the_customers(personas, chains):
    am01, am02 = personas["am01"], personas["am02"]
    customers = personas.customers["am01"]
    approval = make_transfer_request(am01, customers[0], to_user=am02)
    history = Customer.history.count()
    approval_services.task_reject(actor=personas["region1"], task=approval.tasks.get(),
                                  comment="请先与客户沟通")
    assert owners(customers) == [am01.pk, am01.pk]
    assert Customer.history.count() == history
    assert not OperationLog.objects.filter(action=OperationLog.Kind.HANDOVER).exists()
    assert TransferRequest.objects.get().state == TransferRequest.State.REJECTED
    # the customer may be put in a new transfer
    again = make_transfer_request(am01, customers[0], to_user=am02)
    assert again.pk != approval.pk


def test_a_withdrawn_transfer_moves_nothing(personas, chains):
    am01 = personas["am01"]
    approval = make_transfer_request(am01, personas.customers["am01"][0])
    approval_services.request_withdraw(actor=personas["sup1"], request=approval)
    assert owners(personas.customers["am01"]) == [am01.pk, am01.pk]
    assert TransferRequest.objects.get().state == TransferRequest.State.WITHDRAWN


def test_approval_fails_cleanly_when_the_target_was_disabled_meanwhile(personas, chains):
    am01, am02 = personas["am01"], personas["am02"]
    customers = personas.customers["am01"]
    approval = make_transfer_request(am01, customers[0], to_user=am02)
    am02.is_active = False
    am02.save()
    task = approval.tasks.get()
    response = personas.client("region1").post(reverse("approvals:decide", args=[approval.pk]),
                                               {"task": task.pk, "decision": "approve"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "无法执行转移" in text and "账号已停用" in text
    approval.refresh_from_db()
    task.refresh_from_db()
    assert approval.state == ApprovalRequest.State.SUBMITTED and task.state == "waiting"
    assert owners(customers) == [am01.pk, am01.pk]
    transfer = TransferRequest.objects.get()
    assert transfer.state == TransferRequest.State.OPEN
    assert TransferItem.objects.filter(is_open=True).count() == 1
    # the approver rejects it instead
    approval_services.task_reject(actor=personas["region1"], task=task, comment="目标已离职")
    assert TransferRequest.objects.get().state == TransferRequest.State.REJECTED


def test_approval_fails_when_a_customer_moved_meanwhile(personas, chains):
    am01, am02 = personas["am01"], personas["am02"]
    customer = personas.customers["am01"][0]
    approval = make_transfer_request(am01, customer, to_user=am02)
    Chain.objects.filter(type_code="customer_transfer").update(is_active=False)
    services.customers_handover(actor=personas["sup1"], from_user=am01, to_user=am02,
                                customers=[customer], reason="直接交接")
    with pytest.raises(ValidationError) as exc:
        approval_services.task_approve(actor=personas["region1"], task=approval.tasks.get())
    assert "无法执行转移" in " ".join(exc.value.messages)
    assert TransferRequest.objects.get().state == TransferRequest.State.OPEN


def test_a_customer_in_an_open_transfer_cannot_be_put_in_a_second(personas, chains):
    am01, am02 = personas["am01"], personas["am02"]
    customers = personas.customers["am01"]
    make_transfer_request(am01, customers[0], to_user=am02)
    before = (TransferRequest.objects.count(), ApprovalRequest.objects.count())
    response = post_handover(personas, "sup1", am01, am02)
    assert response.status_code == 400
    assert "已在待审批的转移申请中" in response.content.decode()
    assert customers[0].name in response.content.decode()
    assert (TransferRequest.objects.count(), ApprovalRequest.objects.count()) == before
    # the other customer alone may go
    assert post_handover(personas, "sup1", am01, am02, customers[1:]).status_code == 302
    # the database keeps one open transfer per customer whatever the code does
    other = TransferRequest.objects.create(from_user=am01, to_user=am02, reason="x",
                                           requester=personas["sup1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferItem.objects.create(request=other, customer=customers[0])


def test_refusals_of_the_handover_apply_to_the_request(personas, chains):
    am01 = personas["am01"]
    for to_user, message in ((personas["am03"], "不在您管理的人员范围内"),
                             (am01, "请选择其他人")):
        with pytest.raises(ValidationError) as exc:
            requests.transfer_request_create(actor=personas["sup1"], from_user=am01,
                                             to_user=to_user, reason=REASON)
        assert message in " ".join(exc.value.messages)
    assert not TransferRequest.objects.exists() and not ApprovalRequest.objects.exists()


def test_out_of_scope_users_get_404(personas, chains):
    approval = make_transfer_request(personas["am01"], personas.customers["am01"][0])
    url = reverse("approvals:detail", args=[approval.pk])
    for username in ("am01", "am02", "am05", "sup1"):
        expected = 200 if username == "sup1" else 404
        assert personas.client(username).get(url).status_code == expected, username
    assert personas.client("region1").get(url).status_code == 200
    # an approver outside a customer's scope sees that it exists, not its name
    from django.template.loader import render_to_string
    html = render_to_string("customers/_subject_transfer.html",
                            {"subject": approval.subject, "user": personas["am05"]})
    assert personas.customers["am01"][0].name not in html and "数据范围之外" in html


def test_handover_page_queries_do_not_grow_with_pending_transfers(personas, chains):
    am01, am02 = personas["am01"], personas["am02"]
    client = personas.client("sup1")
    make_transfer_request(am01, personas.customers["am01"][0], to_user=am02)
    client.get(handover_url(am01))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(handover_url(am01)).status_code == 200
        return len(ctx)

    small = count()
    region = personas.org.regions[0]
    for _ in range(5):
        customer = make_customer(am01, region=region)
        make_transfer_request(am01, customer, to_user=am02)
    assert count() == small


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_of_one_customer_make_exactly_one(personas):
    """Several managers above am01 ask to transfer the same customer at once: one request."""
    import threading

    from django.utils import translation

    from .test_concurrency import BARRIER_TIMEOUT, run_threads
    ensure_lifecycle_chains()
    am01, am02 = personas["am01"], personas["am02"]
    customer = personas.customers["am01"][0]
    users = [personas["sup1"]] * 6
    outcomes = {}
    barrier = threading.Barrier(len(users), timeout=BARRIER_TIMEOUT)

    def person(i):
        barrier.wait()
        with translation.override("zh-hans"):
            try:
                requests.transfer_request_create(actor=users[i], from_user=am01, to_user=am02,
                                                 customers=[customer.pk], reason=REASON)
                outcomes[i] = "requested"
            except ValidationError as exc:
                text = " ".join(exc.messages)
                assert "转移申请" in text, text
                outcomes[i] = "refused"

    errors = run_threads(len(users), person, barrier)
    assert not errors, "\n".join(errors)
    assert sorted(outcomes.values()) == ["refused"] * (len(users) - 1) + ["requested"]
    assert TransferRequest.objects.count() == 1 and ApprovalRequest.objects.count() == 1
    assert TransferItem.objects.filter(customer=customer, is_open=True).count() == 1
