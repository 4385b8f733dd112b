"""C21 for the operation log (AUD-2): logins, failed logins, logouts, customer views and
permission changes in the admin each append exactly the expected row (who/what/when/where);
the log is append-only through the ORM and through raw SQL; the page shows only the entries
of the users in scope and filters them; the volume alert fires once; the customer page's
query count does not grow with the log."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.audit import services
from qiao.audit.models import AppendOnlyError, OperationLog
from qiao.notify.inbox.models import Notification
from qiao.org.models import Role

from ..conftest import PASSWORD
from ..factories import make_customer

K = OperationLog.Kind
UA = "Mozilla/5.0 (审计测试)"
IP = "10.1.2.3"


@pytest.fixture(autouse=True)
def _locked(settings):
    settings.QIAO_AUDIT_LOCKED = True


def rows(**filters):
    return list(OperationLog.objects.filter(**filters).order_by("id"))


def fresh_client():
    return Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)


def test_login_failure_unknown_user_and_logout_are_recorded(personas):
    assert OperationLog.objects.count() == 0
    client = fresh_client()
    before = timezone.now()
    assert client.post(reverse("login"), {"username": "am01", "password": "wrong"}).status_code == 200
    client.post(reverse("login"), {"username": "nobody", "password": "x"})
    assert client.post(reverse("login"), {"username": "am01", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    got = [(r.action, r.actor_id, r.actor_username, r.ip_address, r.user_agent)
           for r in rows()]
    am01 = personas["am01"].pk
    assert got == [(K.LOGIN_FAILED, am01, "am01", IP, UA), (K.LOGIN_FAILED, None, "nobody", IP, UA),
                   (K.LOGIN, am01, "am01", IP, UA), (K.LOGOUT, am01, "am01", IP, UA)]
    assert all(before <= r.occurred_at <= timezone.now() for r in rows())
    assert all("wrong" not in str(r.details) for r in rows())


def test_user_agent_is_truncated(personas):
    Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="x" * 500).post(
        reverse("login"), {"username": "am01", "password": PASSWORD})
    assert len(OperationLog.objects.get().user_agent) == 200


def test_each_customer_page_view_is_one_row(personas):
    client = personas.client("am01")
    start = OperationLog.objects.count()
    customers = personas.customers["am01"]
    for customer in customers + customers[:1]:
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    other = personas.customers["am03"][0]
    assert client.get(reverse("customers:detail", args=[other.pk])).status_code == 404
    views = rows(action=K.CUSTOMER_VIEW)
    assert OperationLog.objects.count() == start + 3
    assert [(r.actor_id, r.customer_id, r.object_repr) for r in views] == [
        (personas["am01"].pk, c.pk, c.name) for c in customers + customers[:1]]


def test_role_change_in_the_admin_records_old_and_new(personas):
    client = personas.client("admin")
    role = Role.objects.get(code="specialist")
    old_actions = list(role.actions)
    new_actions = old_actions + ["customer.export"]
    response = client.post(reverse("admin:org_role_change", args=[role.pk]), {
        "code": role.code, "name": role.name, "data_scope": "subordinates", "clearance": 2,
        "actions": new_actions}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    [row] = rows(action=K.ROLE_CHANGE)
    assert row.actor == personas["admin"] and row.ip_address == IP
    assert row.details["changes"] == {"data_scope": ["own", "subordinates"], "clearance": [1, 2],
                                      "actions": [sorted(old_actions), sorted(new_actions)]}
    assert row.details["created"] is False and row.object_repr.endswith(role.name)
    # Saving without a change records nothing more.
    client.post(reverse("admin:org_role_change", args=[role.pk]), {
        "code": role.code, "name": role.name, "data_scope": "subordinates", "clearance": 2,
        "actions": new_actions})
    assert len(rows(action=K.ROLE_CHANGE)) == 1


def test_user_position_change_in_the_admin_is_a_permission_change(personas):
    client = personas.client("admin")
    am01 = personas["am01"]
    sup_position = personas["sup1"].position
    page = client.get(reverse("admin:org_user_change", args=[am01.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in (
        "password", "last_login", "date_joined", "groups", "user_permissions")}
    data.update({"position": sup_position.pk, "date_joined_0": "2026-01-01",
                 "date_joined_1": "08:00:00", "unit": am01.unit_id,
                 "supervisor": am01.supervisor_id})
    response = client.post(reverse("admin:org_user_change", args=[am01.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [row] = rows(action=K.PERMISSION_CHANGE)
    assert row.details["changes"] == {"position": [str(am01.position), str(sup_position)]}


# --- append-only -----------------------------------------------------------------------------

def test_the_orm_refuses_changes(personas):
    row = services.operation_record(actor=personas["am01"], action=K.LOGIN)
    row.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        OperationLog.objects.filter(pk=row.pk).update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        OperationLog.objects.all().delete()


@pytest.mark.parametrize("sql", [
    "UPDATE audit_operationlog SET actor_username = 'someone else'",
    "DELETE FROM audit_operationlog",
])
def test_the_database_refuses_raw_update_and_delete(personas, sql):
    services.operation_record(actor=personas["am01"], action=K.LOGIN)
    with (pytest.raises(DatabaseError, match="append-only"), transaction.atomic(),
          connection.cursor() as cursor):
        cursor.execute(sql)
    assert list(OperationLog.objects.values_list("actor_username", flat=True)) == ["am01"]


# --- the page ------------------------------------------------------------------------------

def _actors_on_page(client, **params):
    response = client.get(reverse("audit:log"), params)
    assert response.status_code == 200
    return response, {r.actor_username for r in response.context["page"].object_list}


def test_scope_of_the_log_page(personas):
    for name in ("am01", "am03", "am05"):
        customer = personas.customers[name][0]
        personas.client(name).get(reverse("customers:detail", args=[customer.pk]))
    _, sup1 = _actors_on_page(personas.client("sup1"))
    assert sup1 == {"am01", "sup1"}
    _, region1 = _actors_on_page(personas.client("region1"))
    assert region1 == {"am01", "am03", "sup1", "region1"}  # sup1's team is in region 1
    _, director = _actors_on_page(personas.client("director"))
    assert {"am01", "am03", "am05", "sup1", "region1", "director"} <= director
    html = personas.client("sup1").get(reverse("audit:log")).content.decode()
    assert personas.customers["am03"][0].name not in html
    assert personas.customers["am01"][0].name in html
    for name in ("am01", "agent01", "admin"):
        assert personas.client(name).get(reverse("audit:log")).status_code == 404


def test_search_filters_with_exact_counts(personas):
    am01, am02 = personas["am01"], personas["am02"]
    c1, c2 = personas.customers["am01"]
    for _ in range(3):
        services.operation_record(actor=am01, action=K.CUSTOMER_VIEW, customer=c1)
    services.operation_record(actor=am01, action=K.CUSTOMER_VIEW, customer=c2)
    services.operation_record(actor=am02, action=K.LOGIN)
    old = services.operation_record(actor=am02, action=K.LOGOUT)
    # A row of 40 days ago (inserting with an explicit time is allowed; changing one is not).
    OperationLog.objects.create(actor=am02, actor_username="am02", action=K.LOGOUT,
                                occurred_at=old.occurred_at - timedelta(days=40))
    client = personas.client("director")  # its own login row is one more
    today = timezone.localdate()

    def count(**params):
        return client.get(reverse("audit:log"), params).context["page"].paginator.count

    assert count(username="am01") == 4
    assert count(username="am02") == 3
    fragment = c1.name[1:3]
    assert count(customer=fragment) == 3 * (fragment in c1.name) + (fragment in c2.name)
    assert count(customer=c1.name) == 3
    assert count(action=K.LOGOUT) == 2
    assert count(action=K.LOGOUT, date_from=today.isoformat()) == 1
    assert count(username="am02", date_to=(today - timedelta(days=1)).isoformat()) == 1
    assert count(action=K.LOGIN, username="am02", date_from=today.isoformat(),
                 date_to=today.isoformat()) == 1


@pytest.mark.parametrize("params", [
    {"date_from": "0001-01-01"}, {"date_to": "9999-12-31"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
])
def test_dates_at_the_ends_of_the_calendar_are_refused_and_the_other_filters_kept(personas,
                                                                                 params):
    services.operation_record(actor=personas["am02"], action=K.LOGIN)
    services.operation_record(actor=personas["am02"], action=K.LOGOUT)
    response = personas.client("director").get(reverse("audit:log"),
                                                {"username": "am02", **params})
    assert response.status_code == 200
    assert "请输入 1900-01-01 至" in response.content.decode()
    assert response.context["page"].paginator.count == 2


def test_the_page_is_paginated_by_50_newest_first(personas):
    am01 = personas["am01"]
    for _ in range(120):
        services.operation_record(actor=am01, action=K.LOGIN)
    client = personas.client("sup1")
    page = client.get(reverse("audit:log"), {"username": "am01"}).context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (120, 50, 3)
    times = [(r.occurred_at, r.pk) for r in page.object_list]
    assert times == sorted(times, reverse=True)


# --- the volume alert ----------------------------------------------------------------------

def test_the_alert_fires_once_when_the_threshold_is_crossed(personas, settings):
    settings.QIAO_AUDIT_VIEW_ALERT_PER_HOUR = 3
    client = personas.client("am01")
    extra = [make_customer(personas["am01"]) for _ in range(3)]
    customers = personas.customers["am01"] + extra  # 5 customers
    url = lambda c: reverse("customers:detail", args=[c.pk])  # noqa: E731
    for c in customers[:3] + customers[:3]:  # 3 distinct, viewed twice: no alert
        client.get(url(c))
    assert not rows(action=K.VIEW_ALERT)
    client.get(url(customers[3]))  # the 4th distinct customer crosses the line
    client.get(url(customers[4]))
    client.get(url(customers[0]))
    [alert] = rows(action=K.VIEW_ALERT)
    assert alert.actor == personas["am01"] and alert.details["distinct_customers"] == 4
    assert alert.details["threshold"] == 3
    # It reaches the supervisor's inbox, once, linked to am01's views.
    [note] = Notification.objects.filter(kind="view_alert")
    assert note.recipient == personas["sup1"] and "am01" in note.url and "4" in note.title
    # The supervisor sees it, highlighted; a supervisor of another team does not.
    html = personas.client("sup1").get(reverse("audit:log")).content.decode()
    assert 'data-testid="view-alerts"' in html and 'data-testid="alert-row"' in html
    director = personas.client("director").get(reverse("audit:log"), {"action": "view_alert"})
    assert director.context["page"].paginator.count == 1


def test_an_alert_an_hour_later_is_a_new_one(personas, settings):
    settings.QIAO_AUDIT_VIEW_ALERT_PER_HOUR = 0
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    now = timezone.now()
    assert services.view_alert_check(actor=am01, now=now) is None  # nothing viewed yet
    OperationLog.objects.create(actor=am01, actor_username="am01", action=K.CUSTOMER_VIEW,
                                customer=customer, occurred_at=now)
    assert services.view_alert_check(actor=am01, now=now) is not None
    assert services.view_alert_check(actor=am01, now=now) is None


def test_the_alert_goes_to_the_first_one_up_the_line_who_may_read_the_log(personas, settings):
    """agent02's supervisor is the call centre's lead agent, who has no operation log: the
    alert goes on to the department manager, whose link opens."""
    settings.QIAO_AUDIT_VIEW_ALERT_PER_HOUR = 0
    agent02 = personas.users["agent02"]
    assert agent02.supervisor == personas["agent01"]
    OperationLog.objects.create(actor=agent02, actor_username="agent02", action=K.CUSTOMER_VIEW,
                                customer=personas.customers["am01"][0])
    assert services.view_alert_check(actor=agent02) is not None
    [note] = Notification.objects.filter(kind="view_alert")
    assert note.recipient == personas["deptmgr"]
    page = personas.client("deptmgr").get(note.url)
    assert page.status_code == 200 and page.context["page"].paginator.count == 1


# --- query count (C29 style) ---------------------------------------------------------------

def _detail_queries(client, customer):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_customer_page_query_count_does_not_grow_with_the_log(personas):
    client = personas.client("am01")
    customer = personas.customers["am01"][0]
    other = personas.customers["am01"][1]
    client.get(reverse("customers:detail", args=[customer.pk]))  # warm up (session, caches)
    one = _detail_queries(client, customer)
    for _ in range(50):
        services.operation_record(actor=personas["am01"], action=K.CUSTOMER_VIEW, customer=other)
    assert _detail_queries(client, customer) == one
