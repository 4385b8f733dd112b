"""The trigram index of customers.search_text (customers migration 0003) — what makes the search
box fast at 100k customers (see `make bench`). On SQLite it is a table of its own, kept in step
by triggers: it must find what a scan of the column finds after every kind of write."""

import pytest
from django.db import connection

from qiao.customers import selectors
from qiao.customers.models import Customer

pytestmark = pytest.mark.django_db


def found(term):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM customers_customer_search WHERE search_text LIKE %s",
                       [f"%{term}%"])
        return {row[0] for row in cursor.fetchall()}


def scanned(term):
    return set(Customer.objects.filter(search_text__contains=term).values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_has_the_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cust_search_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_search_table_follows_every_write():
    a = Customer.objects.create(name="上海恒鑫电子有限公司",
                                search_text="上海恒鑫电子有限公司 shanghaihengxin shhx 02150123456")
    b = Customer.objects.create(name="北京宏达商贸有限公司", search_text="北京宏达商贸有限公司 beijinghongda")
    for term in ("恒鑫电", "hengxin", "hongda", "5012345", "有限公司", "shh"):
        assert found(term) == scanned(term), term
    assert found("hengxin") == {a.pk}

    a.search_text = "上海恒泰电子有限公司 shanghaihengtai"
    a.save()
    Customer.objects.filter(pk=b.pk).update(search_text="北京 beijing")
    assert found("hengxin") == set() and found("hengtai") == {a.pk}
    assert found("hongda") == set() and found("beijing") == {b.pk}

    Customer.objects.filter(pk=b.pk).update(is_deleted=True)  # soft delete: still indexed
    assert found("beijing") == {b.pk}
    b.delete()
    assert found("beijing") == set()


# --- one- and two-character words (customers migration 0019) -------------------------------------

SHORT_TEXTS = [
    "上海恒鑫物流有限公司 shanghaihengxinwuliu shhxwl 02150123456 王伟 wangwei ww 13812345678",
    "北京宏达商贸有限公司 beijinghongda bjhd a-b x y",
    "物 流",  # the two characters apart: not the word 物流
    "",
]
SHORT_TERMS = ["物流", "物", "流", "王伟", "ww", "zs", "w", "58", "1", "ab", "a", "司", "z", "-",
               "公司", "流有", "x", "y", "xy"]


def short_found(term):
    """The customers the list's search finds for `term` (the index and the LIKE)."""
    return set(Customer.objects.filter(selectors.search_condition(term))
               .values_list("pk", flat=True))


def make_short_texts():
    return [Customer.objects.create(name=f"客户{n}", search_text=text)
            for n, text in enumerate(SHORT_TEXTS)]


def test_short_words_find_what_a_scan_finds_after_every_write():
    first, second, *_ = make_short_texts()
    for term in SHORT_TERMS:
        assert short_found(term) == scanned(term), term
    assert short_found("物流") == {first.pk} and short_found("zs") == set()

    first.search_text = "张三物资 zhangsanwuzi zswz"
    first.save()
    Customer.objects.filter(pk=second.pk).update(search_text="物流中心 wuliuzhongxin")
    assert short_found("zs") == {first.pk} and short_found("物流") == {second.pk}
    for term in SHORT_TERMS:
        assert short_found(term) == scanned(term), term
    second.delete()
    assert short_found("物流") == set()


def short_plan(term) -> str:
    rows = Customer.objects.filter(selectors.search_condition(term)).values("pk")
    if connection.vendor == "sqlite":
        return str(rows.query)
    with connection.cursor() as cursor:
        # A handful of rows is read faster by a scan: make the planner show it can use the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        return rows.explain()


def test_short_words_are_looked_up_in_their_index():
    make_short_texts()
    index = "customers_customer_short" if connection.vendor == "sqlite" else "cust_search_chars"
    for term in ("物流", "物", "zs", "58"):
        assert index in short_plan(term), term
    assert "customers_customer_short" not in short_plan("-")  # punctuation: the LIKE alone


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
@pytest.mark.django_db(transaction=True)  # SQLite's schema editor runs outside a transaction
def test_the_short_table_survives_a_rebuild_of_the_customer_table():
    """A migration that rebuilds customers_customer drops the triggers; post_migrate puts them
    back (customers.search_index) and re-indexes."""
    from qiao.customers.search_index import keep_sqlite_search_in_step

    first, *_ = make_short_texts()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER customers_customer_short_update")
    keep_sqlite_search_in_step()
    first.search_text = "张三 zs"
    first.save()
    assert short_found("zs") == {first.pk} and short_found("物流") == set()
