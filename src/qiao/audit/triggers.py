"""Database triggers that make audit_operationlog append-only for every client, not just the
ORM (CHECKS C21: "the app's DB role cannot UPDATE or DELETE audit rows").

* PostgreSQL: a BEFORE UPDATE OR DELETE row trigger raising restrict_violation. TRUNCATE is
  not covered (Django's test flush uses it); in production the application's role should not
  own the table, so it cannot TRUNCATE or drop the trigger (docs/deployment).
* SQLite: BEFORE UPDATE always aborts; BEFORE DELETE aborts WHEN qiao_audit_locked(), a
  function only Qiao's connections register (audit.receivers.register_sqlite_guard), so
  other programs cannot delete either. SQLite drops a table's triggers when a migration
  rebuilds it: post_migrate calls `install` again (CREATE … IF NOT EXISTS).
"""

TABLE = "audit_operationlog"

PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the operation log is append-only (% refused)', TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
]
PG_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
]
SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the operation log is append-only (UPDATE refused)'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        WHEN qiao_audit_locked()
        BEGIN SELECT RAISE(ABORT, 'the operation log is append-only (DELETE refused)'); END""",
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]


def _run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection):
    if connection.vendor == "postgresql":
        _run(connection, PG_INSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_INSTALL)


def remove(connection):
    if connection.vendor == "postgresql":
        _run(connection, PG_REMOVE)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_REMOVE)


def reinstall_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and TABLE in connection.introspection.table_names():
        install(connection)
