"""manage.py backup (or `qiao backup`): one archive of the database, the media files and a
manifest in QIAO_BACKUP_DIR (dataio.backup); with --prune, older archives deleted after it."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qiao.dataio import backup


class Command(BaseCommand):
    help = ("Back up the database and the stored files into one archive in QIAO_BACKUP_DIR "
            "(default var/backups), with a manifest of row counts and checksums.")

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="write the archive here instead of "
                            "QIAO_BACKUP_DIR")
        parser.add_argument("--prune", action="store_true", help="then delete the archives "
                            "older than QIAO_BACKUP_KEEP_DAYS (never the newest)")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            archive = backup.backup_create(directory=options["dir"])
            deleted = backup.backup_prune(directory=options["dir"]) if options["prune"] else []
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Backup {archive.path}: {archive.engine}, {len(archive.manifest['tables'])} tables, "
            f"{archive.rows:,} rows, {archive.media_files:,} media files, "
            f"{archive.size / 1e6:,.1f} MB, {archive.manifest['check']}, in "
            f"{time.monotonic() - started:.1f} s."))
        for name in deleted:
            self.stdout.write(f"Deleted {name} (older than {backup.keep_days()} days).")
