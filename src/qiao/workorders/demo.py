"""Demo data for work orders: the chain (the customer director and the supervisor sign in
parallel — 客户总监及客户部主管签字批准) and work orders in every state, so each screen has
content on first start."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from qiao.approvals import services as approvals
from qiao.approvals.models import Chain, ChainStep
from qiao.approvals.selectors import request_for
from qiao.customers.models import Customer
from qiao.org.models import Position, User

from . import services
from .models import Stage, WorkOrder

DEMO_MARK = "【演示】"


def ensure_work_order_chain():
    """Two steps of the same order, so both sign in parallel: the customer director (the
    position of role "director", 客户服务总监) and the requester's supervisor."""
    chain, _ = Chain.objects.get_or_create(type_code="work_order", defaults={"name": "工作单审批"})
    if not chain.steps.exists():
        ChainStep.objects.create(chain=chain, order=1, label="客户总监签字",
                                 rule=ChainStep.Rule.POSITION,
                                 position=Position.objects.filter(role__code="director").first())
        ChainStep.objects.create(chain=chain, order=1, label="客户部主管签字",
                                 rule=ChainStep.Rule.SUPERVISOR)
    return chain


def _pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% Qiao demo\n", content_type="application/pdf")


PROJECTS = [
    # (manager, kind, title, content, departments, budget, final state)
    ("am01", "existing_customer", "春季新品陈列项目", "门店端架陈列与新品试吃，四月上旬完成。",
     "市场部、创作部", "18000.00", Stage.DRAFT),
    ("am02", "new_customer", "开业推广方案", "新店开业一周的推广活动，含宣传物料。",
     "市场部", "26000.00", Stage.PENDING),
    ("am01", "existing_customer", "年度订货会支持", "订货会场地布置与样品展示。",
     "市场部、行政部", "42000.00", Stage.RETURNED),
    ("am02", "existing_customer", "员工福利团购", "客户员工节日团购，价格低于成本。",
     "市场部", "9000.00", Stage.REJECTED),
    ("am01", "new_customer", "首单合作推介", "向客户采购部介绍公司产品与合作方式。",
     "市场部、创作部", "15000.00", Stage.BRIEFING),
    ("am03", "existing_customer", "区域促销季", "五月区域促销：堆头、海报与导购。",
     "市场部、创作部", "35000.00", Stage.CONTRACT),
    ("am02", "existing_customer", "品牌形象升级", "门店招牌与陈列形象统一升级。",
     "创作部、行政部", "58000.00", Stage.EXECUTION),
    ("am01", "existing_customer", "中秋礼盒定制", "中秋礼盒定制与配送，已完成并总结。",
     "市场部、创作部、行政部", "30000.00", Stage.ARCHIVED),
]

NOTES = {
    Stage.BRIEFING: "向市场部、创作部介绍项目内容及要求。",
    Stage.PROPOSAL: "提案预演后向客户提案，提案通过。",
    Stage.CONTRACT: "合同已签署，移交合同执行部门并存档。",
    Stage.PLAN: "工作计划表已确认。",
    Stage.EXECUTION: "按工作计划执行完毕。",
    Stage.EVALUATION: "会同有关部门召开总结评估会。",
}


@transaction.atomic
def load_demo_workorders():
    ensure_work_order_chain()
    if WorkOrder.objects.filter(title__startswith=DEMO_MARK).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=(
        "am01", "am02", "am03", "sup1", "region1", "director"))}
    if len(users) < 6:
        return
    today = timezone.localdate()
    for i, (username, kind, title, content, departments, budget, target) in enumerate(PROJECTS):
        author = users[username]
        customers = list(Customer.objects.visible_to(author).filter(owner=author)
                         .order_by("pk")[:2])
        if not customers:
            continue
        customer = customers[i % len(customers)]
        work_order = services.work_order_create(actor=author, data={
            "customer": customer, "kind": kind, "title": DEMO_MARK + title, "content": content,
            "departments": departments, "budget": Decimal(budget),
            "deadline": today + timedelta(days=30 + 7 * i)})
        _drive(work_order, author, target, users, today)


def _decide(work_order, how, users, comment=""):
    request = request_for(work_order)
    for task in list(request.tasks.filter(state="waiting").select_related("approver")):
        approver = task.approver
        if how == "approve":
            approvals.task_approve(actor=approver, task=task, comment=comment or "同意")
        else:
            action = approvals.task_reject if how == "reject" else approvals.task_return
            action(actor=approver, task=task, comment=comment)
            return


def _drive(work_order, author, target, users, today):
    if target == Stage.DRAFT:
        return
    services.work_order_submit(actor=author, work_order=work_order)
    if target == Stage.PENDING:
        return
    if target == Stage.RETURNED:
        _decide(work_order, "return", users, "请补充预算明细和有关部门分工")
        return
    if target == Stage.REJECTED:
        _decide(work_order, "reject", users, "不属于业务项目，费用不予批准")
        return
    _decide(work_order, "approve", users)
    recorder = users["sup1"] if author.supervisor_id == users["sup1"].pk else author
    stages = [Stage.BRIEFING, Stage.PROPOSAL, Stage.CONTRACT, Stage.PLAN, Stage.EXECUTION,
              Stage.EVALUATION, Stage.ARCHIVED]
    day = today - timedelta(days=40)
    for stage in stages[:stages.index(target)]:
        work_order.refresh_from_db()
        day += timedelta(days=5)
        files = [_pdf(f"{stage.label}记录.pdf")] if stage in (Stage.CONTRACT, Stage.EVALUATION,
                                                                Stage.PLAN) else []
        services.stage_record(actor=author if stage != Stage.EVALUATION else recorder,
                              work_order=work_order, stage=stage, date=day,
                              people=f"{author}、市场部、创作部、客户采购部", note=NOTES[stage],
                              files=files)
