"""An index for the search box's one- and two-character words (物流, 王伟, zs, 58), which the
trigram index of 0003 cannot serve: a trigram needs three characters, so such a word was found by
reading every customer in the user's scope.

The index holds each customer's "short grams": every character and every pair of adjacent
characters of customers_customer.search_text. A word of one or two characters (never a space:
words are split at spaces) is in the search text exactly when it is one of its grams, so the
index answers such a word alone, with the rows a scan would find.

* PostgreSQL: an immutable SQL function, customers_short_grams(text) → text[], and a GIN index
  on customers_short_grams(search_text), used for
  `customers_short_grams(search_text) @> ARRAY['物流']` (the planner still prefers walking the
  list's own index for a word most customers contain).
* SQLite: an FTS5 table, customers_customer_short (ascii tokenizer, detail=none: each gram a
  token, only which rows hold it is kept; every non-ASCII character is a token character, so no
  Unicode table decides what a Chinese character is), filled by triggers that spell out the
  grams as "x xy" for each position with a table of positions (SQLite allows no recursive query
  inside a trigger), queried as `+id IN (SELECT rowid FROM customers_customer_short WHERE
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

PG_FUNCTION = "customers_short_grams"
PG_INDEX = "cust_search_short"
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

# Every character and pair of characters of the text (a pair may hold the space between two
# keys: harmless, as no word typed holds one; GIN keeps each gram once). A plan that filters
# rows instead of reading the index computes it for each row, at 0.1–0.2 ms a row on this
# machine: COST says it is dear, so that a count stops through the index rather than by
# computing it for a thousand rows, and PARALLEL RESTRICTED keeps these searches out of
# parallel workers, which on two cores cost more to start than they save here
# (docs/benchmarks.md, short words).
PG_CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED COST 3000 AS $$
    SELECT string_to_array(t, NULL)
        || ARRAY(SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i)
$$"""


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
        schema_editor.execute(PG_CREATE_FUNCTION)
        schema_editor.execute(f"CREATE INDEX {PG_INDEX} ON customers_customer "
                              f"USING gin ({PG_FUNCTION}(search_text))")
    elif vendor == "sqlite":
        sqlite_fill(schema_editor)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}(text)")
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
