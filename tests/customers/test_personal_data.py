"""A person's data on request (PIPL Art. 45/47, SPEC DAT-4, CHECKS C22): a copy and an erasure,
each approved by the requester's superior, both in the operation log; the erasure leaves no
hit of the person's name or numbers in a dump of the database, the search or the stored
files, and the statistics as they were."""

import datetime
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from qiao.approvals import services as approval_services
from qiao.approvals.models import ApprovalRequest, ApprovalTask
from qiao.audit import services as audit_services
from qiao.audit.models import OperationLog
from qiao.core.registry import events
from qiao.customers import privacy, selectors
from qiao.customers import services as customer_services
from qiao.customers.models import Contact, Customer, CustomerEvent, PersonalDataRequest
from qiao.customers.selectors.archive import CustomerFilters
from qiao.notify.delivery import services as delivery_services
from qiao.notify.delivery.models import Delivery, Subscription
from qiao.notify.inbox.models import Notification
from qiao.sales.models import CustomerMonth
from tests.factories import make_contact, make_customer, valid_id_number
from tests.sales.factories import make_order
from tests.tickets.factories import make_ticket

pytestmark = pytest.mark.django_db

NAME = "欧阳晓岚"
PHONE = "13912345678"
RELATIVE = "司马青云"
RELATIVE_MOBILE = "13800001111"
EMAIL = "ouyang.xiaolan@example.cn"
PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + "签名：欧阳晓岚".encode() + b"\x00" * 16)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored files of this test only, so that the search of the disk finds no other test's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def individual(personas):
    """am01's individual customer with her phone and ID number, a relative as a contact, an
    edit (history), a follow-up and a ticket naming her, an attachment, an order, a reveal in
    the operation log, an inbox message and a webhook delivery of her record."""
    am01 = personas["am01"]
    customer = make_customer(am01, kind="individual", name=NAME, credit_code="",
                             phone=PHONE, id_number=valid_id_number(7),
                             address="上海市浦东新区欧阳路8号")
    make_contact(customer, am01, name=NAME, mobile=PHONE, email=EMAIL)
    make_contact(customer, am01, name=RELATIVE, mobile=RELATIVE_MOBILE, hobbies="钓鱼")
    customer.refresh_from_db()
    customer_services.customer_update(
        actor=am01, customer=customer, data={"notes": f"{NAME}女士，电话{PHONE}，每月进货"},
        expected_version=customer.version)
    customer_services.customer_follow_up_record(actor=am01, customer=customer, channel="phone",
                                         note=f"与{NAME}确认下月计划，{RELATIVE}在场")
    make_ticket(am01, customer, description=f"{NAME}来电（{PHONE}）反映卷烟受潮")
    customer_services.attachment_add(
        actor=am01, customer=customer, upload=SimpleUploadedFile("签名.png", PNG, "image/png"))
    make_order(am01, customer)
    audit_services.field_reveal(actor=am01, instance=customer, field="phone", customer=customer)
    audit_services.customer_view_record(actor=am01, customer=customer)
    subscription = Subscription(name="ERP", url="https://erp.example.cn/hook",
                                events=["customer.created"])
    subscription.full_clean()
    subscription.save()
    # The outbox rows of customer.created as its after-commit subscriber writes them.
    delivery_services.event_deliveries_create(
        events.get("customer.created"), {"customer_id": customer.pk, "name": NAME, "owner": "am01"})
    return Customer.objects.get(pk=customer.pk)


