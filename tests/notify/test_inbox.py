"""The inbox: notify() writes the rows and their outbox in one transaction, a key keeps a
reminder from showing twice, the header badge costs one query on any page, a user reaches
only their own notifications (anyone else's is 404), and opening one leads only within Qiao."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.notify import services
from qiao.notify.delivery.models import Delivery, Webhook
from qiao.notify.inbox import selectors
from qiao.notify.inbox import services as inbox_services
from qiao.notify.inbox.models import Notification

pytestmark = pytest.mark.django_db


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_notify_writes_inbox_rows_and_outbox_together(org, settings):
    settings.EMAIL_HOST = "127.0.0.1"
    am01, am02 = org.users["am01"], org.users["am02"]
    am01.email = "am01@example.cn"
    Webhook.objects.create(name="team", unit=am01.unit, platform="wecom",
                           url="http://127.0.0.1:9/hook")
    created = services.notify(recipients=[am01, am02, am01], kind="approval",
                              title="Waiting for you", body="Hospitality", url="/a/1/")
    assert [n.recipient for n in created] == [am01, am02]  # a repeated recipient once
    assert all(n.pk and n.read_at is None for n in created)
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "webhook"]
    assert Delivery.objects.filter(status="pending").count() == 2


def test_disabled_accounts_get_nothing(org, settings):
    settings.EMAIL_HOST = "127.0.0.1"
    leaver = org.users["am02"]
    leaver.email, leaver.is_active = "gone@example.cn", False
    leaver.save()
    created = services.notify(recipients=[leaver, org.users["am01"]], kind="k", title="x")
    assert [n.recipient for n in created] == [org.users["am01"]]
    assert not Delivery.objects.filter(target="gone@example.cn").exists()


def test_a_failure_inside_notify_leaves_nothing(org, monkeypatch):
    Webhook.objects.create(name="team", unit=org.users["am01"].unit, platform="wecom",
                           url="http://127.0.0.1:9/hook")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Delivery.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.notify(recipients=[org.users["am01"]], kind="k", title="Half")
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_a_failing_caller_takes_its_notifications_back(org):
    """The approval engine calls notify() inside its own transaction: rolled back together."""
    with pytest.raises(ValueError), transaction.atomic():
        services.notify(recipients=[org.users["am01"]], kind="k", title="Rolled back")
        raise ValueError
    assert not Notification.objects.exists()


def test_the_same_key_is_shown_once_per_person(org):
    am01, am02 = org.users["am01"], org.users["am02"]
    first = services.notify(recipients=[am01], kind="visit", title="Visit due", key="visit:17")
    again = services.notify(recipients=[am01, am02], kind="visit", title="Visit due",
                            key="visit:17")
    assert len(first) == 1 and [n.recipient for n in again] == [am02]
    assert Notification.objects.filter(recipient=am01, key="visit:17").count() == 1
    # Without a key nothing is merged.
    services.notify(recipients=[am01], kind="k", title="Note")
    services.notify(recipients=[am01], kind="k", title="Note")
    assert Notification.objects.filter(recipient=am01, key=None).count() == 2


def test_unread_count_and_mark_read(org):
    am01, am02 = org.users["am01"], org.users["am02"]
    services.notify(recipients=[am01], kind="k", title="One")
    (two,) = services.notify(recipients=[am01], kind="k", title="Two")
    services.notify(recipients=[am02], kind="k", title="Someone else's")
    assert selectors.unread_count(am01) == 2
    assert inbox_services.notification_mark_read(user=am01, notification=two) is True
    assert selectors.unread_count(am01) == 1
    assert inbox_services.notification_mark_read(user=am01, notification=two) is False  # already
    # Not the recipient: nothing changes.
    other = Notification.objects.get(recipient=am02)
    assert inbox_services.notification_mark_read(user=am01, notification=other) is False
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert inbox_services.notifications_mark_all_read(user=am01) == 1
    assert selectors.unread_count(am01) == 0 and selectors.unread_count(am02) == 1


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "notify_notification" in q["sql"]
              and "COUNT" in q["sql"].upper()]
    return response, len(ctx.captured_queries), counts


@pytest.mark.parametrize("page", ["notify:inbox", "account:api_tokens"])
def test_badge_costs_one_query_whatever_the_number(org, page):
    page = "org:api_tokens" if page == "account:api_tokens" else page
    am01 = org.users["am01"]
    client = client_of(am01)
    client.get(reverse(page))  # the session's first request does more (its own queries)
    services.notify(recipients=[am01], kind="k", title="First")
    r1, total1, counts1 = _page_queries(client, reverse(page))
    for i in range(40):
        services.notify(recipients=[am01], kind="k", title=f"More {i}")
    r2, total2, counts2 = _page_queries(client, reverse(page))
    assert total1 == total2
    assert len(counts2) == len(counts1)
    html1, html2 = r1.content.decode(), r2.content.decode()
    assert 'data-testid="inbox-unread">1<' in html1
    assert 'data-testid="inbox-unread">41<' in html2
    # the unread COUNT runs once per page (the inbox's own pagination count is the other)
    assert sum("read_at" in sql for sql in counts2) == 1


def test_no_badge_when_all_read_and_99_plus(org):
    am01 = org.users["am01"]
    client = client_of(am01)
    assert 'data-testid="inbox-unread"' not in client.get(reverse("notify:inbox")).content.decode()
    Notification.objects.bulk_create(Notification(recipient=am01, kind="k", title=str(i))
                                     for i in range(120))
    assert 'data-testid="inbox-unread">99+<' in client.get(reverse("notify:inbox")).content.decode()


def test_inbox_lists_own_newest_first_unread_bold_and_paginated(org):
    am01, am02 = org.users["am01"], org.users["am02"]
    for i in range(30):
        services.notify(recipients=[am01], kind="k", title=f"Mine {i:02d}")
    services.notify(recipients=[am02], kind="k", title="Not for am01")
    Notification.objects.filter(title="Mine 29").update(read_at="2026-01-01T00:00:00Z")
    html = client_of(am01).get(reverse("notify:inbox")).content.decode()
    assert "Not for am01" not in html
    assert html.index("Mine 29") < html.index("Mine 28")  # newest first
    assert html.count('data-testid="notification"') == 25
    assert html.count('data-unread="1"') == 24 and html.count("fw-bold") >= 24
    page2 = client_of(am01).get(reverse("notify:inbox"), {"page": 2}).content.decode()
    assert page2.count('data-testid="notification"') == 5 and "Mine 00" in page2


def test_mark_all_read_by_post(org):
    am01, am02 = org.users["am01"], org.users["am02"]
    services.notify(recipients=[am01, am02], kind="k", title="Both")
    response = client_of(am01).post(reverse("notify:inbox"))
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox")
    assert selectors.unread_count(am01) == 0
    assert Notification.objects.get(recipient=am02).read_at is None


def test_opening_marks_read_and_goes_to_the_link(org):
    am01 = org.users["am01"]
    (n,) = services.notify(recipients=[am01], kind="k", title="Go", url="/customers/?q=1")
    response = client_of(am01).get(reverse("notify:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/customers/?q=1"
    assert Notification.objects.get(pk=n.pk).read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                 "javascript:alert(1)", "http:/evil.example", "customers/",
                                 "/\t/evil.example", ""])
def test_opening_never_leads_outside(org, url):
    am01 = org.users["am01"]
    (n,) = services.notify(recipients=[am01], kind="k", title="Bad link", url=url)
    response = client_of(am01).get(reverse("notify:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox")
    assert Notification.objects.get(pk=n.pk).read_at is not None


def test_someone_elses_notification_is_404_and_stays_unread(org):
    am01, am02, admin = org.users["am01"], org.users["am02"], org.users["admin"]
    (n,) = services.notify(recipients=[am02], kind="k", title="Private", url="/x/")
    for user in (am01, admin, org.users["director"]):
        assert client_of(user).get(reverse("notify:open", args=[n.pk])).status_code == 404
    assert client_of(am01).get(reverse("notify:open", args=[n.pk + 1000])).status_code == 404
    assert Notification.objects.get(pk=n.pk).read_at is None
    assert "Private" not in client_of(am01).get(reverse("notify:inbox")).content.decode()


def test_anonymous_and_disabled_users_go_to_login(org):
    (n,) = services.notify(recipients=[org.users["am01"]], kind="k", title="Hidden")
    login = reverse("login")
    for method, url in (("get", reverse("notify:inbox")), ("post", reverse("notify:inbox")),
                        ("get", reverse("notify:open", args=[n.pk]))):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and response["Location"].startswith(login)
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_open_is_get_only(org):
    (n,) = services.notify(recipients=[org.users["am01"]], kind="k", title="x")
    assert client_of(org.users["am01"]).post(reverse("notify:open", args=[n.pk])).status_code == 405


def test_admin_edits_robots_and_reads_the_outbox(org):
    admin = client_of(org.users["admin"])
    unit = org.users["am01"].unit
    response = admin.post(reverse("admin:notify_webhook_add"), {
        "name": "华东一组", "unit": unit.pk, "platform": "dingtalk",
        "url": "file:///etc/passwd", "secret": "", "active": "on"})
    assert response.status_code == 200 and not Webhook.objects.exists()  # only http(s)
    response = admin.post(reverse("admin:notify_webhook_add"), {
        "name": "华东一组", "unit": unit.pk, "platform": "dingtalk",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abc", "secret": "SECx",
        "active": "on"})
    assert response.status_code == 302 and Webhook.objects.get().platform == "dingtalk"
    services.notify(recipients=[org.users["am01"]], kind="k", title="Queued")
    Delivery.objects.update(last_error="HTTP 500")
    html = admin.get(reverse("admin:notify_delivery_changelist")).content.decode()
    assert "HTTP 500" in html and "access_token=abc" not in html  # the token stays hidden
    # The outbox is read-only: its add page is refused, as everything refused is, as not found.
    assert admin.get(reverse("admin:notify_delivery_add")).status_code == 404
    assert client_of(org.users["am01"]).get(
        reverse("admin:notify_webhook_changelist")).status_code == 302  # not staff: to login
