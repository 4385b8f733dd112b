"""A request returned for changes is changed by its requester before it goes again — every field
of its type's form, with a reply — for every request type, through the engine: the subject
changes with its history, the reply and the changed fields are on the request's history, the
chain is planned again for the new amount; and nothing is written when the request is not
returned, not the requester's, or the changes are not valid."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qiao.approvals import registry, selectors, services
from qiao.approvals.models import ApprovalRequest
from qiao.core.exceptions import ConflictError
from qiao.customers.models import ChecklistItem, Customer
from qiao.workorders.demo import ensure_work_order_chain
from tests.customers.request_factories import make_lifecycle_request, make_transfer_request
from tests.workorders.factories import make_work_order

from .conftest import hospitality, page_values

pytestmark = pytest.mark.django_db
R = ApprovalRequest.State


def returned(request, comment="请补充来宾名单"):
    task = request.tasks.filter(state="waiting").order_by("pk").first()
    services.task_return(actor=task.approver, task=task, comment=comment)
    request.refresh_from_db()
    assert request.state == R.RETURNED
    return request


def resubmit_url(request):
    return reverse("approvals:resubmit", args=[request.pk])


def snapshot(request):
    subject = request.subject.__class__._base_manager.get(pk=request.object_id)
    return (ApprovalRequest.objects.values_list("state", "round", "version").get(pk=request.pk),
            request.events.count(), subject.history.count())


def test_every_request_type_can_be_changed_when_returned():
    """A type registered without an edit form would leave its requesters with withdraw only."""
    types = registry.all_types()
    assert {t.code for t in types} >= {"hospitality", "work_order", "customer_onboarding",
                                       "customer_offboarding", "customer_transfer"}
    assert [t.code for t in types if not t.editable] == []


# --- hospitality, through the page ------------------------------------------------------------

def test_the_requester_changes_a_returned_hospitality_request_on_its_page(personas, chain):
    request = returned(hospitality(personas))
    am01 = personas["am01"]
    client = personas.client("am01")
    page = client.get(reverse("approvals:detail", args=[request.pk])).content.decode()
    assert 'data-testid="edit-form"' in page and "请补充来宾名单" in page
    assert 'value="2026-12-01"' in page and "采购部 2 人" in page  # the form shows the request
    response = client.post(resubmit_url(request), page_values(
        request, am01, guests="采购部 王经理、李主任", amount="3000.00", comment="已补充来宾名单"))
    assert response.status_code == 302, response.content.decode()
    request.refresh_from_db()
    subject = request.subject
    assert (subject.guests, subject.amount) == ("采购部 王经理、李主任", Decimal("3000.00"))
    latest = subject.history.first()
    assert (latest.history_user, latest.history_type) == (am01, "~")
    event = request.events.get(kind="resubmitted")
    assert (event.actor, event.comment, event.params) == (am01, "已补充来宾名单",
                                                          {"changed": ["amount", "guests"]})
    # ¥3,000 now needs the department manager after the supervisor (a new plan, round 2)
    assert (request.state, request.round, request.amount) == (R.SUBMITTED, 2, Decimal("3000.00"))
    assert list(request.tasks.filter(round=2).values_list("order", "approver__username")) == [
        (1, "sup1"), (2, "deptmgr")]
    assert "¥3,000.00" in request.title
    detail = personas.client("sup1").get(reverse("approvals:detail", args=[request.pk]))
    html = detail.content.decode()
    assert "已补充来宾名单" in html and "已修改：金额（元）、来宾" in html
    assert 'data-testid="edit-form"' not in html


def test_resubmitting_unchanged_keeps_the_subject(personas, chain):
    request = returned(hospitality(personas))
    before = request.subject.history.count()
    response = personas.client("am01").post(resubmit_url(request),
                                            page_values(request, personas["am01"]))
    assert response.status_code == 302
    assert request.subject.history.count() == before
    assert request.events.get(kind="resubmitted").params == {}


@pytest.mark.parametrize("changes, field", [
    ({"amount": "abc"}, "amount"),
    ({"guests": ""}, "guests"),
    ({"customer": "999999"}, "customer"),
    ({"comment": "很" * 2001}, "comment"),
])
def test_invalid_changes_are_refused_on_the_page_with_nothing_written(personas, chain, changes,
                                                                      field):
    request = returned(hospitality(personas))
    before = snapshot(request)
    response = personas.client("am01").post(resubmit_url(request),
                                            page_values(request, personas["am01"], **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-testid="error-{field}"' in html and "申请未重新提交" in html
    assert snapshot(request) == before


def test_a_customer_the_requester_does_not_see_is_refused(personas, chain):
    request = returned(hospitality(personas))
    other = personas.customers["am05"][0]
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        services.request_resubmit(actor=personas["am01"], request=request,
                                  data=page_values(request, personas["am01"], customer=str(other.pk)))
    assert "customer" in refused.value.message_dict
    assert snapshot(request) == before


def test_only_the_requester_and_only_a_returned_request(personas, chain):
    request = hospitality(personas)
    am01 = personas["am01"]
    with pytest.raises(ConflictError):
        services.request_resubmit(actor=am01, request=request, data=page_values(
            request, am01, guests="改"))
    assert request.subject.guests == "采购部 2 人"
    returned(request)
    before = snapshot(request)
    for username in ("sup1", "region1"):
        with pytest.raises(PermissionDenied):
            services.request_resubmit(actor=personas[username], request=request,
                                      data=page_values(request, am01, guests="改"))
        response = personas.client(username).post(resubmit_url(request),
                                                  page_values(request, am01, guests="改"))
        assert response.status_code == 404
        page = personas.client(username).get(reverse("approvals:detail", args=[request.pk]))
        assert 'data-testid="edit-form"' not in page.content.decode()
    assert snapshot(request) == before


# --- the other request types, through the engine -----------------------------------------------

def test_a_returned_work_order_is_changed_and_resubmitted_from_the_approval(personas):
    ensure_work_order_chain()
    am01 = personas["am01"]
    from qiao.workorders import services as work_orders

    work_order = make_work_order(am01, personas.customers["am01"][0])
    request = returned(work_orders.work_order_submit(actor=am01, work_order=work_order),
                       comment="预算请细化")
    work_order.refresh_from_db()
    assert work_order.stage == "returned"
    services.request_resubmit(actor=am01, request=request, comment="预算已调整",
                              data=page_values(request, am01, budget="8000.00",
                                               deadline="2027-01-15"))
    work_order.refresh_from_db()
    assert (work_order.budget, work_order.deadline, work_order.stage) == (
        Decimal("8000.00"), date(2027, 1, 15), "pending")
    request.refresh_from_db()
    assert (request.amount, request.round) == (Decimal("8000.00"), 2)
    assert request.events.get(kind="resubmitted").params == {"changed": ["budget", "deadline"]}


def test_a_stale_work_order_version_is_a_conflict(personas):
    ensure_work_order_chain()
    am01 = personas["am01"]
    from qiao.workorders import services as work_orders

    work_order = make_work_order(am01, personas.customers["am01"][0])
    request = returned(work_orders.work_order_submit(actor=am01, work_order=work_order))
    data = page_values(request, am01, budget="8000.00", version="1")
    with pytest.raises(ConflictError):
        services.request_resubmit(actor=am01, request=request, data=data)
    request.refresh_from_db()
    assert request.state == R.RETURNED


def test_a_returned_lifecycle_request_changes_its_note_and_checklist(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    request = returned(make_lifecycle_request(am01, customer), comment="请补充关系卡")
    optional = ChecklistItem.objects.get(to_status=Customer.Status.ONBOARDED, required=False)
    values = page_values(request, am01)
    assert str(optional.pk) in values["checklist"]  # every item was ticked
    ticked = [pk for pk in values["checklist"] if pk != str(optional.pk)]
    required = ChecklistItem.objects.filter(to_status=Customer.Status.ONBOARDED,
                                            required=True).first()
    # A required item unticked: refused, by field, nothing written
    with pytest.raises(ValidationError) as refused:
        services.request_resubmit(actor=am01, request=request, data=page_values(
            request, am01, checklist=[pk for pk in ticked if pk != str(required.pk)]))
    assert required.label in refused.value.message_dict["checklist"][0]
    services.request_resubmit(actor=am01, request=request, comment="关系卡稍后补",
                              data=page_values(request, am01, checklist=ticked, note="先入网"))
    lifecycle = request.subject.__class__.objects.get(pk=request.object_id)
    assert lifecycle.note == "先入网"
    assert [item["checked"] for item in lifecycle.checklist if item["id"] == optional.pk] == [False]
    assert lifecycle.history.first().history_user == am01
    request.refresh_from_db()
    assert request.state == R.SUBMITTED


def test_a_returned_transfer_changes_its_target_reason_and_customers(personas):
    am01, am02, sup1 = personas["am01"], personas["am02"], personas["sup1"]
    first, second = personas.customers["am01"]
    request = returned(make_transfer_request(am01, first, to_user=am02), comment="两家都转")
    page = personas.client("sup1").get(reverse("approvals:detail", args=[request.pk]))
    assert 'data-testid="edit-form"' in page.content.decode()
    services.request_resubmit(actor=sup1, request=request, comment="已加上第二家",
                              data=page_values(request, sup1, customers=[str(first.pk),
                                                                         str(second.pk)],
                                               reason="区域调整，两家一起"))
    transfer = request.subject.__class__.objects.get(pk=request.object_id)
    assert set(transfer.items.values_list("customer_id", flat=True)) == {first.pk, second.pk}
    assert transfer.reason == "区域调整，两家一起"
    request.refresh_from_db()
    assert request.title_params["count"] == 2 and "2" in request.title
    # the handover's own checks run again: to the account manager himself is refused
    returned(request)
    with pytest.raises(ValidationError) as refused:
        services.request_resubmit(actor=sup1, request=request,
                                  data=page_values(request, sup1, to_user=str(am01.pk)))
    assert "to_user" in refused.value.message_dict


def test_the_edit_values_are_what_the_form_shows(personas, chain):
    request = returned(hospitality(personas))
    values = selectors.edit_values(request, personas["am01"])
    subject = request.subject
    assert values == {"customer": str(subject.customer_id), "amount": "800.00",
                      "date": "2026-12-01", "guests": "采购部 2 人", "purpose": "季度走访"}
