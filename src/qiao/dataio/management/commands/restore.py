"""manage.py restore ARCHIVE (or `qiao restore`): the archive's database into the configured,
empty database and its files into MEDIA_ROOT, then checked against its manifest (dataio.backup).
Exits non-zero on a refusal (damaged archive, database not empty, another engine) and on any
difference after the restore."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qiao.dataio import backup


class Command(BaseCommand):
    help = ("Restore a backup archive into an empty database (the configured one) and "
            "MEDIA_ROOT, then verify every table's row count and every file's checksum.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the archive's directory (in "
                            "QIAO_BACKUP_DIR, e.g. var/backups/qiao-20261207-013000)")

    def handle(self, *args, **options):
        path = options["archive"]
        if not path.exists() and not path.is_absolute():
            path = backup.backup_dir() / path  # a name from the backups page
        try:
            report = backup.restore(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The restore does not match the archive's manifest (above).")
        self.stdout.write(self.style.SUCCESS("Restore verified."))