def request(personas, customer, kind, *, contact=None, user="am01"):
    response = personas.client(user).post(
        reverse("customers:personal_data_new", args=[customer.pk]),
        {"person": contact.pk if contact else "", "kind": kind,
         "reason": "本人到营业厅书面申请，已核对身份证"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PersonalDataRequest.objects.filter(customer=customer).latest("pk")


def approve(personas, found):
    approval = ApprovalRequest.objects.get(type_code=privacy.REQUEST_TYPE, object_id=found.pk)
    task = ApprovalTask.objects.get(request=approval)
    approval_services.task_approve(actor=personas["sup1"], task=task, comment="同意")
    found.refresh_from_db()
    return found


def database_text() -> str:
    """Every row of every table as text: the SQLite dump, PostgreSQL's rows cast to text."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (catalogue names)
            parts += [row[0] for row in cursor.fetchall()]
    return "\n".join(parts)


def hits(text: str, needle: str) -> bool:
    return needle in text or json.dumps(needle)[1:-1] in text


def media_hits(needle: str) -> list[Path]:
    encoded = needle.encode()
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*")
            if path.is_file() and encoded in path.read_bytes()]


# --- the erasure ---------------------------------------------------------------------------------

def test_an_approved_erasure_leaves_no_hit_anywhere_and_the_statistics_as_they_were(personas):
    customer = individual(personas)
    needles = (NAME, PHONE, RELATIVE, RELATIVE_MOBILE, EMAIL, customer.id_number)
    before = database_text()
    assert all(hits(before, needle) for needle in needles)
    assert media_hits(NAME)
    months = list(CustomerMonth.objects.filter(customer=customer).values_list(
        "month", "net_sales"))
    timeline = CustomerEvent.objects.filter(customer=customer).count()
    logs = set(OperationLog.objects.values_list("pk", flat=True))

    found = request(personas, customer, "erasure")
    assert found.state == "open" and Customer.objects.get(pk=customer.pk).name == NAME
    approve(personas, found)

    assert found.state == "approved" and found.done_at is not None
    after = database_text()
    assert [needle for needle in needles if hits(after, needle)] == []
    assert media_hits(NAME) == []
    for term in (NAME, PHONE, RELATIVE):
        assert not selectors.customer_list(personas["am01"], CustomerFilters(q=term)).exists()
    # The records and their figures stay, without the person.
    erased = Customer._base_manager.get(pk=customer.pk)
    assert erased.name.startswith(privacy.ERASED_NAME) and erased.phone == ""
    assert list(CustomerMonth.objects.filter(customer=customer).values_list(
        "month", "net_sales")) == months
    assert CustomerEvent.objects.filter(customer=customer).count() == timeline + 2
    assert set(Contact._base_manager.filter(customer=customer).values_list(
        "name", "is_deleted")) == {(privacy.ERASED_NAME, True)}
    # Logged, nothing purged from the log.
    assert logs < set(OperationLog.objects.values_list("pk", flat=True))
    entry = OperationLog.objects.get(action=OperationLog.Kind.PERSONAL_DATA_ERASED)
    assert entry.actor == personas["sup1"] and entry.customer_id == customer.pk
    assert entry.details["contacts"] == 2 and entry.details["files"] >= 1


def test_a_contacts_erasure_leaves_the_enterprise_its_name_and_the_other_contacts(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    leaving = make_contact(customer, am01, name=RELATIVE, mobile=RELATIVE_MOBILE, email=EMAIL)
    staying = make_contact(customer, am01, name="王建国", mobile="13700002222")
    customer.refresh_from_db()
    customer_services.customer_update(
        actor=am01, customer=customer, data={"legal_representative": RELATIVE},
        expected_version=customer.version)
    make_ticket(am01, customer, contact=leaving, description=f"{RELATIVE}反映到货延迟")
    name = customer.name

    approve(personas, request(personas, customer, "erasure", contact=leaving))

    text = database_text()
    assert not hits(text, RELATIVE) and not hits(text, RELATIVE_MOBILE) and not hits(text, EMAIL)
    customer.refresh_from_db()
    assert customer.name == name and customer.legal_representative == "＊＊"
    staying.refresh_from_db()
    assert (staying.name, staying.mobile, staying.is_deleted) == ("王建国", "13700002222", False)


def test_a_rejected_erasure_changes_nothing(personas):
    customer = individual(personas)
    found = request(personas, customer, "erasure")
    approval = ApprovalRequest.objects.get(type_code=privacy.REQUEST_TYPE, object_id=found.pk)
    approval_services.task_reject(actor=personas["sup1"], task=approval.tasks.get(),
                                  comment="身份未核实")
    found.refresh_from_db()
    assert found.state == "rejected" and found.done_at is None
    assert Customer.objects.get(pk=customer.pk).name == NAME
    assert hits(database_text(), PHONE)


# --- the copy ------------------------------------------------------------------------------------

def test_an_approved_copy_is_the_requesters_zip_of_json_workbook_and_files(personas):
    customer = individual(personas)
    found = approve(personas, request(personas, customer, "export"))
    assert found.downloadable()
    url = reverse("customers:personal_data_download", args=[found.pk])
    assert personas.client("sup1").get(url).status_code == 404
    assert personas.client("am02").get(url).status_code == 404

    response = personas.client("am01").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    document = json.loads(archive.read("personal-data.json"))
    assert "am01" in document["exported_by"]
    first = document["sections"][0]["rows"][0]
    assert first["客户名称"] == NAME and first["电话"] == PHONE
    titles = {section["title"] for section in document["sections"]}
    assert {"联系人", "服务单", "附件", "客户动态"} <= titles, titles
    book = openpyxl.load_workbook(io.BytesIO(archive.read("personal-data.xlsx")))
    assert book.worksheets[0]["A1"].value.startswith("导出人：")
    assert any(name.startswith("files/") for name in archive.namelist())
    entry = OperationLog.objects.filter(action=OperationLog.Kind.EXPORT).latest("pk")
    assert entry.customer_id == customer.pk and len(entry.details["sha256"]) == 64
    assert NAME not in entry.object_repr
    found.refresh_from_db()
    assert found.downloads == 1 and found.last_sha256 == entry.details["sha256"]


def test_the_copy_of_clear_values_needs_a_verified_second_factor(personas, settings):
    settings.QIAO_SECOND_FACTOR = True
    customer = personas.customers["am01"][0]
    found = PersonalDataRequest.objects.create(
        requester=personas["am01"], customer=customer, kind="export", reason="本人来电申请",
        contact=make_contact(customer, personas["am01"], name=RELATIVE), state="approved",
        expires_at=timezone.now() + datetime.timedelta(days=1))
    response = personas.client("am01").get(
        reverse("customers:personal_data_download", args=[found.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:second_factor_setup"))
    assert not OperationLog.objects.filter(action=OperationLog.Kind.EXPORT).exists()


def test_a_copy_waits_for_approval(personas):
    customer = individual(personas)
    found = request(personas, customer, "export")
    response = personas.client("am01").get(
        reverse("customers:personal_data_download", args=[found.pk]))
    assert response.status_code == 302
    assert not OperationLog.objects.filter(action=OperationLog.Kind.EXPORT).exists()


# --- asking ---------------------------------------------------------------------------------------

def test_an_enterprise_is_not_a_person_and_bad_requests_write_nothing(personas):
    enterprise = personas.customers["am01"][0]
    client = personas.client("am01")
    url = reverse("customers:personal_data_new", args=[enterprise.pk])
    for data in ({"person": "", "kind": "erasure", "reason": "电话申请"},
                 {"person": "", "kind": "shred", "reason": "电话申请"},
                 {"person": "", "kind": "export", "reason": "\u200b \u200b"}):
        assert client.post(url, data).status_code == 400
    other = make_contact(personas.customers["am02"][0], personas["am02"], name="别家联系人")
    assert client.post(url, {"person": other.pk, "kind": "export",
                             "reason": "电话申请"}).status_code == 400
    assert not PersonalDataRequest.objects.exists()
    assert not ApprovalRequest.objects.exists()


def test_another_managers_customer_is_missing_and_the_action_is_needed(personas):
    customer = individual(personas)
    url = reverse("customers:personal_data_new", args=[customer.pk])
    assert personas.client("am02").get(url).status_code == 404
    assert personas.client("qa01").get(url).status_code == 404
    assert personas.client("am01").get(url).status_code == 200


def test_a_second_open_request_of_the_same_kind_is_refused(personas):
    customer = individual(personas)
    request(personas, customer, "erasure")
    response = personas.client("am01").post(
        reverse("customers:personal_data_new", args=[customer.pk]),
        {"person": "", "kind": "erasure", "reason": "再次申请"})
    assert response.status_code == 400
    assert PersonalDataRequest.objects.count() == 1


def test_the_log_names_a_person_by_number_only(personas):
    customer = individual(personas)
    names = set(OperationLog.objects.filter(customer=customer).values_list("object_repr",
                                                                              flat=True))
    assert names == {f"个人 #{customer.pk}"}, names


def test_the_copies_of_her_name_elsewhere_are_swept(personas):
    customer = individual(personas)
    assert Delivery.objects.filter(channel=Delivery.Channel.EVENT, payload__data__name=NAME) \
        .exists() or Delivery.objects.filter(channel=Delivery.Channel.EVENT).exists()
    approve(personas, request(personas, customer, "erasure"))
    for delivery in Delivery.objects.filter(channel=Delivery.Channel.EVENT):
        assert NAME not in json.dumps(delivery.payload, ensure_ascii=False)
    for note in Notification.objects.all():
        assert NAME not in note.title + note.body + json.dumps(note.params, ensure_ascii=False)
