"""The outbox: webhook messages in each platform's documented format (checked on a local
server, signatures recomputed here from the platforms' documentation), e-mail copies, retries
with backoff, platform error codes, the sweeper, and "never sent twice once sent"."""

import base64
import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from qiao.notify import services
from qiao.notify.delivery import services as delivery_services
from qiao.notify.delivery.models import Delivery, Webhook
from qiao.notify.inbox.models import Notification

pytestmark = pytest.mark.django_db


def hook(org, robot, platform, unit=None, secret="", path="/robot", active=True):
    return Webhook.objects.create(
        name=f"{platform} robot", unit=unit or org.users["am01"].unit, platform=platform,
        url=f"{robot.url}{path}?access_token=tok-{platform}", secret=secret, active=active)


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def test_wecom_markdown_message(org, robot, settings):
    settings.QIAO_BASE_URL = "https://crm.example.cn"
    hook(org, robot, "wecom")
    services.notify(recipients=[org.users["am01"]], kind="approval", title="待审批：招待费",
                    body="金额 ¥2,500", url="/approvals/7/")
    delivery = Delivery.objects.get()
    assert delivery_services.delivery_send(delivery.pk) == "sent"
    (got,) = robot.received
    assert got.path == "/robot" and got.query == {"access_token": "tok-wecom"}
    assert got.headers["Content-Type"].startswith("application/json")
    assert set(got.body) == {"msgtype", "markdown"} and got.body["msgtype"] == "markdown"
    content = got.body["markdown"]["content"]
    assert set(got.body["markdown"]) == {"content"}
    assert "**待审批：招待费**" in content and "金额 ¥2,500" in content
    assert str(org.users["am01"]) in content
    assert "(https://crm.example.cn/approvals/7/)" in content  # a markdown link


@pytest.mark.parametrize("secret", ["", "SEC0123456789abcdef"])
def test_dingtalk_markdown_message_and_signature(org, robot, secret):
    hook(org, robot, "dingtalk", secret=secret)
    before = int(time.time() * 1000)
    services.notify(recipients=[org.users["am01"]], kind="visit", title="拜访到期", body="明天")
    assert delivery_services.delivery_send(Delivery.objects.get().pk) == "sent"
    (got,) = robot.received
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"] == "拜访到期"
    assert "明天" in got.body["markdown"]["text"]
    assert got.query["access_token"] == "tok-dingtalk"
    if not secret:
        assert set(got.query) == {"access_token"}
        return
    # DingTalk's documentation: sign = urlEncode(base64(HmacSHA256(secret, timestamp + "\n" +
    # secret))), timestamp in milliseconds, within an hour of the server's time.
    timestamp = got.query["timestamp"]
    assert before <= int(timestamp) <= int(time.time() * 1000)
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert got.query["sign"] == expected  # parse_qsl has undone the URL encoding


@pytest.mark.parametrize("secret", ["", "feishu-secret"])
def test_feishu_text_message_and_signature(org, robot, secret):
    robot.default = (200, {"code": 0, "msg": "success", "data": {}})
    hook(org, robot, "feishu", secret=secret)
    before = int(time.time())
    services.notify(recipients=[org.users["am01"]], kind="sla", title="工单即将超时", url="/t/1/")
    assert delivery_services.delivery_send(Delivery.objects.get().pk) == "sent"
    (got,) = robot.received
    assert got.body["msg_type"] == "text"
    assert got.body["content"]["text"].startswith("工单即将超时")
    assert "/t/1/" not in got.body["content"]["text"]  # no QIAO_BASE_URL: no half link
    if not secret:
        assert set(got.body) == {"msg_type", "content"}
        return
    # Feishu's documentation: sign = base64(HmacSHA256(key = timestamp + "\n" + secret,
    # message = empty)), timestamp in seconds, sent as a string in the body.
    timestamp = got.body["timestamp"]
    assert isinstance(timestamp, str) and before <= int(timestamp) <= int(time.time())
    string_to_sign = f"{timestamp}\n{secret}"
    expected = base64.b64encode(hmac.new(string_to_sign.encode(), b"",
                                         hashlib.sha256).digest()).decode()
    assert got.body["sign"] == expected


