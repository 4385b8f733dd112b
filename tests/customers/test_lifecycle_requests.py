"""Lifecycle changes following their standard (CUS-2): checklists that must be ticked, and
入网/退网 through the approval engine when a chain is configured — applied on approval by
customer_transition with the approver as author, nothing changed on reject or withdraw, one
open request per customer, and out-of-scope requests are 404."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qiao.approvals import services as approval_services
from qiao.approvals.models import ApprovalRequest, Chain
from qiao.core.exceptions import StaleVersionError
from qiao.customers import requests, services
from qiao.customers.demo_requests import ensure_lifecycle_chains, ensure_lifecycle_checklists
from qiao.customers.models import ChecklistItem, Customer, CustomerEvent, LifecycleRequest

from .request_factories import make_lifecycle_request

S = Customer.Status
A = ApprovalRequest.State


@pytest.fixture
def checklists(personas):
    ensure_lifecycle_checklists()
    return {s: list(ChecklistItem.objects.filter(to_status=s)) for s in (S.ONBOARDED, S.OFFBOARDED)}


@pytest.fixture
def chains(personas):
    return ensure_lifecycle_chains()


def required_ids(status):
    return [i.pk for i in ChecklistItem.objects.filter(to_status=status, required=True)]


def snapshot(customer):
    return (Customer._base_manager.filter(pk=customer.pk).values_list("status", "version").get(),
            Customer.history.filter(id=customer.pk).count(),
            CustomerEvent.objects.filter(customer=customer).count(),
            LifecycleRequest.objects.count(), ApprovalRequest.objects.count())


def transition(personas, username, customer, to_status, checked=(), note=""):
    return personas.client(username).post(
        reverse("customers:transition", args=[customer.pk]),
        {"to_status": to_status, "note": note, "version": customer.version,
         "checklist": [str(i) for i in checked]}, follow=True)


def page(response):
    return response.content.decode()


# --- checklists --------------------------------------------------------------------------------

def test_checklist_refusal_names_the_missing_items_and_writes_nothing(personas, checklists):
    customer = personas.customers["am01"][0]
    before = snapshot(customer)
    first = checklists[S.ONBOARDED][0]
    response = transition(personas, "am01", customer, S.ONBOARDED, checked=[first.pk])
    missing = re.search(r"请先完成检查清单，尚未勾选：([^<]*)。", page(response)).group(1).split("、")
    assert missing == [i.label for i in checklists[S.ONBOARDED][1:] if i.required]
    assert first.label not in missing
    assert snapshot(customer) == before
    with pytest.raises(ValidationError) as exc:
        requests.lifecycle_change(actor=personas["am01"], customer=customer,
                                  to_status=S.ONBOARDED, checked=[],
                                  expected_version=customer.version)
    assert "营业执照核验" in str(exc.value) and "信用评估" in str(exc.value)


def test_the_detail_page_shows_each_targets_checklist(personas, checklists):
    customer = personas.customers["am01"][0]
    text = page(personas.client("am01").get(
        reverse("customers:detail_tab", args=[customer.pk, "lifecycle"])))
    assert 'data-testid="transition-onboarded"' in text
    for item in checklists[S.ONBOARDED]:
        assert f'value="{item.pk}"' in text and item.label in text
    assert 'data-testid="needs-approval"' not in text  # no chain configured


def test_a_ticked_checklist_without_chain_changes_at_once(personas, checklists):
    customer = personas.customers["am01"][0]
    response = transition(personas, "am01", customer, S.ONBOARDED,
                          checked=required_ids(S.ONBOARDED))
    assert "状态已变更" in page(response) or response.status_code == 200
    customer.refresh_from_db()
    assert customer.status == S.ONBOARDED and customer.onboarded_on == timezone.localdate()
    assert not LifecycleRequest.objects.exists() and not ApprovalRequest.objects.exists()
    # what was ticked stays with the change on the customer's timeline
    kept = customer.events.get(kind="status").data["checklist"]
    assert {item["id"] for item in kept if item["checked"]} == set(required_ids(S.ONBOARDED))


def test_an_inactive_item_is_not_required(personas, checklists):
    ChecklistItem.objects.filter(to_status=S.ONBOARDED).update(is_active=False)
    customer = personas.customers["am01"][0]
    kind, changed = requests.lifecycle_change(actor=personas["am01"], customer=customer,
                                              to_status=S.ONBOARDED,
                                              expected_version=customer.version)
    assert kind == "changed" and changed.status == S.ONBOARDED


# --- approval ---------------------------------------------------------------------------------

def test_onboarding_with_a_chain_waits_for_the_supervisor_then_applies(personas, checklists,
                                                                       chains):
    customer = personas.customers["am01"][0]
    response = transition(personas, "am01", customer, S.ONBOARDED,
                          checked=required_ids(S.ONBOARDED), note="资料齐全")
    assert "需要审批" in page(response)
    assert "入网审批中" in page(response)  # the customer page shows the pending change
    customer.refresh_from_db()
    assert customer.status == S.PROSPECT and customer.onboarded_on is None
    lifecycle = LifecycleRequest.objects.get()
    assert (lifecycle.customer, lifecycle.from_status, lifecycle.to_status) == (
        customer, S.PROSPECT, S.ONBOARDED)
    assert all(i["checked"] for i in lifecycle.checklist if i["required"])
    approval = ApprovalRequest.objects.get()
    assert approval.type_code == "customer_onboarding" and approval.subject == lifecycle
    assert reverse("approvals:detail", args=[approval.pk]) in page(response)
    task = approval.tasks.get()
    assert task.approver == personas["sup1"]

    # The approver sees the subject: the customer (link), the change, the ticked checklist.
    detail = page(personas.client("sup1").get(reverse("approvals:detail", args=[approval.pk])))
    assert customer.name in detail and reverse("customers:detail", args=[customer.pk]) in detail
    assert "潜在 → 入网" in detail and "营业执照核验" in detail and 'data-checked="1"' in detail

    decided = personas.client("sup1").post(reverse("approvals:decide", args=[approval.pk]),
                                           {"task": task.pk, "decision": "approve", "comment": "同意"})
    assert decided.status_code == 302
    customer.refresh_from_db()
    assert customer.status == S.ONBOARDED and customer.onboarded_on == timezone.localdate()
    latest = customer.history.order_by("-history_id").first()
    assert latest.history_user == personas["sup1"] and latest.status == S.ONBOARDED
    event = CustomerEvent.objects.filter(customer=customer, kind="status").get()
    assert event.actor == personas["sup1"] and "入网" in event.message
    assert CustomerEvent.objects.filter(customer=customer, kind="status_request").exists()
    lifecycle.refresh_from_db()
    assert lifecycle.state == LifecycleRequest.State.APPROVED and lifecycle.decided_at
    text = page(personas.client("am01").get(reverse("customers:detail", args=[customer.pk])))
    assert "入网审批中" not in text


def test_offboarding_goes_through_two_steps(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    services.customer_transition(actor=personas["am01"], customer=customer, to_status=S.ONBOARDED,
                                 note="", expected_version=customer.version)
    kind, approval = requests.lifecycle_change(
        actor=personas["am01"], customer=customer, to_status=S.OFFBOARDED,
        checked=required_ids(S.OFFBOARDED), expected_version=customer.version)
    assert kind == "requested" and approval.type_code == "customer_offboarding"
    approval_services.task_approve(actor=personas["sup1"], task=approval.tasks.get(order=1))
    customer.refresh_from_db()
    assert customer.status == S.ONBOARDED  # still waiting for the regional manager
    approval_services.task_approve(actor=personas["region1"], task=approval.tasks.get(order=2))
    customer.refresh_from_db()
    assert customer.status == S.OFFBOARDED and customer.offboarded_on == timezone.localdate()
    assert customer.history.order_by("-history_id").first().history_user == personas["region1"]


def test_a_rejected_request_leaves_the_customer_unchanged(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    approval = make_lifecycle_request(personas["am01"], customer)
    before = Customer._base_manager.values_list("status", "version").get(pk=customer.pk)
    history = Customer.history.filter(id=customer.pk).count()
    approval_services.task_reject(actor=personas["sup1"], task=approval.tasks.get(),
                                  comment="信用评估不足")
    assert Customer._base_manager.values_list("status", "version").get(pk=customer.pk) == before
    assert Customer.history.filter(id=customer.pk).count() == history
    assert LifecycleRequest.objects.get().state == LifecycleRequest.State.REJECTED
    # closed: a new request may be raised
    customer.refresh_from_db()
    again = make_lifecycle_request(personas["am01"], customer)
    assert again.pk != approval.pk


def test_a_withdrawn_request_changes_nothing_and_a_returned_one_stays_open(personas, checklists,
                                                                           chains):
    customer = personas.customers["am01"][0]
    approval = make_lifecycle_request(personas["am01"], customer)
    approval_services.task_return(actor=personas["sup1"], task=approval.tasks.get(),
                                  comment="补充信用调查表")
    assert LifecycleRequest.objects.get().state == LifecycleRequest.State.OPEN
    approval_services.request_withdraw(actor=personas["am01"], request=approval)
    assert LifecycleRequest.objects.get().state == LifecycleRequest.State.WITHDRAWN
    customer.refresh_from_db()
    assert customer.status == S.PROSPECT


def test_a_second_request_while_one_is_open_is_refused(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    make_lifecycle_request(personas["am01"], customer)
    customer.refresh_from_db()
    before = snapshot(customer)
    # the supervisor too, and for another target, and a change that needs no approval
    for username, target, checked in (("am01", S.ONBOARDED, required_ids(S.ONBOARDED)),
                                      ("sup1", S.OFFBOARDED, required_ids(S.OFFBOARDED))):
        text = page(transition(personas, username, customer, target, checked=checked))
        assert "已有一个待审批的状态变更" in text
    assert snapshot(customer) == before
    # and the database holds one open request per customer whatever the code does
    with pytest.raises(IntegrityError), transaction.atomic():
        LifecycleRequest.objects.create(customer=customer, from_status=S.PROSPECT,
                                        to_status=S.ONBOARDED, requester=personas["am01"])


def test_a_stale_page_is_refused(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    with pytest.raises(StaleVersionError):
        requests.lifecycle_change(actor=personas["am01"], customer=customer,
                                  to_status=S.ONBOARDED, checked=required_ids(S.ONBOARDED),
                                  expected_version=customer.version - 1)
    assert not LifecycleRequest.objects.exists()


def test_approval_uses_the_customers_version_at_approval_time(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    approval = make_lifecycle_request(personas["am01"], customer)
    customer.refresh_from_db()
    services.customer_update(actor=personas["am01"], customer=customer,
                             data={"notes": "改了备注"}, expected_version=customer.version)
    approval_services.task_approve(actor=personas["sup1"], task=approval.tasks.get())
    customer.refresh_from_db()
    assert customer.status == S.ONBOARDED and customer.notes == "改了备注"


def test_approval_is_refused_when_the_customer_left_the_from_status(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    approval = make_lifecycle_request(personas["am01"], customer)
    customer.refresh_from_db()
    # another path (not the lifecycle page) changed the status meanwhile
    services.customer_transition(actor=personas["sup1"], customer=customer,
                                 to_status=S.OFFBOARDED, note="", expected_version=customer.version)
    task = approval.tasks.get()
    response = personas.client("sup1").post(reverse("approvals:decide", args=[approval.pk]),
                                            {"task": task.pk, "decision": "approve"})
    assert response.status_code == 400
    assert "不再是潜在" in page(response)
    approval.refresh_from_db()
    task.refresh_from_db()
    assert approval.state == A.SUBMITTED and task.state == "waiting"
    customer.refresh_from_db()
    assert customer.status == S.OFFBOARDED
    assert LifecycleRequest.objects.get().state == LifecycleRequest.State.OPEN
    # the approver rejects it instead
    approval_services.task_reject(actor=personas["sup1"], task=task, comment="客户已退网")
    assert LifecycleRequest.objects.get().state == LifecycleRequest.State.REJECTED


def test_a_change_without_request_type_happens_at_once_with_chains(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    services.customer_transition(actor=personas["am01"], customer=customer, to_status=S.ONBOARDED,
                                 note="", expected_version=customer.version)
    kind, changed = requests.lifecycle_change(actor=personas["am01"], customer=customer,
                                              to_status=S.ACTIVE, expected_version=customer.version)
    assert kind == "changed" and changed.status == S.ACTIVE
    assert not LifecycleRequest.objects.exists()


def test_an_inactive_chain_means_no_approval(personas, checklists, chains):
    Chain.objects.filter(type_code="customer_onboarding").update(is_active=False)
    customer = personas.customers["am01"][0]
    kind, _changed = requests.lifecycle_change(
        actor=personas["am01"], customer=customer, to_status=S.ONBOARDED,
        checked=required_ids(S.ONBOARDED), expected_version=customer.version)
    assert kind == "changed"


def test_a_chain_that_finds_nobody_refuses_and_writes_nothing(personas, checklists, chains):
    personas["sup1"].is_active = False
    personas["sup1"].save()
    customer = personas.customers["am01"][0]
    before = snapshot(customer)
    with pytest.raises(ValidationError):
        requests.lifecycle_change(actor=personas["am01"], customer=customer,
                                  to_status=S.ONBOARDED, checked=required_ids(S.ONBOARDED),
                                  expected_version=customer.version)
    assert snapshot(customer) == before


# --- who sees what ----------------------------------------------------------------------------

def test_out_of_scope_users_get_404(personas, checklists, chains):
    customer = personas.customers["am01"][0]
    approval = make_lifecycle_request(personas["am01"], customer)
    url = reverse("approvals:detail", args=[approval.pk])
    assert personas.client("am02").get(url).status_code == 404
    assert personas.client("am05").get(url).status_code == 404
    assert personas.client("sup1").get(url).status_code == 200
    # nor may am02 raise or change anything on am01's customer
    response = personas.client("am02").post(reverse("customers:transition", args=[customer.pk]),
                                            {"to_status": S.OFFBOARDED, "version": customer.version})
    assert response.status_code == 404


def test_the_subject_hides_a_customer_the_viewer_may_not_see(personas, checklists, chains):
    """A delegate outside the customer's scope decides the request without seeing the customer."""
    customer = personas.customers["am01"][0]
    approval = make_lifecycle_request(personas["am01"], customer)
    from django.template.loader import render_to_string
    html = render_to_string("customers/_subject_lifecycle.html",
                            {"subject": approval.subject, "user": personas["am05"]})
    assert customer.name not in html and "数据范围之外" in html
    html = render_to_string("customers/_subject_lifecycle.html",
                            {"subject": approval.subject, "user": personas["sup1"]})
    assert customer.name in html


