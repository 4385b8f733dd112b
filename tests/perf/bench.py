"""`make bench SCALE=S|M|L [DATABASE=sqlite|postgres] [BENCH_DATABASE_URL=…]`

    python -m tests.perf.bench --scale M [--database postgres] [--database-url URL]

Generates the demo data at a scale into the benchmark's own database (SQLite
var/bench-<scale>.sqlite3, or the PostgreSQL database qiao_bench_<scale>, created when
missing), reusing it when it already holds that scale and seed, then measures in-process with
django.test.Client the server time and the queries of the customer list and its searches as
an account manager (am01), a regional manager (region1) and the director. Prints a table and
writes var/bench-<scale>-<database>.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = PROJECT_DIR / "var"
META_TABLE = "qiao_bench_meta"
USERS = ("am01", "region1", "director")
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/"


# ---------------------------------------------------------------------------- the database


def database_url(args) -> tuple[str, str]:
    """(url, 'sqlite'|'postgres') of the benchmark database for the arguments."""
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        if args.database == "postgres":
            url = DEFAULT_PG
        else:
            return f"sqlite:///{VAR_DIR / f'bench-{args.scale}.sqlite3'}", "sqlite"
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return url, "sqlite"
    if parts.path.strip("/") == "":  # a server only: the scale's own database on it
        parts = parts._replace(path=f"/qiao_bench_{args.scale.lower()}")
    return urlunsplit(parts), "postgres"


def _pg_admin(url):
    """An autocommit connection to the server's maintenance database, and the bench db name."""
    import environ
    import psycopg

    cfg = environ.Env.db_url_config(url)
    conninfo = {"host": cfg.get("HOST") or "127.0.0.1", "port": cfg.get("PORT") or 5432,
                "user": cfg.get("USER") or "postgres", "dbname": "postgres"}
    if cfg.get("PASSWORD"):
        conninfo["password"] = cfg["PASSWORD"]
    return psycopg.connect(**conninfo, autocommit=True), cfg["NAME"]


def pg_create_if_missing(url):
    conn, name = _pg_admin(url)
    with conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created PostgreSQL database {name}")


def wipe(url, vendor):
    """Start from an empty database (the benchmark's own: never the application's)."""
    from django.db import connection

    name = Path(urlsplit(url).path).name
    if not name.startswith(("qiao_bench", "bench-")):
        raise SystemExit(f"Refusing to empty {name!r}: the benchmark only empties its own "
                         "databases (qiao_bench_*, var/bench-*.sqlite3)")
    connection.close()
    if vendor == "sqlite":
        path = Path(urlsplit(url).path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        conn, name = _pg_admin(url)
        with conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')


def read_meta():
    from django.db import connection

    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM qiao_bench_meta WHERE name = %s", ["bench"])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_meta(meta):
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS qiao_bench_meta "
                       "(name varchar(40) PRIMARY KEY, value text NOT NULL)")
        cursor.execute("DELETE FROM qiao_bench_meta WHERE name = %s", ["bench"])
        cursor.execute("INSERT INTO qiao_bench_meta (name, value) VALUES (%s, %s)",
                       ["bench", json.dumps(meta)])


def row_counts():
    from qiao.customers.models import Contact, Customer, CustomerEvent
    from qiao.org.models import User

    return {
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "customer_tags": Customer.tags.through.objects.count(),
        "customer_events": CustomerEvent.objects.count(),
        "historical_customers": Customer.history.model.objects.count(),
        "historical_contacts": Contact.history.model.objects.count(),
    }


def vacuum(vendor):
    """After a bulk load PostgreSQL's autovacuum soon vacuums and analyses the new rows
    (insert-triggered since PostgreSQL 13); do it now so that every run measures that state."""
    from django.db import connection

    if vendor == "postgres":
        with connection.cursor() as cursor:  # Django's connections are in autocommit mode
            cursor.execute("VACUUM ANALYZE")


