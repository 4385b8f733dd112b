"""At-risk customers (危险客户统计表, CUS-9): each rule of the registry flags what it should with
the reason written out (figures checked by hand), a manager never sees another's, the query
count does not grow with the customers, the page filters, prints and exports."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.core.registry import risk_rules
from qiao.customers.models import Customer
from qiao.customers.selectors import at_risk
from qiao.sales.selectors import _shift
from tests.factories import make_customer
from tests.sales.factories import make_order
from tests.tickets.factories import make_ticket
from tests.visits.factories import make_visit

pytestmark = pytest.mark.django_db


def _same_month_day(month):
    return month.replace(day=10)


@pytest.fixture
def book(personas):
    """am01's customers, one per rule, and one at risk for nothing; am02's with a complaint."""
    am01, director = personas["am01"], personas["director"]
    today = timezone.localdate()
    made = {}
    for name in ("逾期客户", "下降客户", "投诉客户", "执照客户", "未访客户", "正常客户"):
        made[name] = make_customer(am01, name=name)
    for customer in made.values():  # every one visited lately but the one never visited
        if customer.name != "未访客户":
            make_visit(am01, customer, visited_on=today - timedelta(days=5))
    # ¥1,000.00 delivered 100 days ago, 30 days' term: 70 days overdue (rule: over 60).
    make_order(am01, made["逾期客户"], ordered_on=today - timedelta(days=100),
               delivered_on=today - timedelta(days=100))
    # Falling: ¥1,000.00 in the month two months ago a year back, ¥500.00 in it this year.
    month = _shift(today.replace(day=1), -2)
    make_order(am01, made["下降客户"], ordered_on=_same_month_day(_shift(month, -12)))
    from tests.sales.factories import make_product
    make_order(am01, made["下降客户"], ordered_on=_same_month_day(month),
               lines=[(make_product(), 5)])
    make_ticket(director, made["投诉客户"])
    Customer._base_manager.filter(pk=made["执照客户"].pk).update(
        licence_expiry=today + timedelta(days=10))
    Customer._base_manager.filter(pk=made["未访客户"].pk).update(
        created_at=timezone.now() - timedelta(days=120))
    theirs = make_customer(personas["am02"], name="他人投诉客户")
    make_ticket(director, theirs)
    return made


def _mine(lines, book):
    names = set(book)
    return {line["customer"].name: {code: text for code, _label, text in line["reasons"]}
            for line in lines if line["customer"].name in names}


def test_each_rule_flags_its_customer_with_the_reason(personas, book):
    today = timezone.localdate()
    found = _mine(at_risk(personas["am01"]), book)
    assert found == {
        "逾期客户": {"overdue": "逾期 ¥1,000.00，最长逾期 70 天"},
        "下降客户": {"falling": "近三个月实销额 ¥500.00，去年同期 ¥1,000.00（下降 50.0%）"},
        "投诉客户": {"complaint": "1 个未结投诉"},
        "执照客户": {"licence": f"营业执照 {today + timedelta(days=10)} 到期"},
        "未访客户": {"no_visit": "从未拜访"},
    }
    assert [rule.code for rule in risk_rules] == [
        "overdue", "falling", "complaint", "licence", "no_visit"]


def test_the_thresholds_come_from_the_settings(personas, book, settings):
    settings.QIAO_AT_RISK = {"overdue_days": 80, "order_drop_percent": 60, "licence_days": 5,
                             "no_visit_days": 200}
    found = _mine(at_risk(personas["am01"]), book)
    assert set(found) == {"投诉客户"}


def test_a_manager_never_sees_anothers_and_the_supervisor_sees_the_team(personas, book):
    names = {line["customer"].name for line in at_risk(personas["am01"])}
    assert "他人投诉客户" not in names
    assert "他人投诉客户" in {line["customer"].name for line in at_risk(personas["sup1"])}
    assert not {line["customer"].name for line in at_risk(personas["am03"])} & set(book)
    only = at_risk(personas["sup1"], manager=personas["am01"], rule="complaint")
    assert {line["customer"].name for line in only} == {"投诉客户"}


def test_the_query_count_does_not_grow_with_the_customers(personas, book):
    am01 = personas["am01"]

    def count():
        with CaptureQueriesContext(connection) as queries:
            lines = at_risk(am01)
        return len(queries), len(lines)

    few = count()
    today = timezone.localdate()
    for n in range(5):
        customer = make_customer(am01, name=f"新逾期客户{n}")
        make_order(am01, customer, ordered_on=today - timedelta(days=90),
                   delivered_on=today - timedelta(days=90))
        make_ticket(personas["director"], customer)
    many = count()
    assert many[1] == few[1] + 5 and many[0] == few[0]


def test_the_page_filters_prints_and_exports(personas, book):
    client = personas.client("am01")
    url = reverse("reports:at_risk")
    page = client.get(url).content.decode()
    assert "危险客户统计表" in page and "逾期 ¥1,000.00，最长逾期 70 天" in page
    assert "他人投诉客户" not in page
    filtered = client.get(url, {"rule": "licence"}).content.decode()
    assert "执照客户" in filtered and "投诉客户" not in filtered
    printed = client.get(url, {"print": "1"})
    assert printed.status_code == 200 and "未访客户" in printed.content.decode()
    assert client.get(url, {"format": "xlsx"}).status_code == 404  # no customer.export
    exported = personas.client("director").get(url, {"format": "xlsx"})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert personas.client("admin").get(url).status_code == 404


def test_the_visit_schedule_proposes_the_at_risk_customers(personas, book):
    from qiao.visits import selectors as visit_selectors
    from qiao.visits.models import ScheduledVisit

    week = visit_selectors.next_week()
    candidates = {c.customer.name: c for c in
                  visit_selectors.schedule_candidates(personas["am01"], week)}
    for name in ("逾期客户", "投诉客户", "执照客户"):
        assert candidates[name].reason == ScheduledVisit.Reason.AT_RISK
    assert "逾期 ¥1,000.00" in candidates["逾期客户"].note
    assert "正常客户" not in candidates


