"""`manage.py pool_reclaim`: run the public pool's reclaim rule now (it also runs daily as the
task customers.tasks.pool_reclaim_daily)."""

from django.core.management.base import BaseCommand

from qiao.customers.services import pool_reclaim


class Command(BaseCommand):
    help = ("Return to the public pool every customer whose region's rule says so (no follow-up "
            "for the rule's number of days, or offboarded). Safe to run again.")

    def handle(self, *args, **options):
        count = pool_reclaim()
        self.stdout.write(f"{count} customers reclaimed to the public pool.")
