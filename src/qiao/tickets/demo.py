"""Demo data of the service desk: the handbooks' routing (major complaints to the department
manager, general ones to the complaint group, inquiries to the call centre, after-sales and
proposals to the customer's account manager), SLA policies, standard replies, and a year of
tickets of every kind and state — met and breached clocks, waiting, reopened, rated, some in
the case library — made through the services at their past moments, so each screen has
content on first start."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qiao.core import calendar
from qiao.customers.models import Customer
from qiao.org.models import User

from . import services
from .models import (
    AssignmentRule,
    Call,
    CallPurpose,
    CallResult,
    CannedReply,
    Kind,
    Queue,
    SlaPolicy,
    Ticket,
)

POLICIES = [  # name, kind, severity, first response, resolution, warning (business hours)
    ("投诉（一般）", Kind.COMPLAINT, "", 24, 48, 4),
    ("投诉（重大）", Kind.COMPLAINT, "major", 4, 24, 2),
    ("咨询", Kind.INQUIRY, "", 8, 24, 2),
    ("售后服务", Kind.AFTER_SALES, "", 24, 72, 8),
    ("客户提案", Kind.PROPOSAL, "", 24, 120, 8),
]
REPLIES = [
    ("致歉与受理", "", "您好，非常抱歉给您带来不便。您反映的问题我们已经登记受理，"
                       "服务单号见短信，我们会在一个工作日内给您答复。"),
    ("需要补充材料", "", "您好，为尽快处理，请您提供购货凭证、产品批次号及问题照片，"
                         "收到后我们立即处理。"),
    ("调换说明", Kind.COMPLAINT, "经核查，您反映的产品确有质量问题。我们将为您办理调换，"
                                 "客户经理会与您约定时间上门。"),
    ("上门维修预约", Kind.AFTER_SALES, "您好，维修人员将于约定时间上门检修，请保持电话畅通。"),
    ("提案感谢", Kind.PROPOSAL, "感谢您提出的宝贵建议，我们已转交相关部门评估，评估结果会及时反馈给您。"),
]
SUBJECTS = {
    Kind.COMPLAINT: [("卷烟受潮发霉", "quality", "硬盒中华"), ("送货延误三天", "delivery", ""),
                     ("配送员态度恶劣", "service", ""), ("条盒包装破损", "quality", "红塔山"),
                     ("发票金额有误", "billing", ""), ("价格调整未提前通知", "price", "")],
    Kind.INQUIRY: [("询问新品上市时间", "other", ""), ("如何网上订货", "usage", ""),
                   ("咨询本月促销政策", "price", ""), ("查询上月账款", "billing", "")],
    Kind.AFTER_SALES: [("陈列柜灯不亮", "quality", "陈列柜"), ("扫码枪无法连接", "usage", "扫码枪"),
                       ("自助终端死机", "quality", "自助终端")],
    Kind.PROPOSAL: [("建议增加小包装规格", "other", ""), ("建议延长订货截止时间", "delivery", ""),
                    ("建议开通微信对账", "billing", "")],
}
CAUSES = ["product", "staff", "logistics", "policy", "customer"]
TICKETS = 240


def ensure_service_desk():
    """Queues, routing rules, SLA policies and standard replies (idempotent)."""
    users = {u.username: u for u in User.objects.filter(
        username__in=("deptmgr", "sup1", "agent01", "agent02", "agent03", "agent04"))}
    if len(users) < 6 or Queue.objects.exists():
        return
    call_centre = Queue.objects.create(name="呼叫中心", supervisor=users["agent01"].supervisor)
    call_centre.members.add(*(users[f"agent0{i}"] for i in range(1, 5)))
    complaints = Queue.objects.create(name="投诉组", supervisor=users["sup1"])
    complaints.members.add(users["agent01"], users["agent02"])
    for order, name, kind, severity, target in (
            (10, "重大投诉报客户服务部经理", Kind.COMPLAINT, "major", {"assignee": users["deptmgr"]}),
            (20, "一般投诉交投诉组", Kind.COMPLAINT, "", {"queue": complaints}),
            (30, "咨询交呼叫中心", Kind.INQUIRY, "", {"queue": call_centre}),
            (40, "售后服务交客户经理", Kind.AFTER_SALES, "", {"to_owner": True}),
            (50, "客户提案交客户经理", Kind.PROPOSAL, "", {"to_owner": True})):
        AssignmentRule.objects.create(order=order, name=name, kind=kind, severity=severity,
                                      **target)
    for name, kind, severity, response, resolution, warn in POLICIES:
        SlaPolicy.objects.create(name=name, kind=kind, severity=severity,
                                 first_response_hours=response, resolution_hours=resolution,
                                 warn_hours=warn)
    for title, kind, body in REPLIES:
        CannedReply.objects.create(title=title, kind=kind, body=body)


def _working_moment(rng, day):
    """A moment within the working hours of `day` (or of the next working day)."""
    day = calendar.next_working_day(day, including=True)
    hour = rng.choice([9, 10, 11, 14, 15, 16, 17])
    return timezone.make_aware(datetime.combine(day, time(hour, rng.choice([0, 15, 30, 45]))))


def _handler(ticket, owner):
    """Who works the ticket: its assignee, else the first member of its queue."""
    ticket.refresh_from_db()
    if ticket.assignee_id:
        return ticket.assignee
    member = ticket.queue.members.order_by("username").first()
    services.ticket_take(actor=member, ticket=ticket, now=ticket.created_at + timedelta(minutes=20))
    return member


def _after(start, hours):
    return calendar.add_business_hours(start, Decimal(hours))


def _play(rng, ticket, owner, fate, now):
    """Drive one ticket through the services to `fate`, each step at its moment."""
    handler = _handler(ticket, owner)
    start = ticket.created_at
    late = fate == "late"
    reply_at = _after(start, rng.choice([30, 40]) if late else rng.choice([1, 2, 3, 6]))
    if reply_at >= now:
        return
    services.ticket_reply(actor=handler, ticket=ticket, body=rng.choice(REPLIES)[2],
                          now=reply_at)
    if fate == "in_progress":
        services.ticket_note(actor=handler, ticket=ticket, body="已联系仓库核查批次，等待回复。",
                             now=reply_at + timedelta(minutes=30))
        return
    if fate == "waiting":
        services.ticket_wait(actor=handler, ticket=ticket, now=reply_at + timedelta(minutes=10))
        return
    resolved_at = _after(reply_at, rng.choice([60, 80]) if late else rng.choice([2, 5, 8, 16]))
    if resolved_at >= now:
        return
    cause = rng.choice(CAUSES) if ticket.kind == Kind.COMPLAINT else ""
    services.ticket_resolve(actor=handler, ticket=ticket, cause=cause, now=resolved_at,
                            resolution="已核实情况并按公司规定处理，客户表示接受。")
    if fate == "resolved":
        return
    closed_at = resolved_at + timedelta(hours=rng.choice([2, 20, 26]))
    if closed_at >= now:
        return
    rating = rng.choice([5, 5, 4, 4, 3]) if not late else rng.choice([2, 3, 1])
    services.ticket_close(actor=handler, ticket=ticket, rating=rating, now=closed_at,
                          comment="" if rating > 3 else "处理太慢")
    if fate == "reopened" and closed_at + timedelta(days=2) < now:
        services.ticket_reopen(actor=handler, ticket=ticket, reason="客户反映问题再次出现",
                               now=closed_at + timedelta(days=2))
    if fate == "case":
        supervisor = User.objects.get(username="sup1")
        services.case_library_add(actor=supervisor, ticket=ticket, now=closed_at,
                                  summary="先致歉、再核实批次，当天给出调换方案，客户满意。")


FATES = [("closed", 50), ("late", 12), ("case", 6), ("reopened", 4), ("resolved", 8),
         ("in_progress", 8), ("waiting", 6), ("new", 6)]


@transaction.atomic
def load_demo_tickets(*, seed=2026, count=TICKETS):
    ensure_service_desk()
    if Ticket.objects.exists():
        return
    director = User.objects.filter(username="director").first()
    customers = list(Customer.objects.filter(is_deleted=False, owner__username__in=(
        "am01", "am02", "am03", "am05", "am09")).select_related("owner").order_by("pk")[:60])
    if director is None or not customers:
        return
    rng = random.Random(seed)
    now = timezone.now()
    kinds = [Kind.COMPLAINT] * 5 + [Kind.INQUIRY] * 3 + [Kind.AFTER_SALES] * 2 + [Kind.PROPOSAL]
    fates = [fate for fate, weight in FATES for _ in range(weight)]
    for i in range(count):
        customer = rng.choice(customers)
        kind = rng.choice(kinds)
        subject, category, product = rng.choice(SUBJECTS[kind])
        # Older tickets are settled; the last days' are still open.
        fate = rng.choice(fates) if i < count - 24 else rng.choice(["new", "in_progress",
                                                                     "waiting", "resolved"])
        age = rng.randint(20, 365) if i < count - 24 else rng.randint(0, 6)
        created = _working_moment(rng, (now - timedelta(days=age)).date())
        if created >= now:
            created = now - timedelta(minutes=5)
        registrar = customer.owner if rng.random() < 0.6 else director
        ticket = services.ticket_create(actor=registrar, now=created, data={
            "customer": customer, "kind": kind, "subject": subject, "category": category,
            "product": product, "batch": f"B{rng.randint(2401, 2612)}" if product else "",
            "severity": "major" if kind == Kind.COMPLAINT and rng.random() < 0.1 else "general",
            "channel": rng.choice(["phone", "phone", "walk_in", "visit", "call_centre", "email"]),
            "description": f"客户反映：{subject}。请尽快核实处理并答复客户。",
            "reporter_name": rng.choice(["王店长", "李老板", "张经理", "陈女士"])})
        if fate != "new":
            _play(rng, ticket, customer.owner, fate, now)
    services.sla_sweep(now=now)


# --- the call centre ----------------------------------------------------------------------------

CALLS = 320
CALL_TOPICS = [  # purpose, result, summary
    (CallPurpose.INQUIRY, CallResult.ANSWERED, "询问本月促销政策，已解答。"),
    (CallPurpose.INQUIRY, CallResult.ANSWERED, "询问新品上市时间，已告知。"),
    (CallPurpose.INQUIRY, CallResult.CALLBACK, "查询上月账款，需财务核对后回电。"),
    (CallPurpose.COMPLAINT, CallResult.TICKET, "反映卷烟受潮发霉，要求调换。"),
    (CallPurpose.AFTER_SALES, CallResult.TICKET, "陈列柜灯不亮，预约上门维修。"),
    (CallPurpose.PROPOSAL, CallResult.ANSWERED, "建议开通微信对账，已记录。"),
    (CallPurpose.OTHER, CallResult.TRANSFERRED, "找客户经理，已转接。"),
]
RETURN_VISITS = [CallResult.ANSWERED, CallResult.ANSWERED, CallResult.NO_ANSWER,
                 CallResult.BUSY, CallResult.REFUSED]


def _demo_call(rng, person, customer, started, inbound):
    """One call of `person` at `started`: about `customer` (None: an unknown number)."""
    phone = customer.phone if customer is not None else f"137{rng.randint(0, 99999999):08d}"
    if inbound:
        purpose, result, summary = rng.choice(CALL_TOPICS)
        if customer is None and result == CallResult.TICKET:
            result = CallResult.CALLBACK
    else:
        purpose, result, summary = (CallPurpose.RETURN_VISIT, rng.choice(RETURN_VISITS),
                                    "服务单处理后回访，了解客户满意度。")
    call, _new = services.call_record(actor=person, now=started + timedelta(hours=1), data={
        "direction": "in" if inbound else "out", "phone": phone, "customer": customer,
        "started_at": started, "duration": rng.choice([45, 90, 150, 240, 360, 600, 900]),
        "purpose": purpose, "result": result, "summary": summary})
    if result == CallResult.TICKET:
        services.call_ticket_create(actor=person, call=call, now=started + timedelta(minutes=20),
                                    data={"subject": summary[:20]})
    return call


@transaction.atomic
def load_demo_calls(*, seed=2027, count=CALLS):
    """A few months of calls: the agents' (numbers they cannot match are unmatched) and the
    account managers' about their own customers, some calling back within days (they count
    against first-contact resolution), some raising tickets."""
    if Call.objects.exists():
        return
    people = list(User.objects.filter(username__in=(
        "agent01", "agent02", "agent03", "agent04", "am01", "am02", "am03")).order_by("username"))
    if not people:
        return
    own = {p.pk: list(Customer.objects.visible_to(p).filter(owner=p).exclude(phone="")[:20])
           for p in people}
    rng = random.Random(seed)
    now = timezone.now()
    for _ in range(count):
        person = rng.choice(people)
        customer = rng.choice(own[person.pk]) if own[person.pk] and rng.random() < 0.8 else None
        started = _working_moment(rng, (now - timedelta(days=rng.randint(1, 120))).date())
        if started >= now - timedelta(hours=2):
            continue
        call = _demo_call(rng, person, customer, started, inbound=rng.random() < 0.75)
        if call.direction == "in" and rng.random() < 0.15:  # the customer calls again
            again = started + timedelta(days=rng.randint(1, 4))
            if again < now - timedelta(hours=2):
                _demo_call(rng, person, customer, again, inbound=True)
