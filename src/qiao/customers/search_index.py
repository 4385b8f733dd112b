"""The SQLite search tables of customers migrations 0003 (trigrams) and 0019 (one- and
two-character grams): kept in step after migrations."""

from importlib import import_module


def _search_tables():
    """(table, its triggers, how to re-index it) of each search table."""
    trigrams = import_module("qiao.customers.migrations.0003_list_indexes_and_search_index")
    short = import_module("qiao.customers.migrations.0019_short_term_search_index")
    # The table names are constants of the migrations, not input.
    return [
        (trigrams.SEARCH_TABLE, trigrams.SQLITE_TRIGGERS,
         lambda editor: editor.execute(f"INSERT INTO {trigrams.SEARCH_TABLE} "  # noqa: S608
                                       f"({trigrams.SEARCH_TABLE}) VALUES ('rebuild')")),
        (short.SHORT_TABLE, short.SQLITE_TRIGGERS, short.sqlite_reindex),
    ]


def keep_sqlite_search_in_step(using="default", **kwargs):
    """post_migrate: on SQLite, altering customers_customer rebuilds the table and drops its
    triggers, the ones that keep the search tables in step (migrations 0003 and 0019). Put them
    back and re-index."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    for table, triggers, reindex in _search_tables():
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE name = %s OR type = 'trigger'",
                           [table])
            found = dict(cursor.fetchall())
        if not (found.get(table) or "").upper().startswith("CREATE VIRTUAL TABLE"):
            continue  # not migrated yet, or 0003's plain-view fallback (no FTS5 trigram)
        missing = [sql for name, sql in triggers.items() if name not in found]
        if missing:
            with connection.schema_editor() as editor:
                for sql in missing:
                    editor.execute(sql)
                reindex(editor)