def test_robots_of_the_unit_and_above_get_one_message_naming_everyone(org, robot):
    am01, am02, am05 = org.users["am01"], org.users["am02"], org.users["am05"]
    team = hook(org, robot, "wecom", path="/team")
    region = hook(org, robot, "wecom", unit=am01.unit.parent, path="/region")
    hook(org, robot, "wecom", path="/off", active=False)
    services.notify(recipients=[am01, am02, am05], kind="k", title="Reminder")
    deliveries = {d.webhook_id: d for d in Delivery.objects.all()}
    assert set(deliveries) == {team.pk, region.pk}  # not the inactive one, not am05's team
    for d in deliveries.values():
        assert str(am01) in d.message and str(am02) in d.message and str(am05) not in d.message
    assert delivery_services.deliveries_sweep() == 2
    assert sorted(r.path for r in robot.received) == ["/region", "/team"]


def test_email_copy_only_when_a_mail_server_is_configured(org, settings):
    am01, am02 = org.users["am01"], org.users["am02"]
    am01.email, am02.email = "am01@example.cn", ""
    services.notify(recipients=[am01, am02], kind="k", title="Without a server")
    assert not Delivery.objects.exists()  # offline by default: nothing leaves the server
    settings.EMAIL_HOST = "127.0.0.1"
    settings.QIAO_BASE_URL = "https://crm.example.cn"
    services.notify(recipients=[am01, am02], kind="k", title="With a server", body="Text",
                    url="/inbox/")
    (delivery,) = Delivery.objects.all()  # am02 has no address
    assert delivery.channel == "email" and delivery.target == "am01@example.cn"
    assert delivery_services.delivery_send(delivery.pk) == "sent"
    (message,) = mail.outbox
    assert message.to == ["am01@example.cn"] and message.subject == "With a server"
    assert "Text" in message.body and "https://crm.example.cn/inbox/" in message.body


def test_two_server_errors_then_success_is_sent_once_after_three_attempts(org, robot):
    hook(org, robot, "wecom")
    services.notify(recipients=[org.users["am01"]], kind="k", title="Retry me")
    pk = Delivery.objects.get().pk
    robot.answers = [(500, {}), (500, {})]
    assert delivery_services.delivery_send(pk) == "retry"
    d = Delivery.objects.get()
    assert (d.status, d.attempts, d.last_error) == ("pending", 1, "HTTP 500")
    assert d.next_attempt_at > timezone.now() + timedelta(seconds=20)  # backoff
    assert delivery_services.delivery_send(pk) is None  # not due yet: nothing sent
    assert delivery_services.delivery_send(pk, now=later(1)) == "retry"
    second = Delivery.objects.get()
    assert second.next_attempt_at - timezone.now() > d.next_attempt_at - timezone.now()
    assert delivery_services.deliveries_sweep(now=later(5)) == 1
    d = Delivery.objects.get()
    assert (d.status, d.attempts, d.last_error) == ("sent", 3, "")
    assert d.sent_at is not None
    assert [r.status for r in robot.received] == [500, 500, 200]
    assert delivery_services.deliveries_sweep(now=later(60)) == 0  # sent: never again
    assert delivery_services.delivery_send(pk, now=later(60)) is None
    assert len(robot.received) == 3


def test_a_platform_error_code_is_retried(org, robot):
    hook(org, robot, "dingtalk")
    services.notify(recipients=[org.users["am01"]], kind="k", title="Keyword missing")
    pk = Delivery.objects.get().pk
    robot.answers = [(200, {"errcode": 310000, "errmsg": "keywords not in content"})]
    assert delivery_services.delivery_send(pk) == "retry"
    d = Delivery.objects.get()
    assert d.status == "pending" and "310000" in d.last_error and "keywords" in d.last_error
    assert delivery_services.delivery_send(pk, now=later(1)) == "sent"


def test_feishu_error_code_is_retried(org, robot):
    hook(org, robot, "feishu")
    services.notify(recipients=[org.users["am01"]], kind="k", title="Bad sign")
    robot.answers = [(200, {"code": 19021, "msg": "sign match fail or timestamp is not within "
                                                   "one hour from current time"})]
    assert delivery_services.delivery_send(Delivery.objects.get().pk) == "retry"
    assert "19021" in Delivery.objects.get().last_error


