"""The trigram search table of customers migration 0003 on SQLite: kept in step after migrations."""


def keep_sqlite_search_in_step(using="default", **kwargs):
    """post_migrate: on SQLite, altering customers_customer rebuilds the table and drops its
    triggers, the ones that keep the trigram search table in step (migration 0003). Put them
    back and re-index."""
    from importlib import import_module

    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    search = import_module("qiao.customers.migrations.0003_list_indexes_and_search_index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE name = %s OR type = 'trigger'",
                       [search.SEARCH_TABLE])
        found = dict(cursor.fetchall())
    if not (found.get(search.SEARCH_TABLE) or "").upper().startswith("CREATE VIRTUAL TABLE"):
        return  # not migrated yet, or the plain-view fallback (no FTS5 trigram)
    missing = [sql for name, sql in search.SQLITE_TRIGGERS.items() if name not in found]
    if missing:
        with connection.schema_editor() as editor:
            for sql in missing:
                editor.execute(sql)
            # The table name is a constant of migration 0003, not input.
            editor.execute(f"INSERT INTO {search.SEARCH_TABLE} ({search.SEARCH_TABLE}) "  # noqa: S608
                           "VALUES ('rebuild')")
