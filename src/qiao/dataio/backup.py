"""Backup and restore (DAT-4, CHECKS C20): one archive per run, restored into an empty database
and checked against what it says it holds.

An archive is a directory in QIAO_BACKUP_DIR (default var/backups) named after its time in
UTC, `qiao-20261207-031500`, holding

* the database: SQLite copied with the online backup API (`sqlite3.Connection.backup`, safe
  while the server writes: in WAL mode readers do not block the writer), then
  `PRAGMA integrity_check` on the copy (`database.sqlite3`); PostgreSQL with
  `pg_dump --format=custom` (`database.dump`), from an exported snapshot that the row counts
  are read in too, so the dump and the counts describe the same moment;
* the media files (MEDIA_ROOT: attachments and every other stored file), under `media/`;
* `manifest.json`: Qiao's version and commit, the engine, when, the row count of every model's
  table and the SHA-256 and size of every other file of the archive.

An archive is written under a hidden `.partial-…` name and renamed when complete, so a backup
that fails half-way leaves nothing that looks like an archive.

A restore refuses, before writing anything, an archive whose files do not match its manifest
(missing, changed, added), another engine's archive, a database in which any of Qiao's tables
holds a row and a media file that would replace a different one. Then it loads the database
(SQLite through the backup API, PostgreSQL with `pg_restore --single-transaction`), copies the
media files and compares every table's row count and every file's checksum with the manifest;
a difference raises BackupError.

Everything here works on a database's settings (a DATABASES entry) with the drivers
themselves, not on Django's connection, so that it can read and write a database Django is not
connected to (the restore's target, a test's second database).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

logger = logging.getLogger("qiao.dataio.backup")

FORMAT = 1
PREFIX = "qiao-"
PARTIAL = ".partial-"
MANIFEST = "manifest.json"
FAILURE = "last-failure.json"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
DATABASE_FILE = {SQLITE: "database.sqlite3", POSTGRESQL: "database.dump"}
PG_DUMP, PG_RESTORE = "/usr/bin/pg_dump", "/usr/bin/pg_restore"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done, or did not come out right; the message says
    which and why."""


# --- where and what -------------------------------------------------------------------------

def backup_dir() -> Path:
    return Path(settings.QIAO_BACKUP_DIR)


def keep_days() -> int:
    return settings.QIAO_BACKUP_KEEP_DAYS


def engine_of(database: dict) -> str:
    engine = database["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return SQLITE
    if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        return POSTGRESQL
    raise BackupError(f"Backups are made of SQLite and PostgreSQL databases, not {engine}.")


def model_tables() -> list[str]:
    """The table of every installed model (many-to-many tables and history tables too)."""
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)
              if model._meta.managed and not model._meta.proxy}
    return sorted(tables)


def qiao_tables() -> list[str]:
    """The tables of Qiao's own apps: a database where one holds a row is not empty."""
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)
              if model._meta.managed and not model._meta.proxy
              and model._meta.app_config.name.startswith("qiao.")}
    return sorted(tables)


def version() -> dict:
    """Qiao's version (the installed package's) and the commit when run from a git checkout."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        found = {"version": package_version("qiao")}
    except PackageNotFoundError:
        found = {"version": ""}
    commit = ""
    project = Path(settings.PROJECT_DIR)
    if (project / ".git").exists() and shutil.which("git"):
        try:
            commit = subprocess.run(  # noqa: S603 -- fixed arguments
                [shutil.which("git") or "git", "-C", str(project), "rev-parse", "HEAD"],
                capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = ""
    found["commit"] = commit
    return found


# --- checksums and files --------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(source: Path, target: Path) -> str:
    """Copy `source` to `target` (parents made), returning the SHA-256 of what was written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(source, "rb") as read, open(target, "wb") as write:
        while chunk := read.read(CHUNK):
            digest.update(chunk)
            write.write(chunk)
    shutil.copystat(source, target)
    return digest.hexdigest()


def _files_under(root: Path, skip: Path | None = None) -> list[Path]:
    """Every regular file under `root` (symbolic links not followed), `skip` and what is in it
    left out; sorted."""
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        if skip is not None:
            dirs[:] = [d for d in dirs if (here / d).resolve() != skip]
        found.extend(here / name for name in names if (here / name).is_file()
                     and not (here / name).is_symlink())
    return sorted(found)