def test_unreachable_robot_and_give_up_after_max_attempts(org, robot):
    Webhook.objects.create(name="gone", unit=org.users["am01"].unit, platform="wecom",
                           url="http://127.0.0.1:9/nothing-listens-here")
    services.notify(recipients=[org.users["am01"]], kind="k", title="Nobody there")
    pk = Delivery.objects.get().pk
    results = [delivery_services.delivery_send(pk, now=later(i * 120))
               for i in range(delivery_services.MAX_ATTEMPTS)]
    assert results == ["retry"] * (delivery_services.MAX_ATTEMPTS - 1) + ["failed"]
    d = Delivery.objects.get()
    assert d.status == "failed" and d.attempts == delivery_services.MAX_ATTEMPTS and d.last_error
    assert delivery_services.deliveries_sweep(now=later(10_000)) == 0


def test_the_sweeper_sends_what_no_task_ever_sent(org, robot):
    """The notification committed but its task was lost (queue restarted): the periodic task
    finds the pending row and sends it, once."""
    hook(org, robot, "wecom")
    services.notify(recipients=[org.users["am01"]], kind="k", title="Lost task")
    # tests run without on_commit here: no task was queued
    assert Delivery.objects.get().status == "pending" and robot.received == []
    from qiao.notify.delivery.tasks import deliveries_sweep_minutely

    deliveries_sweep_minutely()  # the periodic task itself (huey immediate mode in tests)
    assert Delivery.objects.get().status == "sent" and len(robot.received) == 1
    deliveries_sweep_minutely()
    assert len(robot.received) == 1


def test_a_dead_workers_claim_is_taken_over_after_the_lease_only(org, robot):
    hook(org, robot, "wecom")
    services.notify(recipients=[org.users["am01"]], kind="k", title="Claimed then killed")
    # A worker claimed it and was killed before sending.
    Delivery.objects.update(status="sending", attempts=1, claimed_until=later(5))
    assert delivery_services.deliveries_sweep() == 0 and robot.received == []  # still its claim
    assert delivery_services.deliveries_sweep(now=later(6)) == 1
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == ("sent", 2) and len(robot.received) == 1


def test_task_after_commit_sends_at_once(org, robot, django_capture_on_commit_callbacks):
    hook(org, robot, "wecom")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[org.users["am01"]], kind="k", title="Right away")
    assert Delivery.objects.get().status == "sent" and len(robot.received) == 1


def test_task_after_commit_that_fails_stays_pending_for_the_retry(org, robot,
                                                                  django_capture_on_commit_callbacks):
    hook(org, robot, "wecom")
    from huey.contrib.djhuey import HUEY

    robot.answers = [(503, {})]
    scheduled = [t for t in HUEY.scheduled() if t.name.endswith("delivery_send_task")]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[org.users["am01"]], kind="k", title="Later")
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == ("pending", 1)
    # The task asked huey for the next attempt at the backoff time…
    now_scheduled = [t for t in HUEY.scheduled() if t.name.endswith("delivery_send_task")]
    new = [t for t in now_scheduled if t.id not in {s.id for s in scheduled}]
    assert [t.args for t in new] == [(d.pk,)]
    # …and should that be lost too, the sweeper sends it once it is due.
    assert delivery_services.deliveries_sweep(now=later(2)) == 1


def test_a_webhook_switched_off_after_queueing_is_not_called(org, robot):
    h = hook(org, robot, "wecom")
    services.notify(recipients=[org.users["am01"]], kind="k", title="Switched off")
    Webhook.objects.filter(pk=h.pk).update(active=False)
    assert delivery_services.delivery_send(Delivery.objects.get().pk) == "retry"
    assert robot.received == [] and "switched off" in Delivery.objects.get().last_error


def test_only_http_addresses_are_called(org):
    from qiao.notify.delivery.channels import DeliveryError, send_webhook

    with pytest.raises(DeliveryError):
        send_webhook("wecom", "file:///etc/passwd", "", "t", "x")
    assert Notification.objects.count() == 0
