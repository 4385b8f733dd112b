import pytest
from django.urls import reverse

from qiao.approvals.models import Chain
from qiao.workorders.demo import load_demo_workorders
from qiao.workorders.models import StageAttachment, StageRecord, WorkOrder

pytestmark = pytest.mark.django_db


def test_demo_has_work_orders_in_every_state_and_is_idempotent(personas):
    load_demo_workorders()
    stages = set(WorkOrder.objects.values_list("stage", flat=True))
    assert {"draft", "pending", "returned", "rejected", "briefing", "contract", "execution",
            "archived"} <= stages
    chain = Chain.objects.get(type_code="work_order")
    assert sorted((s.order, s.rule) for s in chain.steps.all()) == [(1, "position"),
                                                                     (1, "supervisor")]
    archived = WorkOrder.objects.get(stage="archived")
    assert StageRecord.objects.filter(work_order=archived).count() == 6
    assert StageAttachment.objects.filter(record__work_order=archived).exists()
    count = WorkOrder.objects.count()
    load_demo_workorders()
    assert WorkOrder.objects.count() == count
    # every screen has content
    client = personas.client("sup1")
    assert 'data-testid="work-order-row"' in client.get(reverse("workorders:list")).content.decode()
    page = client.get(reverse("workorders:detail", args=[archived.pk])).content.decode()
    assert 'data-testid="stage-attachment"' in page
    waiting = personas.client("director").get(reverse("approvals:waiting")).content.decode()
    assert "工作单：【演示】" in waiting  # the demo's work orders wait for the director
