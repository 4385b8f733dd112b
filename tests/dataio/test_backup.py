"""Backup and restore (DAT-4, CHECKS C20): an archive of the database, the stored files and a
manifest; restored into a fresh, empty database (SQLite, or PostgreSQL when the suite runs on
it) and compared with the original; refused into a database holding rows and from an altered
archive, before anything is written; retention; the backups page, the administrator's alone."""

import datetime
import io
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse
from django.utils import timezone

from qiao.audit.models import OperationLog
from qiao.customers import services as customer_services
from qiao.customers.models import Attachment, Contact, Customer
from qiao.dataio import backup
from qiao.notify.models import Notification
from qiao.org.models import User

from ..factories import make_contact

PDF = b"%PDF-1.4\n% backup test\n%%EOF\n"
RESTORE_DB = "qiao_h_backup_restore"


def engine():
    return backup.engine_of(connections[DEFAULT_DB_ALIAS].settings_dict)


@pytest.fixture
def backups(settings, tmp_path):
    settings.QIAO_BACKUP_DIR = tmp_path / "backups"
    return settings.QIAO_BACKUP_DIR


@pytest.fixture
def target(tmp_path):
    """The settings of a fresh, empty database of the suite's engine, removed afterwards."""
    source = connections[DEFAULT_DB_ALIAS].settings_dict
    if engine() == backup.SQLITE:
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    if not Path(backup.PG_DUMP).exists() or not Path(backup.PG_RESTORE).exists():
        pytest.skip("PostgreSQL's client programs (pg_dump, pg_restore) are not installed")
    database = {**source, "NAME": RESTORE_DB}
    with backup._pg_connect(source, "postgres") as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
        connection.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    yield database
    with backup._pg_connect(source, "postgres") as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)')


def fetch(database, sql):
    """Rows of `sql` read from another database than the suite's (the restore's target)."""
    if backup.engine_of(database) == backup.SQLITE:
        connection = sqlite3.connect(database["NAME"])
        try:
            return [tuple(row) for row in connection.execute(sql)]
        finally:
            connection.close()
    with backup._pg_connect(database) as connection:
        return [tuple(row) for row in connection.execute(sql)]


def some_records(personas):
    """A contact and an attachment (a stored file) on am01's first customer."""
    customer = personas.customers["am01"][0]
    am01 = personas["am01"]
    make_contact(customer, am01, name="备份联系人", mobile="13912345678")
    customer_services.attachment_add(
        actor=am01, customer=customer, upload=SimpleUploadedFile("营业执照.pdf", PDF,
                                                                 "application/pdf"))
    return customer


# --- C20: back up, restore into an empty database, compare -----------------------------------

@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_every_row_and_file(
        personas, backups, target, media, tmp_path):
    customer = some_records(personas)
    attachment = Attachment.objects.get(customer=customer)
    archive = backup.backup_create()

    manifest = json.loads((archive.path / "manifest.json").read_text())
    assert archive.path.parent == backups and archive.name.startswith("qiao-")
    assert manifest["engine"] == engine() and manifest["verified"] is True
    assert manifest["check"] == ("ok" if engine() == backup.SQLITE else "pg_dump ok")
    assert manifest["version"] and manifest["created_at"]
    tables = manifest["tables"]
    assert set(tables) == set(backup.model_tables())  # every model's table, counted
    assert tables["customers_customer"] == Customer._base_manager.count()
    assert tables["customers_contact"] == Contact._base_manager.count()
    assert tables["org_user"] == User.objects.count()
    stored = f"media/{attachment.file.name}"
    assert manifest["files"][stored]["sha256"] == backup.sha256_of(media / attachment.file.name)
    assert manifest["database_file"] in manifest["files"]

    restored_media = tmp_path / "restored-media"
    report = backup.restore(archive.path, database=target, media_root=restored_media)
    assert report.ok, report.mismatches
    assert {t: got for t, (_n, got) in report.tables.items()} == tables
    assert "every row count and checksum equal" in report.lines()[-1]
    # The content, not only the counts: customers, contacts, users and the file's bytes.
    assert fetch(target, "SELECT id, name, credit_code, owner_id FROM customers_customer "
                         "ORDER BY id") == list(
        Customer._base_manager.order_by("id").values_list("id", "name", "credit_code",
                                                          "owner_id"))
    assert fetch(target, "SELECT name, mobile FROM customers_contact ORDER BY id") == list(
        Contact._base_manager.order_by("id").values_list("name", "mobile"))
    assert fetch(target, "SELECT username, password FROM org_user ORDER BY id") == list(
        User.objects.order_by("id").values_list("username", "password"))
    assert (restored_media / attachment.file.name).read_bytes() == PDF

    # Restoring again into the now full database is refused, naming it, and changes nothing.
    with pytest.raises(backup.BackupError, match="is not empty"):
        backup.restore(archive.path, database=target, media_root=tmp_path / "other-media")
    assert not (tmp_path / "other-media").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_into_the_running_database_is_refused_before_anything_is_written(
        personas, backups, media, settings, tmp_path):
    some_records(personas)
    out = io.StringIO()
    call_command("backup", stdout=out)
    assert "Backup " in out.getvalue() and " rows, 1 media files" in out.getvalue()
    (archive,) = backup.archives()
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    customers = Customer._base_manager.count()
    with pytest.raises(CommandError, match="is not empty .* nothing was restored"):
        call_command("restore", archive.name)  # a name from the backups page
    assert Customer._base_manager.count() == customers
    assert not settings.MEDIA_ROOT.exists()


