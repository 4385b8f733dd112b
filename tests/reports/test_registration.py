"""客户信息登记表: one customer's form with every CUS-1 field and its key people, on A4."""

from qiao.customers.models import Contact, Customer

from .conftest import cell_values, grant_export, workbook


def test_registration_form_shows_the_record_and_key_people(world):
    customer = world.customers["am01"][0]
    Customer.objects.filter(pk=customer.pk).update(
        short_name="测试简称", legal_representative="张法人", address="上海市浦东新区世纪大道1号",
        main_products="卷烟、饮料", bank="工商银行", peak_months=[11, 12], staff_count=35,
        notes="每周一送货")
    Contact.objects.filter(name="王总").update(private_info="私下爱好钓鱼", background="老同学")
    response = world.client("am01").get(f"/reports/registration/{customer.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in [customer.name, customer.credit_code, "测试简称", "张法人", "世纪大道1号",
                 "卷烟、饮料", "工商银行", "11、12", "35", "每周一送货", "浦东新区", "华东区",
                 "一级", "王总", "总经理", "138****8000", str(world["am01"])]:
        assert text in body, text
    assert "13800138000" not in body  # numbers are masked on paper too (ORG-4)
    assert "小李" not in body  # not a key person
    assert "钓鱼" not in body and "老同学" not in body  # private background stays off paper
    labels = [label for pairs in response.context["rows"] for label, _value in pairs]
    assert len(labels) == 36  # every field of the record has its box on the form


def test_registration_picker_searches_within_scope(world):
    customer = world.customers["am01"][1]
    Customer.objects.filter(pk=customer.pk).update(
        name="浦江饮料店", search_text="浦江饮料店 pujiangyinliaodian pjyld")
    body = world.client("am01").get("/reports/registration/?q=pjyld").content.decode()
    assert "浦江饮料店" in body and f"/reports/registration/{customer.pk}/" in body
    assert world.customers["am01"][0].name not in body


def test_registration_export(world):
    grant_export()
    customer = world.customers["am01"][0]
    book = workbook(world.client("am01").get(f"/reports/registration/{customer.pk}/export/"))
    values = cell_values(book)
    assert customer.name in values and "王总" in values and "138****8000" in values
    assert "13800138000" not in values
    assert "小李" not in values
    assert book.worksheets[0]["A2"].value == "客户信息登记表"
    assert book.worksheets[0]["A1"].value.startswith("导出人：")


def test_registration_print_stylesheet_is_linked(world):
    customer = world.customers["am01"][0]
    body = world.client("am01").get(f"/reports/registration/{customer.pk}/").content.decode()
    assert "reports/reports.css" in body and "data-print" in body
