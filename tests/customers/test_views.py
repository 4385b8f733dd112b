"""Bad input through the pages: a clear message on the field, the right status, nothing saved;
and odd query strings on the list are a page, never a 500."""

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from qiao.audit.models import OperationLog
from qiao.customers import services
from qiao.customers.models import Attachment, Contact, Customer, CustomerEvent
from tests.factories import form_data, make_customer, valid_credit_code

CREATE = reverse("customers:create")
PDF = b"%PDF-1.4\n%%EOF\n"


def field_errors(response, field):
    html = response.content.decode()
    return [unescape(e) for e in
            re.findall(rf'data-testid="error-{field}">([^<]*)</div>', html)]


def form_errors(response):
    html = response.content.decode()
    block = re.search(r'data-testid="form-errors">(.*?)</div>\s*\n', html, re.S)
    return unescape(re.sub(r"<[^>]+>", " ", block.group(1))) if block else ""


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []




def counts():
    return (Customer.objects.count(), Contact.objects.count(), Attachment.objects.count(),
            CustomerEvent.objects.count(), Customer.history.count())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- the create form -------------------------------------------------------------------------

BAD_FIELDS = [
    ({"credit_code": "91310115MA1FL4TM3Y"}, "credit_code", "统一社会信用代码无效"),
    ({"credit_code": "<script>"}, "credit_code", "统一社会信用代码无效"),
    ({"phone": "12345"}, "phone", "电话号码无效"),
    ({"phone": "138-0013-800"}, "phone", "电话号码无效"),
    ({"fax": "abc"}, "fax", "电话号码无效"),
    ({"licence_expiry": "2024-13-45"}, "licence_expiry", "日期"),
    ({"start_date": "昨天"}, "start_date", "日期"),
    ({"industry": "mining"}, "industry", "mining"),
    ({"kind": "alien"}, "kind", "alien"),
    ({"region": "999999"}, "region", "选择"),
    ({"tags": ["999999"]}, "tags", "999999"),
    ({"peak_months": ["13"]}, "peak_months", "13"),
    ({"staff_count": "-5"}, "staff_count", "0"),
    ({"staff_count": "很多"}, "staff_count", "整数"),
    ({"name": ""}, "name", "这个字段是必填项"),
    ({"name": "   "}, "name", ""),
    ({"name": "长" * 121}, "name", "120"),
    ({"notes": "注" * 5001}, "notes", "5000"),
    ({"address": "路" * 201}, "address", "200"),
]


def test_every_bad_field_answers_400_with_its_message_and_saves_nothing(personas):
    client = personas.client("am01")
    before = counts()
    problems = []
    for change, field, text in BAD_FIELDS:
        data = {"kind": "enterprise", "name": "坏输入测试公司", **change}
        response = client.post(CREATE, data)
        errors = field_errors(response, field)
        if response.status_code != 400 or not errors or not any(text in e for e in errors):
            problems.append((change if len(str(change)) < 80 else field, response.status_code,
                             errors))
    assert problems == []
    assert counts() == before


def test_a_valid_create_saves_and_goes_to_the_new_customer(personas):
    client = personas.client("am01")
    response = client.post(CREATE, {
        "kind": "enterprise", "name": "恒鑫贸易有限公司", "credit_code": valid_credit_code(),
        "phone": "021-5012 3456", "licence_expiry": "2030-01-31", "industry": "wholesale",
        "peak_months": ["1", "12"], "staff_count": "35", "tags": [personas.tags[1].pk]})
    customer = Customer.objects.get(name="恒鑫贸易有限公司")
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert (customer.owner, customer.peak_months, customer.staff_count) == (personas["am01"],
                                                                            [1, 12], 35)
    assert list(customer.tags.all()) == [personas.tags[1]]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "客户“恒鑫贸易有限公司”已建档。" in messages_of(page)