# --- demo ---------------------------------------------------------------------------------------

def test_the_demo_has_requests_in_every_state_and_loads_once(personas):
    from qiao.customers.demo_requests import load_demo_lifecycle
    from qiao.customers.models import TransferRequest

    from ..factories import make_customer
    region = personas.org.regions[0]
    for username in ("am01", "am02"):
        for _ in range(3):
            make_customer(personas[username], region=region)
    load_demo_lifecycle()
    states = sorted(LifecycleRequest.objects.values_list("to_status", "state"))
    assert states == sorted([(S.ONBOARDED, "open"), (S.ONBOARDED, "approved"),
                             (S.ONBOARDED, "rejected"), (S.OFFBOARDED, "open")])
    assert sorted(TransferRequest.objects.values_list("state", flat=True)) == [
        "approved", "open", "rejected"]
    assert set(Chain.objects.values_list("type_code", flat=True)) >= {
        "customer_onboarding", "customer_offboarding", "customer_transfer"}
    assert ChecklistItem.objects.filter(to_status=S.ONBOARDED, label="营业执照核验").exists()
    waiting = ApprovalRequest.objects.filter(state__in=(A.SUBMITTED, A.IN_PROGRESS)).count()
    assert waiting == 3
    counts = (LifecycleRequest.objects.count(), TransferRequest.objects.count(),
              ApprovalRequest.objects.count(), ChecklistItem.objects.count())
    load_demo_lifecycle()
    assert counts == (LifecycleRequest.objects.count(), TransferRequest.objects.count(),
                      ApprovalRequest.objects.count(), ChecklistItem.objects.count())
    # every screen has content: sup1's and region1's inboxes, the pending badge
    pending = LifecycleRequest.objects.get(to_status=S.ONBOARDED, state="open").customer
    text = page(personas.client("am01").get(reverse("customers:detail", args=[pending.pk])))
    assert "入网审批中" in text


