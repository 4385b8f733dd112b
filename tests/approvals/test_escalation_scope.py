"""An overdue step is reported to the approver's supervisor; a supervisor who may not open the
request (the requester is outside their scope) hears about their own person's delay without
the request's title or a link they could not follow."""

from django.urls import reverse

from qiao.approvals import services
from qiao.notify.inbox.models import Notification
from qiao.org.models import User

from .conftest import hospitality
from .test_delegation_and_escalation import long_ago


def escalated(user):
    return list(Notification.objects.filter(recipient=user, kind__startswith="approval_escalated"))


def test_a_supervisor_who_may_not_open_the_request_is_told_without_it(personas, chain):
    sup1, region2 = personas["sup1"], personas.users["region2"]
    User.objects.filter(pk=sup1.pk).update(supervisor=region2)  # a reorganisation
    request = hospitality(personas)  # am01's, in region 1: outside region2's scope
    long_ago(request)
    assert services.tasks_escalate() == 1
    (note,) = escalated(region2)
    assert request.title not in note.title and personas.customers["am01"][0].name not in note.title
    assert str(sup1) in note.title and note.url == ""
    assert personas.client("region2").get(
        reverse("approvals:detail", args=[request.pk])).status_code == 404


def test_a_supervisor_who_may_open_it_gets_the_title_and_the_link(personas, chain):
    request = hospitality(personas)
    long_ago(request)
    assert services.tasks_escalate() == 1
    (note,) = escalated(personas["region1"])
    assert request.title in note.title
    assert personas.client("region1").get(note.url).status_code == 200
