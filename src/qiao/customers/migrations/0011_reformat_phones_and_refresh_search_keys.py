"""Phones already stored are put into the stored form of core.fields.PhoneField (full-width
digits, +86 and spaces gone: 13812345678, 021-12345678), and customers' search keys are
recomputed where the new folding (core.text.search_key: invisible characters dropped,
traditional characters to simplified, full NFKC) makes them differ."""

from django.db import migrations

from qiao.core.fields import phones_reformat
from qiao.customers.services import search_keys_refresh


def forwards(apps, schema_editor):
    customer, contact = apps.get_model("customers", "Customer"), apps.get_model("customers",
                                                                                 "Contact")
    phones_reformat(customer, ["phone", "fax"])
    phones_reformat(contact, ["mobile", "phone"])
    search_keys_refresh(customer_model=customer, contact_model=contact)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0010_plausible_ranges_and_phone_fields"),
    ]

    # Backwards: the old forms are still valid values, so there is nothing to undo.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