def test_an_account_managers_new_customer_is_his_whatever_the_owner_field_says(personas):
    """Regression: an empty owner made an orphan nobody but the director could see, and the
    manager who had just saved it got a 404."""
    client = personas.client("am01")
    form_page = client.get(CREATE).content.decode()
    assert re.search(r'<select name="owner"[^>]*disabled', form_page)
    for owner in ("", str(personas["am02"].pk)):
        name = f"自己的客户{owner or '空'}"
        response = client.post(CREATE, {"kind": "enterprise", "name": name, "owner": owner})
        assert response.status_code == 302
        assert Customer.objects.get(name=name).owner == personas["am01"]
        assert client.get(response["Location"]).status_code == 200


def test_an_empty_owner_is_refused_when_the_pool_would_be_out_of_sight(personas):
    east, north = personas.org.regions[0], personas.org.regions[1]
    cases = [("sup1", east, 400), ("region1", north, 400), ("region1", east, 302),
             ("director", None, 302)]
    for username, region, status in cases:
        name = f"公海客户{username}{region or ''}"
        response = personas.client(username).post(CREATE, {
            "kind": "enterprise", "name": name, "owner": "", "region": region.pk if region else ""})
        assert response.status_code == status, (username, region)
        if status == 400:
            assert len(field_errors(response, "owner")) == 1
            assert not Customer.objects.filter(name=name).exists()
        else:
            assert Customer.objects.get(name=name).owner is None


def test_a_supervisor_may_give_the_new_customer_to_a_team_member(personas):
    response = personas.client("sup1").post(CREATE, {
        "kind": "enterprise", "name": "分给组员的客户", "owner": personas["am02"].pk})
    assert response.status_code == 302
    customer = Customer.objects.get(name="分给组员的客户")
    assert (customer.owner, customer.owner_unit_id) == (personas["am02"], personas["am02"].unit_id)
    # Not to someone outside the team: not a choice.
    response = personas.client("sup1").post(CREATE, {
        "kind": "enterprise", "name": "分给外组的客户", "owner": personas["am03"].pk})
    assert response.status_code == 400 and field_errors(response, "owner")


# --- duplicates (CUS-5) ----------------------------------------------------------------------

def test_a_taken_credit_code_is_409_with_the_message_on_the_field(personas):
    taken = personas.customers["am03"][0]  # another team's: am01 cannot see it
    client = personas.client("am01")
    before = counts()
    for extra in ({}, {"confirm_duplicate": "on"}):
        response = client.post(CREATE, {"kind": "enterprise", "name": "换个名字的公司",
                                        "credit_code": taken.credit_code.lower(), **extra})
        assert response.status_code == 409
        assert field_errors(response, "credit_code") == [
            f"统一社会信用代码为 {taken.credit_code} 的客户已存在。"]
        assert taken.name not in response.content.decode()
    assert counts() == before


def test_editing_to_a_taken_credit_code_is_409(personas):
    customer, other = personas.customers["am01"]
    response = personas.client("am01").post(
        reverse("customers:edit", args=[customer.pk]),
        form_data(customer, personas["am01"], credit_code=other.credit_code))
    assert response.status_code == 409
    assert field_errors(response, "credit_code")
    customer.refresh_from_db()
    assert customer.credit_code != other.credit_code and customer.version == 1


