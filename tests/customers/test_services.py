"""customers.services: every write, its history row, its timeline event — and, when refused,
proof that nothing at all was written."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from qiao.core.exceptions import DuplicateRecordError, StaleVersionError, TransitionNotAllowed
from qiao.customers import selectors, services
from qiao.customers.lifecycle import TRANSITIONS
from qiao.customers.models import Attachment, Contact, Customer, CustomerEvent
from tests.factories import make_contact, valid_credit_code

S = Customer.Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def snapshot(customer):
    """Everything a refused write must leave untouched."""
    row = Customer.objects.filter(pk=customer.pk).values().get()
    return (row, customer.history.count(), CustomerEvent.objects.filter(customer=customer).count())


def events(customer, kind=None):
    qs = CustomerEvent.objects.filter(customer=customer).order_by("occurred_at", "id")
    return list(qs.filter(kind=kind) if kind else qs)


# --- create ----------------------------------------------------------------------------------

def test_create_defaults_owner_to_actor_and_writes_history_and_event(personas):
    am01 = personas["am01"]
    customer = services.customer_create(actor=am01, data={
        "name": "上海恒鑫贸易有限公司", "phone": "021-5012 3456", "credit_code": valid_credit_code()})
    customer.refresh_from_db()
    assert customer.owner == am01
    assert customer.owner_unit_id == am01.unit_id
    assert customer.created_by == am01
    assert (customer.status, customer.version) == (S.PROSPECT, 1)
    assert customer.name_normalized == "上海恒鑫贸易"
    assert customer.phone_normalized == "02150123456"
    assert {"shanghaihengxinmaoyiyouxiangongsi", "shhxmyyxgs"} <= set(customer.search_text.split())
    (record,) = customer.history.all()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", am01, None)
    (event,) = events(customer)
    assert (event.kind, event.actor) == ("created", am01)


def test_pool_customer_belongs_to_its_regions_unit(personas):
    region = personas.org.regions[1]
    customer = services.customer_create(actor=personas["director"],
                                        data={"name": "北京公海客户", "owner": None, "region": region})
    assert customer.owner is None
    assert customer.owner_unit_id == region.pk


@pytest.mark.parametrize("data, field", [
    ({"name": "坏代码公司", "credit_code": "91310115MA1FL4TM3Y"}, "credit_code"),
    ({"name": "坏电话公司", "phone": "12345"}, "phone"),
    ({"name": ""}, "name"),
    ({"name": "长" * 121}, "name"),
    ({"name": "坏选项公司", "industry": "mining"}, "industry"),
])
def test_create_with_invalid_data_saves_nothing(personas, data, field):
    before = (Customer.objects.count(), CustomerEvent.objects.count(), Customer.history.count())
    with pytest.raises(ValidationError) as excinfo:
        services.customer_create(actor=personas["am01"], data=data)
    assert field in excinfo.value.error_dict
    assert (Customer.objects.count(), CustomerEvent.objects.count(),
            Customer.history.count()) == before


def test_create_with_a_taken_credit_code_is_a_duplicate_and_saves_nothing(personas):
    taken = personas.customers["am03"][0]
    before = (Customer.objects.count(), CustomerEvent.objects.count())
    with pytest.raises(DuplicateRecordError) as excinfo:
        services.customer_create(actor=personas["am01"],
                                 data={"name": "另一家公司", "credit_code": taken.credit_code.lower()})
    assert taken.credit_code in str(excinfo.value)
    assert (Customer.objects.count(), CustomerEvent.objects.count()) == before


def test_a_deleted_customers_credit_code_can_be_used_again(personas):
    old = personas.customers["am01"][0]
    services.customer_delete(actor=personas["sup1"], customer=old)
    new = services.customer_create(actor=personas["am01"],
                                   data={"name": "重新登记公司", "credit_code": old.credit_code})
    assert new.credit_code == old.credit_code


# --- update ----------------------------------------------------------------------------------

def test_update_saves_bumps_version_and_records_before_and_after(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    old_name = customer.name
    services.customer_update(actor=am01, customer=customer, expected_version=1,
                             data={"name": "改名后的公司", "phone": "+86 138 0013 8000"},
                             tags=[personas.tags[0]])
    customer.refresh_from_db()
    assert (customer.name, customer.version, customer.phone_normalized) == (
        "改名后的公司", 2, "13800138000")
    assert list(customer.tags.all()) == [personas.tags[0]]
    edits = customer.history.filter(history_type="~").order_by("history_date")
    assert {(e.history_user, e.history_change_reason) for e in edits} == {(am01, None)}
    diff = {c.field: (c.old, c.new) for e in edits for c in e.diff_against(e.prev_record).changes}
    assert diff["name"] == (old_name, "改名后的公司")
    assert diff["phone"] == ("", "13800138000")  # stored in one form
    (event,) = events(customer, "edited")
    assert event.message == "修改：客户名称、电话、标签"  # the tags changed too
    assert event.actor == am01


def test_owner_unit_follows_the_owner(personas):
    customer = personas.customers["am01"][0]
    am03 = personas["am03"]
    assert am03.unit_id != personas["am01"].unit_id
    services.customer_update(actor=personas["region1"], customer=customer, expected_version=1,
                             data={"owner": am03})
    customer.refresh_from_db()
    assert (customer.owner, customer.owner_unit_id) == (am03, am03.unit_id)
    assert not Customer.objects.visible_to(personas["am01"]).filter(pk=customer.pk).exists()
    assert Customer.objects.visible_to(am03).filter(pk=customer.pk).exists()
    # To the pool: the region's unit, so the regional manager still sees it.
    services.customer_update(actor=personas["region1"], customer=customer, expected_version=2,
                             data={"owner": None, "region": personas.org.regions[0]})
    customer.refresh_from_db()
    assert (customer.owner_id, customer.owner_unit_id) == (None, personas.org.regions[0].pk)


def test_stale_version_is_refused_and_nothing_is_written(personas):
    customer = personas.customers["am01"][0]
    services.customer_update(actor=personas["am01"], customer=Customer.objects.get(pk=customer.pk),
                             expected_version=1, data={"notes": "第一次修改"})
    before = snapshot(customer)
    with pytest.raises(StaleVersionError):
        services.customer_update(actor=personas["sup1"], customer=customer, expected_version=1,
                                 data={"notes": "基于旧版本的修改", "name": "旧版本改名"})
    assert snapshot(customer) == before
    assert Customer.objects.get(pk=customer.pk).notes == "第一次修改"


def test_update_to_a_taken_credit_code_is_refused(personas):
    customer, other = personas.customers["am01"]
    before = snapshot(customer)
    with pytest.raises(DuplicateRecordError):
        services.customer_update(actor=personas["am01"], customer=customer, expected_version=1,
                                 data={"credit_code": other.credit_code})
    assert snapshot(customer) == before


# --- delete and restore ----------------------------------------------------------------------

def test_delete_and_restore(personas):
    sup1 = personas["sup1"]
    customer = personas.customers["am02"][0]
    services.customer_delete(actor=sup1, customer=customer)
    customer.refresh_from_db()
    assert customer.is_deleted and customer.deleted_at
    assert not Customer.objects.visible_to(personas["am02"]).filter(pk=customer.pk).exists()
    assert Customer.objects.deleted_visible_to(sup1).get() == customer
    services.customer_restore(actor=sup1, customer=customer)
    customer.refresh_from_db()
    assert not customer.is_deleted and customer.deleted_at is None
    assert Customer.objects.visible_to(personas["am02"]).filter(pk=customer.pk).exists()
    assert [e.kind for e in events(customer)][-2:] == ["deleted", "restored"]
    reasons = list(customer.history.order_by("history_date").values_list(
        "history_change_reason", "history_user"))
    assert reasons[-2:] == [("删除", sup1.pk), ("恢复", sup1.pk)]


def test_restore_is_refused_when_the_credit_code_was_reused(personas):
    customer = personas.customers["am01"][0]
    services.customer_delete(actor=personas["sup1"], customer=customer)
    services.customer_create(actor=personas["am02"],
                             data={"name": "占用代码的公司", "credit_code": customer.credit_code})
    before = snapshot(customer)
    with pytest.raises(DuplicateRecordError) as excinfo:
        services.customer_restore(actor=personas["sup1"],
                                  customer=Customer.objects.get(pk=customer.pk))
    assert customer.credit_code in str(excinfo.value)
    assert snapshot(customer) == before
    assert Customer.objects.get(pk=customer.pk).is_deleted


# --- lifecycle -------------------------------------------------------------------------------

def test_lifecycle_walks_every_allowed_step(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    path = [S.ONBOARDED, S.ACTIVE, S.SUSPENDED, S.ACTIVE, S.OFFBOARDED, S.PROSPECT, S.OFFBOARDED,
            S.PROSPECT, S.ONBOARDED, S.SUSPENDED, S.OFFBOARDED, S.PROSPECT, S.ONBOARDED,
            S.OFFBOARDED]
    for step, target in enumerate(path, start=1):
        services.customer_transition(actor=am01, customer=customer, to_status=target,
                                     note=f"第{step}步", expected_version=customer.version)
        customer.refresh_from_db()
        assert customer.status == target
        assert customer.history.latest("history_date").history_change_reason == f"第{step}步"
    assert customer.version == len(path) + 1
    assert customer.onboarded_on is not None and customer.offboarded_on is not None
    assert len(events(customer, "status")) == len(path)
    # Every (from, to) pair of the table was exercised at least once.
    walked = set(zip([S.PROSPECT, *path], path, strict=False))
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == walked


def test_every_step_outside_the_table_is_refused_and_changes_nothing(personas):
    customer = personas.customers["am01"][0]
    refused = 0
    for status in S.values:
        Customer.objects.filter(pk=customer.pk).update(status=status)
        customer.refresh_from_db()
        for target in [*S.values, "bogus"]:
            if target in TRANSITIONS[status]:
                continue
            before = snapshot(customer)
            with pytest.raises(TransitionNotAllowed):
                services.customer_transition(actor=personas["am01"], customer=customer,
                                             to_status=target, note="",
                                             expected_version=customer.version)
            assert snapshot(customer) == before, (status, target)
            refused += 1
    assert refused == 5 * 6 - sum(len(t) for t in TRANSITIONS.values())


def test_a_stale_transition_is_refused(personas):
    customer = personas.customers["am01"][0]
    before = snapshot(customer)
    with pytest.raises(StaleVersionError):
        services.customer_transition(actor=personas["am01"], customer=customer,
                                     to_status=S.ONBOARDED, note="", expected_version=7)
    assert snapshot(customer) == before


# --- grade -----------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   "])
def test_grade_change_without_reason_is_refused(personas, reason):
    customer = personas.customers["am01"][0]
    before = snapshot(customer)
    with pytest.raises(ValidationError) as excinfo:
        services.customer_change_grade(actor=personas["sup1"], customer=customer,
                                       grade=personas.grades[0], category="key", reason=reason,
                                       expected_version=1)
    assert "reason" in excinfo.value.error_dict
    assert snapshot(customer) == before


def test_grade_change_records_the_reason_in_history_and_timeline(personas):
    sup1 = personas["sup1"]
    customer = personas.customers["am01"][1]
    services.customer_change_grade(actor=sup1, customer=customer, grade=personas.grades[2],
                                   category="key", reason="首次定级", expected_version=1)
    services.customer_change_grade(actor=sup1, customer=customer, grade=personas.grades[0],
                                   category=Customer.Category.BIG, reason=" 年采购额超过五百万 ",
                                   expected_version=2)
    customer.refresh_from_db()
    assert (customer.grade, customer.category, customer.version) == (personas.grades[0], "big", 3)
    record = customer.history.latest("history_date")
    assert (record.history_change_reason, record.history_user) == ("年采购额超过五百万", sup1)
    diff = {c.field: (c.old, c.new) for c in record.diff_against(record.prev_record).changes}
    assert diff == {"grade": (personas.grades[2].pk, personas.grades[0].pk),
                    "category": ("key", "big")}
    first, second = events(customer, "graded")
    assert first.message == "等级 —/普通客户 → 三级/重点客户：首次定级"
    assert second.message == "等级 三级/重点客户 → 一级/大客户：年采购额超过五百万"
    assert (second.data, second.actor) == ({"reason": "年采购额超过五百万"}, sup1)


def test_a_long_grade_reason_fits_the_history_and_stays_whole_in_the_timeline(personas):
    customer = personas.customers["am01"][0]
    reason = "原因" * 100  # 200 characters: the form's limit
    services.customer_change_grade(actor=personas["sup1"], customer=customer,
                                   grade=personas.grades[1], category="key", reason=reason,
                                   expected_version=1)
    assert customer.history.latest("history_date").history_change_reason == reason[:100]
    assert events(customer, "graded")[0].data["reason"] == reason


# --- contacts --------------------------------------------------------------------------------

def search_words(customer):
    return set(Customer.objects.get(pk=customer.pk).search_text.split())


def test_contact_create_edit_delete_restore(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    contact = make_contact(customer, am01, name="张三", mobile="138 0013 8000", title="采购经理")
    assert contact.employer == customer.name
    assert {"张三", "zhangsan", "zs", "13800138000"} <= search_words(customer)
    assert contact.history.get().history_user == am01

    services.contact_update(actor=am01, contact=contact, expected_version=1,
                            data={"name": "张三丰", "is_key_person": True})
    contact.refresh_from_db()
    assert (contact.name, contact.is_key_person, contact.version) == ("张三丰", True, 2)
    assert "zhangsanfeng" in search_words(customer) and "zhangsan" not in search_words(customer)

    services.contact_delete(actor=am01, contact=contact)
    assert not Contact.objects.visible_to(am01).exists()
    assert "zhangsanfeng" not in search_words(customer)
    services.contact_restore(actor=personas["sup1"], contact=Contact.objects.get(pk=contact.pk))
    assert list(Contact.objects.visible_to(am01)) == [contact]
    assert "zhangsanfeng" in search_words(customer)
    assert [e.message for e in events(customer) if e.kind.startswith("contact_")] == [
        "新增联系人：张三", "修改联系人：张三丰", "删除联系人：张三丰", "恢复联系人：张三丰"]


def test_contact_with_invalid_data_saves_nothing(personas):
    customer = personas.customers["am01"][0]
    before = (Contact.objects.count(), CustomerEvent.objects.count(), search_words(customer))
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(actor=personas["am01"], customer=customer,
                                data={"name": "李四", "mobile": "123", "email": "not-an-email"})
    assert {"mobile", "email"} <= set(excinfo.value.error_dict)
    assert (Contact.objects.count(), CustomerEvent.objects.count(), search_words(customer)) == before


def test_stale_contact_edit_is_refused(personas):
    contact = make_contact(personas.customers["am01"][0], personas["am01"], name="王五")
    services.contact_update(actor=personas["am01"], contact=Contact.objects.get(pk=contact.pk),
                            data={"title": "总经理"}, expected_version=1)
    with pytest.raises(StaleVersionError):
        services.contact_update(actor=personas["am01"], contact=contact, data={"name": "王六"},
                                expected_version=1)
    contact.refresh_from_db()
    assert (contact.name, contact.title, contact.version) == ("王五", "总经理", 2)


# --- attachments -----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_attachment_is_stored_under_our_own_name(personas, media):
    customer = personas.customers["am01"][0]
    attachment = services.attachment_add(actor=personas["am01"], customer=customer,
                                         upload=upload("../../营业执照.pdf", PDF, "application/pdf"),
                                         description="营业执照扫描件")
    assert attachment.original_name == "营业执照.pdf"  # Django drops the path part
    assert attachment.size == len(PDF)
    stored = media / attachment.file.name
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(media) and ".." not in attachment.file.name
    assert events(customer, "attachment_added")[0].message == "上传附件：营业执照.pdf"


@pytest.mark.parametrize("name, content", [
    ("setup.exe", EXE),                      # a type we do not keep
    ("invoice.pdf", EXE),                    # a program renamed .pdf
    ("photo.png", PDF),                      # a PDF renamed .png
    ("notes.txt", EXE),                      # binary content in a text file
    ("no-extension", PDF),
    ("contract.docx", b"<html>not a zip</html>"),
])
def test_attachment_of_the_wrong_type_is_refused_and_nothing_saved(personas, media, name,
                                                                    content):
    customer = personas.customers["am01"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(actor=personas["am01"], customer=customer,
                                upload=upload(name, content))
    assert "file" in excinfo.value.error_dict
    assert not Attachment.objects.exists()
    assert not events(customer, "attachment_added")
    assert not any(media.rglob("*.*"))


def test_oversized_attachment_is_refused_and_nothing_saved(personas, media):
    customer = personas.customers["am01"][0]
    with override_settings(QIAO_ATTACHMENT_MAX_BYTES=1024):
        services.attachment_add(actor=personas["am01"], customer=customer,
                                upload=upload("small.pdf", PDF.ljust(1024, b" ")))
        with pytest.raises(ValidationError) as excinfo:
            services.attachment_add(actor=personas["am01"], customer=customer,
                                    upload=upload("big.pdf", PDF.ljust(1025, b" ")))
    assert "file" in excinfo.value.error_dict
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["small.pdf"]
    assert len(list(media.rglob("*.pdf"))) == 1


def test_attachment_delete_is_soft(personas, media):
    customer = personas.customers["am01"][0]
    attachment = services.attachment_add(actor=personas["am01"], customer=customer,
                                         upload=upload("a.csv", "名称,电话\n甲,1\n".encode()))
    services.attachment_delete(actor=personas["am01"], attachment=attachment)
    assert not Attachment.objects.visible_to(personas["am01"]).exists()
    assert Attachment.objects.get(pk=attachment.pk).is_deleted
    assert (media / attachment.file.name).exists()  # kept: the record can be restored


# --- duplicates (CUS-5) ----------------------------------------------------------------------

def test_find_duplicates_matches_code_name_and_phone_and_tells_only_what_is_visible(personas):
    am01, am03 = personas["am01"], personas["am03"]
    mine = services.customer_create(actor=am01, data={
        "name": "ＡＢＣ贸易有限公司", "phone": "+86 138 0013 8000", "credit_code": valid_credit_code()})
    theirs = services.customer_create(actor=am03, data={
        "name": "华东恒通商行", "phone": "021-5012 3456", "credit_code": valid_credit_code()})
    cases = [
        ({"name": "ABC贸易有限责任公司"}, [mine], 0),
        ({"name": "abc 贸易股份有限公司"}, [mine], 0),
        ({"phone": "13800138000"}, [mine], 0),
        ({"credit_code": mine.credit_code.lower()}, [mine], 0),
        ({"name": "华东恒通商行有限公司"}, [], 1),
        ({"phone": "02150123456"}, [], 1),
        ({"credit_code": theirs.credit_code}, [], 1),
        ({"name": "ABC贸易", "phone": "021 5012 3456"}, [mine], 1),
        ({"name": "毫不相干的公司", "phone": "13900000000"}, [], 0),
        ({}, [], 0),
    ]
    for criteria, visible, hidden in cases:
        found = selectors.find_duplicates(am01, **criteria)
        assert (found.visible, found.hidden_count, bool(found)) == (
            visible, hidden, bool(visible or hidden)), criteria
    # The region sees both; a customer is no duplicate of itself; deleted ones do not count.
    both = selectors.find_duplicates(personas["region1"], name="华东恒通商行", phone="13800138000")
    assert (sorted(c.pk for c in both.visible), both.hidden_count) == (
        sorted([mine.pk, theirs.pk]), 0)
    assert not selectors.find_duplicates(am01, name=mine.name, exclude_pk=mine.pk)
    services.customer_delete(actor=personas["sup1"], customer=mine)
    assert not selectors.find_duplicates(am01, name=mine.name)
