"""The trigram index of customers.search_text (customers migration 0003) — what makes the search
box fast at 100k customers (see `make bench`). On SQLite it is a table of its own, kept in step
by triggers: it must find what a scan of the column finds after every kind of write."""

import pytest
from django.db import connection

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
