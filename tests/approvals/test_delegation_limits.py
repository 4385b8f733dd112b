"""Who may stand in, for how long: a delegation goes only to someone who could hold the
delegator's steps (above them in their line, or the same role in the same unit) and is cleared
as high as they are, for at most QIAO_DELEGATION_MAX_DAYS, never starting in the past. A step
passes to a delegate only while that still holds and the delegate is cleared for the request;
the steps come back when the delegation ends."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qiao.approvals import services, tasks
from qiao.approvals.models import ApprovalTask, Delegation
from qiao.core.models import Clearance
from qiao.customers import services as customer_services
from qiao.org.models import Role, User

from .conftest import hospitality

T = ApprovalTask.State
pytestmark = pytest.mark.django_db


def delegate(personas, username, to, starts_on=None, ends_on=None):
    today = timezone.localdate()
    return services.delegation_set(actor=personas[username], delegate=personas[to],
                                   starts_on=starts_on or today,
                                   ends_on=ends_on or today + timedelta(days=3))


def refusal(personas, username, to, **dates):
    with pytest.raises(ValidationError) as refused:
        delegate(personas, username, to, **dates)
    assert not Delegation.objects.exists()
    return refused.value.message_dict


def peer_of(personas, username, new_username="sup1b"):
    """Someone in the same position and unit as `username`."""
    user = personas[username]
    return User.objects.create_user(new_username, password="x", display_name="同组主管",
                                    unit=user.unit, position=user.position,
                                    supervisor=user.supervisor)


@pytest.mark.parametrize("to", ["agent01", "qa01", "region2", "sup2", "am01", "am03", "brandmgr",
                                "admin"])
def test_a_supervisor_cannot_delegate_outside_their_line_or_downwards(personas, to):
    message = refusal(personas, "sup1", to)["delegate"][0]
    assert "不在您的汇报线上" in message


@pytest.mark.parametrize("to", ["region1", "deptmgr", "director"])
def test_a_supervisor_may_delegate_up_their_line(personas, to):
    assert delegate(personas, "sup1", to).delegate == personas[to]


def test_a_peer_in_the_same_position_and_unit_may_stand_in(personas):
    peer = peer_of(personas, "sup1")
    personas.users["sup1b"] = peer
    assert delegate(personas, "sup1", "sup1b").delegate == peer


def test_a_delegate_must_be_cleared_as_high_as_the_delegator(personas):
    Role.objects.filter(code="regional_manager").update(clearance=Clearance.INTERNAL)
    personas.users["region1"] = User.objects.get(username="region1")
    message = refusal(personas, "sup1", "region1")["delegate"][0]
    assert "密级" in message and "内部" in message and "秘密" in message


@pytest.mark.parametrize("starts_on, ends_on, field", [
    (date(1, 1, 1), date(9999, 12, 31), "starts_on"),
    (-1, 2, "starts_on"),
    (0, 90, "ends_on"),  # 91 days
    (400, 401, "starts_on"),  # planned more than a year ahead
    (3, 2, "ends_on"),
])
def test_the_period_is_bounded(personas, starts_on, ends_on, field):
    today = timezone.localdate()

    def day(value):
        return value if isinstance(value, date) else today + timedelta(days=value)

    assert field in refusal(personas, "sup1", "region1", starts_on=day(starts_on),
                            ends_on=day(ends_on))


def test_the_longest_period_is_a_setting(personas, settings):
    today = timezone.localdate()
    assert delegate(personas, "sup1", "region1", ends_on=today + timedelta(days=89))
    Delegation.objects.all().delete()
    settings.QIAO_DELEGATION_MAX_DAYS = 10
    message = refusal(personas, "sup1", "region1", ends_on=today + timedelta(days=10))["ends_on"][0]
    assert "10 天" in message


def test_the_page_offers_only_who_may_stand_in_and_refuses_anyone_else(personas):
    client = personas.client("sup1")
    url = reverse("approvals:delegations")
    html = client.get(url).content.decode()
    offered = set(map(int, __import__("re").findall(r'<option value="(\d+)"', html)))
    assert offered == {personas[u].pk for u in ("region1", "deptmgr", "director")}
    today = timezone.localdate()
    response = client.post(url, {"delegate": personas["agent01"].pk, "starts_on": today,
                                 "ends_on": today + timedelta(days=2)})
    assert response.status_code == 400 and not Delegation.objects.exists()
    response = client.post(url, {"delegate": personas["region1"].pk, "starts_on": "0001-01-01",
                                 "ends_on": "9999-12-31"})
    assert response.status_code == 400 and not Delegation.objects.exists()
    assert "请输入 1900-01-01 至" in response.content.decode()


def test_a_delegate_who_has_left_the_line_is_passed_nothing(personas, chain):
    """The rule is checked again when a step starts: the org may have changed since."""
    peer = peer_of(personas, "sup1")
    personas.users["sup1b"] = peer
    delegate(personas, "sup1", "sup1b")
    peer.unit = personas["sup2"].unit  # moved to another region's team meanwhile
    peer.save(update_fields=["unit"])
    request = hospitality(personas)
    task = request.tasks.get()
    assert (task.approver, task.delegated_from) == (personas["sup1"], None)


def test_a_request_above_the_delegates_clearance_stays_with_the_approver(personas, chain):
    # The customer's owner must be cleared for 机密 before it can be classified so.
    Role.objects.filter(code="account_manager").update(clearance=Clearance.SECRET)
    personas.users["am01"] = User.objects.get(username="am01")
    secret = hospitality(personas)
    ordinary = hospitality(personas, username="am02")
    customer = secret.subject.customer
    customer_services.customer_update(actor=personas["director"], customer=customer,
                                      expected_version=customer.version,
                                      data={"secret_level": Clearance.SECRET})
    delegate(personas, "sup1", "region1")  # cleared for 秘密 (2), not 机密 (3)
    assert secret.tasks.get().approver == personas["sup1"]
    assert ordinary.tasks.get().approver == personas["region1"]
    later = hospitality(personas)
    later_customer = later.subject.customer
    assert later_customer.secret_level == Clearance.SECRET  # the same customer
    assert later.tasks.get().approver == personas["sup1"]


def test_ending_a_delegation_early_gives_the_waiting_steps_back(personas, chain):
    request = hospitality(personas)
    delegation = delegate(personas, "sup1", "region1")
    Delegation.objects.filter(pk=delegation.pk).update(starts_on=timezone.localdate() - timedelta(days=1))
    assert request.tasks.get().approver == personas["region1"]
    services.delegation_end(actor=personas["sup1"], delegation=Delegation.objects.get())
    task = request.tasks.get()
    assert (task.approver, task.delegated_from, task.state) == (personas["sup1"], None, T.WAITING)
    assert list(request.events.values_list("kind", flat=True)) == [
        "submitted", "delegated", "delegation_ended"]
    services.task_approve(actor=personas["sup1"], task=task)


def test_steps_come_back_when_the_delegation_runs_out(personas, chain):
    request = hospitality(personas)
    delegation = delegate(personas, "sup1", "region1")
    assert request.tasks.get().approver == personas["region1"]
    assert tasks.delegations_expire.call_local() == 0  # still in force
    Delegation.objects.filter(pk=delegation.pk).update(
        starts_on=timezone.localdate() - timedelta(days=5),
        ends_on=timezone.localdate() - timedelta(days=1))
    assert tasks.delegations_expire.call_local() == 1
    assert services.delegations_expire() == 0  # once
    task = request.tasks.get()
    assert (task.approver, task.delegated_from) == (personas["sup1"], None)
