"""A request names its customer in its title and subject: those who see it through the
requester's data scope see it only up to their clearance (ORG-5); its requester and approvers
always see it."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from qiao.approvals.models import ApprovalRequest
from qiao.core.models import Clearance
from qiao.customers.models import Customer
from qiao.org.models import Role
from qiao.visits import services as visit_services

from ..factories import make_customer


def request_for(personas, customer):
    return visit_services.hospitality_request_create(
        actor=personas["sup1"], customer=customer, amount=Decimal("800.00"),
        date=date(2026, 12, 1), guests="采购部 2 人", purpose="季度走访")


def test_a_request_about_a_classified_customer_is_hidden_below_its_level(personas, chain):
    sup1, deptmgr = personas["sup1"], personas["deptmgr"]
    ordinary = make_customer(sup1, name="普通商行")
    classified = make_customer(sup1, name="机要商行")
    Customer.objects.filter(pk=classified.pk).update(secret_level=Clearance.CONFIDENTIAL)
    classified.refresh_from_db()
    seen, hidden = request_for(personas, ordinary), request_for(personas, classified)
    assert hidden.secret_level == Clearance.CONFIDENTIAL
    Role.objects.filter(code="dept_manager").update(clearance=Clearance.INTERNAL)
    deptmgr.refresh_from_db()

    visible = ApprovalRequest.objects.visible_to(deptmgr)
    assert list(visible.filter(pk__in=[seen.pk, hidden.pk])) == [seen]
    client = personas.client("deptmgr")
    assert client.get(reverse("approvals:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("approvals:detail", args=[seen.pk])).status_code == 200
    # The requester and the approver (sup1's supervisor) still open it.
    for username in ("sup1", "region1"):
        page = personas.client(username).get(reverse("approvals:detail", args=[hidden.pk]))
        assert page.status_code == 200 and "机要商行" in page.content.decode()
