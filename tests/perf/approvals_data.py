"""Approval requests for `make bench`: 100,000 hospitality requests (any scale) written with
bulk_create in a few seconds, as the engine would have left them after two years of use.

Requesters are the account managers, spread evenly; each request has its step 1 task
(the requester's supervisor) and, from ¥2,000, its step 2 task (the department manager), and
the events of what happened. A realistic mix of states: most requests are closed (approved
74 %, rejected 9 %, returned 7 %, withdrawn 10 %), a third of the newest tenth open — so that
each supervisor has a few hundred tasks waiting, and the department manager about a thousand.
Subjects are HospitalityRequest rows on customers the requester owns. Deterministic (seeded).

Kept like the customer data: a row `approvals` in the marker table qiao_bench_meta records
the count and APPROVALS_VERSION; a run that finds them reuses the data."""

import json
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

APPROVALS_VERSION = 2
REQUESTS = 100_000
BATCH = 5_000
# (state, weight) of a request; "open1" waits at step 1, "open2" at step 2 (from ¥2,000).
MIX = (("approved", 74), ("rejected", 9), ("returned", 7), ("withdrawn", 10))
# The newest tenth: a third of them still open (at step 1, or at step 2 from ¥2,000).
RECENT_MIX = (("approved", 50), ("rejected", 6), ("returned", 5), ("withdrawn", 6),
              ("open1", 21), ("open2", 12))