# --- the archives ---------------------------------------------------------------------------

@dataclass
class Archive:
    path: Path
    manifest: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def created_at(self) -> datetime.datetime | None:
        try:
            return datetime.datetime.fromisoformat(self.manifest["created_at"])
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def engine(self) -> str:
        return self.manifest.get("engine", "")

    @property
    def size(self) -> int:
        files = self.manifest.get("files", {})
        return sum(entry.get("size", 0) for entry in files.values()) + (
            (self.path / MANIFEST).stat().st_size if (self.path / MANIFEST).exists() else 0)

    @property
    def rows(self) -> int:
        return sum(self.manifest.get("tables", {}).values())

    @property
    def media_files(self) -> int:
        return sum(1 for name in self.manifest.get("files", {}) if name.startswith("media/"))

    @property
    def verified(self) -> bool:
        """Checked when made: SQLite's integrity check passed on the copy, pg_dump finished."""
        return bool(self.manifest.get("verified"))


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{path} is not a Qiao backup: it has no {MANIFEST}.") from error
    except (OSError, ValueError) as error:
        raise BackupError(f"{path / MANIFEST} cannot be read: {error}.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("files"), dict) \
            or not isinstance(manifest.get("tables"), dict):
        raise BackupError(f"{path / MANIFEST} is not a Qiao backup manifest (format {FORMAT}).")
    return manifest


def archives(directory: Path | None = None) -> list[Archive]:
    """The complete archives in the backup directory, newest first (those whose manifest
    cannot be read are listed too, without details, so that they are seen)."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        if not path.is_dir() or not path.name.startswith(PREFIX):
            continue
        try:
            manifest = read_manifest(path)
        except BackupError:
            manifest = {}
        found.append(Archive(path, manifest))
    return sorted(found, key=lambda a: (a.created_at is not None, a.created_at or 0, a.name),
                  reverse=True)


def last_failure(directory: Path | None = None) -> dict | None:
    """The last scheduled or queued backup that failed, if none succeeded since."""
    path = (directory or backup_dir()) / FAILURE
    try:
        failure = json.loads(path.read_text(encoding="utf-8"))
        failed_at = datetime.datetime.fromisoformat(failure["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    newest = next((a.created_at for a in archives(directory) if a.created_at), None)
    if newest is not None and newest >= failed_at:
        return None
    return {"at": failed_at, "error": str(failure.get("error", ""))[:500]}


def failure_record(error: Exception, directory: Path | None = None) -> None:
    directory = directory or backup_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / FAILURE).write_text(json.dumps(
            {"at": timezone.now().isoformat(), "error": str(error)}), encoding="utf-8")
    except OSError:
        logger.exception("backup: the failure could not be recorded in %s", directory)


# --- making a backup ------------------------------------------------------------------------

def _sqlite_path(database: dict) -> Path:
    name = str(database["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError(f"The SQLite database {name!r} is not a file that can be backed up.")
    return Path(name)


def _sqlite_counts(connection: sqlite3.Connection, tables) -> dict[str, int]:
    present = {row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 -- model table names
            for table in tables if table in present}


def _sqlite_backup(database: dict, target: Path) -> tuple[dict[str, int], str]:
    """Copy the live SQLite database to `target` in one step of the online backup API (a step
    holds a read snapshot; WAL lets the server write meanwhile), make the copy a single file
    (rollback journal), check its integrity and count its rows. (counts, integrity result)"""
    source_path = _sqlite_path(database)
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True,
                             timeout=database.get("OPTIONS", {}).get("timeout", 20))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: all in one step, from one consistent snapshot
    finally:
        source.close()
    try:
        copy.execute("PRAGMA journal_mode=DELETE")
        result = "\n".join(row[0] for row in copy.execute("PRAGMA integrity_check"))
        if result != "ok":
            raise BackupError(f"The copy of the database failed its integrity check: {result}")
        counts = _sqlite_counts(copy, model_tables())
    finally:
        copy.close()
    return counts, result


def _pg_params(database: dict) -> dict:
    params = {"dbname": database["NAME"]}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"),
                      ("PORT", "port")):
        if database.get(key):
            params[name] = str(database[key])
    return params


def _pg_connect(database: dict, dbname: str | None = None):
    import psycopg

    params = _pg_params(database)
    if dbname:
        params["dbname"] = dbname
    return psycopg.connect(**params, autocommit=True)


def _pg_env(database: dict) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: dict) -> list[str]:
    args = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    return args + ["--no-password"]


def _pg_tool(path: str) -> str:
    if not Path(path).exists():
        raise BackupError(f"{path} is missing: install PostgreSQL's client programs "
                          "(apt-get install postgresql-client).")
    return path


def _pg_counts(cursor, tables) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    present = {row[0] for row in cursor.fetchall()}
    counts = {}
    for table in tables:
        if table in present:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 -- model table names
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_backup(database: dict, target: Path) -> tuple[dict[str, int], str]:
    """pg_dump of the snapshot this connection exports, the row counts read in it."""
    tool = _pg_tool(PG_DUMP)
    with _pg_connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        done = subprocess.run(  # noqa: S603 -- the fixed program, arguments from settings
            [tool, *_pg_args(database), "--format=custom", f"--snapshot={snapshot}",
             f"--file={target}", "--dbname", str(database["NAME"])],
            env=_pg_env(database), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:1000]}")
        counts = _pg_counts(cursor, model_tables())
        cursor.execute("COMMIT")
    return counts, "pg_dump ok"


def _archive_name(directory: Path, now: datetime.datetime) -> str:
    base = f"{PREFIX}{now.astimezone(datetime.UTC):%Y%m%d-%H%M%S}"
    name, n = base, 1
    while (directory / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def backup_create(*, database: dict | None = None, directory: Path | None = None,
                  media_root: Path | None = None) -> Archive:
    """Make one archive (above) and return it. Raises BackupError; leaves no partial archive."""
    database = database or connections[DEFAULT_DB_ALIAS].settings_dict
    directory = directory or backup_dir()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    engine = engine_of(database)
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    name = _archive_name(directory, now)
    partial = directory / f"{PARTIAL}{name}"
    partial.mkdir()
    try:
        database_file = DATABASE_FILE[engine]
        if engine == SQLITE:
            counts, check = _sqlite_backup(database, partial / database_file)
        else:
            counts, check = _pg_backup(database, partial / database_file)
        files = {database_file: {"sha256": sha256_of(partial / database_file),
                                 "size": (partial / database_file).stat().st_size}}
        for source in _files_under(media_root, skip=directory.resolve()):
            relative = source.relative_to(media_root).as_posix()
            copied = partial / "media" / relative
            files[f"media/{relative}"] = {"sha256": _copy_hashing(source, copied),
                                          "size": copied.stat().st_size}
        manifest = {
            "format": FORMAT, **version(), "engine": engine,
            "created_at": now.isoformat(), "database_file": database_file,
            "check": check, "verified": True,
            "tables": counts, "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True),
                                        encoding="utf-8")
        final = directory / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    logger.info("backup: %s written (%d rows, %d files)", final, sum(counts.values()),
                len(files))
    return Archive(final, manifest)


def backup_prune(*, keep: int | None = None, directory: Path | None = None,
                 now: datetime.datetime | None = None) -> list[str]:
    """Delete the archives made more than `keep` days (QIAO_BACKUP_KEEP_DAYS) before `now`,
    never the newest one, and partial ones left by a crash more than a day old. Returns the
    names deleted."""
    keep = keep_days() if keep is None else keep
    directory = directory or backup_dir()
    now = now or timezone.now()
    if keep < 1:
        raise BackupError("QIAO_BACKUP_KEEP_DAYS must be at least 1.")
    limit = now - datetime.timedelta(days=keep)
    deleted = []
    for archive in archives(directory)[1:]:
        if archive.created_at is not None and archive.created_at < limit:
            shutil.rmtree(archive.path)
            deleted.append(archive.name)
    if directory.is_dir():
        for path in directory.glob(f"{PARTIAL}*"):
            modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
            if path.is_dir() and modified < now - datetime.timedelta(days=1):
                shutil.rmtree(path)
                deleted.append(path.name)
    if deleted:
        logger.info("backup: deleted %s (older than %d days)", ", ".join(deleted), keep)
    return deleted


def backup_scheduled() -> Archive:
    """The worker's run: a new archive, then the old ones deleted; a failure recorded for the
    backups page, logged and told to the administrators' inboxes, then raised (the task shows
    as failed)."""
    try:
        archive = backup_create()
    except Exception as error:
        logger.exception("backup failed")
        failure_record(error)
        _tell(error)
        raise
    backup_prune()
    return archive


def _tell(error: Exception) -> None:
    """The inbox message of a failure; its own failure (the database being what broke the
    backup) is logged and does not hide the backup's."""
    from .notifications import backup_failed_tell

    try:
        backup_failed_tell(error)
    except Exception:
        logger.exception("backup: the failure could not be told to the administrators")


