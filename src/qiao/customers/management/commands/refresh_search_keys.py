"""`manage.py refresh_search_keys`: recompute customers' search keys after a change of how they
are folded (migration customers.0011 runs the same function)."""

from django.core.management.base import BaseCommand

from qiao.customers.services import search_keys_refresh


class Command(BaseCommand):
    help = ("Recompute the search and duplicate-check keys of customers whose keys are not in "
            "the current form. Safe to run again.")

    def handle(self, *args, **options):
        count = search_keys_refresh()
        self.stdout.write(f"Search keys of {count} customers recomputed.")
