"""Helpers for the security checks (C23, C25, C26): a plain user and clocks that can be moved."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from qiao.org.models import User
from tests.conftest import PASSWORD


@pytest.fixture
def user(db):
    return User.objects.create_user("wang.fang", password=PASSWORD, display_name="王芳")


@contextmanager
def axes_clock_ahead(**delta):
    """django-axes reads the time through `now` imported into its modules: move all of them."""
    later = timezone.now() + dt.timedelta(**delta)
    with mock.patch("axes.attempts.now", return_value=later), \
            mock.patch("axes.handlers.proxy.now", return_value=later), \
            mock.patch("django.utils.timezone.now", return_value=later):
        yield


class Clock:
    """Stands in for the `time` module in qiao.org.middleware and qiao.org.views."""

    def __init__(self, start=1_800_000_000.0):
        self.now = start

    def time(self):
        return self.now

    def advance(self, *, minutes=0, hours=0, seconds=0):
        self.now += seconds + 60 * minutes + 3600 * hours


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch("qiao.org.middleware.time", c), mock.patch("qiao.org.views.time", c):
        yield c