# --- restoring ------------------------------------------------------------------------------

def archive_check(path: Path) -> dict:
    """The manifest, once every file of the archive is there with its size and SHA-256 and no
    file is there that the manifest does not list. Raises BackupError naming the differences."""
    path = Path(path)
    if not path.is_dir():
        raise BackupError(f"{path} is not a backup archive (a directory made by `qiao backup`).")
    manifest = read_manifest(path)
    problems = []
    listed = manifest["files"]
    database_file = manifest.get("database_file")
    if database_file not in listed or manifest.get("engine") not in DATABASE_FILE \
            or DATABASE_FILE[manifest["engine"]] != database_file:
        problems.append("the manifest names no database file of a known engine")
    present = {p.relative_to(path).as_posix() for p in _files_under(path)} - {MANIFEST}
    for name in sorted(present - set(listed)):
        problems.append(f"{name}: not in the manifest")
    for name, entry in sorted(listed.items()):
        file = path / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            problems.append(f"{name}: a path outside the archive")
        elif name not in present:
            problems.append(f"{name}: missing")
        elif file.stat().st_size != entry.get("size") or sha256_of(file) != entry.get("sha256"):
            problems.append(f"{name}: changed since the backup (checksum differs)")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more"
                                            if len(problems) > 10 else "")
        raise BackupError(f"The archive {path.name} is damaged or was altered, nothing was "
                          f"restored: {shown}.")
    return manifest