# --- at the same moment -----------------------------------------------------------------------

@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_customer_make_exactly_one(personas):
    """The manager double-clicks and the supervisor asks too, all at once, on a real database:
    one request; every other is refused as already open (nothing half-written)."""
    import threading

    from django.utils import translation

    from .test_concurrency import BARRIER_TIMEOUT, run_threads
    ensure_lifecycle_checklists()
    ensure_lifecycle_chains()
    customer = personas.customers["am01"][0]
    users = [personas["am01"]] * 4 + [personas["sup1"]] * 4
    checked = required_ids(S.ONBOARDED)
    outcomes = {}
    barrier = threading.Barrier(len(users), timeout=BARRIER_TIMEOUT)

    def person(i):
        opened = Customer.objects.get(pk=customer.pk)
        barrier.wait()
        with translation.override("zh-hans"):
            try:
                kind, _result = requests.lifecycle_change(
                    actor=users[i], customer=opened, to_status=S.ONBOARDED, checked=checked,
                    expected_version=opened.version)
                outcomes[i] = kind
            except ValidationError as exc:
                assert "已有一个待审批的状态变更" in " ".join(exc.messages), exc.messages
                outcomes[i] = "refused"

    errors = run_threads(len(users), person, barrier)
    assert not errors, "\n".join(errors)
    assert sorted(outcomes.values()) == ["refused"] * (len(users) - 1) + ["requested"]
    assert LifecycleRequest.objects.count() == 1 and ApprovalRequest.objects.count() == 1
    assert CustomerEvent.objects.filter(customer=customer, kind="status_request").count() == 1
    assert Customer.objects.get(pk=customer.pk).status == S.PROSPECT


