"""Backfill Customer.last_activity_at (added in 0005 as "now") from each customer's latest
timeline event, or its last change when it has none, so the pool's reclaim rule does not see
every existing customer as followed up today."""

from django.db import migrations

BACKFILL = """
UPDATE customers_customer SET last_activity_at = COALESCE(
    (SELECT MAX(e.occurred_at) FROM customers_customerevent e
     WHERE e.customer_id = customers_customer.id),
    updated_at)
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_secret_levels_and_pool")]

    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop)]