def _target_rows(database: dict, engine: str) -> dict[str, int]:
    """Row counts of Qiao's tables in the restore's target, {} when it has none."""
    if engine == SQLITE:
        target = _sqlite_path(database)
        if not target.exists() or target.stat().st_size == 0:
            return {}
        connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            return _sqlite_counts(connection, qiao_tables())
        finally:
            connection.close()
    with _pg_connect(database) as connection, connection.cursor() as cursor:
        return _pg_counts(cursor, qiao_tables())


def _counts_after(database: dict, engine: str, tables) -> dict[str, int]:
    if engine == SQLITE:
        connection = sqlite3.connect(_sqlite_path(database))
        try:
            result = "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
            if result != "ok":
                raise BackupError(f"The restored database failed its integrity check: {result}")
            return _sqlite_counts(connection, tables)
        finally:
            connection.close()
    with _pg_connect(database) as connection, connection.cursor() as cursor:
        return _pg_counts(cursor, tables)


def _media_conflicts(manifest: dict, media_root: Path) -> list[str]:
    conflicts = []
    for name, entry in manifest["files"].items():
        if not name.startswith("media/"):
            continue
        existing = media_root / name.removeprefix("media/")
        if existing.exists() and (not existing.is_file() or sha256_of(existing) != entry["sha256"]):
            conflicts.append(name.removeprefix("media/"))
    return conflicts


