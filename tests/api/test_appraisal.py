"""The appraisal endpoints (/appraisals, read-only): the pages' selectors behind them. Who
sees an appraisal (404 for everyone else; 404 without appraisal.view), the filters, the
frozen KPIs and the sheet's criteria."""

from datetime import date

import pytest

from qiao.appraisal import services
from tests.appraisal.factories import Q3, TODAY, make_quarter, make_scheme

pytestmark = pytest.mark.django_db
SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}


@pytest.fixture
def appraisals(personas):
    make_quarter(personas)
    region1 = personas["region1"]
    scheme = make_scheme(region1)
    kpi = services.appraisal_draft(actor=region1, scorecard=scheme, day=Q3,
                                   person=personas["am01"], today=TODAY)
    sheet = services.sheet_draft(actor=personas["director"], person=personas["deptmgr"],
                                 period_kind="year", day=date(2025, 3, 1), today=TODAY)
    return kpi, sheet


def test_who_reads_an_appraisal(personas, api, appraisals):
    kpi, _sheet = appraisals
    for username in ("am01", "am02", "am03", "sup1", "region1", "deptmgr", "director", "qa01"):
        response = api(username).get(f"/appraisals/{kpi.pk}")
        expected = 200 if username in SEES_AM01 else (401 if username == "qa01" else 404)
        assert response.status_code == expected, username
        listed = api(username).get("/appraisals")
        if username == "qa01":
            assert listed.status_code == 401
            continue
        ids = {item["id"] for item in listed.json()["items"]}
        assert (kpi.pk in ids) == (username in SEES_AM01), username


def test_the_body_and_filters(personas, api, appraisals):
    kpi, sheet = appraisals
    body = api("director").get(f"/appraisals/{kpi.pk}").json()
    assert body["form"] == "kpi" and body["person"]["username"] == "am01"
    assert body["period_start"] == "2026-07-01" and body["period_end"] == "2026-09-30"
    assert body["score"] == "85.50" and body["status"] == "draft"
    assert [(k["source"], k["actual"], k["weighted"]) for k in body["kpis"]][:2] == [
        ("net_sales", "3000.00", "48.00"), ("completion", "75.00", "22.50")]
    sheet_body = api("director").get(f"/appraisals/{sheet.pk}").json()
    assert len(sheet_body["criteria"]) == 32 and sheet_body["kpis"] == []
    sheets = api("director").get("/appraisals", {"form": "sheet"}).json()
    assert [item["id"] for item in sheets["items"]] == [sheet.pk]
    assert api("director").get("/appraisals", {"status": "nonsense"}).status_code == 400
