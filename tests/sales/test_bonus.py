"""Bonus runs (奖金核算, seed 001 第6条, 第16–20条): the performance bonus by completion tier,
the rank bonus of the first three, the claw-back of an earlier month's order returned, the
balance owed carried, confirmation freezing a run, the payroll file, the top three in the inbox
once, and who sees which line."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qiao.audit.models import OperationLog
from qiao.core.exceptions import StaleVersionError
from qiao.notify.models import Notification
from qiao.sales import bonus, services
from qiao.sales.admin import TierFormSet
from qiao.sales.models import (
    BonusClawback,
    BonusKind,
    BonusLine,
    BonusRule,
    BonusRun,
    BonusTier,
    SalesTarget,
)

from ..api.conftest import Api, token_secret
from ..edit_pages import browser_post_data, differences, row
from .factories import make_order, make_product

pytestmark = pytest.mark.django_db
SEP, OCT, NOV, DEC = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
D = Decimal


def _rule():
    rule = BonusRule.objects.create(
        effective_from=date(2026, 1, 1), monthly_first=D("1000"), monthly_second=D("600"),
        monthly_third=D("300"), annual_first=D("10000"), annual_second=D("6000"),
        annual_third=D("3000"))
    BonusTier.objects.create(rule=rule, completion_from=D(80), completion_to=D(100),
                             rate=D("1.00"))
    BonusTier.objects.create(rule=rule, completion_from=D(100), completion_to=None,
                             rate=D("2.00"))
    return rule


def _target(user, month, amount):
    SalesTarget.objects.create(manager=user, unit_id=user.unit_id, month=month, amount=D(amount))


@pytest.fixture
def ledger(personas):
    """October: am01 sells 10 × ¥100 + 7 × ¥12.35 = ¥1,086.45 against ¥1,000 (108.6 %: 2 %),
    am02 8 × ¥100 = ¥800 against ¥1,000 (exactly 80 %: 1 %). November: am01 takes back 1 × ¥100
    and 3 × ¥12.35 of October's order (¥137.05, nothing sold), am02 sells 9 × ¥100 against
    ¥900 (exactly 100 %: 2 %)."""
    _rule()
    am01, am02 = personas["am01"], personas["am02"]
    p1, p2 = make_product("P1", "100.00"), make_product("P2", "12.35", "5.00")
    october = make_order(am01, personas.customers["am01"][0], lines=[(p1, 10), (p2, 7)],
                         ordered_on=date(2026, 10, 12), delivered_on=date(2026, 10, 14))
    make_order(am02, personas.customers["am02"][0], lines=[(p1, 8)],
               ordered_on=date(2026, 10, 13))
    for user, month, amount in ((am01, OCT, "1000"), (am02, OCT, "1000"), (am01, NOV, "1000"),
                                (am02, NOV, "900")):
        _target(user, month, amount)
    line_p1, line_p2 = october.lines.order_by("id")
    return {"october": october, "p1": line_p1, "p2": line_p2}


def _returns(personas, ledger):
    am01 = personas["am01"]
    services.return_post(actor=am01, line=ledger["p1"], quantity=1, reason="quality",
                         returned_on=date(2026, 11, 10))
    services.return_post(actor=am01, line=ledger["p2"], quantity=3, reason="late",
                         returned_on=date(2026, 11, 11))
    make_order(personas["am02"], personas.customers["am02"][0], lines=[(ledger["p1"].product, 9)],
               ordered_on=date(2026, 11, 3))


def _line(run, user):
    return BonusLine.objects.get(run=run, manager=user)


def _confirm(personas, run):
    return bonus.run_confirm(actor=personas["director"], run=run, expected_version=run.version)


def test_the_month_to_the_cent_and_the_claw_back_of_an_earlier_months_return(personas, ledger):
    am01, am02 = personas["am01"], personas["am02"]
    october, made = bonus.run_draft(BonusKind.MONTH, OCT)
    assert made
    first, second = _line(october, am01), _line(october, am02)
    assert (first.net_sales, first.completion, first.rate) == (D("1086.45"), D("108.6"), D(2))
    assert first.performance_bonus == D("21.73")  # 1,086.45 × 2 % = 21.729
    assert (first.rank, first.rank_bonus, first.net_payable) == (1, D(1000), D("1021.73"))
    assert (second.completion, second.rate, second.performance_bonus) == (D(80), D(1), D("8.00"))
    assert (second.rank, second.rank_bonus, second.net_payable) == (2, D(600), D("608.00"))
    _confirm(personas, october)

    _returns(personas, ledger)
    november, _made = bonus.run_draft(BonusKind.MONTH, NOV)
    first, second = _line(november, am01), _line(november, am02)
    # the returns: 1 × 100.00 × 2 % = 2.00 and 3 × 12.35 = 37.05 × 2 % = 0.741 → 0.74
    assert first.net_sales == D("-137.05") and first.performance_bonus == 0
    assert first.rank == 2 and first.rank_bonus == 0  # nothing sold: not in the top three
    assert first.clawback == D("2.74") and first.net_payable == D("-2.74")
    assert sorted((c.returned_amount, c.rate, c.amount, c.order_month)
                  for c in BonusClawback.objects.filter(line=first)) == [
        (D("37.05"), D(2), D("0.74"), OCT), (D("100.00"), D(2), D("2.00"), OCT)]
    assert (second.completion, second.rate, second.performance_bonus) == (D(100), D(2), D(18))
    assert (second.rank, second.rank_bonus, second.clawback) == (1, D(1000), 0)
    assert second.net_payable == D("1018.00")
    # What the run pays is am02's 1,018.00: am01's debt is carried, not netted against it.
    totals = bonus.totals([first, second])
    assert (totals["payable"], totals["owed"]) == (D("1018.00"), D("-2.74"))
    assert dict(bonus.runs(personas["director"]))[november] == D("1018.00")
    page = personas.client("director").get(reverse("sales:bonus_run", args=[november.pk]))
    assert "1,018.00" in page.content.decode().split('data-testid="bonus-to-pay"')[1][:300]

    # Owed: carried into December's line once November is confirmed.
    _confirm(personas, november)
    december, _made = bonus.run_draft(BonusKind.MONTH, DEC)
    carried = _line(december, am01)
    assert carried.carried == D("2.74") and carried.net_payable == D("-2.74")


def test_no_claw_back_when_the_original_month_was_never_confirmed(personas, ledger):
    _returns(personas, ledger)
    bonus.run_draft(BonusKind.MONTH, OCT)  # a draft: nothing was paid for October
    november, _made = bonus.run_draft(BonusKind.MONTH, NOV)
    line = _line(november, personas["am01"])
    assert line.clawback == 0 and line.clawbacks.count() == 2
    assert {c.rate for c in line.clawbacks.all()} == {D(0)}


def test_tier_boundaries_are_compared_exactly():
    rule = _rule()
    target = D("1000.00")
    assert bonus.tier_rate(rule, D("799.99"), target) == 0
    assert bonus.tier_rate(rule, D("800.00"), target) == D(1)
    assert bonus.tier_rate(rule, D("999.99"), target) == D(1)
    assert bonus.tier_rate(rule, D("1000.00"), target) == D(2)
    assert bonus.tier_rate(rule, D("5000.00"), D(0)) == 0  # no target, no performance bonus


def test_rank_ties_are_broken_as_the_ranking_does(personas):
    _rule()
    p1 = make_product("P1", "100.00")
    for name in ("am03", "am01", "am02"):
        make_order(personas[name], personas.customers[name][0], lines=[(p1, 5)],
                   ordered_on=date(2026, 9, 10))
    make_order(personas["am04"], personas.customers["am04"][0], lines=[(p1, 1)],
               ordered_on=date(2026, 9, 11))
    run, _made = bonus.run_draft(BonusKind.MONTH, SEP)
    ids = sorted(personas[name].pk for name in ("am01", "am02", "am03"))
    lines = {line.manager_id: line for line in run.lines.all()}
    assert [(lines[pk].rank, lines[pk].rank_bonus) for pk in ids] == [
        (1, D(1000)), (2, D(600)), (3, D(300))]
    assert (lines[personas["am04"].pk].rank, lines[personas["am04"].pk].rank_bonus) == (4, 0)


def test_a_confirmed_run_never_changes(personas, ledger):
    october, _made = bonus.run_draft(BonusKind.MONTH, OCT)
    with pytest.raises(PermissionDenied):  # a supervisor of one team is not company-wide
        bonus.run_confirm(actor=personas["sup1"], run=october, expected_version=october.version)
    october = _confirm(personas, october)
    before = list(october.lines.order_by("manager_id").values())
    # a back-dated order of October now puts am02 first
    make_order(personas["am02"], personas.customers["am02"][1],
               lines=[(ledger["p1"].product, 5)], ordered_on=date(2026, 10, 20))
    with pytest.raises(ValidationError, match="冻结"):
        bonus.run_recompute(actor=personas["director"], run=october,
                            expected_version=october.version)
    assert bonus.run_draft(BonusKind.MONTH, OCT) == (october, False)
    assert list(october.lines.order_by("manager_id").values()) == before


def test_recompute_reads_the_ledger_again_and_refuses_a_stale_page(personas, ledger):
    october, _made = bonus.run_draft(BonusKind.MONTH, OCT)
    make_order(personas["am02"], personas.customers["am02"][1],
               lines=[(ledger["p1"].product, 5)], ordered_on=date(2026, 10, 20))
    october = bonus.run_recompute(actor=personas["director"], run=october,
                                  expected_version=october.version)
    assert _line(october, personas["am02"]).net_sales == D("1300.00")
    assert _line(october, personas["am02"]).rank == 1
    with pytest.raises(StaleVersionError):  # the page's version is older
        bonus.run_recompute(actor=personas["director"], run=october, expected_version=1)


def test_the_worker_drafts_and_publishes_the_top_three_once(personas, ledger):
    _returns(personas, ledger)
    first = bonus.bonus_morning(DEC)
    second = bonus.bonus_morning(DEC)
    assert first["drafted"] == 1 and second == {"drafted": 0, "told": 0}
    assert BonusRun.objects.filter(kind=BonusKind.MONTH, period=NOV).count() == 1
    messages = Notification.objects.filter(kind=bonus.TOP_THREE)
    am03 = personas["am03"]
    assert messages.filter(recipient=am03).count() == 1  # every holder of sales.view
    assert messages.filter(recipient=personas["director"]).count() == 1
    assert not messages.filter(recipient=personas["agent01"]).exists()  # no sales.view
    message = messages.get(recipient=am03)
    assert message.title.startswith("上月销售业绩前三名")
    assert "¥900.00" in message.title and personas["am02"].display_name in message.title
    assert "¥800.00" not in message.title  # November's figures, not October's
    assert personas["am01"].display_name not in message.title  # sold nothing in November
    customer = personas.customers["am01"][0]
    assert customer.name not in message.title and customer.name not in message.body
    assert bonus.bonus_morning(date(2026, 12, 2)) == {"drafted": 0, "told": 0}


def test_an_annual_run_ranks_the_year(personas, ledger):
    _returns(personas, ledger)
    run, _made = bonus.run_draft(BonusKind.YEAR, date(2026, 6, 1))
    assert run.period == date(2026, 1, 1)
    first, second = _line(run, personas["am02"]), _line(run, personas["am01"])
    assert (first.net_sales, first.rank, first.rank_bonus) == (D("1700.00"), 1, D(10000))
    assert (second.net_sales, second.rank, second.rank_bonus) == (D("949.40"), 2, D(6000))
    assert second.net_payable == D(6000) and second.target == D(2000)


def test_rules_validation_says_what_is_wrong():
    assert bonus.tiers_problems([(D(0), D(80), D(0)), (D(80), None, D(1))]) == []
    overlapping = bonus.tiers_problems([(D(80), D(100), D(1)), (D(90), None, D(2))])
    assert overlapping and "重叠" in overlapping[0]
    assert bonus.tiers_problems([(D(100), None, D(2)), (D(0), None, D(1))])  # open tier first
    assert "0 至 100" in bonus.tiers_problems([(D(0), None, D(120))])[0]
    assert "必须高于下限" in bonus.tiers_problems([(D(90), D(80), D(1))])[0]
    rule = BonusRule.objects.create(effective_from=date(2026, 3, 1))
    formset_class = inlineformset_factory(BonusRule, BonusTier, formset=TierFormSet,
                                          fields=("completion_from", "completion_to", "rate"),
                                          extra=0)
    data = {"tiers-TOTAL_FORMS": "2", "tiers-INITIAL_FORMS": "0",
            "tiers-0-completion_from": "80", "tiers-0-completion_to": "100", "tiers-0-rate": "1",
            "tiers-1-completion_from": "90", "tiers-1-completion_to": "", "tiers-1-rate": "2"}
    formset = formset_class(data, instance=rule, prefix="tiers")
    assert not formset.is_valid() and "重叠" in " ".join(formset.non_form_errors())
    data["tiers-1-completion_from"], data["tiers-1-rate"] = "100", "101"
    formset = formset_class(data, instance=rule, prefix="tiers")
    assert not formset.is_valid()
    assert not BonusTier.objects.exists()
    with pytest.raises(ValidationError):
        bonus.run_draft(BonusKind.MONTH, date(2025, 6, 1))  # no rule in force: nothing made
    assert not BonusRun.objects.exists()


def test_pages_scope_confirm_and_the_payroll_file(personas, ledger):
    run, _made = bonus.run_draft(BonusKind.MONTH, OCT)
    mine = _line(run, personas["am01"])
    theirs = _line(run, personas["am02"])
    am01 = personas.client("am01")
    page = am01.get(reverse("sales:bonus_run", args=[run.pk])).content.decode()
    assert page.count('data-testid="bonus-line"') == 1 and "bonus-confirm" not in page
    assert am01.get(reverse("sales:bonus_line", args=[mine.pk])).status_code == 200
    assert am01.get(reverse("sales:bonus_line", args=[theirs.pk])).status_code == 404
    assert personas.client("sup2").get(reverse("sales:bonus_line", args=[mine.pk])).status_code \
        == 404
    sup1 = personas.client("sup1").get(reverse("sales:bonus_run", args=[run.pk]))
    assert sup1.content.decode().count('data-testid="bonus-line"') == 2
    refused = personas.client("sup1").post(reverse("sales:bonus_confirm", args=[run.pk]),
                                           {"version": run.version})
    assert refused.status_code == 302 and BonusRun.objects.get(pk=run.pk).status == "draft"
    director = personas.client("director")
    assert "bonus-confirm" in director.get(reverse("sales:bonus_run", args=[run.pk])).content \
        .decode()
    refused = director.get(reverse("sales:bonus_run", args=[run.pk]), {"format": "xlsx"})
    assert refused.status_code == 302  # a draft is not paid
    director.post(reverse("sales:bonus_confirm", args=[run.pk]), {"version": run.version},
                  REMOTE_ADDR="10.1.2.3")
    run.refresh_from_db()
    assert run.status == "confirmed"
    confirmed = OperationLog.objects.get(action="bonus_confirmed")
    assert (confirmed.actor, confirmed.ip_address) == (personas["director"], "10.1.2.3")
    assert confirmed.details == {"run": run.pk, "lines": 2, "payable": "1629.73",
                                 "owed": "0.00"}
    file = director.get(reverse("sales:bonus_run", args=[run.pk]), {"format": "xlsx"})
    assert file.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(file.streaming_content)), read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "奖金发放表" in cells and 1021.73 in cells and 608 in cells
    assert OperationLog.objects.filter(action="export").count() == 1
    runs = am01.get(reverse("sales:bonus_runs")).content.decode()
    assert "¥1,021.73" in runs and "¥608.00" not in runs  # the total of what am01 sees


def test_the_run_page_reads_a_constant_number_of_queries(personas, ledger,
                                                         django_assert_max_num_queries):
    _returns(personas, ledger)
    run, _made = bonus.run_draft(BonusKind.MONTH, NOV)
    client = personas.client("director")
    client.get(reverse("sales:bonus_run", args=[run.pk]))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("sales:bonus_run", args=[run.pk]))
    p1 = ledger["p1"].product
    for name in ("am03", "am04", "am05", "am06"):
        make_order(personas[name], personas.customers[name][0], lines=[(p1, 2)],
                   ordered_on=date(2026, 11, 5))
    run = bonus.run_recompute(actor=personas["director"], run=run, expected_version=run.version)
    assert run.lines.count() == 6
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sales:bonus_run", args=[run.pk]))


def test_the_rule_admin_saves_unchanged_and_refuses_overlapping_tiers(personas):
    rule = _rule()
    admin_user = personas["admin"]
    client = personas.client("admin")
    url = reverse("admin:sales_bonusrule_change", args=[rule.pk])
    page = client.get(url)
    assert page.status_code == 200 and "业绩绩效奖金档次" in page.content.decode()
    before = row(BonusRule, rule.pk), list(BonusTier.objects.order_by("pk").values())
    _action, data = browser_post_data(page.content.decode(), ["_save"])
    body = {}
    for name, value in [*data, ("_save", "")]:
        body.setdefault(name, []).append(value)
    assert client.post(url, body).status_code == 302
    after = row(BonusRule, rule.pk), list(BonusTier.objects.order_by("pk").values())
    assert differences(before[0], after[0]).keys() <= {"updated_at"} and before[1] == after[1]
    first = BonusTier.objects.order_by("pk").first()
    body["tiers-0-completion_to"] = ["120"]  # now overlapping the tier from 100 %
    assert first.completion_to == 100
    refused = client.post(url, body)
    assert refused.status_code == 200 and "重叠" in refused.content.decode()
    assert BonusTier.objects.get(pk=first.pk).completion_to == 100
    assert admin_user.is_superuser


def test_a_company_wide_supervisor_drafts_a_run_the_worker_did_not_make(personas, ledger):
    url = reverse("sales:bonus_runs")
    director = personas.client("director")
    assert 'data-testid="bonus-run-create"' in director.get(url).content.decode()
    assert 'data-testid="bonus-run-create"' not in personas.client("sup1").get(url) \
        .content.decode()
    # Refused with its reason, nothing drafted: the month not over, a year without its number,
    # year 0001, someone who may not (404, as every refused permission).
    this_month = timezone.localdate().strftime("%Y-%m")
    page = director.post(url, {"kind": "month", "month": this_month}).content.decode()
    assert "月度奖金在该月结束后核算" in page
    assert "请填写年份" in director.post(url, {"kind": "year", "year": ""}).content.decode()
    assert director.post(url, {"kind": "month", "month": "0001-01"}).status_code == 200
    assert personas.client("sup1").post(url, {"kind": "month", "month": "2026-10"}) \
        .status_code == 404
    assert not BonusRun.objects.exists()
    made = director.post(url, {"kind": "month", "month": "2026-10"})
    run = BonusRun.objects.get()
    assert made.url == reverse("sales:bonus_run", args=[run.pk])
    assert (run.kind, run.period, run.status) == ("month", OCT, "draft")
    assert run.lines.count() == 2
    # Asked again, the same run is opened, not a second one.
    assert director.post(url, {"kind": "month", "month": "2026-10"}).url == made.url
    assert BonusRun.objects.count() == 1


def test_payroll_reads_the_confirmed_lines_it_may_see_through_the_api(personas, ledger):
    _returns(personas, ledger)
    october, _made = bonus.run_draft(BonusKind.MONTH, OCT)
    _confirm(personas, october)
    bonus.run_draft(BonusKind.MONTH, NOV)  # a draft: not paid, not listed by default

    def lines(username, **params):
        response = Api(token_secret(personas[username])).get("/bonus-lines", params)
        assert response.status_code == 200, response.content
        return [(item["manager"]["username"], item["run"]["period"], item["net_payable"])
                for item in response.json()["items"]]

    assert lines("am01") == [("am01", "2026-10-01", "1021.73")]
    assert lines("sup1") == [("am01", "2026-10-01", "1021.73"), ("am02", "2026-10-01", "608.00")]
    assert lines("am03") == []
    assert {row[1] for row in lines("sup1", status="all")} == {"2026-10-01", "2026-11-01"}
    assert lines("sup1", status="draft", period="2026-11-17", kind="month")[0][1] == "2026-11-01"
    assert lines("sup1", period="2026-11-01") == []
    api = Api(token_secret(personas["sup1"]))
    for bad in ({"period": "0001-01-01"}, {"status": "paid"}, {"kind": "week"}):
        assert api.get("/bonus-lines", bad).status_code == 400, bad
