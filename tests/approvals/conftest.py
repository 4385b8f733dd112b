from datetime import date
from decimal import Decimal

import pytest

from qiao.approvals import selectors
from qiao.approvals.models import Chain, ChainStep
from qiao.org.models import Position
from qiao.visits import services as visit_services
from qiao.visits.demo import ensure_hospitality_chain


@pytest.fixture
def chain(personas):
    """The demo hospitality chain: the supervisor, then the department manager from ¥2,000."""
    return ensure_hospitality_chain()


def dept_manager_position():
    return Position.objects.filter(role__code="dept_manager").first()


def set_steps(*steps):
    """Replace the hospitality chain's steps: (order, label, rule, extra kwargs)."""
    chain, _ = Chain.objects.get_or_create(type_code="hospitality", defaults={"name": "招待费审批"})
    chain.steps.all().delete()
    for order, label, rule, extra in steps:
        ChainStep.objects.create(chain=chain, order=order, label=label, rule=rule, **extra)
    return chain


def hospitality(personas, username="am01", amount="800.00"):
    user = personas[username]
    return visit_services.hospitality_request_create(
        actor=user, customer=personas.customers[username][0], amount=Decimal(amount),
        date=date(2026, 12, 1), guests="采购部 2 人", purpose="季度走访")


def page_values(request, user, **changes):
    """What the detail page's edit form posts: every field as shown (the subject unchanged),
    with `changes` over them."""
    return {**selectors.edit_values(request, user), **changes}
