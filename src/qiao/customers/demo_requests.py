"""Demo data for lifecycle standards and transfers (CUS-2, ORG-6) and personal data requests:
the 入网/退网 checklists, the approval chains of the three request types, and requests in every
state (waiting, approved, rejected), so that the customer page, the handover page and the
approval pages have content on first start.

Chains: 入网 (customer_onboarding) — the requester's supervisor; 退网 (customer_offboarding) —
the supervisor, then the regional manager; 转移 (customer_transfer) — the regional manager.
"""

from django.db import transaction

from qiao.approvals import services as approval_services
from qiao.approvals.models import Chain, ChainStep
from qiao.org.models import User

from . import privacy, requests, services
from .lifecycle import TRANSFER_TYPE
from .models import (
    ChecklistItem,
    Contact,
    Customer,
    LifecycleRequest,
    PersonalDataRequest,
    TransferRequest,
)

S = Customer.Status

# Items from the handbooks (seeds): 客户信息登记表/调查表, 客户信用调查表 and 信用评定, 签署合同;
# 大客户的信用管理和欠费催缴, 客户档案.
CHECKLISTS = {
    S.ONBOARDED: [
        ("营业执照核验", "核对营业执照原件、统一社会信用代码及有效期", True),
        ("客户信息登记表", "客户信息登记表/调查表填写完整并签字", True),
        ("信用评估", "完成客户信用调查表与信用评定（信用等级、赊销限额）", True),
        ("签署合同", "合作合同已签署，视情况决定公证与否", True),
        ("关键联系人关系卡", "至少建立一张关键人物的客户关系卡", False),
    ],
    S.OFFBOARDED: [
        ("应收账款结清", "欠费已催缴，应收账款全部结清", True),
        ("合同终止", "合作合同已终止或到期不续", True),
        ("资料归档", "客户档案资料整理归档", True),
        ("告知客户", "已书面告知客户并记录原因", False),
    ],
}

CHAINS = {
    "customer_onboarding": ("客户入网审批", [(1, "主管审批", ChainStep.Rule.SUPERVISOR)]),
    "customer_offboarding": ("客户退网审批", [(1, "主管审批", ChainStep.Rule.SUPERVISOR),
                                              (2, "区域经理审批", ChainStep.Rule.REGIONAL_MANAGER)]),
    TRANSFER_TYPE: ("客户转移审批", [(1, "区域经理审批", ChainStep.Rule.REGIONAL_MANAGER)]),
}


def ensure_lifecycle_checklists():
    """The default checklists (only for a status that has none yet: the admin's edits stay)."""
    for status, items in CHECKLISTS.items():
        if ChecklistItem.objects.filter(to_status=status).exists():
            continue
        ChecklistItem.objects.bulk_create([
            ChecklistItem(to_status=status, label=label, help_text=help_text, required=required,
                          order=n)
            for n, (label, help_text, required) in enumerate(items, start=1)])


def ensure_lifecycle_chains():
    """The chains of the three request types (a chain that has steps already is left alone)."""
    chains = {}
    for code, (name, steps) in CHAINS.items():
        chain, _ = Chain.objects.get_or_create(type_code=code, defaults={"name": name})
        if not chain.steps.exists():
            for order, label, rule in steps:
                ChainStep.objects.create(chain=chain, order=order, label=label, rule=rule)
        chains[code] = chain
    return chains


def _all_ticked(status):
    return [item.pk for item in requests.checklist_for(status)]


def _prospects(user):
    return list(Customer.objects.filter(owner=user, is_deleted=False, status=S.PROSPECT)
                .exclude(lifecycle_requests__state="open").order_by("pk"))


def _task(approval, order):
    return approval.tasks.get(round=approval.round, order=order, state="waiting")


@transaction.atomic
def load_demo_lifecycle():
    """Deterministic and idempotent: does nothing once a lifecycle or transfer request exists."""
    ensure_lifecycle_checklists()
    ensure_lifecycle_chains()
    if LifecycleRequest.objects.exists() or TransferRequest.objects.exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=(
        "am01", "am02", "sup1", "region1"))}
    if len(users) < 4:
        return
    am01, am02, sup1, region1 = (users[n] for n in ("am01", "am02", "sup1", "region1"))
    mine, theirs = _prospects(am01), _prospects(am02)
    if len(mine) < 4 or len(theirs) < 4:
        return

    def onboard(user, customer, note):
        kind, approval = requests.lifecycle_change(
            actor=user, customer=customer, to_status=S.ONBOARDED, note=note,
            checked=_all_ticked(S.ONBOARDED), expected_version=customer.version)
        return approval

    # 入网: one waiting for sup1, one approved (the customer is onboarded), one rejected.
    onboard(am01, mine[0], "已完成首次拜访，资料齐全")
    done = onboard(am01, mine[1], "年度合作协议已签")
    approval_services.task_approve(actor=sup1, task=_task(done, 1), comment="同意入网")
    rejected = onboard(am02, theirs[0], "客户主动来电")
    approval_services.task_reject(actor=sup1, task=_task(rejected, 1),
                                  comment="信用评估未达标，请补充担保后再申请")

    # 退网: a customer onboarded before; sup1 approved, waiting for the regional manager.
    leaving = theirs[1]
    services.customer_transition(actor=am02, customer=leaving, to_status=S.ONBOARDED,
                                 note="历史客户", expected_version=leaving.version)
    leaving.refresh_from_db()
    kind, off = requests.lifecycle_change(
        actor=am02, customer=leaving, to_status=S.OFFBOARDED, note="客户停业",
        checked=_all_ticked(S.OFFBOARDED), expected_version=leaving.version)
    approval_services.task_approve(actor=sup1, task=_task(off, 1), comment="应收已结清")

    # 转移 (asked by sup1, decided by region1): waiting, approved (moved), rejected.
    requests.transfer_request_create(actor=sup1, from_user=am02, to_user=am01,
                                     customers=[theirs[2].pk], reason="区域调整，就近服务")
    moved = requests.transfer_request_create(actor=sup1, from_user=am01, to_user=am02,
                                             customers=[mine[2].pk], reason="客户经理负荷均衡")
    approval_services.task_approve(actor=region1, task=_task(moved, 1), comment="同意")
    refused = requests.transfer_request_create(actor=sup1, from_user=am01, to_user=am02,
                                               customers=[mine[3].pk], reason="客户要求更换经理")
    approval_services.task_reject(actor=region1, task=_task(refused, 1),
                                  comment="请先与客户沟通确认")


@transaction.atomic
def load_demo_personal_data():
    """Requests about a person's data (PIPL) waiting for sup1: two copies and an erasure (sup1
    approves with a second factor, which the demo's accounts set up when first asked).
    Idempotent: nothing once a request exists."""
    if PersonalDataRequest.objects.exists():
        return
    am01 = User.objects.filter(username="am01").first()
    if am01 is None:
        return
    contacts = list(Contact.objects.filter(customer__owner=am01, is_deleted=False,
                                           customer__is_deleted=False).order_by("pk")[:3])
    if len(contacts) < 3:
        return
    reasons = ("本人到营业厅书面申请，已核对身份证原件", "本人来电申请，已回拨登记电话核实",
               "本人邮件申请并附身份证复印件，已电话核实")
    for contact, kind, reason in zip(contacts, ("export", "export", "erasure"), reasons,
                                     strict=True):
        privacy.request_create(actor=am01, customer=contact.customer, contact=contact, kind=kind,
                               reason=reason)
