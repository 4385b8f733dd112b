"""The pages: who sees a request (404 for everyone else, other managers included), who gets
the action buttons and may act, and constant query counts."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.approvals import services
from qiao.approvals.models import ApprovalRequest, ApprovalTask
from qiao.visits.models import HospitalityRequest

from .conftest import hospitality, page_values

pytestmark = pytest.mark.django_db

R = ApprovalRequest.State
# am05 is an account manager of region 2 (team of sup2, region of region2).
SEES_AM05 = {"am05", "sup2", "region2", "deptmgr", "director"}
ALL = ("director", "deptmgr", "region1", "region2", "sup1", "sup2", "am01", "am02", "am03", "am05",
       "agent01", "qa01", "admin", "brandmgr")


def detail_url(request):
    return reverse("approvals:detail", args=[request.pk])


@pytest.mark.parametrize("username", ALL)
def test_request_detail_is_404_outside_scope_and_shown_within(personas, chain, username):
    request = hospitality(personas, username="am05")
    response = personas.client(username).get(detail_url(request))
    assert response.status_code == (200 if username in SEES_AM05 else 404)
    if username not in SEES_AM05:
        for name in ("decide", "withdraw", "resubmit"):
            url = reverse(f"approvals:{name}", args=[request.pk])
            post = personas.client(username).post(url, {"task": request.tasks.get().pk,
                                                        "decision": "approve"})
            assert post.status_code == 404
        request.refresh_from_db()
        assert request.state == R.SUBMITTED and request.version == 1
        # nor does it appear in any list of theirs
        for name in ("waiting", "mine"):
            page = personas.client(username).get(reverse(f"approvals:{name}"))
            assert request.title not in page.content.decode()


def test_leaver_and_anonymous_see_nothing(personas, chain):
    request = hospitality(personas)
    assert personas.client("leaver").get(detail_url(request)).status_code in (302, 404)
    response = personas.client("leaver").get(reverse("approvals:mine"))
    assert request.title not in response.content.decode()
    from django.test import Client
    assert Client().get(detail_url(request)).status_code == 302  # to the login page


def test_a_past_approver_and_a_delegate_keep_seeing_the_request(personas, chain):
    request = hospitality(personas, amount="3000.00")
    services.task_approve(actor=personas["sup1"], task=request.tasks.get(order=1))
    # deptmgr decides; sup1 approved before; both see it. Another team's supervisor does not.
    assert personas.client("sup1").get(detail_url(request)).status_code == 200
    assert personas.client("sup2").get(detail_url(request)).status_code == 404


def test_only_the_current_approver_sees_the_buttons(personas, chain):
    request = hospitality(personas, amount="3000.00")
    for username in ("am01", "region1", "deptmgr", "director"):
        body = personas.client(username).get(detail_url(request)).content.decode()
        assert 'data-testid="decision-form"' not in body, username
    body = personas.client("sup1").get(detail_url(request)).content.decode()
    assert 'data-testid="decision-form"' in body and 'data-testid="approve"' in body
    assert 'data-testid="chain"' in body and "主管审批" in body and "部门经理审批" in body
    requester = personas.client("am01").get(detail_url(request)).content.decode()
    assert 'data-testid="withdraw"' in requester


def test_deciding_through_the_page(personas, chain):
    request = hospitality(personas, amount="3000.00")
    task = request.tasks.get(order=1)
    url = reverse("approvals:decide", args=[request.pk])
    # someone who sees the request but is not its approver: 409 with the reason, nothing written
    response = personas.client("region1").post(url, {"task": task.pk, "decision": "approve"})
    assert response.status_code == 409
    assert "不由您审批" in response.content.decode()
    # rejecting without a comment: 400, nothing written
    response = personas.client("sup1").post(url, {"task": task.pk, "decision": "reject",
                                                  "comment": ""})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.state == ApprovalTask.State.WAITING
    response = personas.client("sup1").post(url, {"task": task.pk, "decision": "approve",
                                                  "comment": "同意"})
    assert response.status_code == 302
    # the same press again (a double click): 409, one approval only
    response = personas.client("sup1").post(url, {"task": task.pk, "decision": "approve"})
    assert response.status_code == 409
    assert "已经审批过" in response.content.decode()
    response = personas.client("deptmgr").post(url, {"task": request.tasks.get(order=2).pk,
                                                     "decision": "return", "comment": "补充名单"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == R.RETURNED
    body = personas.client("am01").get(detail_url(request)).content.decode()
    assert "补充名单" in body and 'data-testid="resubmit"' in body
    resubmitted = personas.client("am01").post(reverse("approvals:resubmit", args=[request.pk]),
                                               page_values(request, personas["am01"]))
    assert resubmitted.status_code == 302
    assert personas.client("am01").post(reverse("approvals:withdraw", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.state == R.WITHDRAWN
    # a task id of another request answers 404
    other = hospitality(personas, username="am02")
    response = personas.client("sup1").post(url, {"task": other.tasks.get().pk, "decision": "approve"})
    assert response.status_code == 404


def test_the_approver_may_not_withdraw_for_the_requester(personas, chain):
    request = hospitality(personas)
    response = personas.client("sup1").post(reverse("approvals:withdraw", args=[request.pk]))
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.state == R.SUBMITTED


def test_waiting_and_mine_lists(personas, chain):
    request = hospitality(personas)
    body = personas.client("sup1").get(reverse("approvals:waiting")).content.decode()
    assert body.count('data-testid="waiting-row"') == 1 and request.title in body
    assert personas.client("am01").get(reverse("approvals:waiting")).content.decode().count(
        'data-testid="waiting-row"') == 0
    body = personas.client("am01").get(reverse("approvals:mine")).content.decode()
    assert body.count('data-testid="mine-row"') == 1
    assert personas.client("am02").get(reverse("approvals:mine")).content.decode().count(
        'data-testid="mine-row"') == 0


def _make_requests(personas, count):
    am, sup = personas["am01"], personas["sup1"]
    customer = personas.customers["am01"][0]
    for i in range(count):
        subject = HospitalityRequest.objects.create(customer=customer, requester=am,
                                                    amount=Decimal("100.00"), date=date(2026, 12, 1),
                                                    guests=f"g{i}", purpose="p")
        services.request_submit(actor=am, type_code="hospitality", subject=subject)
    assert ApprovalTask.objects.filter(approver=sup, state="waiting").count() >= count


def _queries(client, url):
    client.get(url)  # the session's first page does its own bookkeeping once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_waiting_and_mine_take_a_constant_number_of_queries(personas, chain):
    _make_requests(personas, 10)
    sup, am = personas.client("sup1"), personas.client("am01")
    small = (_queries(sup, reverse("approvals:waiting")), _queries(am, reverse("approvals:mine")))
    _make_requests(personas, 190)
    large = (_queries(sup, reverse("approvals:waiting")), _queries(am, reverse("approvals:mine")))
    assert small == large
    body = sup.get(reverse("approvals:waiting")).content.decode()
    assert len(re.findall('data-testid="waiting-row"', body)) == 25  # one page
