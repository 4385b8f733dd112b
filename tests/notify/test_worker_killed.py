"""CHECKS C18 at a small scale: 100 reminders, the sending worker (a separate process on the
same database) SIGKILLed twice mid-run, a third one started later: every reminder is in its
recipient's inbox exactly once, every copy to the group robot is sent and marked sent, and a
robot message repeats at most once per kill (the one in flight when the worker died, whose
"sent" was never written). The workers run the code the huey consumer runs (the minutely
sweep, notify.delivery.services.deliveries_sweep). The full C18 (1,000 reminders, three kills) is this test
with NOTIFY_C18_SCALE=1000 NOTIFY_C18_KILLS=3."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from qiao.notify import services
from qiao.notify.delivery import services as delivery_services
from qiao.notify.delivery.models import Delivery, Webhook
from qiao.notify.inbox.models import Notification

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

SCALE = int(os.environ.get("NOTIFY_C18_SCALE", "100"))
KILLS = int(os.environ.get("NOTIFY_C18_KILLS", "2"))
ROOT = Path(__file__).resolve().parents[2]

# A worker: sweeps (ten at a time) until nothing is left to send. `shift` minutes ahead of
# the clock lets the last worker take over the claims of the killed ones (their lease over).
WORKER = """
import sys
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from qiao.notify.delivery import services as delivery_services
shift = timedelta(minutes=int(sys.argv[1]))
while delivery_services.deliveries_sweep(now=timezone.now() + shift, limit=10):
    pass
"""


def database_url():
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(shift_minutes=0):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qiao.settings.test",
           "QIAO_TEST_DATABASE_URL": database_url(),
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-c", WORKER, str(shift_minutes)], cwd=ROOT, env=env)


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_reminders_survive_killed_workers(org, robot, monkeypatch):
    monkeypatch.setattr(delivery_services, "_enqueue", lambda ids: None)  # the worker sends, not this
    am01 = org.users["am01"]
    Webhook.objects.create(name="team", unit=am01.unit, platform="wecom", url=f"{robot.url}/r")
    robot.delay = 0.01
    for i in range(SCALE):
        services.notify(recipients=[am01], kind="reminder", title=f"reminder {i}",
                        key=f"reminder:{i}")
    for kill in range(1, KILLS + 1):
        worker = start_worker()
        wait_for(lambda kill=kill: len(robot.received) >= SCALE * kill // (KILLS + 2))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    last = start_worker(shift_minutes=10)  # later: the killed workers' leases have run out
    assert last.wait(timeout=120) == 0

    titles = Counter(r.body["markdown"]["content"].split("**")[1] for r in robot.received)
    assert set(titles) == {f"reminder {i}" for i in range(SCALE)}  # nothing lost
    assert sum(titles.values()) - SCALE <= KILLS  # at most the one in flight per kill
    assert Delivery.objects.filter(status="sent").count() == SCALE
    inbox = Counter(Notification.objects.filter(recipient=am01).values_list("title", flat=True))
    assert len(inbox) == SCALE and set(inbox.values()) == {1}  # none twice in the inbox
