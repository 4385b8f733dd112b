"""The schedule endpoints (/schedules: a manager's week, proposed and submitted): the pages'
selectors and services behind them. Who sees a schedule (404 for everyone else), edits all or
nothing, a stale version 409, a week already submitted 400, the supervisor's comment."""

from datetime import timedelta

import pytest

from qiao.visits import selectors
from qiao.visits.models import ScheduledVisit, VisitSchedule
from tests.factories import make_customer

SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}


@pytest.fixture
def week():
    return selectors.next_week()


def test_a_managers_week_is_proposed_edited_and_submitted(personas, api, week):
    am01 = personas["am01"]
    client = api("am01")
    first = client.get("/schedules", {"week": (week + timedelta(days=2)).isoformat()})
    assert first.status_code == 200, first.content
    answer = first.json()
    assert answer["week_start"] == week.isoformat() and answer["status"] == "draft"
    assert answer["manager"]["id"] == am01.pk and answer["version"] == 1
    assert answer["working_days"][0] == week.isoformat()
    extra = make_customer(am01, name="接口加访客户")
    edited = client.post(f"/schedules/{answer['id']}/edit", {
        "version": 1, "add": [{"customer": extra.pk, "day": week.isoformat()}]})
    assert edited.status_code == 200, edited.content
    [line] = edited.json()["visits"]
    assert line["customer"]["name"] == "接口加访客户" and line["reason"] == "manual"
    moved = client.post(f"/schedules/{answer['id']}/edit", {
        "version": 2, "moves": [{"visit": line["id"], "day": (week + timedelta(days=1))
                                 .isoformat()}]})
    assert moved.status_code == 200 and moved.json()["visits"][0]["day"] == (
        week + timedelta(days=1)).isoformat()
    # Stale: 409, nothing written.
    stale = client.post(f"/schedules/{answer['id']}/edit", {
        "version": 2, "moves": [{"visit": line["id"], "day": week.isoformat()}]})
    assert stale.status_code == 409
    assert ScheduledVisit.objects.get(pk=line["id"]).day == week + timedelta(days=1)
    # A day off: 400.
    off = client.post(f"/schedules/{answer['id']}/edit", {
        "version": 3, "moves": [{"visit": line["id"], "day": (week + timedelta(days=6))
                                 .isoformat()}]})
    assert off.status_code == 400
    submitted = client.post(f"/schedules/{answer['id']}/submit", {"version": 3})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = client.post(f"/schedules/{answer['id']}/submit", {"version": 4})
    assert again.status_code == 400 and "已提交" in again.json()["detail"] + str(
        again.json()["errors"])
    assert client.get("/schedules", {"week": week.isoformat()}).json()["status"] == "submitted"
    # Far ahead: no proposal.
    assert client.get("/schedules", {"week": (week + timedelta(days=28)).isoformat()}
                      ).status_code == 404


@pytest.mark.parametrize("username", sorted(SEES_AM01 | {"am02", "am03"}))
def test_a_schedule_is_seen_only_in_scope(personas, api, week, username):
    am01 = personas["am01"]
    schedule = api("am01").get("/schedules", {"week": week.isoformat()}).json()
    client = api(username)
    by_id = client.get(f"/schedules/{schedule['id']}")
    by_week = client.get("/schedules", {"week": week.isoformat(), "manager": am01.pk})
    if username in SEES_AM01:
        assert by_id.status_code == by_week.status_code == 200
        assert by_week.json()["id"] == schedule["id"]
    else:
        assert by_id.status_code == by_week.status_code == 404
    # Only the manager edits and submits; others get 404 and nothing changes.
    if username != "am01":
        assert client.post(f"/schedules/{schedule['id']}/edit", {"version": 1}
                           ).status_code == 404
        assert client.post(f"/schedules/{schedule['id']}/submit", {"version": 1}
                           ).status_code == 404
        assert VisitSchedule.objects.get(pk=schedule["id"]).version == 1


def test_the_supervisor_comments(personas, api, week):
    schedule = api("am01").get("/schedules", {"week": week.isoformat()}).json()
    answer = api("sup1").post(f"/schedules/{schedule['id']}/comment",
                              {"version": 1, "comment": "先去逾期客户"})
    assert answer.status_code == 200 and answer.json()["comment"] == "先去逾期客户"
    assert answer.json()["commented_by"]["username"] == "sup1"
    assert api("sup1").post(f"/schedules/{schedule['id']}/comment",
                            {"version": 1, "comment": "再说一次"}).status_code == 409
    assert api("am01").post(f"/schedules/{schedule['id']}/comment",
                            {"version": 2, "comment": "自评"}).status_code == 404
    assert api("agent01").get("/schedules").status_code == 401