# --- refusals before anything is written -----------------------------------------------------

@pytest.fixture
def archive(db, backups, media):
    (media / "files").mkdir(parents=True)
    (media / "files" / "a.pdf").write_bytes(PDF)
    return backup.backup_create()


@pytest.mark.parametrize("tamper", ["change", "remove", "add", "manifest"])
def test_an_altered_archive_is_refused_and_nothing_is_written(archive, target, tmp_path, tamper):
    path = archive.path
    if tamper == "change":
        (path / "media" / "files" / "a.pdf").write_bytes(PDF.replace(b"backup", b"BACKUP"))
    elif tamper == "remove":
        (path / archive.manifest["database_file"]).unlink()
    elif tamper == "add":
        (path / "media" / "extra.sh").write_text("echo")
    else:
        (path / "manifest.json").write_text("{not json")
    restored_media = tmp_path / "restored-media"
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(path, database=target, media_root=restored_media)
    message = str(refused.value)
    assert {"change": "media/files/a.pdf: changed since the backup",
            "remove": f"{archive.manifest['database_file']}: missing",
            "add": "media/extra.sh: not in the manifest",
            "manifest": "cannot be read"}[tamper] in message
    assert not restored_media.exists()
    if engine() == backup.SQLITE:
        assert not Path(target["NAME"]).exists()
    else:
        assert fetch(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") \
            == [(0,)]


def test_an_archive_of_another_engine_and_a_media_file_that_differs_are_refused(
        archive, target, tmp_path):
    other = backup.POSTGRESQL if engine() == backup.SQLITE else backup.SQLITE
    moved = tmp_path / "other-engine"
    shutil.copytree(archive.path, moved)
    manifest = json.loads((moved / "manifest.json").read_text())
    database_file = manifest["database_file"]
    manifest["files"][backup.DATABASE_FILE[other]] = manifest["files"].pop(database_file)
    (moved / database_file).rename(moved / backup.DATABASE_FILE[other])
    manifest.update(engine=other, database_file=backup.DATABASE_FILE[other])
    (moved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match=f"holds a {other} database"):
        backup.restore(moved, database=target, media_root=tmp_path / "m")

    media = tmp_path / "m"
    (media / "files").mkdir(parents=True)
    (media / "files" / "a.pdf").write_bytes(b"another file")
    with pytest.raises(backup.BackupError, match="differ from the archive"):
        backup.restore(archive.path, database=target, media_root=media)
    assert (media / "files" / "a.pdf").read_bytes() == b"another file"


def test_a_target_with_qiao_tables_but_no_rows(archive, target, tmp_path):
    """SQLite: a migrated, empty file is replaced whole by the archive's copy. PostgreSQL:
    pg_restore creates the tables, so a migrated database is refused, saying why."""
    if engine() == backup.SQLITE:
        with sqlite3.connect(target["NAME"]) as connection:
            connection.execute("CREATE TABLE customers_customer (id integer)")
        connection.close()
        report = backup.restore(archive.path, database=target, media_root=tmp_path / "m")
        assert report.ok, report.mismatches
        return
    with backup._pg_connect(target) as connection:
        connection.execute("CREATE TABLE customers_customer (id integer)")
    with pytest.raises(backup.BackupError, match="already has Qiao's tables .* not migrated"):
        backup.restore(archive.path, database=target, media_root=tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_restore_command_fails_loudly_on_a_missing_archive(db, backups):
    with pytest.raises(CommandError, match="not a backup archive"):
        call_command("restore", "qiao-19000101-000000")


# --- retention -------------------------------------------------------------------------------

def fake_archive(directory, name, created_at):
    path = directory / name
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps({
        "format": backup.FORMAT, "engine": "sqlite", "created_at": created_at.isoformat(),
        "database_file": "database.sqlite3", "tables": {"t": 1}, "files": {},
        "verified": True}))
    return path


def test_retention_deletes_only_the_archives_older_than_the_limit(tmp_path):
    now = timezone.now()
    ages = {"qiao-a": 0, "qiao-b": 13.9, "qiao-c": 14.1, "qiao-d": 40}
    for name, days in ages.items():
        fake_archive(tmp_path, name, now - datetime.timedelta(days=days))
    (tmp_path / "notes").mkdir()  # not an archive: never touched
    stale = tmp_path / ".partial-qiao-x"
    stale.mkdir()
    old = (now - datetime.timedelta(days=2)).timestamp()
    os.utime(stale, (old, old))
    fresh = tmp_path / ".partial-qiao-y"  # a backup being written now
    fresh.mkdir()

    deleted = backup.backup_prune(keep=14, directory=tmp_path, now=now)
    assert sorted(deleted) == [".partial-qiao-x", "qiao-c", "qiao-d"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".partial-qiao-y", "notes",
                                                          "qiao-a", "qiao-b"]


def test_retention_keeps_the_newest_archive_however_old(tmp_path):
    now = timezone.now()
    fake_archive(tmp_path, "qiao-old", now - datetime.timedelta(days=100))
    fake_archive(tmp_path, "qiao-older", now - datetime.timedelta(days=200))
    assert backup.backup_prune(keep=14, directory=tmp_path, now=now) == ["qiao-older"]
    with pytest.raises(backup.BackupError, match="at least 1"):
        backup.backup_prune(keep=0, directory=tmp_path, now=now)


def test_a_failed_scheduled_backup_deletes_nothing_and_is_shown(
        db, backups, monkeypatch, personas):
    fake_archive(backups, "qiao-old", timezone.now() - datetime.timedelta(days=30))

    def broken(**kwargs):
        raise backup.BackupError("disk full")

    monkeypatch.setattr(backup, "backup_create", broken)
    with pytest.raises(backup.BackupError):
        backup.backup_scheduled()
    assert [a.name for a in backup.archives()] == ["qiao-old"]
    assert backup.last_failure()["error"] == "disk full"
    html = personas.client("admin").get(reverse("dataio:backups")).content.decode()
    assert "最近一次备份失败" in html and "disk full" in html
    # The administrators are told in their inbox at once, and no one else.
    told = Notification.objects.filter(kind="backup_failed")
    assert {n.recipient.username for n in told} == {"admin"}
    inbox = personas.client("admin").get(reverse("notify:inbox")).content.decode()
    assert "备份失败" in inbox and "disk full" in inbox


def test_the_nightly_task_makes_an_archive_and_then_prunes(db, backups, media, settings):
    settings.QIAO_BACKUP_KEEP_DAYS = 3
    fake_archive(backups, "qiao-old", timezone.now() - datetime.timedelta(days=4))
    from qiao.dataio import tasks

    tasks.backup_daily.call_local()
    names = [a.name for a in backup.archives()]
    assert len(names) == 1 and names[0] != "qiao-old"
    assert backup.last_failure() is None


# --- the backups page ------------------------------------------------------------------------

def test_the_backups_page_is_the_administrators_alone(personas, backups, media):
    url = reverse("dataio:backups")
    for name in ("director", "deptmgr", "sup1", "am01", "agent01", "qa01"):
        client = personas.client(name)
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"action": "backup"}).status_code == 404, name
    assert not backups.exists()  # nobody else started one

    admin = personas.client("admin")
    page = admin.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "尚无备份" in html and "不能从本页面下载" in html
    assert admin.post(url, {"_": "1"}).status_code == 400  # nothing asked: nothing done
    assert not backups.exists()
    assert not OperationLog.objects.filter(action=OperationLog.Kind.BACKUP_REQUESTED).exists()
    response = admin.post(url, {"action": "backup"})  # the worker runs at once in tests
    assert response.status_code == 302 and response["Location"] == url
    logged = OperationLog.objects.get(action=OperationLog.Kind.BACKUP_REQUESTED)
    assert logged.actor_username == "admin" and logged.ip_address
    (archive,) = backup.archives()
    html = admin.get(url).content.decode()
    assert archive.name in html and engine() in html and "备份已交给后台任务" in html
    assert f"{archive.rows}" in html and "badge text-bg-success" in html
    assert 'href="' not in html.split('data-testid="backup-list"')[1].split("</table>")[0]