def test_the_customer_page_shows_approval_and_links_only_what_the_viewer_may_open(
        personas, checklists, chains):
    customer = personas.customers["am01"][0]
    url = reverse("customers:detail_tab", args=[customer.pk, "lifecycle"])
    text = page(personas.client("am01").get(url))
    assert 'data-testid="needs-approval"' in text and "提交审批" in text
    # raised by the supervisor: am01 sees that it is pending, without a link they could not open
    approval = make_lifecycle_request(personas["sup1"], customer)
    link = reverse("approvals:detail", args=[approval.pk])
    text = page(personas.client("am01").get(url))
    assert "入网审批中" in text and link not in text
    assert 'data-testid="transition-offboarded"' not in text  # no other change meanwhile
    assert link in page(personas.client("sup1").get(url))
    assert approval.tasks.get().approver == personas["region1"]


SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}
EVERYONE = ("director", "deptmgr", "region1", "region2", "sup1", "sup2", "am01", "am02", "am03",
            "am05", "agent01", "qa01", "admin")


@pytest.mark.parametrize("username", EVERYONE)
def test_who_opens_a_lifecycle_request(personas, checklists, chains, username):
    customer = personas.customers["am01"][0]
    approval = make_lifecycle_request(personas["am01"], customer)
    response = personas.client(username).get(reverse("approvals:detail", args=[approval.pk]))
    assert response.status_code == (200 if username in SEES_AM01 else 404)
    if username not in SEES_AM01:
        post = personas.client(username).post(reverse("approvals:decide", args=[approval.pk]),
                                              {"task": approval.tasks.get().pk,
                                               "decision": "approve"})
        assert post.status_code == 404
        assert Customer.objects.get(pk=customer.pk).status == S.PROSPECT
