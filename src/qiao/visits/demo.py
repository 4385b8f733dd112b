"""Demo data for visits: the hospitality chain (supervisor, then the department manager from
¥2,000) and a few requests in every state, so each screen has content on first start."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qiao.approvals import services as approvals
from qiao.approvals.models import Chain, ChainStep
from qiao.core import calendar
from qiao.customers.models import Customer
from qiao.org.models import Position, User

from . import services


def ensure_hospitality_chain():
    chain, _ = Chain.objects.get_or_create(type_code="hospitality",
                                           defaults={"name": "招待费审批"})
    if not chain.steps.exists():
        ChainStep.objects.create(chain=chain, order=1, label="主管审批",
                                 rule=ChainStep.Rule.SUPERVISOR)
        ChainStep.objects.create(chain=chain, order=2, label="部门经理审批",
                                 rule=ChainStep.Rule.POSITION, min_amount=Decimal("2000"),
                                 position=Position.objects.filter(role__code="dept_manager").first())
    return chain


@transaction.atomic
def load_demo_visits():
    ensure_hospitality_chain()
    users = {u.username: u for u in User.objects.filter(username__in=(
        "am01", "am02", "am03", "sup1", "region1", "deptmgr"))}
    if len(users) < 6:
        return
    day = timezone.localdate() + timedelta(days=7)

    def raise_(username, amount, purpose):
        customer = Customer.objects.filter(owner=users[username], is_deleted=False).first()
        return services.hospitality_request_create(
            actor=users[username], customer=customer, amount=Decimal(amount), date=day,
            guests="客户采购部 2 人", purpose=purpose)

    overdue = raise_("am01", "800.00", "季度走访后工作午餐")  # waiting for sup1 for four working days
    overdue.tasks.update(waiting_since=calendar.subtract_business_hours(timezone.now(), 30))
    approvals.tasks_escalate()  # sup1 reminded, region1 told
    big = raise_("am02", "3600.00", "年度订货会答谢宴")  # sup1 approved, waiting for deptmgr
    approvals.task_approve(actor=users["sup1"], task=big.tasks.get(order=1), comment="同意")
    done = raise_("am01", "2500.00", "新品推介会招待")
    approvals.task_approve(actor=users["sup1"], task=done.tasks.get(order=1))
    approvals.task_approve(actor=users["deptmgr"], task=done.tasks.get(order=2), comment="同意，控制标准")
    rejected = raise_("am02", "1200.00", "私人聚餐")
    approvals.task_reject(actor=users["sup1"], task=rejected.tasks.get(order=1),
                         comment="不属于业务招待")
    returned = raise_("am01", "1500.00", "客户答谢")
    approvals.task_return(actor=users["sup1"], task=returned.tasks.get(order=1),
                         comment="请补充来宾名单")
    withdrawn = raise_("am03", "600.00", "临时拜访")
    approvals.request_withdraw(actor=users["am03"], request=withdrawn)
