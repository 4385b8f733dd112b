"""The desk (工作台): the start page built from the widgets the domain apps register.

Which widgets each persona sees, their figures against values worked out by hand, that no
widget shows a record outside the user's scope or above their clearance, and that the page
costs the same number of queries with 2 customers as with 20.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiao.approvals.models import ApprovalTask
from qiao.core import registry
from qiao.core.models import Clearance
from qiao.customers import services as customer_services
from qiao.customers.models import Customer, CustomerEvent, PoolRule
from qiao.notify import services as notify_services
from qiao.notify.inbox.models import Notification
from qiao.reports.desk import start_of_week
from qiao.visits.demo import ensure_hospitality_chain

from ..approvals.conftest import hospitality
from ..factories import make_customer

EVERY_WIDGET = ["approvals_waiting", "sales", "tickets", "approvals_mine", "inbox_unread",
                "customers_idle", "visits_commitments", "visits_out_now", "customers_licences",
                "customers_pool", "team_overview"]


@pytest.fixture
def chain(personas):
    """The demo hospitality chain: the supervisor approves."""
    return ensure_hospitality_chain()


def desk(personas, username) -> str:
    response = personas.client(username).get("/")
    assert response.status_code == 200
    return response.content.decode()


def widgets(html) -> list[str]:
    return re.findall(r'<section [^>]*data-testid="desk-([a-z_]+)"', html)


def section(html, code) -> str:
    found = re.search(rf'<section [^>]*data-testid="desk-{code}".*?</section>', html, re.S)
    assert found, f"no widget {code}"
    return found.group(0)


def text(fragment) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def by_testid(fragment, name) -> list[str]:
    return [text(m) for m in re.findall(rf'data-testid="{name}"[^>]*>(.*?)</', fragment, re.S)]


def count(html, code) -> int:
    return int(by_testid(section(html, code), "desk-count")[0])


def set_fields(customer, **fields):
    """Fields only time or the organisation changes (last follow-up, a level raised above the
    owner's clearance by a role change), written as they would be found."""
    Customer.objects.filter(pk=customer.pk).update(**fields)


# --- who sees what ------------------------------------------------------------------------------

def test_every_widget_is_registered_by_its_domain_app():
    assert [w.code for w in registry.desk_widgets] == EVERY_WIDGET
    assert all(w.label and w.template and w.url_name for w in registry.desk_widgets)


# The service desk's block shows only to someone with open tickets, the sales block when the
# month has sales, a target or a report to write (none here).
# Who of the team is out of the office: only while someone is (tests/visits/test_worklog.py).
SHOWN = [code for code in EVERY_WIDGET if code not in ("tickets", "sales", "visits_out_now")]


@pytest.mark.parametrize(("username", "expected"), [
    ("director", SHOWN),
    ("sup1", SHOWN),
    # An account manager's scope is their own customers: no team figures.
    ("am01", SHOWN[:-1]),
    # An agent sees customers but keeps none, raises no requests, claims nothing.
    ("agent01", ["inbox_unread"]),
])
def test_each_persona_sees_the_widgets_of_their_role(personas, username, expected):
    html = desk(personas, username)
    assert widgets(html) == expected
    assert "<h1" in html and "工作台" in html


def test_labels_in_chinese_and_each_widget_links_to_its_full_list(personas):
    html = desk(personas, "sup1")
    titles = [text(t) for t in re.findall(r'<h2 [^>]*id="desk-title-[a-z_]+"[^>]*>(.*?)</h2>',
                                            html, re.S)]
    assert titles == ["待我审批", "我的申请", "未读消息", "久未跟进的客户", "逾期拜访、承诺与回访",
                      "即将到期的许可证",
                      "今日可领取", "团队概况"]
    links = dict(re.findall(r'href="([^"]+)" data-testid="desk-more-([a-z_]+)"', html))
    assert {v: unescape(k) for k, v in links.items()} == {
        "approvals_waiting": "/approvals/waiting/", "approvals_mine": "/approvals/mine/",
        "inbox_unread": "/inbox/", "customers_idle": f"/customers/?owner={personas['sup1'].pk}&sort=idle",
        "customers_licences": "/customers/?sort=licence", "customers_pool": "/customers/pool/",
        "team_overview": "/reports/grades/",
        "visits_commitments": "/visits/commitments/?mine=on&overdue=on"}
    client = personas.client("sup1")
    for url in ({unescape(k) for k in links}):
        assert client.get(url).status_code == 200, url


def test_the_previous_start_page_stays_reachable(personas):
    """The customer list keeps its own address and the header still leads there; an
    administrator without customers still lands in the admin."""
    html = desk(personas, "am01")
    assert 'data-testid="nav-customers-list"' in html and 'href="/customers/"' in html
    assert personas.client("am01").get("/customers/").status_code == 200
    response = personas.client("admin").get("/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


# --- figures --------------------------------------------------------------------------------

def test_approvals_waiting_and_my_requests(personas, chain):
    first, second = hospitality(personas, "am01"), hospitality(personas, "am02", amount="300.00")
    now = timezone.now()
    ApprovalTask.objects.filter(request=first).update(waiting_since=now - timedelta(days=3))
    ApprovalTask.objects.filter(request=second).update(waiting_since=now - timedelta(hours=5))

    html = desk(personas, "sup1")
    waiting = section(html, "approvals_waiting")
    assert count(html, "approvals_waiting") == 2
    items = by_testid(waiting, "desk-item")
    assert len(items) == 2 and first.title in items[0] and second.title in items[1]  # oldest first
    assert by_testid(waiting, "desk-waiting") == ["已等待 3 日", "已等待 5 小时"]

    mine = desk(personas, "am01")
    assert count(mine, "approvals_mine") == 1
    assert first.title in text(section(mine, "approvals_mine"))
    assert "已提交" in text(section(mine, "approvals_mine"))
    assert count(mine, "approvals_waiting") == 0
    assert count(desk(personas, "am03"), "approvals_mine") == 0


def test_unread_messages_count_and_five_newest(personas):
    am01 = personas["am01"]
    for n in range(7):
        notify_services.notify(recipients=[am01], kind="test", title=f"消息{n}")
        Notification.objects.filter(title=f"消息{n}").update(
            created_at=timezone.now() - timedelta(minutes=10 - n))
    Notification.objects.filter(title="消息6").update(read_at=timezone.now())
    notify_services.notify(recipients=[personas["am02"]], kind="test", title="别人的消息")

    html = desk(personas, "am01")
    assert count(html, "inbox_unread") == 6
    items = by_testid(section(html, "inbox_unread"), "desk-item")
    assert [i.split(" ")[0] for i in items] == ["消息5", "消息4", "消息3", "消息2", "消息1"]
    assert "别人的消息" not in html


def test_customers_longest_without_follow_up(personas):
    am01 = personas["am01"]
    now = timezone.now()
    own = personas.customers["am01"] + [make_customer(am01) for _ in range(4)]
    for days, customer in zip([3, 40, 10, 0, 95, 20], own, strict=True):
        set_fields(customer, last_activity_at=now - timedelta(days=days, hours=1))
    html = desk(personas, "am01")
    idle = section(html, "customers_idle")
    names = [i.split(" ")[0] for i in by_testid(idle, "desk-item")]
    assert names == [own[4].name, own[1].name, own[5].name, own[2].name, own[0].name]
    assert by_testid(idle, "desk-idle-days") == ["95 天未跟进", "40 天未跟进", "20 天未跟进",
                                              "10 天未跟进", "3 天未跟进"]
    # The supervisor's own list: they keep no customers of their own.
    assert "您还没有客户" in text(section(desk(personas, "sup1"), "customers_idle"))


def test_licences_expiring_in_the_next_thirty_days(personas):
    today = timezone.localdate()
    am01, am02, am03 = personas["am01"], personas["am02"], personas["am03"]
    soon = make_customer(am01, licence_expiry=today + timedelta(days=5))
    make_customer(am01, licence_expiry=today + timedelta(days=31))     # not yet
    make_customer(am01, licence_expiry=today - timedelta(days=1))      # already expired
    edge = make_customer(am01, licence_expiry=today + timedelta(days=30))
    mate = make_customer(am02, licence_expiry=today + timedelta(days=2))
    other_team = make_customer(am03, licence_expiry=today)

    mine = section(desk(personas, "am01"), "customers_licences")
    assert by_testid(mine, "desk-count") == ["2"]
    assert [i.split(" ")[0] for i in by_testid(mine, "desk-item")] == [soon.name, edge.name]
    assert by_testid(mine, "desk-days-left") == ["5 天后到期", "30 天后到期"]

    team = section(desk(personas, "sup1"), "customers_licences")
    assert by_testid(team, "desk-count") == ["3"]
    assert [i.split(" ")[0] for i in by_testid(team, "desk-item")] == [mate.name, soon.name,
                                                                   edge.name]
    everyone = section(desk(personas, "director"), "customers_licences")
    assert by_testid(everyone, "desk-count") == ["4"]
    assert by_testid(everyone, "desk-days-left")[0] == "今天到期"
    assert other_team.name in everyone


def test_pool_claims_left_today(personas):
    am01 = personas["am01"]
    region = Customer.objects.get(pk=personas.all_customers()[0].pk).region
    pool = [c for key, cs in personas.customers.items() if key == f"pool:{region.name}" for c in cs]
    assert count(desk(personas, "am01"), "customers_pool") == 5  # the default limit
    customer_services.pool_claim(actor=am01, customer=pool[0])
    PoolRule.objects.create(region=region, daily_claim_limit=3)
    html = desk(personas, "am01")
    assert count(html, "customers_pool") == 2
    assert "每日上限 3" in text(section(html, "customers_pool"))
    # Yesterday's claims do not count.
    from qiao.customers.models import PoolMove
    PoolMove.objects.update(occurred_at=timezone.now() - timedelta(days=1, hours=1))
    assert count(desk(personas, "am01"), "customers_pool") == 3


def test_team_overview_of_a_supervisor(personas):
    sup1, am01, am02, am03 = (personas[u] for u in ("sup1", "am01", "am02", "am03"))
    grades = {g.name: g for g in personas.grades}
    first = personas.customers["am01"][0]
    Customer.objects.filter(pk=first.pk).update(grade=grades["一级"], status="active")
    Customer.objects.filter(pk=personas.customers["am02"][0].pk).update(grade=grades["二级"])
    for customer, actor in [(first, am01), (personas.customers["am01"][1], am01),
                            (personas.customers["am02"][0], am02),
                            (personas.customers["am03"][0], am03)]:
        customer_services.customer_follow_up_record(actor=actor, customer=customer,
                                                    channel="phone", note="电话回访")
    old = customer_services.customer_follow_up_record(actor=am01, customer=first,
                                                      channel="visit", note="上门拜访")
    CustomerEvent.objects.filter(pk=old.pk).update(occurred_at=start_of_week()
                                                   - timedelta(minutes=1))

    team = section(desk(personas, "sup1"), "team_overview")
    assert by_testid(team, "desk-team-total") == ["4"]          # am01's 2 + am02's 2
    assert by_testid(team, "desk-team-follow-ups") == ["3"]     # not am03's, not last week's
    grades_shown = dict(re.findall(r"<span[^>]*>([^<]+)</span><strong>(\d+)</strong>",
                                   team.split('desk-team-statuses')[0]))
    assert grades_shown["一级"] == "1" and grades_shown["二级"] == "1"
    assert grades_shown["无等级"] == "2"
    statuses = dict(re.findall(r"<span[^>]*>([^<]+)</span><strong>(\d+)</strong>",
                               team.split('desk-team-statuses')[1]))
    assert statuses["活跃"] == "1" and statuses["潜在"] == "3"
    assert sup1.pk  # the supervisor keeps no customers: the figures are the team's


# --- scope and clearance ---------------------------------------------------------------------

def test_no_widget_shows_another_managers_or_a_classified_customer(personas):
    today = timezone.localdate()
    long_ago = timezone.now() - timedelta(days=300)
    am01, am02, am03 = personas["am01"], personas["am02"], personas["am03"]
    # A colleague's and another team's customers that would top every list.
    colleague = make_customer(am02, licence_expiry=today + timedelta(days=1))
    other_team = make_customer(am03, licence_expiry=today + timedelta(days=1))
    # am01's own customers, then classified above am01's clearance (内部) — by a role change,
    # which cannot be refused — and one above the supervisor's (机密) too.
    secret = make_customer(am01, licence_expiry=today + timedelta(days=1))
    top_secret = make_customer(am01, licence_expiry=today + timedelta(days=1))
    set_fields(secret, secret_level=Clearance.CONFIDENTIAL, last_activity_at=long_ago)
    set_fields(top_secret, secret_level=Clearance.SECRET, last_activity_at=long_ago)
    for customer in (colleague, other_team):
        set_fields(customer, last_activity_at=long_ago)

    html = desk(personas, "am01")
    for hidden in (colleague, other_team, secret, top_secret):
        assert hidden.name not in html
    assert count(html, "customers_licences") == 0

    html = desk(personas, "am02")
    for hidden in (other_team, secret, top_secret):
        assert hidden.name not in html
    assert count(html, "customers_licences") == 1

    html = desk(personas, "sup1")
    assert other_team.name not in html and top_secret.name not in html
    assert secret.name in section(html, "customers_licences")  # 机密 ≤ the supervisor's clearance
    assert count(html, "customers_licences") == 2
    assert by_testid(section(html, "team_overview"), "desk-team-total") == ["6"]

    html = desk(personas, "director")
    assert count(html, "customers_licences") == 4


# --- cost --------------------------------------------------------------------------------------

def _fill(personas, per_manager):
    """`per_manager` more customers for am01 and am02, each with a licence expiring soon, a
    follow-up this week and a notification; one approval request each."""
    today = timezone.localdate()
    for username in ("am01", "am02"):
        user = personas[username]
        for n in range(per_manager):
            customer = make_customer(user, licence_expiry=today + timedelta(days=n % 30))
            customer_services.customer_follow_up_record(actor=user, customer=customer,
                                                        channel="phone", note="回访")
            notify_services.notify(recipients=[user, personas["sup1"]], kind="test",
                                   title=f"消息{n}")
        hospitality(personas, username)


def _queries(personas, username):
    client = personas.client(username)
    client.get("/")  # sessions and caches warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


# Session and user (2), the scope of a supervisor (3), and per widget one count and one list
# (the visits' block: overdue commitments counted and listed, the return visits due, from
# Friday next week's visit schedule, and the customers overdue for a visit by their grade's
# rule with yesterday's missed visits — three; the sales block: the month's ranking, the user's
# target, the analysis report still to write, the plan's minimum margin; the team out of the
# office now, from the going-out registrations — one).
QUERY_BUDGET = 33


@pytest.mark.parametrize("username", ["sup1", "am01", "director"])
def test_the_desk_costs_the_same_queries_with_2_and_20_customers(personas, chain, username):
    _fill(personas, 1)   # 2 + 1 customers per manager
    few = _queries(personas, username)
    _fill(personas, 18)  # 2 + 19 customers per manager
    many = _queries(personas, username)
    assert many == few <= QUERY_BUDGET
