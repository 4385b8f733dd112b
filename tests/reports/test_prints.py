"""A printed customer table leaves the system as surely as an exported one: every print layout
rendered is in the operation log like an export — who, which table, with which filters, how many
rows on paper — and the screen pages are not."""

from django.test import Client
from django.urls import reverse

from qiao.audit.models import OperationLog
from qiao.reports import views

from ..conftest import PASSWORD

K = OperationLog.Kind


def prints():
    return list(OperationLog.objects.filter(action=K.PRINT).order_by("id"))


def test_printing_a_table_is_logged_with_its_filters_and_rows(world):
    client = Client(REMOTE_ADDR="10.9.8.7")
    client.post(reverse("login"), {"username": "sup1", "password": PASSWORD})
    screen = client.get("/reports/grades/", {"status": "active"})
    assert screen.status_code == 200 and prints() == []  # the screen is not a print

    paper = client.get("/reports/grades/", {"status": "active", "print": "1"})
    assert paper.status_code == 200
    [row] = prints()
    assert (row.actor, row.actor_username, row.ip_address) == (world["sup1"], "sup1", "10.9.8.7")
    assert row.object_repr == "客户等级分类表"
    assert row.details == {"rows": len(paper.context["lines"]), "filters": {"状态": "活跃"}}
    assert row.details["rows"] == 2  # am01's and am02's active customers


def test_every_table_prints_into_the_log(world):
    client = world.client("director")
    for name in ("grades", "regions", "classification", "key_customers"):
        client.get(reverse(f"reports:{name}"), {"print": "1"})
    assert [row.object_repr for row in prints()] == [
        "客户等级分类表", "客户区域分类表", "客户分类表", "重点客户统计表"]


def test_a_print_over_the_limit_logs_the_rows_on_paper(world, monkeypatch):
    monkeypatch.setattr(views, "PRINT_LIMIT", 5)
    world.client("director").get("/reports/grades/", {"print": "1"})
    assert prints()[0].details["rows"] == 5


def test_the_registration_form_is_logged_as_a_print_of_that_customer(world):
    customer = world.customers["am01"][0]
    response = world.client("am01").get(reverse("reports:registration", args=[customer.pk]))
    assert response.status_code == 200
    [row] = prints()
    assert (row.actor, row.customer_id) == (world["am01"], customer.pk)
    assert row.object_repr == f"客户信息登记表: {customer.name}"
    assert row.details == {"rows": 1, "filters": {"customer": customer.pk}}


def test_a_refused_print_is_not_logged(world):
    theirs = world.customers["am03"][0]
    assert world.client("am01").get(
        reverse("reports:registration", args=[theirs.pk])).status_code == 404
    assert world.client("agent01").get("/reports/grades/", {"print": "1"}).status_code == 404
    assert prints() == []


def test_the_operation_log_shows_a_print_with_its_rows_and_filters(world):
    world.client("sup1").get("/reports/grades/", {"status": "active", "print": "1"})
    page = world.client("sup1").get("/audit/", {"action": "print"}).content.decode()
    assert "打印数据" in page and "2 行" in page and "活跃" in page