def _pg_restore(database: dict, dump: Path) -> None:
    """pg_restore in one transaction (a failure restores nothing), the objects owned by the
    restoring role (the tables' owner, as for migrate), the grants to the application's role
    kept. An extension's comment is left out: only the extension's owner (the superuser who
    created it) may set it, and Qiao does not need it."""
    listing = subprocess.run(  # noqa: S603 -- the fixed program and the archive's file
        [PG_RESTORE, "--list", str(dump)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read {dump.name}, nothing was restored: "
                          f"{listing.stderr.strip()[:1000]}")
    entries = [line for line in listing.stdout.splitlines()
               if not (" COMMENT " in line and " EXTENSION " in line)]
    handle, name = tempfile.mkstemp(prefix="qiao-restore-", suffix=".list")
    list_file = Path(name)
    with os.fdopen(handle, "w", encoding="utf-8") as written:
        written.write("\n".join(entries) + "\n")
    try:
        done = subprocess.run(  # noqa: S603 -- the fixed program, arguments from settings
            [PG_RESTORE, *_pg_args(database), "--dbname", str(database["NAME"]),
             "--single-transaction", "--exit-on-error", "--no-owner",
             f"--use-list={list_file}", str(dump)],
            env=_pg_env(database), capture_output=True, text=True, check=False)
    finally:
        list_file.unlink(missing_ok=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored: "
                          f"{done.stderr.strip()[:1000]}")


@dataclass
class RestoreReport:
    archive: str
    engine: str
    tables: dict[str, tuple[int, int]]  # table: (in the manifest, restored)
    files: int
    mismatches: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def lines(self) -> list[str]:
        rows = sum(expected for expected, _got in self.tables.values())
        found = sum(got for _expected, got in self.tables.values())
        lines = [f"Restored {self.archive} ({self.engine}): {len(self.tables)} tables, "
                 f"{found} of {rows} rows, {self.files} media files."]
        lines += [f"  MISMATCH {m}" for m in self.mismatches]
        lines.append("Verified against the manifest: every row count and checksum equal."
                     if self.ok else f"NOT verified: {len(self.mismatches)} differences.")
        return lines


def restore(path: Path, *, database: dict | None = None,
            media_root: Path | None = None) -> RestoreReport:
    """Restore the archive at `path` into `database` (default: the default database), which
    must be empty, and its media files into `media_root`; then compare with the manifest.
    Refusals (BackupError) come before anything is written; the returned report lists any
    difference found afterwards (report.ok)."""
    database = database or connections[DEFAULT_DB_ALIAS].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    path = Path(path)
    manifest = archive_check(path)
    engine = engine_of(database)
    if manifest["engine"] != engine:
        raise BackupError(f"The archive holds a {manifest['engine']} database; this database is "
                          f"{engine}. Restore it into a {manifest['engine']} database.")
    if engine == POSTGRESQL:
        _pg_tool(PG_RESTORE)
    present = _target_rows(database, engine)
    holding = {table: n for table, n in present.items() if n}
    if present and not holding and engine == POSTGRESQL:
        raise BackupError(
            f"The database {database['NAME']} already has Qiao's tables ({len(present)}, "
            "empty: migrated?); nothing was restored. pg_restore creates them: restore into a "
            "new database that was not migrated.")
    if holding:
        shown = ", ".join(f"{table} ({n})" for table, n in sorted(holding.items())[:5])
        raise BackupError(
            f"The database {database['NAME']} is not empty ({len(holding)} of Qiao's tables hold "
            f"rows: {shown}); nothing was restored. Restore into a new, empty database.")
    conflicts = _media_conflicts(manifest, media_root)
    if conflicts:
        raise BackupError(f"{len(conflicts)} files in {media_root} differ from the archive's "
                          f"(e.g. {conflicts[0]}); nothing was restored. Restore into an empty "
                          "media directory.")

    database_file = path / manifest["database_file"]
    if engine == SQLITE:
        target = _sqlite_path(database)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
    else:
        _pg_restore(database, database_file)
    copied = 0
    for name in manifest["files"]:
        if name.startswith("media/"):
            target_file = media_root / name.removeprefix("media/")
            if not target_file.exists():
                _copy_hashing(path / name, target_file)
            copied += 1

    mismatches = []
    counts = _counts_after(database, engine, manifest["tables"])
    tables = {table: (expected, counts.get(table, -1))
              for table, expected in sorted(manifest["tables"].items())}
    mismatches += [f"table {table}: {expected} rows in the archive, {got} restored"
                   for table, (expected, got) in tables.items() if expected != got]
    for name, entry in sorted(manifest["files"].items()):
        if name.startswith("media/"):
            restored = media_root / name.removeprefix("media/")
            if not restored.is_file() or sha256_of(restored) != entry["sha256"]:
                mismatches.append(f"file {name}: checksum differs after the restore")
    report = RestoreReport(path.name, engine, tables, copied, mismatches)
    logger.info("restore: %s", " ".join(report.lines()))
    return report
