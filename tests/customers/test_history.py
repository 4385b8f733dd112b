"""Nothing lost: who changed what, when, from what to what; the recycle bin gives back."""

import re
from html import unescape

import pytest
from django.urls import reverse

from qiao.customers import services
from qiao.customers.models import Customer
from tests.factories import form_data, make_contact, make_customer

ROW = re.compile(r'class="fw-semibold text-decoration-none">([^<]*)</a>')




def history_rows(html):
    """The history table as text: one (who, record, action, changes) per row, newest first."""
    body = html.split('data-testid="history-table"', 1)[1].split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", td))).strip()
                 for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows.append(tuple(cells[1:]))
    return rows


def list_names(client, **params):
    return ROW.findall(client.get(reverse("customers:list"), params).content.decode())


def test_every_change_keeps_who_when_before_and_after(personas):
    am01, sup1 = personas["am01"], personas["sup1"]
    customer = personas.customers["am01"][0]
    old_name = customer.name
    client = personas.client("am01")
    response = client.post(reverse("customers:edit", args=[customer.pk]), form_data(
        customer, am01, name="恒鑫五金商行", phone="021-5012 3456", industry="retail"))
    assert response.status_code == 302
    sup_client = personas.client("sup1")
    sup_client.post(reverse("customers:grade", args=[customer.pk]), {
        "grade": personas.grades[2].pk, "category": "big", "reason": "年采购额五百万", "version": 2})
    client.post(reverse("customers:transition", args=[customer.pk]),
                {"to_status": "onboarded", "note": "签约完成", "version": 3})
    client.post(reverse("customers:contact_create", args=[customer.pk]),
                {"name": "张三", "title": "采购"})
    contact = customer.contacts.get()
    client.post(reverse("customers:contact_edit", args=[contact.pk]),
                {"name": "张三", "title": "采购总监", "employer": "恒鑫五金商行", "version": 1})

    customer.refresh_from_db()
    assert (customer.name, customer.grade, customer.status, customer.version) == (
        "恒鑫五金商行", personas.grades[2], "onboarded", 4)
    history = client.get(reverse("customers:history", args=[customer.pk]))
    assert history.status_code == 200
    rows = history_rows(history.content.decode())
    who = {"am01": str(am01), "sup1": str(sup1)}
    assert rows[0] == (who["am01"], "联系人 · 张三", rows[0][2], "岗位 采购 → 采购总监")
    assert rows[1][:2] == (who["am01"], "联系人 · 张三")
    assert rows[2][:2] == (who["am01"], "客户")
    assert "状态 潜在 → 入网" in rows[2][3] and "入网日期 — → " in rows[2][3]
    assert "签约完成" in rows[2][2]
    assert rows[3][0] == who["sup1"] and "年采购额五百万" in rows[3][2]
    assert "客户等级 — → 三级" in rows[3][3] and "客户分类 普通客户 → 大客户" in rows[3][3]
    assert rows[4][0] == who["am01"]
    assert f"客户名称 {old_name} → 恒鑫五金商行" in rows[4][3]
    assert "电话 — → 021****3456" in rows[4][3]  # masked in history too (ORG-4)
    assert "行业 — → 零售" in rows[4][3]
    assert rows[-1][:2] == (who["am01"], "客户")  # created by the fixture through the service
    # when: every row has a time, newest first
    stamps = [r.history_date for r in customer.history.all()]
    assert stamps == sorted(stamps, reverse=True)
    # and the timeline tells the same story
    detail = client.get(reverse("customers:detail_tab", args=[customer.pk, "timeline"]))
    detail = detail.content.decode()
    for text in ("修改：客户名称、电话、行业", "等级 —/普通客户 → 三级/大客户：年采购额五百万",
                 "状态 潜在 → 入网：签约完成", "新增联系人：张三", "修改联系人：张三"):
        assert text in detail, text


@pytest.mark.parametrize("username, status", [
    ("am01", 200), ("sup1", 200), ("region1", 200), ("deptmgr", 200), ("director", 200),
    ("am02", 404), ("am03", 404), ("region2", 404), ("agent01", 404), ("qa01", 404),
    ("admin", 404),
])
def test_history_page_only_for_entitled_users_in_scope(personas, username, status):
    customer = personas.customers["am01"][0]
    response = personas.client(username).get(reverse("customers:history", args=[customer.pk]))
    assert response.status_code == status
    assert (customer.name in response.content.decode()) == (status == 200)


