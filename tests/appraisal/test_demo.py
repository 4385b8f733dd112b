"""The demo's appraisals: last quarter's, in every state, people and units, and the sheet."""

import pytest

from qiao.appraisal.demo import load_demo_appraisal
from qiao.appraisal.models import Appraisal, Scorecard

pytestmark = pytest.mark.django_db


def test_last_quarters_appraisals_in_every_state(personas):
    load_demo_appraisal()
    assert Scorecard.objects.count() == 2
    states = set(Appraisal.objects.values_list("status", flat=True))
    assert states == {"draft", "submitted", "returned", "confirmed"}
    assert Appraisal.objects.filter(person__isnull=True).count() == 6  # each region's two teams
    sheet = Appraisal.objects.get(form="sheet")
    assert sheet.person == personas["deptmgr"] and sheet.status == "submitted"
    assert not sheet.criteria.filter(score__isnull=True).exists()
    assert len({a.period_start for a in Appraisal.objects.all()}) == 1
    load_demo_appraisal()  # once only
    assert Scorecard.objects.count() == 2
