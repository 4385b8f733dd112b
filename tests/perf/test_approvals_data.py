"""The benchmark's approval data (tests/perf/approvals_data.py) must be what the engine itself
could have left: every request with its tasks and events in agreement with its state, open
ones waiting for the right person, and the lists the benchmark measures showing them."""

from collections import Counter

import pytest

from qiao.approvals import selectors
from qiao.approvals.models import ApprovalEvent, ApprovalRequest, ApprovalTask
from tests.perf import approvals_data

pytestmark = pytest.mark.django_db

R, T = ApprovalRequest.State, ApprovalTask.State
TOTAL = 600


@pytest.fixture
def generated(personas):
    return approvals_data.generate(seed=7, total=TOTAL)


def test_every_state_with_tasks_and_events_that_agree(personas, generated):
    assert ApprovalRequest.objects.count() == TOTAL
    states = Counter(ApprovalRequest.objects.values_list("state", flat=True))
    assert set(states) == {R.APPROVED, R.REJECTED, R.RETURNED, R.WITHDRAWN, R.SUBMITTED,
                           R.IN_PROGRESS}, states
    assert states[R.APPROVED] > TOTAL / 2
    for request in ApprovalRequest.objects.prefetch_related("tasks", "events"):
        tasks = sorted(request.tasks.all(), key=lambda t: t.order)
        events = [e.kind for e in sorted(request.events.all(), key=lambda e: (e.created_at, e.id))]
        assert [t.order for t in tasks] == ([1, 2] if request.amount >= 2000 else [1])
        assert tasks[0].approver_id == request.requester.supervisor_id
        assert events[0] == ApprovalEvent.Kind.SUBMITTED
        waiting = [t for t in tasks if t.state == T.WAITING]
        if request.state == R.SUBMITTED:
            assert waiting == [tasks[0]] and request.current_order == 1
        elif request.state == R.IN_PROGRESS:
            assert waiting == [tasks[1]] and tasks[0].state == T.APPROVED
        else:
            assert waiting == []
        if request.state == R.APPROVED:
            assert {t.state for t in tasks} == {T.APPROVED} and events[-1] == "completed"
            assert request.decided_at is not None
        if request.state == R.WITHDRAWN:
            assert {t.state for t in tasks} == {T.SKIPPED} and events[-1] == "withdrawn"
        if request.state in (R.REJECTED, R.RETURNED):
            assert tasks[0].state == request.state and tasks[0].comment
    assert generated["tasks"] == ApprovalTask.objects.count()
    assert generated["events"] == ApprovalEvent.objects.count()


def test_the_benchmarked_lists_show_the_data(personas, generated):
    sup1, deptmgr, am01 = personas["sup1"], personas["deptmgr"], personas["am01"]
    waiting = ApprovalTask.objects.filter(state=T.WAITING)
    assert selectors.waiting_for(sup1).count() == waiting.filter(approver=sup1).count() > 0
    assert selectors.waiting_for(deptmgr).count() == waiting.filter(approver=deptmgr).count() > 0
    mine = selectors.my_requests(am01)
    assert mine.count() == ApprovalRequest.objects.filter(requester=am01).count() > 0
    assert list(mine[:3]) == list(ApprovalRequest.objects.filter(requester=am01)
                                  .order_by("-created_at", "-id")[:3])


def test_the_same_seed_gives_the_same_data(personas):
    def rows():
        return list(ApprovalRequest.objects.order_by("created_at", "id").values_list(
            "requester__username", "amount", "state"))

    approvals_data.generate(seed=3, total=200)
    first = rows()
    approvals_data.generate(seed=3, total=200)
    assert rows() == first and len(first) == 200
