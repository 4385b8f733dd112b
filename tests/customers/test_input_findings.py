"""The findings of the "Fix first" issue about input, through the real pages and API:
invisible characters, traditional characters, implausible values and phone numbers."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qiao.core.fields import phones_reformat
from qiao.core.masking import masked
from qiao.customers import services
from qiao.customers.models import Contact, Customer
from qiao.customers.reminders import birthday_remind
from qiao.notify.inbox.models import Notification
from tests.api.conftest import Api, token_secret
from tests.customers.test_search import results
from tests.customers.test_views import field_errors
from tests.factories import make_contact, make_customer

CREATE = reverse("customers:create")
ZWSP, RLO = "\u200b", "\u202e"


@pytest.fixture
def api(personas):
    return Api(token_secret(personas["am01"]))


@pytest.fixture
def henghe(personas):
    return make_customer(personas["am01"], name="华东恒和商行", phone="13812345678",
                         region=personas.org.regions[0])


@pytest.mark.parametrize("look_alike", [f"华东{ZWSP}恒和商行", "華東恆和商行", "华东恒和商行\ufeff",
                                        "ＨＤ华东恒和商行"[2:]])
def test_a_look_alike_name_is_a_possible_duplicate_on_the_page_and_in_the_api(
        personas, henghe, api, look_alike):
    page = personas.client("am01").post(CREATE, {"kind": "enterprise", "name": look_alike})
    # not saved: the page asks to confirm, listing the look-alike
    assert page.status_code == 200 and henghe.name in page.content.decode()
    response = api.post("/customers", {"name": look_alike})
    assert response.status_code == 409, response.content
    assert f"#{henghe.pk}" in response.json()["detail"]
    assert Customer.objects.filter(name__contains="恒和").count() == 1


def test_a_name_of_invisible_characters_is_refused_and_overrides_are_dropped(personas, api):
    client = personas.client("am01")
    response = client.post(CREATE, {"kind": "enterprise", "name": ZWSP * 3 + RLO})
    assert response.status_code == 400
    assert "不可见" in field_errors(response, "name")[0]
    assert api.post("/customers", {"name": f"{ZWSP}{RLO}"}).status_code == 400
    response = client.post(CREATE, {"kind": "enterprise", "name": f"恒通{RLO}司公限有",
                                    "notes": f"第一行\r\n第二{ZWSP}行"})
    assert response.status_code == 302
    saved = Customer.objects.get(name="恒通司公限有")
    assert saved.notes == "第一行\n第二行"


def test_traditional_and_simplified_find_each_other(personas):
    am01, region = personas["am01"], personas.org.regions[0]
    lease = make_customer(am01, name="东方赁贷商行", region=region)
    make_contact(lease, am01, name="陳賃")
    for query in ("賃貸", "赁贷", "陈赁", "陳賃", f"赁{ZWSP}贷"):
        assert results(personas.client("am01"), q=query) == ([lease.name], 1), query


def test_phones_are_stored_in_one_form_and_masked_correctly(personas, api):
    client = personas.client("am01")
    response = client.post(CREATE, {"kind": "enterprise", "name": "号码测试商行",
                                    "fax": "+86 138 1234 5679", "phone": "０２１ １２３４ ５６７８转８０１"})
    assert response.status_code == 302
    customer = Customer.objects.get(name="号码测试商行")
    assert (customer.fax, customer.phone) == ("13812345679", "021-12345678转801")
    assert (masked(customer, "fax"), masked(customer, "phone")) == ("138****5679",
                                                                    "021****5678转801")
    response = api.post(f"/customers/{customer.pk}/contacts",
                        {"name": "王经理", "mobile": "１３９１２３４５６７８", "phone": "021-12345678 ext 9"})
    assert response.status_code == 201, response.content
    assert response.json()["mobile"] == "139****5678"
    contact = Contact.objects.get(name="王经理")
    assert (contact.mobile, contact.phone) == ("13912345678", "021-12345678转9")
    # found by the number however it is typed, extension or not
    for query in ("021-12345678转801", "02112345678", "+86 139 1234 5678"):
        assert results(client, q=query) == (["号码测试商行"], 1), query


@pytest.mark.parametrize(("change", "field"), [
    ({"staff_count": "99999999999999"}, "staff_count"),
    ({"licence_expiry": "9999-12-31"}, "licence_expiry"),
    ({"licence_expiry": "0001-01-01"}, "licence_expiry"),
    ({"start_date": "0001-01-01"}, "start_date"),
])
def test_implausible_customer_values_are_refused_on_the_page(personas, change, field):
    response = personas.client("am01").post(CREATE, {"kind": "enterprise", "name": "范围测试商行",
                                                     **change})
    assert response.status_code == 400
    assert field_errors(response, field), response.content.decode()[:2000]
    assert not Customer.objects.filter(name="范围测试商行").exists()


def test_a_birthday_in_the_future_is_refused_and_never_reminded(personas, henghe, api):
    response = api.post(f"/customers/{henghe.pk}/contacts", {"name": "未来人", "birthday": "2099-05-01"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["birthday"]
    # one stored before birthdays were checked
    today = timezone.localdate()
    contact = make_contact(henghe, personas["am01"], name="旧数据")
    Contact.objects.filter(pk=contact.pk).update(birthday=today.replace(year=2099))
    assert birthday_remind(today=today) == 0
    assert not Notification.objects.filter(kind="birthday").exists()


def test_existing_phones_and_search_keys_are_brought_to_the_new_form(personas):
    """What migration customers.0011 does to rows stored before this change."""
    customer = make_customer(personas["am01"], name="華東賃貸商行", region=personas.org.regions[0])
    contact = make_contact(customer, personas["am01"], name="李四")
    Customer.objects.filter(pk=customer.pk).update(  # as stored before: raw, unfolded keys
        phone="+86 138 1234 5679", search_text="華東賃貸商行 huadonglindaishanghang",
        name_normalized="華東賃貸商行")
    Contact.objects.filter(pk=contact.pk).update(mobile="１３９１２３４５６７８")
    assert results(personas.client("am01"), q="赁贷")[1] == 0
    phones_reformat(Customer, ["phone", "fax"])
    phones_reformat(Contact, ["mobile", "phone"])
    assert services.search_keys_refresh() == 1
    assert services.search_keys_refresh() == 0  # nothing left to do
    customer.refresh_from_db()
    assert customer.phone == "13812345679" and customer.name_normalized == "华东赁贷商行"
    assert Contact.objects.get(pk=contact.pk).mobile == "13912345678"
    assert results(personas.client("am01"), q="赁贷") == (["華東賃貸商行"], 1)


def test_dates_and_birthdays_of_the_past_are_still_accepted(personas, henghe):
    old = date(1950, 3, 1)
    contact = make_contact(henghe, personas["am01"], name="老先生", birthday=old)
    assert contact.birthday == old
    yesterday = timezone.localdate() - timedelta(days=1)
    assert make_contact(henghe, personas["am01"], name="小朋友", birthday=yesterday).birthday == yesterday
