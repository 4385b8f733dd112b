"""manage.py load_demo [--scale demo|S|M|L] [--seed N] [--if-empty] [--no-history]

Scales: demo 3,000 customers (`make demo`), S 10k, M 100k, L 1M (see qiao.demo.generator).
The benchmark (`make bench`) loads its own databases with the same generator."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from qiao.appraisal.demo import load_demo_appraisal
from qiao.customers.demo_requests import load_demo_lifecycle, load_demo_personal_data
from qiao.customers.reminders import (
    birthday_remind,
    clearance_mismatch_remind,
    licence_expiry_remind,
)
from qiao.demo.generator import SCALES, generate, summary
from qiao.org.models import User
from qiao.promotions.demo import load_demo_promotions
from qiao.sales.demo import load_demo_sales
from qiao.tickets.demo import load_demo_calls, load_demo_tickets
from qiao.visits.demo import load_demo_visits
from qiao.workorders.demo import load_demo_workorders


class Command(BaseCommand):
    help = "Load the demo company and customers (deterministic for a seed)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the database already has users.")
        parser.add_argument("--no-history", action="store_true",
                            help="Skip the initial history rows (always skipped at scale L).")

    def handle(self, *args, scale, seed, if_empty, no_history, **options):
        if User.objects.exists():
            if if_empty:
                self.stdout.write("Database already has data; demo data not loaded.")
                return
            self.stderr.write("The database is not empty; use a fresh database.")
            raise SystemExit(2)
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"  {done:,}/{total:,} customers ({time.monotonic() - started:.0f} s)")

        # The demo's users share a password printed on the screen: each chooses their own at
        # their first login (while QIAO_FORCE_PASSWORD_CHANGE is on).
        generate(scale=scale, seed=seed, password=settings.QIAO_DEMO_PASSWORD,
                 with_history=False if no_history else None, progress=progress,
                 must_change_password=True)
        # Every request type's chain and requests in every state, so each screen has content.
        load_demo_visits()
        load_demo_lifecycle()
        load_demo_personal_data()
        load_demo_workorders()
        load_demo_promotions()
        load_demo_tickets()
        load_demo_calls()
        load_demo_sales()
        load_demo_appraisal()
        # This morning's reminders, as the worker's 07:00 job would have sent them.
        licence_expiry_remind()
        birthday_remind()
        clearance_mismatch_remind()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo data loaded: {SCALES[scale]:,} customers in {elapsed:.0f} s "
            f"({elapsed * 1000 / SCALES[scale]:.2f} ms per customer)."))
        for line in summary():
            self.stdout.write(f"  {line}")
