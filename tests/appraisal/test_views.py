"""The appraisal pages in zh-Hans: who sees which appraisals (a manager their own, the
supervisor the team's, the region its region's), the list's query count, the ranking with its
chart, Excel file and print layout, the scheme form, drafting from the page, and the API."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from qiao.appraisal import services
from qiao.appraisal.models import Appraisal, Scorecard

from ..api.conftest import Api, token_secret
from .factories import Q3, TODAY, make_quarter, make_scheme

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def quarter(personas):
    """Q3 appraisals of am01 and am02 (team of sup1) and am03 (another team), drafted."""
    for username, scale in (("am01", 1), ("am02", 2), ("am03", 1)):
        make_quarter(personas, username, scale=scale)
    region1 = personas["region1"]
    scheme = make_scheme(region1)
    drafted = {username: services.appraisal_draft(
        actor=region1, scorecard=scheme, day=Q3, person=personas[username], today=TODAY)
        for username in ("am01", "am02", "am03")}
    return drafted


def _listed(client, url="/appraisal/"):
    response = client.get(url)
    assert response.status_code == 200
    return {a.person.username for a in response.context["page"].object_list}


def test_each_sees_the_appraisals_in_scope(personas, quarter):
    assert _listed(personas.client("am01")) == {"am01"}
    assert _listed(personas.client("am02")) == {"am02"}
    assert _listed(personas.client("sup1")) == {"am01", "am02"}
    assert _listed(personas.client("region1")) == {"am01", "am02", "am03"}
    assert _listed(personas.client("director")) == {"am01", "am02", "am03"}
    am02 = personas.client("am02")
    assert am02.get(f"/appraisal/{quarter['am01'].pk}/").status_code == 404
    assert personas.client("agent01").get("/appraisal/").status_code == 404  # no action
    page = personas.client("am01").get(f"/appraisal/{quarter['am01'].pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "被测评人" in body and "测评时段" in body and "2026年第3季度" in body
    assert page.context["form"] is None  # the appraised reads it, never writes it
    assert 'data-testid="appraisal-form"' not in body


def test_the_list_reads_in_a_fixed_number_of_queries(personas, quarter):
    client = personas.client("director")
    client.get("/appraisal/")
    with CaptureQueriesContext(connection) as few:
        client.get("/appraisal/")
    region1 = personas["region1"]
    scheme = Scorecard.objects.get()
    for username in ("am02", "am03"):  # more appraisals: another quarter's
        services.appraisal_draft(actor=region1, scorecard=scheme, day=date(2026, 4, 1),
                                 person=personas[username], today=TODAY)
    with CaptureQueriesContext(connection) as more:
        response = client.get("/appraisal/")
    assert len(response.context["page"].object_list) == 5
    assert len(more) == len(few)


def test_the_page_writes_scores_and_workflow(personas, quarter):
    region1 = personas.client("region1")
    appraisal = quarter["am01"]
    url = f"/appraisal/{appraisal.pk}/"
    page = region1.get(url)
    assert page.context["form"] is not None and "提交确认" in page.content.decode()
    response = region1.post(url, {"evaluation": "完成良好", "comments": "",
                                  "version": appraisal.version})
    assert response.status_code == 302
    appraisal.refresh_from_db()
    response = region1.post(f"{url}lines/", {"kind": "penalty", "reason": "迟交日程表",
                                             "amount": "", "points": "2",
                                             "version": appraisal.version})
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.final_score == D("83.50")
    bad = region1.post(f"{url}lines/", {"kind": "reward", "reason": "", "points": "",
                                        "version": appraisal.version})
    assert bad.status_code == 400 and "这个字段是必填项" in bad.content.decode()
    stale = region1.post(f"{url}submit/", {"version": appraisal.version - 1})
    assert stale.status_code == 409, [m.message for m in stale.context["messages"]]
    response = region1.post(f"{url}submit/", {"version": appraisal.version})
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.status == "submitted"
    # the director confirms; region1 (the evaluator) is offered no review
    assert region1.get(url).context["review"] is None
    director = personas.client("director")
    refused = director.post(f"{url}review/", {"decision": "return", "comment": "",
                                              "version": appraisal.version})
    assert refused.status_code == 400 and "请说明退回原因" in refused.content.decode()
    done = director.post(f"{url}review/", {"decision": "confirm", "comment": "",
                                           "version": appraisal.version})
    assert done.status_code == 302
    assert Appraisal.objects.get(pk=appraisal.pk).status == "confirmed"


def test_drafting_from_the_page(personas):
    make_quarter(personas)
    sup1 = personas.client("sup1")
    scheme = make_scheme(personas["sup1"])
    page = sup1.get("/appraisal/new/")
    assert page.status_code == 200 and "生成考核表" in page.content.decode()
    refused = sup1.post("/appraisal/new/", {"scorecard": scheme.pk, "day": "2026-08-01"})
    assert refused.status_code == 400 and "该方案考核人员：请选择人员" in refused.content.decode()
    done = sup1.post("/appraisal/new/", {"scorecard": scheme.pk, "day": "2026-08-01",
                                         "person": personas["am01"].pk})
    appraisal = Appraisal.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/appraisal/{appraisal.pk}/"
    assert appraisal.score == D("85.50")
    sheet = personas.client("director").post("/appraisal/new/", {
        "scorecard": "", "day": "2026-08-01", "period_kind": "quarter",
        "person": personas["deptmgr"].pk})
    assert sheet.status_code == 302
    body = personas.client("director").get(sheet["Location"]).content.decode()
    assert "业务工作" in body and "审查报告" in body and "紧急处理客户投诉，做到让客户满意。" in body
    assert personas.client("am01").get("/appraisal/new/").status_code == 404


def test_the_scheme_form(personas):
    client = personas.client("sup1")
    assert client.get("/appraisal/schemes/new/").status_code == 200
    data = {"name": "客户经理季度考核", "role": "", "subject": "person", "period_kind": "quarter",
            "active": "on", "note": "", "kpi-TOTAL_FORMS": "7", "kpi-INITIAL_FORMS": "0",
            "kpi-MIN_NUM_FORMS": "0", "kpi-MAX_NUM_FORMS": "7"}
    lines = {"kpi-0-source": "net_sales", "kpi-0-weight": "60", "kpi-0-target": "10000",
             "kpi-0-cap": "120", "kpi-1-source": "collections", "kpi-1-weight": "30",
             "kpi-1-target": "8000", "kpi-1-cap": ""}
    refused = client.post("/appraisal/schemes/new/", {**data, **lines})
    assert refused.status_code == 400 and "KPI权重合计必须为100（现为90）" in refused.content.decode()
    assert not Scorecard.objects.exists()
    done = client.post("/appraisal/schemes/new/", {**data, **lines, "kpi-1-weight": "40"})
    assert done.status_code == 302
    scheme = Scorecard.objects.get()
    assert [(k.source, k.weight, k.target, k.cap) for k in scheme.kpis.all()] == [
        ("net_sales", 60, D("10000.00"), 120), ("collections", 40, D("8000.00"), 100)]
    listing = client.get("/appraisal/schemes/").content.decode()
    assert "实销额" in listing or "净销售额" in listing or "回款额" in listing
    assert personas.client("am01").get("/appraisal/schemes/").status_code == 404


def test_the_ranking_with_its_chart_file_and_print(personas, quarter):
    services.line_add(actor=personas["region1"], appraisal=quarter["am03"], kind="reward",
                      reason="开发新客户", points=D("10"), expected_version=quarter["am03"].version)
    client = personas.client("region1")
    url = "/appraisal/ranking/?period_kind=quarter&day=2026-08-15"
    page = client.get(url)
    lines = page.context["table"]["lines"]
    # am02 (double figures): 120×40% + 75×30% + 75×20% = 85.50, as am01; am03 95.50 with +10
    assert [(line["name"], line["final_score"]) for line in lines][0] == (
        str(personas["am03"]), D("95.50"))
    assert [line["rank"] for line in lines] == [1, 2, 3]
    assert 'data-testid="chart-ranking"' in page.content.decode()
    assert "绩效考核排名表" in page.content.decode()
    sup_lines = personas.client("sup1").get(url).context["table"]["lines"]
    assert {line["name"] for line in sup_lines} == {str(personas["am01"]), str(personas["am02"])}
    file = client.get(url + "&format=xlsx")
    assert file.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(file.streaming_content)), read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "绩效考核排名表" in cells and 95.5 in cells and "2026年第3季度" in cells
    printed = client.get(url + "&print=1").content.decode()
    assert "qiao-nav" not in printed and "paper" in printed


def test_the_api(personas, quarter):
    am01 = Api(token_secret(personas["am01"]))
    listed = am01.get("/appraisals")
    assert listed.status_code == 200
    assert [item["person"]["username"] for item in listed.json()["items"]] == ["am01"]
    detail = am01.get(f"/appraisals/{quarter['am01'].pk}").json()
    assert detail["score"] == "85.50" and len(detail["kpis"]) == 4
    assert am01.get(f"/appraisals/{quarter['am02'].pk}").status_code == 404
