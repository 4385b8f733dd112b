"""Confidentiality (ORG-2, 不向客户泄漏其他客户情况): no table, printout or export shows a
customer — or a customer's key person — outside the user's scope; refused actions are 404."""

import pytest

from qiao.customers.models import Customer

from .conftest import cell_values, grant_export, listed, workbook

SCREENS = [
    "/reports/grades/", "/reports/grades/?print=1",
    "/reports/regions/", "/reports/regions/?print=1&columns=status",
    "/reports/classification/", "/reports/classification/?print=1",
    "/reports/key-customers/", "/reports/key-customers/?print=1",
    "/reports/registration/",
]
EXPORTS = ["/reports/grades/export/", "/reports/regions/export/",
           "/reports/classification/export/", "/reports/key-customers/export/"]


def names(world, *keys):
    return {c.name for key in keys for c in world.customers[key]}


def foreign_to(world, *keys):
    return {c.name for c in world.all_customers()} - names(world, *keys)


def test_account_manager_sees_only_own_customers_on_every_screen(world):
    client = world.client("am01")
    foreign = foreign_to(world, "am01") | {"陈经理"}  # am02's key person
    for url in SCREENS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not [name for name in foreign if name in body], url
    for url in ["/reports/grades/", "/reports/regions/?print=1", "/reports/registration/"]:
        body = client.get(url).content.decode()
        assert all(name in body for name in names(world, "am01")), url


def test_filters_cannot_reach_outside_the_scope(world):
    client = world.client("am01")
    foreign = foreign_to(world, "am01")
    am02, region2 = world["am02"].pk, world.org.regions[1].pk
    for url in [f"/reports/grades/?owner={am02}", f"/reports/regions/?region={region2}",
                "/reports/registration/?q=测试客户", "/reports/key-customers/?category=big"]:
        body = client.get(url).content.decode()
        assert not [name for name in foreign if name in body], url


def test_account_manager_may_not_export_by_default(world):
    client = world.client("am01")
    own = world.customers["am01"][0].pk
    for url in [*EXPORTS, f"/reports/registration/{own}/export/"]:
        assert client.get(url).status_code == 404, url
    assert "export-link" not in client.get("/reports/grades/").content.decode()


def test_account_manager_export_holds_only_own_customers(world):
    grant_export()
    client = world.client("am01")
    foreign = foreign_to(world, "am01") | {"陈经理"}
    for url in EXPORTS:
        values = [str(v) for v in cell_values(workbook(client.get(url)))]
        assert not [v for v in values if any(name in v for name in foreign)], url
    grades = workbook(client.get("/reports/grades/export/"))
    assert set(listed(grades.worksheets[1])) == names(world, "am01")
    summary = list(grades.worksheets[0].iter_rows(values_only=True))
    assert summary[-1][-1] == 2  # the total row of the count table


def test_supervisor_export_holds_the_team_only(world):
    client = world.client("sup1")
    book = workbook(client.get("/reports/grades/export/?print=1&page=3"))
    assert set(listed(book.worksheets[1])) == names(world, "am01", "am02")


@pytest.mark.parametrize("username", ["admin", "leaver"])
def test_users_without_report_right_get_404(world, username):
    client = world.client(username)
    own = world.customers["am01"][0].pk
    for url in ["/reports/", *SCREENS, *EXPORTS, f"/reports/registration/{own}/"]:
        assert client.get(url).status_code in (404, 302), url


def test_anonymous_is_sent_to_login(db):
    from django.test import Client

    response = Client().get("/reports/grades/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_registration_form_out_of_scope_is_404(world):
    client = world.client("am01")
    other = world.customers["am02"][0]
    pool = world.customers[f"pool:{world.org.regions[0].name}"][0]
    deleted = world.customers["am01"][1]
    Customer.objects.filter(pk=deleted.pk).update(is_deleted=True)
    for customer_id in [other.pk, pool.pk, deleted.pk, 999_999]:
        assert client.get(f"/reports/registration/{customer_id}/").status_code == 404
    grant_export()
    assert client.get(f"/reports/registration/{other.pk}/export/").status_code == 404
    # The same customer is in the regional manager's scope.
    assert world.client("region1").get(f"/reports/registration/{other.pk}/").status_code == 200
