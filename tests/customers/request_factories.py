"""Lifecycle and transfer requests for tests (and the access matrix): each returns the
ApprovalRequest, its subject being the LifecycleRequest / TransferRequest."""

from qiao.customers import requests
from qiao.customers.demo_requests import ensure_lifecycle_chains, ensure_lifecycle_checklists
from qiao.customers.models import ChecklistItem, Customer
from qiao.org.models import User


def make_lifecycle_request(manager, customer, to_status=Customer.Status.ONBOARDED):
    """`manager` (an account manager) asks for `customer` (theirs, a prospect) to be onboarded;
    waits for their supervisor."""
    ensure_lifecycle_checklists()
    ensure_lifecycle_chains()
    customer = Customer._base_manager.get(pk=customer.pk)
    kind, approval = requests.lifecycle_change(
        actor=manager, customer=customer, to_status=to_status,
        checked=list(ChecklistItem.objects.filter(to_status=to_status).values_list("pk", flat=True)),
        expected_version=customer.version)
    assert kind == "requested"
    return approval


def make_transfer_request(manager, customer, to_user=None):
    """`manager`'s supervisor asks for `customer` to move from `manager` to `to_user` (by
    default another active account manager of the supervisor); waits for the regional manager."""
    ensure_lifecycle_chains()
    supervisor = manager.supervisor
    if to_user is None:
        to_user = (User.objects.filter(supervisor=supervisor, is_active=True)
                   .exclude(pk=manager.pk).order_by("pk").first())
    return requests.transfer_request_create(actor=supervisor, from_user=manager, to_user=to_user,
                                            customers=[customer.pk], reason="区域调整")
