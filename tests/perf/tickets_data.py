"""Service tickets for `make bench`: 500,000 tickets (any scale) written with bulk_create, as
the service desk would hold them after two years — most closed, the newest still open — with
a reply each, so that the agents' queues, the managers' lists, a search and the monthly
analysis are measured at the issue's size. Deterministic (seeded).

Customers are those of the account managers (and of the agents' queue: the call centre takes
a quarter of the tickets); the clocks are the default policy's, moved by whole days (the
business calendar is measured by its own tests, not here). Kept like the approval data: a row
`tickets` in the marker table qiao_bench_meta."""

import random
import time
from datetime import UTC, datetime, timedelta

from tests.perf.approvals_data import read_marker, write_marker

TICKETS_VERSION = 1
TICKETS = 500_000
BATCH = 5_000
SUBJECTS = ("卷烟受潮发霉", "送货延误", "配送员态度差", "条盒包装破损", "发票金额有误",
            "询问新品上市时间", "如何网上订货", "陈列柜灯不亮", "扫码枪无法连接",
            "建议增加小包装规格", "价格调整未通知", "查询上月账款")
KINDS = ("complaint",) * 5 + ("inquiry",) * 3 + ("after_sales",) * 2 + ("proposal",)


def ensure(vendor, seed=2026, total=TICKETS) -> dict:
    from qiao.tickets.models import Ticket

    wanted = {"version": TICKETS_VERSION, "tickets": total, "seed": seed}
    meta = read_marker("tickets")
    if meta and all(meta.get(k) == v for k, v in wanted.items()) \
            and Ticket.objects.count() == total:
        print(f"Reusing {total:,} service tickets generated {meta['generated_at']}")
        return meta
    started = time.perf_counter()
    generate(seed=seed, total=total)
    seconds = round(time.perf_counter() - started, 1)
    _analyze(vendor)
    meta = {**wanted, "seconds": seconds,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_marker(meta, "tickets")
    print(f"Generated {total:,} service tickets in {seconds} s")
    return meta


def _analyze(vendor):
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgres":
            for table in ("tickets_ticket", "tickets_ticketmessage", "tickets_ticketevent"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def _queue(agents):
    from qiao.tickets.models import Queue

    queue, _ = Queue.objects.get_or_create(name="呼叫中心")
    queue.members.add(*agents)
    return queue


def generate(*, seed, total):
    from django.db import transaction
    from django.utils import timezone

    from qiao.customers.models import Customer
    from qiao.org.models import User
    from qiao.tickets.models import Ticket, TicketEvent, TicketMessage

    rng = random.Random(seed)
    managers = list(User.objects.filter(position__role__code="account_manager", is_active=True)
                    .order_by("username"))
    agents = list(User.objects.filter(position__role__code="agent").order_by("username"))
    customers = {}
    for pk, owner in (Customer.objects.filter(owner__in=managers, is_deleted=False)
                      .order_by("pk").values_list("pk", "owner_id")):
        customers.setdefault(owner, []).append(pk)
    managers = [m for m in managers if customers.get(m.pk)]
    if not managers or not agents:
        raise SystemExit("ticket data: no account managers with customers, or no agents")
    queue = _queue(agents)
    now = timezone.now()
    span = timedelta(days=730)
    with transaction.atomic():
        for model in (TicketEvent, TicketMessage, Ticket):
            model.objects.all()._raw_delete(model.objects.db)
        for start in range(0, total, BATCH):
            tickets = []
            for i in range(start, min(start + BATCH, total)):
                manager = managers[i % len(managers)]
                created = now - span + span * (i / total) + timedelta(seconds=rng.randint(0, 59))
                recent = i >= total * 0.98  # the last two weeks' tickets are still open
                status = rng.choice(("new", "in_progress", "waiting", "resolved")) if recent \
                    else "closed"
                answered = status != "new"
                late = rng.random() < 0.12
                in_queue = i % 4 == 0
                kind = KINDS[i % len(KINDS)]
                resolved = created + timedelta(days=rng.choice((1, 2, 5)) if late else 1,
                                               hours=rng.randint(0, 5))
                tickets.append(Ticket(
                    kind=kind, channel=rng.choice(("phone", "walk_in", "call_centre", "visit")),
                    customer_id=rng.choice(customers[manager.pk]),
                    subject=rng.choice(SUBJECTS), description="客户反映的问题，详见通话记录。",
                    category=rng.choice(("quality", "delivery", "service", "price", "other")),
                    severity="major" if i % 37 == 0 else "general",
                    status=status, queue=queue if in_queue else None,
                    assignee=None if in_queue and status == "new" else
                    (agents[i % len(agents)] if in_queue else manager),
                    created_by=manager, is_repeat=i % 23 == 0,
                    first_response_due=created + timedelta(days=1),
                    first_response_warn_at=created + timedelta(hours=20),
                    first_response_at=created + timedelta(hours=30 if late else 2)
                    if answered else None,
                    resolution_due=created + timedelta(days=3),
                    resolution_warn_at=created + timedelta(days=2, hours=20),
                    paused_at=created + timedelta(hours=3) if status == "waiting" else None,
                    resolved_at=resolved if status in ("resolved", "closed") else None,
                    resolution="已处理" if status in ("resolved", "closed") else "",
                    cause=rng.choice(("product", "staff", "logistics", "customer"))
                    if kind == "complaint" and status in ("resolved", "closed") else "",
                    closed_at=resolved + timedelta(hours=4) if status == "closed" else None,
                    rating=rng.choice((5, 5, 4, 4, 3, 2)) if status == "closed" else None,
                    created_at=created, updated_at=created))
            made = Ticket.objects.bulk_create(tickets)
            if made[0].pk is None:  # SQLite before RETURNING: read the ids back
                made = list(Ticket.objects.order_by("-pk")[:len(tickets)])[::-1]
            TicketMessage.objects.bulk_create(
                [TicketMessage(ticket_id=t.pk, kind="reply", body="您好，已受理，正在处理。",
                               author_id=t.assignee_id, created_at=t.first_response_at)
                 for t in made if t.first_response_at], batch_size=2000)
            TicketEvent.objects.bulk_create(
                [TicketEvent(ticket_id=t.pk, code="created", params={"channel": "电话"},
                             actor_id=t.created_by_id, at=t.created_at) for t in made],
                batch_size=2000)
