"""An index for the search box's one- and two-character words (物流, 王伟, zs, 58), which the
trigram index of 0003 cannot serve: a trigram needs three characters, so such a word was found by
reading every customer in the user's scope.

* PostgreSQL: a GIN index of the search text's characters, `string_to_array(search_text, NULL)`
  (a built-in, immutable, a few microseconds a row), used for `string_to_array(search_text,
  NULL) @> ARRAY['物', '流']` beside `strpos(search_text, '物流') > 0`, which decides
  (customers.selectors). A one-character word is answered by the index alone; a two-character
  one by the customers holding both characters, which for two Chinese characters is a few
  dozen. Considered and dropped: an index of the pairs of characters too, through an SQL function
  — a plan that filters rows instead of reading the index (a scoped count, a word most customers
  contain) computes such a function for every row, 0.1–0.2 ms each, seconds for a region; its
  cost cannot be told to the planner without also charging the index's own rechecks
  (docs/decisions.md).
* SQLite: an FTS5 table of the search text's characters and pairs of adjacent characters
  ("grams"), customers_customer_short (ascii tokenizer, detail=none: each gram a token, only
  which rows hold it is kept; every non-ASCII character is a token character, so no Unicode
  table decides what a Chinese character is), filled by triggers that spell out the grams as "x
  xy" for each position with a table of positions (SQLite allows no recursive query inside a
  trigger), queried as `+id IN (SELECT rowid FROM customers_customer_short WHERE
  customers_customer_short MATCH '"物流"')` for a word of letters, digits and non-ASCII
  characters. Exact for such a word: a token is a character, or a pair of token characters, or
  the one token character of a pair with punctuation or a space ("a-" gives "a", itself a
  character of the text). A word with ASCII punctuation is left to the LIKE. Search texts longer
  than SHORT_POSITIONS characters (about 170 on average, 260 at most in the benchmark's data)
  would be indexed only up to there: far beyond any real customer.

Like 0003's, these are outside the model state; customers.search_index puts the SQLite
triggers back after a migration that rebuilds customers_customer.
"""

from django.db import migrations

PG_INDEX = "cust_search_chars"
SHORT_TABLE = "customers_customer_short"
POSITIONS_TABLE = "customers_search_positions"
SHORT_POSITIONS = 65536


def grams_of(text):
    """SQLite: the grams of the SQL expression `text`, separated by spaces."""
    return (f"(SELECT group_concat(substr({text}, i, 1) || ' ' || substr({text}, i, 2), ' ') "
            f"FROM {POSITIONS_TABLE} WHERE i <= length({text}))")


SQLITE_TRIGGERS = {
    f"{SHORT_TABLE}_insert": f"""
        CREATE TRIGGER {SHORT_TABLE}_insert AFTER INSERT ON customers_customer BEGIN
            INSERT INTO {SHORT_TABLE} (rowid, grams)
                VALUES (new.id, {grams_of("new.search_text")});
        END""",
    f"{SHORT_TABLE}_delete": f"""
        CREATE TRIGGER {SHORT_TABLE}_delete AFTER DELETE ON customers_customer BEGIN
            DELETE FROM {SHORT_TABLE} WHERE rowid = old.id;
        END""",
    f"{SHORT_TABLE}_update": f"""
        CREATE TRIGGER {SHORT_TABLE}_update AFTER UPDATE OF search_text ON customers_customer
        WHEN old.search_text IS NOT new.search_text BEGIN
            DELETE FROM {SHORT_TABLE} WHERE rowid = old.id;
            INSERT INTO {SHORT_TABLE} (rowid, grams)
                VALUES (new.id, {grams_of("new.search_text")});
        END""",
}

def sqlite_fill(schema_editor):
    """The SQLite table, its triggers, and the grams of the customers already there."""
    schema_editor.execute(f"CREATE TABLE {POSITIONS_TABLE} (i INTEGER PRIMARY KEY)")
    schema_editor.execute(
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        f"WHERE i < {SHORT_POSITIONS}) INSERT INTO {POSITIONS_TABLE} SELECT i FROM n")
    schema_editor.execute(f"CREATE VIRTUAL TABLE {SHORT_TABLE} USING fts5(grams, "
                          "tokenize='ascii', detail='none')")
    for sql in SQLITE_TRIGGERS.values():
        schema_editor.execute(sql)
    sqlite_reindex(schema_editor)


def sqlite_reindex(schema_editor):
    schema_editor.execute(f"DELETE FROM {SHORT_TABLE}")
    schema_editor.execute(f"INSERT INTO {SHORT_TABLE} (rowid, grams) "
                          f"SELECT id, {grams_of('search_text')} FROM customers_customer")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {PG_INDEX} ON customers_customer "
                              "USING gin (string_to_array(search_text, NULL))")
    elif vendor == "sqlite":
        sqlite_fill(schema_editor)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {SHORT_TABLE}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {POSITIONS_TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0018_attachment_stored_file_backfill'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
