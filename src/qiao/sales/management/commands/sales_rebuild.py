"""manage.py sales_rebuild: recompute the sales fact tables from the ledger's documents (after
a restore, or to check them: the postings keep the same sums as they go)."""

import time

from django.core.management.base import BaseCommand

from qiao.sales.services import rebuild


class Command(BaseCommand):
    help = ("Recompute the monthly sales figures (ManagerMonth, CustomerMonth, ProductMonth) "
            "from the ledger.")

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = rebuild()
        self.stdout.write(self.style.SUCCESS(
            f"Rebuilt {counts['managers']:,} manager-month, {counts['customers']:,} "
            f"customer-month and {counts['products']:,} product-month rows in "
            f"{time.monotonic() - started:.1f} s."))
