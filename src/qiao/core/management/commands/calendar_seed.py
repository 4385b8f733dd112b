"""`manage.py calendar_seed`: add the holidays and make-up workdays chinesecalendar knows to the
business calendar (the migration did so once; run again after upgrading the library)."""

from django.core.management.base import BaseCommand

from qiao.core.calendar import seed_official_days


class Command(BaseCommand):
    help = ("Add every official holiday and make-up workday that chinesecalendar knows and the "
            "business calendar lacks. Rows already there are kept. Safe to run again.")

    def handle(self, *args, **options):
        added, differing = seed_official_days()
        self.stdout.write(f"{added} days added to the business calendar.")
        for day, kept, official in differing:
            self.stdout.write(self.style.WARNING(
                f"{day}: the calendar says {kept}, chinesecalendar says {official}; kept {kept}."))
