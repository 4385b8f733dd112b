"""Personas: the demo organisation (CHECKS "persona fixture") with customers for each manager.

director, deptmgr, region1-3, sup1 (am01 + am02 report to sup1), am03 (other team of region 1),
am05 (region 2), agent01, qa01, admin, plus a disabled former employee. Every account manager
owns two ungraded customers; each region has one pool customer without an owner.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from huey.contrib.djhuey import HUEY

from qiao.core import calendar
from qiao.demo.generator import ensure_grades, ensure_tags
from qiao.demo.org import build_org
from qiao.org.models import User

from .factories import make_customer

PASSWORD = "persona-pass-1"
ROLES = ("director", "deptmgr", "region1", "sup1", "am01", "am02", "am03", "agent01", "qa01",
         "admin", "leaver")


@dataclass
class Personas:
    org: object
    users: dict
    customers: dict  # username -> list of that manager's customers; "pool:<region>" too
    grades: list
    tags: list

    def __getitem__(self, username) -> User:
        return self.users[username]

    def client(self, username) -> Client:
        client = Client()
        client.force_login(self.users[username])
        return client

    def all_customers(self):
        return [c for cs in self.customers.values() for c in cs]


@pytest.fixture(autouse=True)
def fresh_business_calendar():
    """The business calendar's per-process cache starts empty in every test, so that no day a
    rolled-back test entered (or a flush removed) is remembered."""
    calendar.forget()


@pytest.fixture(autouse=True)
def empty_task_store():
    """Tasks run immediately on an in-memory store that lives as long as the test process:
    every test starts with it empty, so that nothing one test left there (a result, a
    run's cancel signal) reaches the next."""
    HUEY.storage.flush_all()


@pytest.fixture(autouse=True)
def users_language():
    """Every test starts in the users' language: a test client's request leaves the language it
    was answered in active in this thread, which a later test's direct service calls would use."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def personas(db):
    org = build_org(PASSWORD)
    grades = ensure_grades()
    tags = ensure_tags()
    users = dict(org.users)
    leaver = User.objects.create_user(
        "leaver", password=PASSWORD, display_name="离职员工", unit=users["am01"].unit,
        position=users["am01"].position, supervisor=users["sup1"], is_active=False)
    users["leaver"] = leaver
    customers = {}
    for username in [u for u in users if u.startswith("am")]:
        owner = users[username]
        customers[username] = [
            make_customer(owner, region=_region_of(org, owner)) for _ in range(2)
        ]
    for region in org.regions:
        customers[f"pool:{region.name}"] = [make_customer(None, actor=users["director"],
                                                          region=region)]
    return Personas(org=org, users=users, customers=customers, grades=grades, tags=tags)


def _region_of(org, user):
    return next(r for r in org.regions if user.unit.path.startswith(r.path))