def test_history_needs_the_history_action_even_in_scope(personas):
    agent01 = personas["agent01"]
    own = make_customer(agent01, actor=personas["director"], name="座席自己的客户")
    client = personas.client("agent01")
    assert client.get(reverse("customers:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("customers:history", args=[own.pk])).status_code == 404


def test_soft_delete_hides_everywhere_and_the_recycle_bin_restores(personas):
    customer = personas.customers["am01"][0]
    contact = make_contact(customer, personas["am01"], name="赵六")
    am01, sup1 = personas.client("am01"), personas.client("sup1")
    response = sup1.post(reverse("customers:delete", args=[customer.pk]))
    assert response["Location"] == reverse("customers:list")

    for client in (am01, sup1):
        assert customer.name not in list_names(client)
        assert list_names(client, q=customer.name) == []
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
        assert client.get(reverse("customers:contact_edit", args=[contact.pk])).status_code == 404
    assert am01.get(reverse("customers:recycle_bin")).status_code == 404  # no restore action
    assert list_names(personas.client("region1"), q=customer.name) == []
    # The bin of another team's supervisor does not show it; the region's does.
    assert customer.name not in personas.client("sup2").get(
        reverse("customers:recycle_bin")).content.decode()
    assert customer.name in personas.client("region1").get(
        reverse("customers:recycle_bin")).content.decode()

    bin_page = sup1.get(reverse("customers:recycle_bin")).content.decode()
    assert customer.name in bin_page
    assert f'data-testid="restore-{customer.pk}"' in bin_page
    response = sup1.post(reverse("customers:restore", args=[customer.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("customers:detail", args=[customer.pk])
    assert f"客户“{customer.name}”已恢复。" in response.content.decode()
    assert customer.name in list_names(am01)
    assert am01.get(reverse("customers:contact_edit", args=[contact.pk])).status_code == 200
    assert [r.history_change_reason for r in customer.history.all()[:2]] == ["恢复", "删除"]
    assert "回收站是空的" in sup1.get(reverse("customers:recycle_bin")).content.decode()


def test_restore_is_refused_when_the_credit_code_was_reused(personas):
    customer = personas.customers["am02"][0]
    sup1 = personas.client("sup1")
    sup1.post(reverse("customers:delete", args=[customer.pk]))
    services.customer_create(actor=personas["am05"], data={
        "name": "别人的新客户", "credit_code": customer.credit_code})
    response = sup1.post(reverse("customers:restore", args=[customer.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("customers:recycle_bin")
    html = response.content.decode()
    assert f"无法恢复：另一个客户已使用统一社会信用代码 {customer.credit_code}。" in html
    assert "别人的新客户" not in html  # the clash is told, not whose customer it is
    assert Customer.objects.get(pk=customer.pk).is_deleted
    assert customer.name in html  # still waiting in the bin


def test_restore_of_an_out_of_scope_or_live_customer_is_404(personas):
    live = personas.customers["am01"][0]
    foreign = personas.customers["am03"][0]
    services.customer_delete(actor=personas["region1"], customer=foreign)
    sup1 = personas.client("sup1")
    assert sup1.post(reverse("customers:restore", args=[live.pk])).status_code == 404
    assert sup1.post(reverse("customers:restore", args=[foreign.pk])).status_code == 404
    assert Customer.objects.get(pk=foreign.pk).is_deleted


def test_deleted_contact_is_listed_for_restorers_and_restored(personas):
    customer = personas.customers["am01"][0]
    contact = make_contact(customer, personas["am01"], name="钱七")
    am01, sup1 = personas.client("am01"), personas.client("sup1")
    am01.post(reverse("customers:contact_delete", args=[contact.pk]))
    detail = reverse("customers:detail_tab", args=[customer.pk, "contacts"])
    restore = reverse("customers:contact_restore", args=[contact.pk])
    assert restore not in am01.get(detail).content.decode()
    assert am01.post(restore).status_code == 404  # account managers do not restore
    assert restore in sup1.get(detail).content.decode()
    assert sup1.post(restore).status_code == 302
    contact.refresh_from_db()
    assert not contact.is_deleted
    assert [r.history_change_reason for r in contact.history.all()[:2]] == ["恢复", "删除"]


def test_tag_changes_show_tag_names_and_the_page_has_no_n_plus_one(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    url = reverse("customers:history", args=[customer.pk])
    tag_a, tag_b = personas.tags[0], personas.tags[1]

    def edit(**kwargs):
        fresh = Customer.objects.get(pk=customer.pk)
        services.customer_update(actor=am01, customer=fresh, expected_version=fresh.version,
                                 **kwargs)

    edit(data={}, tags=[tag_a])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        edit(data={"notes": f"第{i}次"}, tags=[tag_a, tag_b] if i % 2 else [tag_a])
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    changes = [row[3] for row in history_rows(html)]
    both = "、".join(sorted([tag_a.name, tag_b.name]))
    assert f"标签 {tag_a.name} → {both}" in changes
    assert f"标签 {both} → {tag_a.name}" in changes
    assert f"标签 — → {tag_a.name}" in changes
