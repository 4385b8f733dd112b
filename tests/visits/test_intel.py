"""Market intelligence (issue 12 item 9): unlicensed-trading reports (无证经营, seed 002 §4.7)
from a visit go to the regional manager over the reporter, who passes them on to the monopoly
administration and records its result (the reporter told); scope; bad input; the competitor
search over the visits one sees."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from qiao.notify.models import Notification
from qiao.visits import intel
from qiao.visits.models import UnlicensedPhoto, UnlicensedReport

from .factories import make_visit

pytestmark = pytest.mark.django_db
State = UnlicensedReport.State
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _report(personas, who="am01", **fields):
    data = {"place": "解放路 18 号", "operator": "无名小卖部", "description": "柜台下私售卷烟，无许可证。",
            "observed_on": timezone.localdate() - timedelta(days=1)}
    data.update(fields)
    return intel.report_submit(actor=personas[who], **data)


def _pass_on(personas, report, who="region1"):
    return intel.report_pass_on(actor=personas[who], report=report, passed_to="市专卖局稽查科",
                                passed_on=timezone.localdate())


# --- the workflow ------------------------------------------------------------------------------


def test_a_report_goes_to_the_regional_manager_and_its_outcome_back_to_the_reporter(personas):
    am01, region1 = personas["am01"], personas["region1"]
    visit = make_visit(am01, personas.customers["am01"][0])
    report = _report(personas, visit=visit,
                     photo=SimpleUploadedFile("现场.png", PNG, "image/png"))
    assert (report.state, report.unit, report.visit) == (State.REPORTED, am01.unit, visit)
    assert report.photo.content_type == "image/png"
    # am01 → sup1 (no intel_handle) → region1: the regional manager is told, not the supervisor.
    told = Notification.objects.get(kind=intel.REPORT_SUBMITTED)
    assert told.recipient == region1
    assert told.url == reverse("visits:intel_detail", args=[report.pk])
    assert not Notification.objects.filter(recipient=personas["sup1"]).exists()

    report = _pass_on(personas, report)
    assert (report.state, report.passed_by, report.passed_to) == (State.PASSED_ON, region1,
                                                                  "市专卖局稽查科")
    assert report.passed_at is not None
    report = intel.report_handle(actor=region1, report=report, outcome="已由专卖局查处，没收卷烟 20 条。")
    assert (report.state, report.handled_by) == (State.HANDLED, region1)
    assert report.handled_at >= report.passed_at
    back = Notification.objects.get(kind=intel.REPORT_HANDLED)
    assert back.recipient == am01 and "没收卷烟" in back.body
    assert [h.history_change_reason for h in report.history.order_by("history_id")] == [
        None, "passed on", "handled"]


def test_no_step_is_skipped_or_taken_twice(personas):
    report = _report(personas)
    with pytest.raises(ValidationError):
        intel.report_handle(actor=personas["region1"], report=report, outcome="已处理")
    report.refresh_from_db()
    assert report.state == State.REPORTED and report.outcome == ""
    _pass_on(personas, report)
    with pytest.raises(ValidationError):
        _pass_on(personas, report)


def test_only_a_holder_of_intel_handle_who_sees_the_report_moves_it(personas):
    report = _report(personas)
    # The reporter and the supervisor see it but do not hold the action; region 2's manager
    # holds it but does not see it: all 404, nothing changed.
    for who in ("am01", "sup1", "region2", "am02"):
        with pytest.raises(Http404):
            _pass_on(personas, report, who=who)
    report.refresh_from_db()
    assert report.state == State.REPORTED and report.passed_by is None
    assert _pass_on(personas, report, who="deptmgr").state == State.PASSED_ON


def test_someone_without_the_visit_action_cannot_report(personas):
    with pytest.raises(PermissionDenied):
        _report(personas, who="agent01")
    assert not UnlicensedReport.objects.exists()


# --- scope -------------------------------------------------------------------------------------


def test_a_manager_sees_only_their_own_reports_and_the_regional_manager_the_regions(personas):
    mine, teammate, other_region = (_report(personas, "am01"), _report(personas, "am02"),
                                    _report(personas, "am05"))

    def seen(who):
        return set(intel.report_list(personas[who]))

    assert seen("am01") == {mine}
    assert seen("sup1") == {mine, teammate}
    assert seen("region1") == {mine, teammate}
    assert seen("region2") == {other_region}
    assert seen("director") == {mine, teammate, other_region}
    with pytest.raises(Http404):
        intel.report_get(personas["am02"], mine.pk)
    response = personas.client("region2").get(reverse("visits:intel_detail", args=[mine.pk]))
    assert response.status_code == 404
    response = personas.client("region2").get(reverse("visits:intel_photo", args=[mine.pk]))
    assert response.status_code == 404


def test_the_list_filters_by_state_and_region(personas):
    first, second = _report(personas, "am01"), _report(personas, "am05")
    _pass_on(personas, first)
    director = personas["director"]
    east, north = personas.org.regions[0], personas.org.regions[1]
    assert list(intel.report_list(director, intel.ReportFilters(state=State.PASSED_ON))) == [first]
    assert list(intel.report_list(director, intel.ReportFilters(region=north))) == [second]
    assert list(intel.report_list(director, intel.ReportFilters(region=east))) == [first]
    client = personas.client("director")
    html = client.get(reverse("visits:intel_reports"), {"state": "reported"}).content.decode()
    assert "解放路" in html and html.count('data-testid="intel-report-row"') == 1


def test_the_list_costs_the_same_queries_however_many_reports(personas, django_assert_max_num_queries):
    client = personas.client("region1")
    client.get(reverse("visits:intel_reports"))
    for _ in range(3):
        _report(personas)
    with django_assert_max_num_queries(16):
        few = client.get(reverse("visits:intel_reports"))
    for _ in range(20):
        _report(personas, "am02")
    with django_assert_max_num_queries(16):
        many = client.get(reverse("visits:intel_reports"))
    assert few.status_code == many.status_code == 200


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, field", [
    ({"observed_on": timezone.localdate() + timedelta(days=1)}, "observed_on"),
    ({"observed_on": date(1, 1, 1)}, "observed_on"),
    ({"description": ""}, "description"),
    ({"description": "字" * 4001}, "description"),
    ({"place": "路" * 201}, "place"),
    ({"photo": SimpleUploadedFile("现场.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
     "photo"),
    ({"photo": SimpleUploadedFile("现场.png", b"MZ" + bytes(64), "image/png")}, "photo"),
])
def test_bad_input_is_refused_and_nothing_written(personas, fields, field):
    with pytest.raises(ValidationError) as refused:
        _report(personas, **fields)
    assert field in refused.value.message_dict
    assert not UnlicensedReport.objects.exists() and not UnlicensedPhoto.objects.exists()
    assert not Notification.objects.exists()


def test_the_form_refuses_invisible_text_and_a_future_date(personas):
    client = personas.client("am01")
    response = client.post(reverse("visits:intel_new"), {
        "place": "\u200b\u200b", "description": "\u200b\u2060",
        "observed_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"place", "description", "observed_on"} <= set(errors)
    assert not UnlicensedReport.objects.exists()


def test_the_steps_refuse_blank_values_and_a_date_before_the_observation(personas):
    report = _report(personas, observed_on=timezone.localdate() - timedelta(days=5))
    region1 = personas["region1"]
    with pytest.raises(ValidationError) as refused:
        intel.report_pass_on(actor=region1, report=report, passed_to="专卖局",
                             passed_on=timezone.localdate() - timedelta(days=6))
    assert "passed_on" in refused.value.message_dict
    client = personas.client("region1")
    response = client.post(reverse("visits:intel_pass_on", args=[report.pk]),
                           {"passed_to": "\u200b", "passed_on": timezone.localdate().isoformat()})
    assert response.status_code == 400
    _pass_on(personas, report)
    response = client.post(reverse("visits:intel_handle", args=[report.pk]), {"outcome": " "})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.state == State.PASSED_ON and report.outcome == ""


def test_another_region_cannot_post_a_step(personas):
    report = _report(personas)
    response = personas.client("region2").post(
        reverse("visits:intel_pass_on", args=[report.pk]),
        {"passed_to": "专卖局", "passed_on": timezone.localdate().isoformat()})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.state == State.REPORTED


# --- pages -------------------------------------------------------------------------------------


def test_from_a_visit_the_form_is_prefilled_and_the_whole_flow_runs_in_pages(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    customer.address = "人民路 66 号"
    customer.save(update_fields=["address"])
    visit = make_visit(am01, customer)
    client = personas.client("am01")
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "上报无证经营" in page and f"{reverse('visits:intel_new')}?visit={visit.pk}" in page
    form = client.get(reverse("visits:intel_new"), {"visit": visit.pk})
    assert form.context["form"]["place"].value() == "人民路 66 号"
    assert form.context["form"]["observed_on"].value() == visit.visited_on
    response = client.post(reverse("visits:intel_new"), {
        "visit": visit.pk, "place": "人民路 68 号", "operator": "", "description": "路边摊私售卷烟",
        "observed_on": visit.visited_on.isoformat(),
        "photo": SimpleUploadedFile("现场.png", PNG, "image/png")})
    report = UnlicensedReport.objects.get()
    assert response.status_code == 302 and report.visit == visit
    assert client.get(reverse("visits:intel_photo", args=[report.pk])).status_code == 200

    manager = personas.client("region1")
    detail = manager.get(reverse("visits:intel_detail", args=[report.pk])).content.decode()
    assert "无证经营举报" in detail and "已上报" in detail and "转专卖部门" in detail
    manager.post(reverse("visits:intel_pass_on", args=[report.pk]),
                 {"passed_to": "区专卖局", "passed_on": timezone.localdate().isoformat()})
    manager.post(reverse("visits:intel_handle", args=[report.pk]), {"outcome": "已立案查处。"})
    report.refresh_from_db()
    assert report.state == State.HANDLED
    mine = client.get(reverse("visits:intel_detail", args=[report.pk])).content.decode()
    assert "已处理" in mine and "已立案查处。" in mine and 'data-testid="intel-outcome-form"' not in mine


def test_another_managers_visit_cannot_be_reported_from(personas):
    visit = make_visit(personas["am02"], personas.customers["am02"][0])
    response = personas.client("am01").get(reverse("visits:intel_new"), {"visit": visit.pk})
    assert response.status_code == 404


def test_the_menu_offers_market_intelligence_to_visit_recorders(personas):
    html = personas.client("am01").get(reverse("visits:intel_reports")).content.decode()
    assert "市场信息" in html and "竞品信息" in html
    assert personas.client("agent01").get(reverse("visits:intel_reports")).status_code == 404


# --- competitor information --------------------------------------------------------------------


def test_competitor_search_finds_words_in_the_visits_one_sees(personas):
    am01, am02 = personas["am01"], personas["am02"]
    old = timezone.localdate() - timedelta(days=20)
    mine = make_visit(am01, personas.customers["am01"][0], competitors="某品牌 买二赠一 促销")
    quiet = make_visit(am01, personas.customers["am01"][1], competitors="")
    earlier = make_visit(am01, personas.customers["am01"][1], competitors="某品牌 降价",
                         visited_on=old)
    theirs = make_visit(am02, personas.customers["am02"][0], competitors="某品牌 买二赠一")

    def found(who, **filters):
        return set(intel.competitor_visits(personas[who], intel_filters(**filters)))

    assert found("am01") == {mine, earlier}
    assert quiet not in found("am01")
    assert found("am01", q="某品牌 买二赠一") == {mine}
    assert found("am01", q="买二赠一") == {mine}  # never am02's
    assert found("sup1", q="买二赠一") == {mine, theirs}
    assert found("sup1", q="买二赠一", author=am02.pk) == {theirs}
    assert found("am01", date_to=old) == {earlier}
    assert found("am01", date_from=old + timedelta(days=1)) == {mine}
    html = personas.client("am01").get(reverse("visits:intel_competitors"),
                                       {"q": "买二赠一"}).content.decode()
    assert html.count('data-testid="intel-competitor-row"') == 1


def intel_filters(**values):
    from qiao.visits.selectors import VisitFilters

    return VisitFilters(**values)


def test_the_demo_has_reports_in_every_state(personas):
    from qiao.visits.demo import load_demo_unlicensed_reports

    load_demo_unlicensed_reports()
    load_demo_unlicensed_reports()  # idempotent
    states = list(UnlicensedReport.objects.values_list("state", flat=True))
    assert len(states) == 6 and set(states) == set(State.values)
    handled = UnlicensedReport.objects.filter(state=State.HANDLED)
    assert all(r.handled_by == r.passed_by and r.outcome for r in handled)