def read_marker(name="approvals"):
    """The marker row `name` of the benchmark's extra data (approvals, tickets), or None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM qiao_bench_meta WHERE name = %s", [name])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(meta, name="approvals"):
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM qiao_bench_meta WHERE name = %s", [name])
        cursor.execute("INSERT INTO qiao_bench_meta (name, value) VALUES (%s, %s)",
                       [name, json.dumps(meta)])


def ensure(vendor, seed=2026, total=REQUESTS) -> dict:
    """The approval data, generated unless the marker says it is there."""
    from qiao.approvals.models import ApprovalRequest

    wanted = {"version": APPROVALS_VERSION, "requests": total, "seed": seed}
    meta = read_marker()
    if meta and all(meta.get(k) == v for k, v in wanted.items()) \
            and ApprovalRequest.objects.count() == total:
        print(f"Reusing {total:,} approval requests generated {meta['generated_at']}")
        return meta
    started = time.perf_counter()
    counts = generate(seed=seed, total=total)
    seconds = round(time.perf_counter() - started, 1)
    _analyze(vendor)
    meta = {**wanted, **counts, "seconds": seconds,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_marker(meta)
    print(f"Generated {total:,} approval requests in {seconds} s: {counts}")
    return meta


def _analyze(vendor):
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgres":
            for table in ("approvals_approvalrequest", "approvals_approvaltask",
                          "approvals_approvalevent", "approvals_hospitalityrequest"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def generate(*, seed, total):
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from qiao.approvals.models import (
        ApprovalEvent,
        ApprovalRequest,
        ApprovalTask,
    )
    from qiao.customers.models import Customer
    from qiao.org.models import User
    from qiao.visits.demo import ensure_hospitality_chain
    from qiao.visits.models import HospitalityRequest

    rng = random.Random(seed)
    ensure_hospitality_chain()
    requesters = list(User.objects.filter(position__role__code="account_manager", is_active=True,
                                          supervisor__isnull=False).order_by("username"))
    deptmgr = User.objects.filter(position__role__code="dept_manager", is_active=True) \
        .order_by("username").first()
    if not requesters or deptmgr is None:
        raise SystemExit("approval data: no account managers with supervisors, or no "
                         "department manager")
    customers = {}
    for pk, name, owner in (Customer.objects.filter(owner__in=requesters, is_deleted=False)
                            .order_by("pk").values_list("pk", "name", "owner_id")):
        customers.setdefault(owner, []).append((pk, name))
    requesters = [u for u in requesters if customers.get(u.pk)]
    content_type = ContentType.objects.get_for_model(HospitalityRequest)
    usual, recent = zip(*MIX, strict=True), zip(*RECENT_MIX, strict=True)
    usual, recent = list(usual), list(recent)
    now = timezone.now()
    span = timedelta(days=730)
    Task, State, Kind = ApprovalTask.State, ApprovalRequest.State, ApprovalEvent.Kind
    with transaction.atomic():
        # One DELETE per table (the ORM's delete() collects 500,000 rows first: minutes).
        for model in (ApprovalEvent, ApprovalTask, ApprovalRequest, HospitalityRequest):
            model.objects.all()._raw_delete(model.objects.db)
        counts = {"tasks": 0, "events": 0}
        for start in range(0, total, BATCH):
            plans = []
            for i in range(start, min(start + BATCH, total)):
                user = requesters[i % len(requesters)]
                created = now - span + span * (i / total) + timedelta(seconds=rng.randint(0, 59))
                amount = Decimal(rng.randrange(300_00, 6000_00, 50)) / 100
                # Open requests are the newest: an old one still open would be unusual.
                state = rng.choices(*(recent if i >= total * 0.9 else usual))[0]
                if state == "open2" and amount < 2000:
                    state = "open1"
                plans.append((i, user, created, amount, state, rng.choice(customers[user.pk])))
            subjects = HospitalityRequest.objects.bulk_create([
                HospitalityRequest(customer_id=customer[0], requester=user,
                                   amount=amount, date=created.date() + timedelta(days=7),
                                   guests="客户采购部 2 人", purpose="业务招待",
                                   created_at=created, updated_at=created)
                for _i, user, created, amount, state, customer in plans])
            if subjects[0].pk is None:  # SQLite before RETURNING: read the ids back
                subjects = list(HospitalityRequest.objects.order_by("-pk")[:len(plans)])[::-1]
            requests, tasks, events = [], [], []
            for (_i, user, created, amount, state, customer), subject in zip(plans, subjects,
                                                                              strict=True):
                two = amount >= 2000
                later = created + timedelta(hours=rng.randint(1, 72))
                end = created + timedelta(hours=rng.randint(73, 200))
                request_state, order = {
                    "approved": (State.APPROVED, 2 if two else 1),
                    "rejected": (State.REJECTED, 1),
                    "returned": (State.RETURNED, 1),
                    "withdrawn": (State.WITHDRAWN, 1),
                    "open1": (State.SUBMITTED, 1),
                    "open2": (State.IN_PROGRESS, 2),
                }[state]
                requests.append(ApprovalRequest(
                    type_code="hospitality", content_type=content_type, object_id=subject.pk,
                    requester=user, requester_unit_id=user.unit_id,
                    title_params={"customer": customer[1], "amount": f"{amount:.2f}"},
                    written_title=f"招待费：{customer[1]}，¥{amount:.2f}", amount=amount,
                    state=request_state, current_order=order,
                    decided_at=end if state in ("approved", "rejected") else None,
                    version=1 if state == "open1" else 2 + (state == "approved" and two),
                    created_at=created, updated_at=end if state != "open1" else created))
                step1 = {"approved": Task.APPROVED, "rejected": Task.REJECTED,
                         "returned": Task.RETURNED, "withdrawn": Task.SKIPPED,
                         "open1": Task.WAITING, "open2": Task.APPROVED}[state]
                step2 = {"approved": Task.APPROVED, "open1": Task.PENDING,
                         "open2": Task.WAITING}.get(state, Task.SKIPPED)
                plan = [(1, "主管审批", user.supervisor_id, step1, later)]
                if two:
                    plan.append((2, "部门经理审批", deptmgr.pk, step2, end))
                kinds = [(Kind.SUBMITTED, user.pk, "", "", created)]
                for order_, label, approver, task_state, when in plan:
                    decided = task_state in (Task.APPROVED, Task.REJECTED, Task.RETURNED)
                    comment = {Task.APPROVED: "同意", Task.REJECTED: "超出标准",
                               Task.RETURNED: "请补充来宾名单"}.get(task_state, "")
                    waiting_since = (later if order_ == 2 else created) \
                        if task_state == Task.WAITING else None
                    tasks.append((len(requests) - 1, dict(
                        round=1, order=order_, step_label=label, approver_id=approver,
                        state=task_state, decided_at=when if decided else None, comment=comment,
                        **({"waiting_since": waiting_since}
                           if hasattr(ApprovalTask, "waiting_since") else {}))))
                    if decided:
                        kinds.append((task_state, approver, comment, label, when))
                if state == "approved":
                    kinds.append((Kind.COMPLETED, None, "", "", end))
                if state == "withdrawn":
                    kinds.append((Kind.WITHDRAWN, user.pk, "", "", later))
                events.append((len(requests) - 1, kinds))
            requests = ApprovalRequest.objects.bulk_create(requests)
            if requests[0].pk is None:
                requests = list(ApprovalRequest.objects.order_by("-pk")[:len(requests)])[::-1]
            made = ApprovalTask.objects.bulk_create(
                [ApprovalTask(request_id=requests[r].pk, **fields) for r, fields in tasks],
                batch_size=2000)
            counts["tasks"] += len(made)
            made = ApprovalEvent.objects.bulk_create(
                [ApprovalEvent(request_id=requests[r].pk, kind=kind, actor_id=actor,
                               comment=comment, step_label=label, created_at=when)
                 for r, kinds in events for kind, actor, comment, label, when in kinds],
                batch_size=2000)
            counts["events"] += len(made)
    counts["waiting"] = dict(
        ApprovalTask.objects.filter(state=Task.WAITING).values_list("approver__username")
        .annotate(n=Count("id")).order_by("-n")[:5])
    return counts
