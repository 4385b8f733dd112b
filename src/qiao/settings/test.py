"""Test settings: QIAO_TEST_DATABASE_URL switches the suite to PostgreSQL.

The database gets the same options as in production (settings.base.database_from_env): on
SQLite that is WAL, IMMEDIATE transactions and a busy timeout, which the concurrency checks
(C14, C16) exercise on a real file.
"""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, database_from_env

DATABASES = {"default": database_from_env("QIAO_TEST_DATABASE_URL",
                                          default=f"sqlite:///{VAR_DIR / 'test.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that threads get connections of their own and real locking.
    # One file per test process (pytest-xdist then appends _gw0, _gw1 ...), so that two test
    # runs in the same checkout never delete each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # var/ is not in git
else:
    # No persistent connections in tests: threads in the concurrency tests open their own,
    # and a connection kept across tests only holds locks longer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
LANGUAGE_CODE = "zh-hans"
# Transactional tests end with a flush (DELETE FROM on SQLite), which must empty the
# append-only operation log too (audit.receivers.register_sqlite_guard); tests/audit sets it back.
QIAO_AUDIT_LOCKED = False
# Tasks run in the calling thread, on an in-memory queue (no worker, no file).
HUEY = {**HUEY, "immediate": True}  # noqa: F405
# The second factor is off, as the forced password change is for the personas: tests of the
# privileged routes turn it on (tests/org/test_second_factor.py).
QIAO_SECOND_FACTOR = False
