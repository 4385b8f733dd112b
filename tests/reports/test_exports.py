"""Excel files of the customer tables: formula injection neutralised (CHECKS C08; the writer's
own tests are in tests/core/test_exports.py), titles and headers in the user's
language, every row of the list (not just one page)."""

from qiao.core.exports import FORMULA_TRIGGERS
from qiao.customers.models import Contact, Customer

from .conftest import LIST_HEADER_ROW, listed, workbook

INJECTIONS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd",
              '=HYPERLINK("http://evil.example","点我")', "=cmd|' /C calc'!A0"]


def test_customer_export_neutralises_injected_names(world):
    customers = world.customers["am01"] + world.customers["am02"] + world.customers["am03"]
    for customer, text in zip(customers, INJECTIONS[:6], strict=True):
        Customer.objects.filter(pk=customer.pk).update(name=text, district=text)
    Contact.objects.filter(name="王总").update(name=INJECTIONS[6], title=INJECTIONS[7])
    client = world.client("director")
    for url in ["/reports/grades/export/", "/reports/regions/export/",
                "/reports/classification/export/", "/reports/key-customers/export/"]:
        book = workbook(client.get(url))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], url
        texts = {c.value for c in cells if isinstance(c.value, str)}
        assert not [t for t in texts if t.startswith(FORMULA_TRIGGERS)], url
    names = set(listed(workbook(client.get("/reports/grades/export/")).worksheets[1]))
    assert {"'" + text.replace("\r", "_x000D_") for text in INJECTIONS[:6]} <= names
    key = workbook(client.get("/reports/key-customers/export/")).worksheets[1]
    assert "'" + INJECTIONS[6] in listed(key, 7)  # the key person's name


def test_export_in_chinese(world):
    book = workbook(world.client("director").get("/reports/grades/export/"))
    summary, detail = book.worksheets
    assert book.sheetnames == ["客户等级分类表", "客户明细"]
    assert summary["A2"].value == detail["A2"].value == "客户等级分类表"
    # Every sheet's first line is the watermark: who exported it, when, from where.
    assert summary["A1"].value == detail["A1"].value
    assert summary["A1"].value.startswith(f"导出人：{world['director'].display_name}（director）")
    assert summary["A1"].value.endswith("来源：桥 Qiao")
    header = [c.value for c in detail[LIST_HEADER_ROW]]
    assert header[:3] == ["序号", "客户名称", "等级"]
    assert detail.max_row == LIST_HEADER_ROW + 27  # every customer, not one page of 25


def test_export_in_english(world):
    client = world.client("director")
    book = workbook(client.get("/reports/key-customers/export/", HTTP_ACCEPT_LANGUAGE="en"))
    summary, detail = book.worksheets
    assert book.sheetnames == ["Key customers", "Customer list"]
    assert summary["A2"].value == "Key customer statistics table"
    assert summary["A1"].value.startswith("Exported by: ")
    header = [c.value for c in detail[LIST_HEADER_ROW]]
    assert header[:3] == ["No.", "Customer name", "Classification"]
    response = client.get("/reports/key-customers/export/")
    assert 'filename*=utf-8' in response["Content-Disposition"]


def test_export_follows_the_screen_filters(world):
    client = world.client("director")
    big = workbook(client.get("/reports/classification/export/?category=big")).worksheets[1]
    assert sorted(listed(big)) == sorted([world.customers["am02"][0].name,
                                     world.customers["am05"][0].name])
    assert "big" not in str(big["A3"].value) and "大客户" in str(big["A4"].value)