def test_keeping_its_own_credit_code_is_not_a_duplicate(personas):
    customer = personas.customers["am01"][0]
    response = personas.client("am01").post(
        reverse("customers:edit", args=[customer.pk]),
        form_data(customer, personas["am01"], notes="只改备注"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.notes, customer.version) == ("只改备注", 2)


def test_a_look_alike_name_or_phone_needs_the_confirm_box(personas):
    mine = make_customer(personas["am01"], name="ＡＢＣ贸易有限公司", phone="+86 138 0013 8000")
    theirs = make_customer(personas["am03"], name="华东恒通商行", phone="021-5012 3456")
    client = personas.client("am01")
    cases = [({"name": "ABC贸易有限责任公司"}, [mine.name], 0),
             ({"name": "恒通新公司", "phone": "13800138000"}, [mine.name], 0),
             ({"name": "华东恒通商行有限公司"}, [], 1),
             ({"name": "另一家", "phone": "02150123456"}, [], 1)]
    for data, visible, hidden in cases:
        before = counts()
        response = client.post(CREATE, {"kind": "enterprise", **data})
        html = response.content.decode()
        assert response.status_code == 200, data
        assert 'data-testid="confirm-duplicate"' in html
        assert "发现可能重复的客户" in form_errors(response)
        warning = html.split('data-testid="duplicate-warning"', 1)[1].split(
            'data-testid="confirm-duplicate"', 1)[0]
        assert re.findall(r'target="_blank">([^<]*)</a>', warning) == visible
        assert theirs.name not in warning and "021-5012 3456" not in warning
        assert (f"另有 {hidden} 个相同的客户属于其他客户经理" in warning) == bool(hidden)
        assert counts() == before
        confirmed = client.post(CREATE, {"kind": "enterprise", "confirm_duplicate": "on", **data})
        assert confirmed.status_code == 302, data


def test_duplicate_check_fragment_lists_visible_ones_and_counts_the_others(personas):
    mine = make_customer(personas["am01"], name="ABC贸易有限公司")
    make_customer(personas["am03"], name="ＡＢＣ贸易股份有限公司")
    make_customer(personas["am05"], name="abc 贸易")
    response = personas.client("am01").get(reverse("customers:duplicate_check"),
                                           {"name": "ABC贸易有限责任公司"},
                                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert re.findall(r'target="_blank">([^<]*)</a>', html) == [mine.name]
    assert "另有 2 个相同的客户属于其他客户经理" in html
    assert "ＡＢＣ贸易股份有限公司" not in html and "abc 贸易" not in html
    # Editing: the customer itself is no duplicate of itself.
    response = personas.client("am01").get(reverse("customers:duplicate_check"),
                                           {"name": mine.name, "exclude": mine.pk})
    assert mine.name not in response.content.decode()


def test_each_duplicate_check_is_logged_and_the_hourly_limit_answers_429(personas, settings):
    settings.QIAO_DUPLICATE_CHECKS_PER_HOUR = 3
    taken = make_customer(personas["am03"], name="探测目标贸易有限公司", phone="13812345678")
    client = personas.client("am01")
    url = reverse("customers:duplicate_check")
    questions = [{"name": taken.name}, {"credit_code": taken.credit_code},
                 {"phone": "138 1234 5678"}]
    for question in questions:
        response = client.get(url, question, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "另有 1 个相同的客户" in response.content.decode()
    assert client.get(url, {"name": "", "phone": " "}).status_code == 200  # nothing asked
    logged = OperationLog.objects.filter(actor=personas["am01"]).order_by("id")
    checks = [row.details["keys"] for row in logged.filter(action="duplicate_check")]
    assert checks == [{"name": taken.name}, {"credit_code": taken.credit_code},
                      {"phone": "138****5678"}]
    assert "13812345678" not in str(list(logged.values_list("details", "object_repr")))
    refused = client.get(url, {"name": "另一家公司"}, HTTP_HX_REQUEST="true")
    html = refused.content.decode()
    assert refused.status_code == 429 and 'data-testid="duplicate-check-refused"' in html
    assert "最近一小时内已查重 3 次" in html and taken.name not in html
    assert logged.filter(action="duplicate_check_refused").get().details == {
        "keys": {"name": "另一家公司"}}
    # The limit is per person: a colleague still checks.
    assert personas.client("am02").get(url, {"name": "另一家公司"}).status_code == 200
    # The auditor sees who asked what, the phone masked.
    log = personas.client("sup1").get(reverse("audit:log"), {"username": "am01"})
    page = log.content.decode()
    assert "查重" in page and taken.credit_code in page and "138****5678" in page


# --- editing ---------------------------------------------------------------------------------

def test_a_stale_edit_is_409_and_saves_nothing(personas):
    customer = personas.customers["am01"][0]
    opened = form_data(customer, personas["am01"], notes="我的修改")
    services.customer_update(actor=personas["sup1"], customer=Customer.objects.get(pk=customer.pk),
                             data={"notes": "主管的修改"}, expected_version=1)
    response = personas.client("am01").post(reverse("customers:edit", args=[customer.pk]), opened)
    assert response.status_code == 409
    assert "其他人修改了该客户" in form_errors(response)
    customer.refresh_from_db()
    assert (customer.notes, customer.version) == ("主管的修改", 2)


def test_an_account_manager_cannot_hand_his_customer_away_by_editing(personas):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    for owner in ("", str(personas["am02"].pk)):
        response = client.post(reverse("customers:edit", args=[customer.pk]),
                               form_data(customer, personas["am01"], owner=owner, notes=owner))
        assert response.status_code == 302
        customer.refresh_from_db()
        assert customer.owner == personas["am01"]


def test_bad_input_on_edit_is_400_and_changes_nothing(personas):
    customer = personas.customers["am01"][0]
    response = personas.client("am01").post(
        reverse("customers:edit", args=[customer.pk]),
        form_data(customer, personas["am01"], phone="000", name="新名字"))
    assert response.status_code == 400
    assert field_errors(response, "phone")
    assert Customer.objects.get(pk=customer.pk).name == customer.name


# --- follow-ups ------------------------------------------------------------------------------

def test_a_follow_up_is_recorded_from_the_timeline_tab(personas):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    page = client.get(reverse("customers:detail_tab", args=[customer.pk, "timeline"]),
                      HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="follow-up-form"' in page and "记录跟进" in page
    Customer.objects.filter(pk=customer.pk).update(last_activity_at="2024-01-02T03:04:05Z")

    response = client.post(reverse("customers:follow_up", args=[customer.pk]),
                           {"channel": "phone", "note": "确认下月进货计划"}, follow=True)

    assert messages_of(response) == ["已记录跟进。"]
    event = CustomerEvent.objects.filter(customer=customer).latest("id")
    assert (event.kind, event.message, event.actor) == ("follow_up", "电话：确认下月进货计划",
                                                        personas["am01"])
    assert Customer.objects.get(pk=customer.pk).last_activity_at == event.occurred_at
    assert f"最近跟进：{timezone.localtime(event.occurred_at):%Y-%m-%d}" in response.content.decode()


def test_an_incomplete_follow_up_says_what_is_missing_and_records_nothing(personas):
    customer = personas.customers["am01"][0]
    before = counts()
    response = personas.client("am01").post(reverse("customers:follow_up", args=[customer.pk]),
                                            {"channel": "visit", "note": ""}, follow=True)
    assert messages_of(response) == ["请选择跟进方式并填写沟通内容。"]
    assert counts() == before


def test_who_may_not_edit_the_customer_may_not_record_a_follow_up(personas):
    customer = personas.customers["am01"][0]
    for username in ("agent01", "am02"):
        response = personas.client(username).post(
            reverse("customers:follow_up", args=[customer.pk]), {"channel": "visit", "note": "x"})
        assert response.status_code == 404
    assert not CustomerEvent.objects.filter(kind="follow_up").exists()


# --- contacts, grade, status -----------------------------------------------------------------

def test_bad_contact_input_is_400_on_its_field(personas):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    url = reverse("customers:contact_create", args=[customer.pk])
    before = counts()
    for data, field in [({"name": ""}, "name"), ({"name": "甲", "mobile": "110"}, "mobile"),
                        ({"name": "甲", "email": "@"}, "email"),
                        ({"name": "甲", "birthday": "1990-02-30"}, "birthday"),
                        ({"name": "甲", "education": "phd"}, "education"),
                        ({"name": "名" * 41}, "name")]:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert field_errors(response, field), data
    assert counts() == before


def test_grade_form_without_reason_changes_nothing_and_says_why(personas):
    customer = personas.customers["am01"][0]
    response = personas.client("sup1").post(
        reverse("customers:grade", args=[customer.pk]),
        {"grade": personas.grades[0].pk, "category": "big", "reason": "", "version": 1},
        follow=True)
    assert "请选择等级和分类并填写原因。" in messages_of(response)
    customer.refresh_from_db()
    assert (customer.grade, customer.category, customer.version) == (None, "ordinary", 1)


def test_status_form_refuses_a_step_outside_the_table(personas):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    url = reverse("customers:transition", args=[customer.pk])
    response = client.post(url, {"to_status": "active", "version": 1}, follow=True)
    with translation.override("zh-hans"):
        active = str(Customer.Status.ACTIVE.label)
    assert messages_of(response) == [f"客户不能从“潜在”变为“{active}”。"]
    response = client.post(url, {"to_status": "bogus", "version": 1}, follow=True)
    assert "请选择新状态。" in messages_of(response)
    response = client.post(url, {"to_status": "onboarded", "version": 9}, follow=True)
    assert "您打开后，其他人修改了该客户。请刷新页面查看其修改，再重新编辑。" in messages_of(response)
    customer.refresh_from_db()
    assert (customer.status, customer.version) == ("prospect", 1)


# --- attachments -----------------------------------------------------------------------------

def test_attachment_upload_and_download(personas, media):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    url = reverse("customers:attachment_upload", args=[customer.pk])
    response = client.post(url, {"file": SimpleUploadedFile("营业执照.pdf", PDF), "description": "扫描件"})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = client.get(reverse("customers:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment;" in download["Content-Disposition"]


@pytest.mark.parametrize("name, content, text", [
    ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 60, "无论文件名如何，程序一律不接受"),
    ("photo.png", b"%PDF-1.4\n", "文件内容与其类型（.png）不符。"),
    ("virus.exe", b"MZ\x90\x00", "不接受此类文件"),
])
def test_a_bad_attachment_is_refused_with_a_message(personas, media, name, content, text):
    customer = personas.customers["am01"][0]
    response = personas.client("am01").post(
        reverse("customers:attachment_upload", args=[customer.pk]),
        {"file": SimpleUploadedFile(name, content)}, follow=True)
    assert any(text in m for m in messages_of(response))
    assert not Attachment.objects.exists() and not any(media.rglob("*.*"))


def test_an_oversized_attachment_is_refused(personas, media):
    customer = personas.customers["am01"][0]
    with override_settings(QIAO_ATTACHMENT_MAX_BYTES=2048):
        response = personas.client("am01").post(
            reverse("customers:attachment_upload", args=[customer.pk]),
            {"file": SimpleUploadedFile("big.pdf", PDF.ljust(4096, b" "))}, follow=True)
    assert any("文件过大" in m for m in messages_of(response))
    assert not Attachment.objects.exists()


def test_an_upload_without_file_says_so(personas):
    customer = personas.customers["am01"][0]
    response = personas.client("am01").post(
        reverse("customers:attachment_upload", args=[customer.pk]), {}, follow=True)
    assert messages_of(response) == ["请选择要上传的文件。"]
    assert not Attachment.objects.exists()


# --- odd query strings -----------------------------------------------------------------------

ODD_QUERIES = [
    "page=-1", "page=abc", "page=0", "page=99999999999999999999", "grade=abc", "grade=-1",
    "region=abc", "owner=abc", "tag=999999", "status=zzz", "category=zzz", "sort=zzz",
    "sort=-name&page=2", "q=" + "长" * 300, "q=%00", "q=%25%5F", "q='%20OR%201=1--",
    "q=<script>", "grade=1&grade=2", "page=1.5", "q=%E2%80%AE", "q=+86+", "q=-",
]


def test_odd_list_parameters_are_a_page_not_an_error(personas):
    client = personas.client("region1")
    visible = Customer.objects.visible_to(personas["region1"]).count()
    for query in ODD_QUERIES:
        response = client.get(reverse("customers:list") + "?" + query)
        assert response.status_code == 200, query
        html = response.content.decode()
        assert "<script>" not in html.split("<main", 1)[1], query
        # never more than the scope, whatever the parameters
        assert int(re.search(r"共 (\d+) 条记录", html).group(1)) <= visible, query


def test_odd_page_numbers_on_the_recycle_bin(personas):
    for page in ("-1", "abc", "99"):
        response = personas.client("sup1").get(reverse("customers:recycle_bin"), {"page": page})
        assert response.status_code == 200
