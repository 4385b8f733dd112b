"""Field protection (ORG-4, CHECKS C04 and C05): phone, ID and bank numbers and contacts'
private text are masked for everyone on every page, form, table and file; a user with
`field.reveal` sees one value at a time, each reveal logged (never the value), and a burst of
reveals is refused with 429. A masked value posted back unchanged keeps the real one."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiao.audit.models import OperationLog
from qiao.core.masking import mask, mask_account, mask_id, mask_phone, masked
from qiao.customers import services
from qiao.customers import tabs as customer_tabs
from qiao.customers.models import Contact, Customer

from ..factories import form_data, make_contact, make_customer, valid_id_number

K = OperationLog.Kind
PHONE, MOBILE, ID, ACCOUNT = "021-50123456", "13912345678", valid_id_number(7), "6222 0210 0100 8888"
PRIVATE = "女儿在上海读大学，喜欢钓鱼"


@pytest.mark.parametrize(("value", "kind", "shown"), [
    ("13812345678", "phone", "138****5678"),
    ("021-5012 3456", "phone", "021****3456"),
    ("+86 138 1234 5678", "phone", "138****5678"),
    ("12345", "phone", "*****"),
    ("110105198506150030", "id", "110***********0030"),
    ("6222 0210 0100 8888", "account", "**** 8888"),
    ("很长的私人资料" * 10, "text", "******"),
    ("", "phone", ""),
    (None, "id", ""),
])
def test_masks(value, kind, shown):
    assert mask(value, kind) == shown


def test_masks_never_contain_the_middle_digits():
    assert "1234" not in mask_phone("13812345678")
    assert "19850615" not in mask_id("110105198506150030")
    assert "0210" not in mask_account("6222 0210 0100 8888")


@pytest.fixture
def secret_customer(personas):
    am01 = personas["am01"]
    customer = make_customer(am01, phone=PHONE, id_number=ID, bank_account=ACCOUNT)
    contact = make_contact(customer, am01, name="王总", mobile=MOBILE, private_info=PRIVATE,
                           background="退伍军人")
    return customer, contact


CLEAR = (PHONE, "02150123456", MOBILE, ID, ACCOUNT, PRIVATE, "退伍军人")


def assert_no_clear_value(text):
    assert [v for v in CLEAR if v in text] == []


@pytest.mark.parametrize("who", ["am01", "sup1", "director", "region1"])
def test_customer_page_edit_forms_and_history_show_masks_only(personas, secret_customer, who):
    customer, contact = secret_customer
    client = personas.client(who)
    for url in [reverse("customers:detail", args=[customer.pk]),
                reverse("customers:edit", args=[customer.pk]),
                reverse("customers:contact_edit", args=[contact.pk]),
                reverse("customers:history", args=[customer.pk]),
                reverse("customers:list"),
                reverse("reports:registration", args=[customer.pk]),
                *[reverse("customers:detail_tab", args=[customer.pk, tab.code])
                  for tab in customer_tabs.TABS]]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_clear_value(response.content.decode())
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    contacts = client.get(reverse("customers:detail_tab", args=[customer.pk, "contacts"]),
                          HTTP_HX_REQUEST="true").content.decode()
    assert_no_clear_value(contacts)
    assert "139****5678" in contacts and 'data-testid="reveal-mobile"' in contacts
    assert "021****3456" in page and "**** 8888" in page
    assert 'data-testid="reveal-phone"' in page  # every one of them may reveal


def test_search_by_the_full_number_still_finds_the_customer(personas, secret_customer):
    customer, _contact = secret_customer
    page = personas.client("am01").get(reverse("customers:list"), {"q": "021 5012 3456"})
    assert customer.name in page.content.decode()


def test_agent_sees_masks_without_a_reveal_button(personas):
    agent = personas["agent01"]
    customer = make_customer(agent, actor=personas["director"], phone=PHONE)
    page = personas.client("agent01").get(reverse("customers:detail", args=[customer.pk]))
    body = page.content.decode()
    assert "021****3456" in body and "reveal-phone" not in body
    url = reverse("customers:reveal", args=["customer", customer.pk, "phone"])
    assert personas.client("agent01").post(url).status_code == 404
    assert not OperationLog.objects.filter(action=K.REVEAL).exists()


def test_a_reveal_shows_one_value_and_is_logged_without_it(personas, secret_customer, caplog):
    customer, contact = secret_customer
    client = personas.client("am01")
    caplog.set_level(logging.DEBUG)
    response = client.post(reverse("customers:reveal", args=["contact", contact.pk, "mobile"]),
                           REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 200
    body = response.content.decode()
    assert MOBILE in body and PHONE not in body and PRIVATE not in body
    row = OperationLog.objects.get(action=K.REVEAL)
    assert (row.actor, row.customer_id, row.ip_address) == (personas["am01"], customer.pk,
                                                            "10.0.0.8")
    assert row.details == {"model": "customers.contact", "pk": contact.pk, "field": "mobile"}
    assert MOBILE not in str(row.details) + row.object_repr
    assert MOBILE not in caplog.text  # nor in any log line


@pytest.mark.parametrize(("who", "model", "field"), [
    ("am02", "customer", "phone"),        # another manager's customer
    ("am01", "customer", "name"),         # not a sensitive field
    ("am01", "customer", "search_text"),  # not a sensitive field either
    ("am01", "grade", "phone"),           # not a revealable record
    ("admin", "customer", "phone"),       # no customer data at all
])
def test_reveals_outside_scope_or_of_other_fields_are_404(personas, secret_customer, who, model,
                                                          field):
    customer, _contact = secret_customer
    url = reverse("customers:reveal", args=[model, customer.pk, field])
    assert personas.client(who).post(url).status_code == 404
    assert not OperationLog.objects.filter(action=K.REVEAL).exists()


def test_a_reveal_is_a_post(personas, secret_customer):
    customer, _contact = secret_customer
    url = reverse("customers:reveal", args=["customer", customer.pk, "phone"])
    assert personas.client("am01").get(url).status_code == 405


def test_pool_customers_stay_masked_until_claimed(personas):
    pool_customer = personas.customers["pool:华东区"][0]
    Customer.objects.filter(pk=pool_customer.pk).update(phone=PHONE)
    client = personas.client("region1")  # sees the region's pool
    page = client.get(reverse("customers:detail", args=[pool_customer.pk])).content.decode()
    assert "021****3456" in page and "reveal-phone" not in page
    url = reverse("customers:reveal", args=["customer", pool_customer.pk, "phone"])
    assert client.post(url).status_code == 404


def test_more_reveals_than_the_budget_in_an_hour_are_refused(personas, secret_customer, settings):
    """C05: every reveal audited; beyond the hourly budget → 429, and the refusal is logged."""
    settings.QIAO_REVEALS_PER_HOUR = 3
    customer, contact = secret_customer
    client = personas.client("am01")
    urls = [reverse("customers:reveal", args=["customer", customer.pk, "phone"]),
            reverse("customers:reveal", args=["customer", customer.pk, "id_number"]),
            reverse("customers:reveal", args=["contact", contact.pk, "private_info"]),
            reverse("customers:reveal", args=["contact", contact.pk, "mobile"]),
            reverse("customers:reveal", args=["customer", customer.pk, "bank_account"])]
    statuses = [client.post(url).status_code for url in urls]
    assert statuses == [200, 200, 200, 429, 429]
    refused = client.post(urls[3]).content.decode()
    assert "3" in refused and MOBILE not in refused
    assert OperationLog.objects.filter(action=K.REVEAL).count() == 3
    assert OperationLog.objects.filter(action=K.REVEAL_REFUSED).count() == 3
    # Someone else's budget is their own.
    assert personas.client("sup1").post(urls[3]).status_code == 200


def test_masked_values_posted_back_unchanged_keep_the_real_ones(personas, secret_customer):
    customer, contact = secret_customer
    am01 = personas["am01"]
    client = personas.client("am01")
    data = form_data(customer, am01, notes="改了备注")
    assert data["phone"] == "021****3456" and data["id_number"] == masked(customer, "id_number")
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.phone, customer.id_number, customer.bank_account, customer.notes) == (
        PHONE, ID, ACCOUNT, "改了备注")
    # A new number typed over the mask is saved.
    data = form_data(customer, am01, phone="13700001111")
    assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "13700001111" and customer.id_number == ID


def test_contact_private_text_survives_an_unchanged_edit(personas, secret_customer):
    _customer, contact = secret_customer
    client = personas.client("am01")
    page = client.get(reverse("customers:contact_edit", args=[contact.pk])).content.decode()
    assert PRIVATE not in page and "******" in page
    response = client.post(reverse("customers:contact_edit", args=[contact.pk]), {
        "name": "王总", "mobile": "139****5678", "private_info": "******",
        "background": "******", "title": "董事长", "version": contact.version})
    assert response.status_code == 302
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.mobile, contact.private_info, contact.background, contact.title) == (
        MOBILE, PRIVATE, "退伍军人", "董事长")


def test_a_mask_is_not_a_valid_new_value_on_a_new_record(personas):
    """On a new customer there is nothing to keep: a pasted mask is refused as a bad number."""
    response = personas.client("am01").post(reverse("customers:create"), {
        "kind": "enterprise", "name": "掩码测试商行", "phone": "138****5678"})
    assert response.status_code == 400
    assert not Customer.objects.filter(name="掩码测试商行").exists()


def test_the_service_never_writes_a_mask_over_a_number(personas, secret_customer):
    customer, _contact = secret_customer
    with pytest.raises(ValidationError) as error:
        services.customer_update(actor=personas["am01"], customer=customer,
                                 data={"phone": "021****3456"},
                                 expected_version=customer.version)
    assert "phone" in error.value.message_dict
    customer.refresh_from_db()
    assert customer.phone == PHONE


# The markup {% sensitive %} wrote from a template (org/_sensitive.html) before it was written in
# Python (a list masks a value per row): the tag must write exactly this.
FORMER_TEMPLATE = (
    '{% load i18n %}<span class="sensitive" data-testid="sensitive-{{ field }}"><span class="'
    'masked text-muted">{{ masked|default:"—" }}</span>{% if reveal_url %} <button type="butt'
    'on" class="btn btn-link btn-sm p-0 align-baseline text-decoration-none" hx-post="{{ reve'
    'al_url }}" hx-target="closest .sensitive" hx-swap="outerHTML" title="{% translate \'Show '
    'the full value; every look is recorded in the operation log\' %}" data-testid="reveal-{{ '
    'field }}"><i class="bi bi-eye"></i> {% translate "Show" %}</button>{% endif %}</span>\n'
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("can_reveal", [False, True])
@pytest.mark.parametrize(("field", "value"), [
    ("phone", PHONE), ("phone", ""), ("id_number", ID), ("bank_account", ACCOUNT),
    ("private_info", '<b>"secret"</b> & more'), ("background", ""),
])
def test_the_sensitive_tag_writes_the_mask_as_it_always_did(language, can_reveal, field, value):
    from django.template import Context, Template
    from django.utils import translation

    record = (Contact if field in ("private_info", "background") else Customer)(pk=7)
    setattr(record, field, value)
    meta = record._meta
    shown = masked(record, field)
    reveal_url = (reverse(f"{meta.app_label}:reveal", args=[meta.model_name, 7, field])
                  if shown and can_reveal else "")
    with translation.override(language):
        written = Template("{% load masking %}{% sensitive record field %}").render(
            Context({"record": record, "field": field, "can_reveal": can_reveal}))
        former = Template(FORMER_TEMPLATE).render(
            Context({"masked": shown, "reveal_url": reveal_url, "field": field}))
    assert written == former
    if value:  # never its middle
        assert value[3:-4] not in written
    assert ('data-testid="reveal-' in written) == bool(value and can_reveal)