def prepare(args, url, vendor) -> dict:
    """Migrate and, unless it already holds this scale and seed, (re)generate the data."""
    from django.conf import settings

    from qiao.demo.generator import GENERATOR_VERSION, SCALES, analyze, check_sample, generate

    wanted = {"scale": args.scale, "seed": args.seed, "generator_version": GENERATOR_VERSION,
              "history": not args.no_history if args.scale != "L" else False}
    meta = read_meta()
    if meta and all(meta.get(k) == v for k, v in wanted.items()) and not args.regenerate:
        started = time.perf_counter()
        applied = migrate()
        if applied:  # new indexes: fresh planner statistics, as after a load
            analyze()
            vacuum(vendor)
        print(f"Reusing the {args.scale} data generated {meta['generated_at']} "
              f"({len(applied)} migrations applied, {time.perf_counter() - started:.1f} s)")
        meta["reused"] = True
        meta["migrations_applied_now"] = applied
        return meta
    if meta is not None or _has_tables():
        print("Database holds other data: starting from an empty one")
        wipe(url, vendor)
    started = time.perf_counter()
    migrate()
    migrate_s = time.perf_counter() - started
    total = SCALES[args.scale]
    print(f"Generating scale {args.scale}: {total:,} customers, seed {args.seed} "
          f"(migrate {migrate_s:.1f} s)")
    started = time.perf_counter()

    def progress(done, total):
        if done == total or done % (total // 10 or 1) < 10_000:
            elapsed = time.perf_counter() - started
            print(f"  {done:>9,}/{total:,} customers  {elapsed:6.1f} s", flush=True)

    generate(scale=args.scale, seed=args.seed, password=settings.QIAO_DEMO_PASSWORD,
             with_history=wanted["history"], progress=progress)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    vacuum(vendor)
    vacuum_s = time.perf_counter() - started
    started = time.perf_counter()
    problems = check_sample() + check_search_index()
    for problem in problems[:10]:
        print("  DATA CHECK:", problem)
    meta = {**wanted, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "migrate_seconds": round(migrate_s, 2), "load_seconds": round(load_s, 2),
            "load_ms_per_customer": round(load_s * 1000 / total, 3),
            "vacuum_analyze_seconds": round(vacuum_s, 2),
            "data_check": {"sample": 300, "problems": len(problems),
                           "seconds": round(time.perf_counter() - started, 2)},
            "rows": row_counts()}
    write_meta(meta)
    print(f"Loaded in {load_s:.1f} s ({meta['load_ms_per_customer']} ms per customer); "
          f"data check: {len(problems)} problems")
    meta["reused"] = False
    return meta


def migrate() -> list[str]:
    """Apply the project's migrations; the names of those it applied."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    def applied():
        recorder = MigrationRecorder(connection)
        return set(recorder.applied_migrations()) if recorder.has_table() else set()

    before = applied()
    call_command("migrate", verbosity=0, interactive=False)
    return sorted(f"{app}.{name}" for app, name in applied() - before)


def check_search_index(terms=30, seed=2):
    """On SQLite, the trigram table of migration 0003 must answer like a scan of the column."""
    from django.db import connection

    from qiao.customers.models import Customer

    with connection.cursor() as cursor:
        if connection.vendor != "sqlite" or "customers_customer_search" not in \
                connection.introspection.table_names(cursor, include_views=True):
            return []
        rng, problems = random.Random(seed), []
        texts = list(Customer.objects.order_by("?").values_list("search_text", flat=True)[:terms])
        for text in texts:
            word = rng.choice([w for w in text.split() if len(w) >= 3] or ["abc"])
            start = rng.randrange(max(1, len(word) - 3))
            term = f"%{word[start:start + rng.randint(3, 8)]}%"
            cursor.execute("SELECT id FROM customers_customer WHERE search_text LIKE %s", [term])
            scanned = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT rowid FROM customers_customer_search WHERE search_text LIKE %s",
                           [term])
            indexed = {row[0] for row in cursor.fetchall()}
            if scanned != indexed:
                problems.append(f"search index: {term!r} finds {len(indexed)}, a scan {len(scanned)}")
    return problems


def _has_tables():
    from django.db import connection

    return bool(connection.introspection.table_names())


# ---------------------------------------------------------------------------- the cases


def search_terms(user, count, rng):
    """Search words a person would type, drawn from customers `user` sees: a city+brand name
    fragment (上海恒鑫), its full pinyin and initials, a phone number, a credit code."""
    from qiao.core.pinyin import pinyin_keys
    from qiao.customers.models import Customer

    visible = Customer.objects.visible_to(user)
    ids = list(visible.filter(kind=Customer.Kind.ENTERPRISE).order_by("pk")
               .values_list("pk", flat=True))
    picked = rng.sample(ids, min(len(ids), count * 2))
    rows = list(Customer.objects.filter(pk__in=picked).order_by("pk")
                .values_list("name", "phone", "credit_code"))
    rng.shuffle(rows)  # the same terms on SQLite and PostgreSQL, in the same order
    fragments = [name[:4] for name, _, _ in rows][:count]
    return {
        "search_name": fragments,
        "search_pinyin": [pinyin_keys(f)[0] for f in fragments],
        "search_initials": [pinyin_keys(f)[1] for f in fragments],
        "search_phone": [phone for _, phone, _ in rows if phone][:count],
        "search_credit_code": [code for _, _, code in rows if code][:count],
    }


def cases_for(user, requests, rng):
    """{case: [url, …]}: the list as it opens, sorted by name, each kind of search, a detail."""
    from qiao.customers.models import Customer

    cases = {"list": ["/customers/"], "list_by_name": ["/customers/?sort=name"]}
    for case, terms in search_terms(user, requests, rng).items():
        cases[case] = [f"/customers/?{urlencode({'q': t})}" for t in terms]
    ids = list(Customer.objects.visible_to(user).order_by("pk").values_list("pk", flat=True))
    cases["detail"] = [f"/customers/{pk}/" for pk in rng.sample(ids, min(len(ids), requests))]
    return cases


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def measure(client, urls, requests, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu, db, queries = [], [], [], []
    for n in range(warmup + requests):
        url = urls[n % len(urls)]
        connection.queries_log.clear()  # the log keeps 9,000 queries; counts need room
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(url)
            elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        if n >= warmup:
            times.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            db.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            queries.append(len(captured.captured_queries))
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "max_ms": round(max(times), 2),
        # This process's CPU time (SQLite runs in it; PostgreSQL's work is not counted):
        # what the request costs when the machine is busy with other work.
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
        # Time spent in the database calls, as Django measures them (millisecond steps).
        "db_p50_ms": round(statistics.median(db), 2),
        "db_p95_ms": round(percentile(db, 0.95), 2),
        "queries": queries[0] if len(set(queries)) == 1 else None,
        "queries_min": min(queries), "queries_max": max(queries),
    }


def matches(user, urls, sample=10):
    """Average number of customers a search finds (not timed): proves the terms hit."""
    from urllib.parse import parse_qs

    from qiao.customers.selectors import CustomerFilters, customer_list

    counts = []
    for url in urls[:sample]:
        q = parse_qs(urlsplit(url).query).get("q", [""])[0]
        counts.append(customer_list(user, CustomerFilters(q=q)).count())
    return round(statistics.fmean(counts), 1) if counts else None


def explain(user, url):
    """The plans of the queries one request runs (--explain)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    print(f"\n=== {user.username} {url}")
    for query in captured.captured_queries:
        sql = query["sql"]
        print(f"--- {query['time']} s  {sql[:300]}")
        if sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                for row in cursor.fetchall():
                    print("    ", " | ".join(str(c) for c in row))


# ---------------------------------------------------------------------------- the run

TARGETS = {"list": 60, "list_by_name": 60, "search": 100}


def target_of(case):
    return TARGETS.get(case) or (TARGETS["search"] if case.startswith("search") else None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["demo", "S", "M", "L"], default="S")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default="",
                        help="e.g. postgres://postgres@127.0.0.1:5432/ (server only: the "
                             "database qiao_bench_<scale> on it) or sqlite:////path/file")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per case")
    parser.add_argument("--regenerate", action="store_true", help="regenerate even if reusable")
    parser.add_argument("--no-history", action="store_true", help="skip initial history rows")
    parser.add_argument("--explain", action="store_true",
                        help="print the query plans of one request per case")
    parser.add_argument("--only", default="", help="comma-separated cases to run")
    args = parser.parse_args(argv)

    url, vendor = database_url(args)
    VAR_DIR.mkdir(exist_ok=True)
    if vendor == "postgres":
        pg_create_if_missing(url)
    os.environ["QIAO_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.perf.settings"
    # WhiteNoise's warning about var/static (no collectstatic here): not the benchmark's business.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from qiao.org.models import User

    parts = urlsplit(url)
    shown = "/" + parts.path.lstrip("/") if vendor == "sqlite" else urlunsplit(
        parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", "@")))
    print(f"Benchmark scale {args.scale} on {vendor} ({shown})")
    meta = prepare(args, url, vendor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]

    load_before = os.getloadavg()
    rng = random.Random(args.seed)
    only = {c.strip() for c in args.only.split(",") if c.strip()}
    results = []
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for case, urls in cases_for(user, args.requests, rng).items():
            if only and case not in only:
                continue
            if args.explain:
                explain(user, urls[0])
            stats = measure(client, urls, args.requests, args.warmup)
            stats.update(case=case, user=username, target_p95_ms=target_of(case),
                         matches=matches(user, urls) if case.startswith("search") else None)
            results.append(stats)
            print(f"  {case:<20} {username:<9} p50 {stats['p50_ms']:7.1f} ms  "
                  f"p95 {stats['p95_ms']:7.1f} ms  cpu p95 {stats['cpu_p95_ms']:6.1f} ms  "
                  f"db p95 {stats['db_p95_ms']:6.1f} ms  queries {stats['queries_min']}"
                  f"{'' if stats['queries'] is not None else '-' + str(stats['queries_max'])}",
                  flush=True)

    print_table(args.scale, vendor, meta, results)
    print(f"Load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after "
          f"({os.cpu_count()} CPUs): wall times grow with it, cpu times much less")
    report = {
        "scale": args.scale, "seed": args.seed, "database": vendor,
        "database_version": version,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(),
        # Other work on the machine inflates wall times (p50/p95), less so cpu_* times.
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "requests_per_case": args.requests, "warmup_per_case": args.warmup,
        "data": {k: meta.get(k) for k in ("generated_at", "reused", "history", "rows",
                                          "migrate_seconds", "load_seconds",
                                          "load_ms_per_customer", "vacuum_analyze_seconds",
                                          "data_check", "migrations_applied_now")},
        "cases": results,
    }
    if only or args.explain:
        print("\nPartial or --explain run: report not written")
        return 0
    path = VAR_DIR / f"bench-{args.scale}-{vendor}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\nReport: {path.relative_to(PROJECT_DIR)}")
    compare_queries(args.scale, vendor, results)
    missed = [r for r in results if r["target_p95_ms"] and r["p95_ms"] > r["target_p95_ms"]]
    if missed and args.scale == "M":
        print(f"{len(missed)} case(s) above their p95 target at scale M")
    return 0


def print_table(scale, vendor, meta, results):
    rows = meta.get("rows") or {}
    print(f"\nScale {scale} on {vendor}: {rows.get('customers', 0):,} customers, "
          f"{rows.get('contacts', 0):,} contacts; loaded in {meta.get('load_seconds')} s"
          f"{' (earlier run)' if meta.get('reused') else ''}")
    header = (f"{'case':<20} {'user':<9} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} "
              f"{'cpu p95':>8} {'db p95':>7} {'queries':>8} {'hits':>7}")
    print(header)
    print("-" * len(header))
    for r in results:
        queries = r["queries"] if r["queries"] is not None else f"{r['queries_min']}-{r['queries_max']}"
        target = f"{r['target_p95_ms']}" if r["target_p95_ms"] else ""
        flag = " !" if r["target_p95_ms"] and r["p95_ms"] > r["target_p95_ms"] else ""
        hits = "" if r["matches"] is None else f"{r['matches']:g}"
        print(f"{r['case']:<20} {r['user']:<9} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} "
              f"{target:>7} {r['cpu_p95_ms']:8.1f} {r['db_p95_ms']:7.1f} {queries!s:>8} "
              f"{hits:>7}{flag}")


def compare_queries(scale, vendor, results):
    """Queries per request must not depend on the amount of data: compare with the other
    scales' reports on the same database."""
    mine = {(r["case"], r["user"]): r["queries"] for r in results}
    for other in ("demo", "S", "M", "L"):
        path = VAR_DIR / f"bench-{other}-{vendor}.json"
        if other == scale or not path.exists():
            continue
        theirs = {(r["case"], r["user"]): r["queries"]
                  for r in json.loads(path.read_text())["cases"]}
        differ = [k for k in mine if k in theirs and mine[k] != theirs[k]]
        if differ:
            print(f"Queries per request differ from scale {other}: "
                  + ", ".join(f"{c}/{u} {theirs[(c, u)]}→{mine[(c, u)]}" for c, u in differ))
        else:
            print(f"Queries per request identical to scale {other} "
                  f"({len([k for k in mine if k in theirs])} cases)")


if __name__ == "__main__":
    sys.exit(main())
