"""Schemes (weights sum to 100), the appraisal's workflow draft → submitted → confirmed or
returned, who may do what, and bad input refused with nothing written."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiao.appraisal import services
from qiao.appraisal.models import Appraisal, AppraisalKpi, RewardPenalty, Scorecard, ScorecardKpi
from qiao.core.exceptions import StaleVersionError
from qiao.notify.models import Notification

from .factories import KPIS, Q3, TODAY, make_quarter, make_scheme

pytestmark = pytest.mark.django_db
D = Decimal


def _inbox(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def _messages(exc):
    return " ".join(exc.value.messages)


def test_the_weights_must_sum_to_100_and_nothing_is_written_otherwise(personas):
    sup1 = personas["sup1"]
    bad = [dict(KPIS[0], weight=50), *KPIS[1:]]  # 50 + 30 + 20 + 10 = 110
    with pytest.raises(ValidationError) as refused:
        make_scheme(sup1, kpis=bad)
    assert "权重合计必须为100（现为110）" in _messages(refused)
    with pytest.raises(ValidationError) as twice:
        make_scheme(sup1, kpis=[dict(KPIS[0], weight=50), dict(KPIS[0], weight=50)])
    assert "同一指标在一个方案中只能使用一次" in _messages(twice)
    with pytest.raises(ValidationError) as unknown:
        make_scheme(sup1, kpis=[{"source": "retention", "weight": 100, "target": D("1")}])
    assert "未知指标" in _messages(unknown)
    with pytest.raises(ValidationError) as empty:
        make_scheme(sup1, kpis=[])
    assert "请至少添加一项KPI" in _messages(empty)
    assert not Scorecard.objects.exists() and not ScorecardKpi.objects.exists()
    with pytest.raises(PermissionDenied):  # account managers do not set schemes
        make_scheme(personas["am01"])


def test_a_scheme_saved_unchanged_writes_nothing(personas):
    sup1 = personas["sup1"]
    scheme = make_scheme(sup1)
    kpi_ids = list(scheme.kpis.values_list("pk", flat=True))
    history = scheme.history.count()
    services.scorecard_save(actor=sup1, scorecard=scheme, data={
        "name": scheme.name, "role": None, "subject": "person", "period_kind": "quarter",
        "active": True, "note": ""}, kpis=[dict(k) for k in KPIS])
    assert list(scheme.kpis.values_list("pk", flat=True)) == kpi_ids
    assert scheme.history.count() == history


def test_draft_submit_return_resubmit_confirm(personas):
    make_quarter(personas)
    am01, sup1, region1 = personas["am01"], personas["sup1"], personas["region1"]
    appraisal = services.appraisal_draft(actor=sup1, scorecard=make_scheme(sup1), day=Q3,
                                         person=am01, today=TODAY)
    assert appraisal.status == "draft"
    with pytest.raises(ValidationError) as unwritten:
        services.appraisal_submit(actor=sup1, appraisal=appraisal,
                                  expected_version=appraisal.version)
    assert "提交前请填写评价" in _messages(unwritten)
    appraisal = services.appraisal_save(actor=sup1, appraisal=appraisal, data={
        "evaluation": "销售超额完成，回款偏慢。", "comments": "下季度加强回款"},
        expected_version=appraisal.version)
    appraisal = services.appraisal_submit(actor=sup1, appraisal=appraisal,
                                          expected_version=appraisal.version)
    assert appraisal.status == "submitted"
    assert _inbox(region1, services.SUBMITTED) == 1  # the evaluator's first superior
    with pytest.raises(ValidationError):  # handed in: no more changes
        services.appraisal_save(actor=sup1, appraisal=appraisal, data={"evaluation": "改"},
                                expected_version=appraisal.version)
    with pytest.raises(PermissionDenied):  # the evaluator does not confirm their own
        services.appraisal_review(actor=sup1, appraisal=appraisal, confirm=True, comment="",
                                  expected_version=appraisal.version)
    with pytest.raises(PermissionDenied):  # nor does an account manager
        services.appraisal_review(actor=am01, appraisal=appraisal, confirm=True, comment="",
                                  expected_version=appraisal.version)
    with pytest.raises(ValidationError) as reasonless:
        services.appraisal_review(actor=region1, appraisal=appraisal, confirm=False,
                                  comment="  ", expected_version=appraisal.version)
    assert "请说明退回原因" in _messages(reasonless)
    appraisal = services.appraisal_review(actor=region1, appraisal=appraisal, confirm=False,
                                          comment="奖惩未填", expected_version=appraisal.version)
    assert (appraisal.status, appraisal.return_comment) == ("returned", "奖惩未填")
    assert _inbox(sup1, services.RETURNED) == 1
    services.line_add(actor=sup1, appraisal=appraisal, kind="reward", reason="新客户开发",
                      points=D("3"), expected_version=appraisal.version)
    appraisal.refresh_from_db()
    appraisal = services.appraisal_submit(actor=sup1, appraisal=appraisal,
                                          expected_version=appraisal.version)
    appraisal = services.appraisal_review(actor=region1, appraisal=appraisal, confirm=True,
                                          comment="", expected_version=appraisal.version)
    assert appraisal.status == "confirmed" and appraisal.confirmed_by == region1
    assert appraisal.final_score == D("88.50")
    assert _inbox(am01, services.CONFIRMED) == _inbox(sup1, services.CONFIRMED) == 1
    message = Notification.objects.get(recipient=am01, kind=services.CONFIRMED)
    assert message.display_title == (f"{am01} 2026年第3季度 的考核表已确认：最终得分 88.50")
    with pytest.raises(ValidationError):
        services.appraisal_review(actor=region1, appraisal=appraisal, confirm=False,
                                  comment="再议", expected_version=appraisal.version)
    assert appraisal.history.count() >= 5


def test_only_the_evaluator_writes_and_a_stale_page_is_refused(personas):
    make_quarter(personas)
    sup1 = personas["sup1"]
    appraisal = services.appraisal_draft(actor=sup1, scorecard=make_scheme(sup1), day=Q3,
                                         person=personas["am01"], today=TODAY)
    with pytest.raises(PermissionDenied):
        services.appraisal_save(actor=personas["region1"], appraisal=appraisal,
                                data={"evaluation": "越权"}, expected_version=appraisal.version)
    old = appraisal.version
    services.appraisal_save(actor=sup1, appraisal=appraisal, data={"evaluation": "一"},
                            expected_version=old)
    stale = Appraisal.objects.get(pk=appraisal.pk)
    with pytest.raises(StaleVersionError):
        services.appraisal_save(actor=sup1, appraisal=stale, data={"evaluation": "二"},
                                expected_version=old)
    assert Appraisal.objects.get(pk=appraisal.pk).evaluation == "一"


def test_saved_unchanged_writes_nothing(personas):
    make_quarter(personas)
    sup1 = personas["sup1"]
    appraisal = services.appraisal_draft(actor=sup1, scorecard=make_scheme(sup1), day=Q3,
                                         person=personas["am01"], today=TODAY)
    appraisal = services.appraisal_save(actor=sup1, appraisal=appraisal, data={
        "evaluation": "良好", "comments": "无"}, expected_version=appraisal.version)
    version, history = appraisal.version, appraisal.history.count()
    services.appraisal_save(actor=sup1, appraisal=appraisal, data={
        "evaluation": "良好", "comments": "无"}, expected_version=version)
    reread = Appraisal.objects.get(pk=appraisal.pk)
    assert reread.version == version and reread.history.count() == history


def test_bad_drafts_are_refused_with_nothing_written(personas):
    make_quarter(personas)
    am01, sup1 = personas["am01"], personas["sup1"]
    scheme = make_scheme(sup1)

    def refused(**kwargs):
        with pytest.raises(ValidationError) as exc:
            services.appraisal_draft(**{"actor": sup1, "scorecard": scheme, "day": Q3,
                                        "person": am01, "today": TODAY, **kwargs})
        return _messages(exc)

    assert "不能考核自己" in refused(person=sup1)
    assert "不在您的数据范围内" in refused(person=personas["am03"])  # another team
    assert "该时段尚未开始" in refused(day=date(2027, 1, 5))
    assert "请选择人员" in refused(person=None)
    services.appraisal_draft(actor=sup1, scorecard=scheme, day=Q3, person=am01, today=TODAY)
    assert "已有该人员或单位在该时段的此类考核" in refused(day=date(2026, 8, 20))  # same quarter
    scheme.active = False
    scheme.save()
    assert "该方案已停用" in refused()
    assert Appraisal.objects.count() == 1 and AppraisalKpi.objects.count() == 4
    with pytest.raises(PermissionDenied):
        services.appraisal_draft(actor=am01, scorecard=scheme, day=Q3, person=personas["am02"],
                                 today=TODAY)


def test_rewards_and_penalties_refuse_bad_input(personas):
    make_quarter(personas)
    sup1 = personas["sup1"]
    appraisal = services.appraisal_draft(actor=sup1, scorecard=make_scheme(sup1), day=Q3,
                                         person=personas["am01"], today=TODAY)
    with pytest.raises(ValidationError) as nothing:
        services.line_add(actor=sup1, appraisal=appraisal, kind="reward", reason=" ",
                          expected_version=appraisal.version)
    assert set(nothing.value.message_dict) == {"reason", "points"}
    with pytest.raises(ValidationError):
        services.line_add(actor=sup1, appraisal=appraisal, kind="bonus", reason="x",
                          points=D("1"), expected_version=appraisal.version)
    with pytest.raises(ValidationError):
        services.line_add(actor=sup1, appraisal=appraisal, kind="reward", reason="x",
                          points=D("500"), expected_version=appraisal.version)
    assert not RewardPenalty.objects.exists()
    assert Appraisal.objects.get(pk=appraisal.pk).version == appraisal.version


def test_the_sheet_is_submitted_only_when_every_criterion_is_scored(personas):
    director, deptmgr = personas["director"], personas["deptmgr"]
    sheet = services.sheet_draft(actor=director, person=deptmgr, period_kind="quarter",
                                 day=Q3, today=TODAY)
    sheet = services.appraisal_save(actor=director, appraisal=sheet,
                                    data={"evaluation": "称职"}, expected_version=sheet.version,
                                    scores={c.pk: 4 for c in list(sheet.criteria.all())[:-1]})
    with pytest.raises(ValidationError) as unscored:
        services.appraisal_submit(actor=director, appraisal=sheet, expected_version=sheet.version)
    assert "提交前请为每项标准评分" in _messages(unscored)
    last = sheet.criteria.order_by("-order").first()
    with pytest.raises(ValidationError):  # 0–5 only
        services.appraisal_save(actor=director, appraisal=sheet, data={},
                                expected_version=sheet.version, scores={last.pk: 6})
    assert Appraisal.objects.get(pk=sheet.pk).version == sheet.version
    sheet = services.appraisal_save(actor=director, appraisal=sheet, data={},
                                    expected_version=sheet.version, scores={last.pk: 2})
    # 31 criteria at 4 and one at 2: 126 of 160 = 78.75
    assert sheet.score == D("78.75")
    sheet = services.appraisal_submit(actor=director, appraisal=sheet,
                                      expected_version=sheet.version)
    with pytest.raises(PermissionDenied):  # the appraised never confirms their own
        services.appraisal_review(actor=deptmgr, appraisal=sheet, confirm=True, comment="",
                                  expected_version=sheet.version)


def test_a_scheme_appraises_its_role_and_its_kind_of_subject(personas):
    from qiao.org.models import Role

    make_quarter(personas)
    region1 = personas["region1"]
    supervisors = make_scheme(region1, role=Role.objects.get(code="supervisor"))
    with pytest.raises(ValidationError) as wrong_role:
        services.appraisal_draft(actor=region1, scorecard=supervisors, day=Q3,
                                 person=personas["am01"], today=TODAY)
    assert "该方案适用于角色" in _messages(wrong_role)
    units = make_scheme(region1, subject="unit", name="组别考核")
    with pytest.raises(ValidationError) as no_unit:
        services.appraisal_draft(actor=region1, scorecard=units, day=Q3,
                                 person=personas["am01"], today=TODAY)
    assert "该方案考核单位：请选择单位" in _messages(no_unit)
    with pytest.raises(ValidationError) as own_unit:  # a unit below one's own only
        services.appraisal_draft(actor=region1, scorecard=units, day=Q3,
                                 unit=region1.unit, today=TODAY)
    assert "该单位不在您的数据范围内" in _messages(own_unit)
    with pytest.raises(ValidationError):  # another region's team
        services.appraisal_draft(actor=region1, scorecard=units, day=Q3,
                                 unit=personas["am05"].unit, today=TODAY)
    assert not Appraisal.objects.exists()
