"""Visit records for `make bench`: VISITS records (any scale) written with bulk_create, as two
years of account managers' visits would leave them, with a commitment on every tenth.

Each account manager visits their own customers in turn, a customer about every two weeks;
every record points at one signature file name (the benchmark reads no file). Deterministic
(seeded). Kept like the customer data: a row `visits` in the marker table qiao_bench_meta
records the count and VISITS_VERSION; a run that finds them reuses the data."""

import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as dtime

VISITS_VERSION = 1
VISITS = 200_000
BATCH = 5_000
# The issue measures the visit list and the customer's visits tab at 1M records (scale M);
# 200,000 keeps the generation short on this machine. Not yet measured at 1M.


def read_marker():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM qiao_bench_meta WHERE name = %s", ["visits"])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(meta):
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM qiao_bench_meta WHERE name = %s", ["visits"])
        cursor.execute("INSERT INTO qiao_bench_meta (name, value) VALUES (%s, %s)",
                       ["visits", json.dumps(meta)])


def ensure(vendor, seed=2026, total=VISITS) -> dict:
    """The visit data, generated unless the marker says it is there."""
    from qiao.visits.models import Visit

    wanted = {"version": VISITS_VERSION, "visits": total, "seed": seed}
    meta = read_marker()
    if meta and all(meta.get(k) == v for k, v in wanted.items()) \
            and Visit.objects.count() == total:
        print(f"Reusing {total:,} visit records generated {meta['generated_at']}")
        return meta
    started = time.perf_counter()
    counts = generate(seed=seed, total=total)
    seconds = round(time.perf_counter() - started, 1)
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgres":
            for table in ("visits_visit", "visits_commitment"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    meta = {**wanted, **counts, "seconds": seconds,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_marker(meta)
    print(f"Generated {total:,} visit records in {seconds} s: {counts}")
    return meta


def generate(*, seed, total):
    from django.db import transaction
    from django.utils import timezone

    from qiao.customers.models import Customer
    from qiao.org.models import User
    from qiao.visits.models import Commitment, Visit

    rng = random.Random(seed)
    managers = list(User.objects.filter(position__role__code="account_manager", is_active=True)
                    .order_by("username"))
    customers = {}
    for pk, owner, level in (Customer.objects.filter(owner__in=managers, is_deleted=False)
                             .order_by("pk").values_list("pk", "owner_id", "secret_level")):
        customers.setdefault(owner, []).append((pk, level))
    managers = [m for m in managers if customers.get(m.pk)]
    if not managers:
        raise SystemExit("visit data: no account managers with customers")
    today = timezone.localdate()
    span = 730
    counts = {"commitments": 0}
    with transaction.atomic():
        for model in (Commitment, Visit.contacts.through, Visit):
            model.objects.all()._raw_delete(model.objects.db)
        for start in range(0, total, BATCH):
            visits = []
            for i in range(start, min(start + BATCH, total)):
                manager = managers[i % len(managers)]
                own = customers[manager.pk]
                customer, level = own[(i // len(managers)) % len(own)]
                day = today - timedelta(days=span - span * i // total)
                moment = timezone.make_aware(datetime.combine(
                    day, dtime(9 + rng.randrange(8), rng.randrange(60))))
                visits.append(Visit(
                    customer_id=customer, author=manager, kind="special" if i % 25 == 0
                    else "regular", situation="客户门店装修" if i % 25 == 0 else "",
                    method="on_site", planned=i % 25 != 0, visited_on=day, purpose="例行走访",
                    tasks=["inform", "collect", "stock"], findings="柜台陈列整齐，库存正常。",
                    signed_in_at=moment, signer_name="王建国", signed_at=moment,
                    idempotency_key=uuid.UUID(int=rng.getrandbits(128)),
                    file="visits/signatures/bench.png", original_name="签名.png",
                    content_type="image/png", size=1024, uploaded_by=manager,
                    uploaded_at=moment, secret_level=level, created_at=moment,
                    updated_at=moment))
            made = Visit.objects.bulk_create(visits)
            if made[0].pk is None:  # SQLite before RETURNING: read the ids back
                made = list(Visit.objects.order_by("-pk")[:len(visits)])[::-1]
            commitments = []
            for visit in made[::10]:
                due = visit.visited_on + timedelta(days=7)
                done = due < today - timedelta(days=14)
                commitments.append(Commitment(
                    visit_id=visit.pk, customer_id=visit.customer_id, owner_id=visit.author_id,
                    text="补送畅销品", due_on=due,
                    status="fulfilled" if done else "open", closed_on=due if done else None,
                    return_due_on=due + timedelta(days=7) if done else None,
                    created_at=visit.created_at, updated_at=visit.created_at))
            counts["commitments"] += len(Commitment.objects.bulk_create(commitments))
    return counts
