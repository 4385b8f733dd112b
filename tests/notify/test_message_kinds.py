"""Inbox messages of a registered kind are stored with their parameters and composed when read,
in the reader's language; their copies (e-mail, robots) are composed once when written. Text
written without parameters, of a kind nobody registered or with parameters that no longer fit,
reads as written. The supervisor's alert (audit) and the promotion messages are such kinds; the
data migrations give the messages already in inboxes their parameters."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qiao.notify import services
from qiao.notify.delivery.models import Delivery, Webhook
from qiao.notify.inbox.models import Notification
from qiao.org.models import User

pytestmark = pytest.mark.django_db


def read(note, language):
    with translation.override(language):
        fresh = Notification.objects.get(pk=note.pk)
        return fresh.display_title, fresh.display_body


def test_a_message_reads_in_the_readers_language(org, settings):
    settings.EMAIL_HOST = "mail.example.invalid"
    am01, am02 = org.users["am01"], org.users["am02"]
    User.objects.filter(pk=am02.pk).update(language="en", email="am02@example.invalid")
    am02.refresh_from_db()
    Webhook.objects.create(name="华东", unit=am01.unit, platform="wecom",
                           url="http://127.0.0.1:9/robot")
    with translation.override("en"):  # written in an English session
        first, second = services.notify(recipients=[am01, am02], kind="view_alert",
                                        params={"user": "王伟", "n": 120}, url="/audit/")
    assert read(first, "zh-hans")[0] == "王伟 在一小时内打开了 120 个客户"
    assert read(first, "en")[0] == "王伟 opened 120 customers within an hour"
    # As written: each in the recipient's language (e-mail copy), robots in the site's
    assert (first.title, second.title) == ("王伟 在一小时内打开了 120 个客户",
                                           "王伟 opened 120 customers within an hour")
    robot = Delivery.objects.get(channel="webhook")
    assert "王伟 在一小时内打开了 120 个客户" in robot.message
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(am01)
    assert "王伟 opened 120 customers" in client.get(reverse("notify:inbox")).content.decode()


def test_text_without_fitting_parameters_reads_as_written(org):
    am01 = org.users["am01"]
    [plain] = services.notify(recipients=[am01], kind="view_alert", title="原文", body="正文")
    [unknown] = services.notify(recipients=[am01], kind="no_such_kind", title="原文",
                                params={"x": 1})
    [unfit] = services.notify(recipients=[am01], kind="view_alert", title="原文",
                              params={"someone": "x"})
    for note in (plain, unknown, unfit):
        assert read(note, "en")[0] == "原文"
    assert read(plain, "en")[1] == "正文"


def test_messages_already_in_inboxes_get_their_parameters(personas):
    """view_alert (audit 0004) and the promotion messages (promotions 0002, which also gives
    them their own kinds)."""
    from qiao.audit.models import OperationLog
    from tests.promotions.factories import make_campaign, make_recommendation

    log = OperationLog.objects.create(actor=personas["am01"], actor_username="am01",
                                      action="view_alert", details={"distinct_customers": 7})
    Notification.objects.create(recipient=personas["sup1"], kind="view_alert", key=f"view_alert:{log.pk}",
                                title="am01 opened 7 customers within an hour")
    campaign = make_campaign()
    make_recommendation(personas["am01"], personas.customers["am01"][0], campaign=campaign)
    recommended = Notification.objects.get(kind="promotion_recommended")
    Notification.objects.filter(pk=recommended.pk).update(kind="promotion", params={})
    importlib.import_module("qiao.audit.migrations.0006_view_alert_message_params").fill(
        django_apps, None)
    importlib.import_module("qiao.promotions.migrations.0003_promotion_message_params").fill(
        django_apps, None)
    alert = Notification.objects.get(kind="view_alert")
    assert alert.params == {"user": str(personas["am01"]), "n": 7}
    assert read(alert, "zh-hans")[0] == f"{personas['am01']} 在一小时内打开了 7 个客户"
    recommended = Notification.objects.get(pk=recommended.pk)
    assert (recommended.kind, recommended.params) == ("promotion_recommended",
                                                      {"name": campaign.name})
    assert read(recommended, "en")[0] == f"New recommendations to confirm: {campaign.name}"
