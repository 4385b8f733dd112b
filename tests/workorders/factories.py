"""Work orders made through the real services (for these tests and the access matrix)."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from qiao.approvals import services as approvals
from qiao.approvals.selectors import request_for
from qiao.workorders import services
from qiao.workorders.demo import ensure_work_order_chain

PDF = b"%PDF-1.4\n% test\n"


def pdf(name="提案.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_work_order(manager, customer, **fields):
    """A draft work order of account manager `manager` for `customer`."""
    data = {"customer": customer, "kind": "existing_customer", "title": "春季陈列项目",
            "content": "门店陈列与新品试吃", "departments": "市场部、创作部",
            "budget": Decimal("12000.00"), "deadline": date(2026, 12, 31), **fields}
    return services.work_order_create(actor=manager, data=data)


def approve_all(work_order):
    """Every waiting signature of the work order's request, approved by its approver."""
    request = request_for(work_order)
    for task in list(request.tasks.filter(state="waiting").select_related("approver")):
        approvals.task_approve(actor=task.approver, task=task, comment="同意")
    work_order.refresh_from_db()
    return work_order


def make_approved_work_order(manager, customer, *, with_attachment=True, **fields):
    """A work order signed by both and in briefing; with a recorded briefing stage carrying an
    attachment when `with_attachment` (it is then in proposal)."""
    ensure_work_order_chain()
    work_order = make_work_order(manager, customer, **fields)
    services.work_order_submit(actor=manager, work_order=work_order)
    approve_all(work_order)
    if with_attachment:
        services.stage_record(actor=manager, work_order=work_order, stage="briefing",
                              date=date(2026, 11, 20), people="市场部 张三", note="说明会",
                              files=[pdf("说明会纪要.pdf")])
        work_order.refresh_from_db()
    return work_order
