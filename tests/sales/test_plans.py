"""Annual target split (年度销售目标分解) and personal sales plans (个人销售计划): the company's
target split to regions, teams and managers, each level by the one who heads it and adding up
to the cent; a manager's share spread to the months by the seasonal index or evenly; the plan's
workflow; and the warning when the year's gross margin rate falls below the plan's minimum."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qiao.org.models import OrgUnit
from qiao.sales import selectors, services
from qiao.sales.models import AnnualTarget, ManagerMonth, PlanMeasure, SalesPlan, SalesTarget

pytestmark = pytest.mark.django_db
YEAR = 2026
D = Decimal


def _units(personas):
    org = personas.org
    east = org.regions[0]
    team_a, team_b = [t for t in org.teams if t.parent_id == east.pk]
    return org.company, east, team_a, team_b


def _month(manager, month, orders, cost="0.00", unit=None):
    ManagerMonth.objects.create(month=month, manager=manager, unit=unit or manager.unit,
                                orders=D(orders), marginal_cost=D(cost))


@pytest.fixture
def split(personas):
    """The company's 2026 target of ¥1,200,000.00 split down to am01 and am02."""
    company, east, team_a, _team_b = _units(personas)
    director = personas["director"]
    services.annual_target_set(actor=director, year=YEAR, unit=company, amount=D("1200000.00"))
    regions = personas.org.regions
    services.annual_split(actor=director, year=YEAR, unit=company, amounts={
        regions[0]: D("500000.00"), regions[1]: D("400000.00"), regions[2]: D("300000.00")})
    teams = [t for t in personas.org.teams if t.parent_id == east.pk]
    services.annual_split(actor=personas["region1"], year=YEAR, unit=east, amounts={
        teams[0]: D("300000.00"), teams[1]: D("200000.00")})
    services.annual_split(actor=personas["sup1"], year=YEAR, unit=team_a, amounts={
        personas["am01"]: D("180000.00"), personas["am02"]: D("120000.00")})
    return company, east, team_a


def test_the_split_goes_down_the_tree(personas, split):
    assert AnnualTarget.objects.get(year=YEAR, manager=personas["am01"]).amount == D("180000.00")
    assert AnnualTarget.objects.get(year=YEAR, manager=personas["am01"]).unit == split[2]
    assert AnnualTarget.objects.filter(year=YEAR, manager__isnull=True).count() == 1 + 3 + 2


def test_a_split_that_does_not_add_up_is_refused_with_the_difference(personas, split):
    _company, _east, team_a = split
    with pytest.raises(ValidationError) as refused:
        services.annual_split(actor=personas["sup1"], year=YEAR, unit=team_a, amounts={
            personas["am01"]: D("180000.00"), personas["am02"]: D("119999.99")})
    assert "¥0.01" in refused.value.messages[0]
    assert "¥299,999.99" in refused.value.messages[0]
    assert AnnualTarget.objects.get(year=YEAR, manager=personas["am02"]).amount == D("120000.00")
    with pytest.raises(ValidationError):  # one manager left out
        services.annual_split(actor=personas["sup1"], year=YEAR, unit=team_a,
                              amounts={personas["am01"]: D("300000.00")})


def test_each_splits_only_within_their_scope(personas, split):
    company, east, team_a = split
    team_b = next(t for t in personas.org.teams if t.parent_id == east.pk and t != team_a)
    services.annual_split(actor=personas["region1"], year=YEAR, unit=team_b, amounts={
        personas["am03"]: D("100000.00"), personas["am04"]: D("100000.00")})
    with pytest.raises(PermissionDenied):  # another team's target
        services.annual_split(actor=personas["sup1"], year=YEAR, unit=team_b, amounts={
            personas["am03"]: D("200000.00"), personas["am04"]: D("0.00")})
    north = personas.org.regions[1]
    with pytest.raises(PermissionDenied):  # another region's
        services.annual_split(actor=personas["region1"], year=YEAR, unit=north, amounts={})
    with pytest.raises(PermissionDenied):  # the company's target is the director's
        services.annual_target_set(actor=personas["region1"], year=YEAR, unit=company,
                                   amount=D("1.00"))
    with pytest.raises(PermissionDenied):
        services.annual_split(actor=personas["am01"], year=YEAR, unit=team_a, amounts={})
    response = personas.client("sup1").post(
        f"{reverse('sales:target_split')}?year={YEAR}&unit={team_b.pk}",
        {"save_split": "1", f"c{personas['am03'].pk}": "200000.00",
         f"c{personas['am04'].pk}": "0.00"})
    assert AnnualTarget.objects.get(year=YEAR, manager=personas["am03"]).amount == D("100000.00")
    assert "split-form" not in response.content.decode()


def test_the_suggestion_follows_last_years_net_sales(personas, split):
    _company, _east, team_a = split
    _month(personas["am01"], date(YEAR - 1, 3, 1), "30000.00")
    _month(personas["am02"], date(YEAR - 1, 7, 1), "60000.00")
    rows = selectors.split_children(personas["sup1"], YEAR, team_a)
    suggestion = selectors.split_suggestion(rows)
    assert suggestion == {personas["am01"].pk: D("100000.00"), personas["am02"].pk: D("200000.00")}
    # Evenly without history, the last share taking the rounding.
    assert services.proportional(D("100.00"), [0, 0, 0]) == [D("33.33"), D("33.33"), D("33.34")]
    response = personas.client("sup1").post(
        f"{reverse('sales:target_split')}?year={YEAR}&unit={team_a.pk}", {"suggest": "1"})
    assert response.status_code == 200
    assert 'value="100000.00"' in response.content.decode()


def test_the_spread_is_even_without_history_and_adds_up_to_the_cent(personas, split):
    am01 = personas["am01"]
    AnnualTarget.objects.filter(year=YEAR, manager=am01).update(amount=D("100000.00"))
    services.annual_spread(actor=personas["sup1"], year=YEAR, manager=am01)
    amounts = list(SalesTarget.objects.filter(manager=am01).order_by("month")
                   .values_list("amount", flat=True))
    assert amounts == [D("8333.33")] * 11 + [D("8333.37")]
    assert sum(amounts) == D("100000.00")


def test_the_spread_follows_the_seasonal_index_of_two_years(personas, split):
    am01 = personas["am01"]
    # Two years: January and July sell; 2024 ¥10,000 + ¥30,000, 2025 ¥20,000 + ¥40,000.
    _month(am01, date(YEAR - 2, 1, 1), "10000.00")
    _month(am01, date(YEAR - 2, 7, 1), "30000.00")
    _month(am01, date(YEAR - 1, 1, 1), "20000.00")
    _month(am01, date(YEAR - 1, 7, 1), "40000.00")
    services.annual_spread(actor=personas["sup1"], year=YEAR, manager=am01)
    months = dict(SalesTarget.objects.filter(manager=am01).values_list("month", "amount"))
    # 180,000 × 30,000 / 100,000 and 180,000 × 70,000 / 100,000.
    assert months[date(YEAR, 1, 1)] == D("54000.00")
    assert months[date(YEAR, 7, 1)] == D("126000.00")
    assert months[date(YEAR, 2, 1)] == D("0.00")
    assert sum(months.values()) == D("180000.00")


def test_one_year_of_history_spreads_evenly_and_hand_edits_need_confirmation(personas, split):
    am01, sup1 = personas["am01"], personas["sup1"]
    _month(am01, date(YEAR - 1, 1, 1), "20000.00")
    services.targets_set(actor=sup1, month=date(YEAR, 3, 1), amounts={am01: D("99.00")})
    with pytest.raises(ValidationError):
        services.annual_spread(actor=sup1, year=YEAR, manager=am01)
    assert SalesTarget.objects.get(manager=am01, month=date(YEAR, 3, 1)).amount == D("99.00")
    assert SalesTarget.objects.filter(manager=am01).count() == 1
    services.annual_spread(actor=sup1, year=YEAR, manager=am01, confirm=True)
    assert SalesTarget.objects.get(manager=am01, month=date(YEAR, 3, 1)).amount == D("15000.00")
    with pytest.raises(PermissionDenied):  # not sup1's
        services.annual_spread(actor=sup1, year=YEAR, manager=personas["am05"])


def test_completion_and_growth_rates(personas, split):
    am01, am02 = personas["am01"], personas["am02"]
    _month(am01, date(YEAR, 2, 1), "45000.00")
    _month(am01, date(YEAR - 1, 2, 1), "40000.00")
    _month(am02, date(YEAR, 5, 1), "30000.00")
    tree = selectors.split_tree(personas["director"], YEAR, today=date(YEAR, 12, 7))
    lines = {line["name"]: line for line in tree["lines"]}
    row = lines[str(am01)]
    assert row["target"] == D("180000.00") and row["net_sales"] == D("45000.00")
    assert row["completion"] == D("25.0")  # 45,000 / 180,000
    assert row["growth"] == D("12.5")  # (45,000 − 40,000) / 40,000
    team = next(line for line in tree["lines"] if line.get("unit") == split[2])
    assert team["net_sales"] == D("75000.00") and team["completion"] == D("25.0")
    assert team["growth"] == D("87.5")  # (75,000 − 40,000) / 40,000
    company = tree["lines"][0]
    assert company["unit"] == split[0] and company["net_sales"] == D("75000.00")
    assert company["completion"] == D("6.3")  # 75,000 / 1,200,000 = 6.25 → 6.3 half up
    # A supervisor's tree is their team; a manager's figures only.
    sup_tree = selectors.split_tree(personas["sup1"], YEAR, today=date(YEAR, 12, 7))
    assert [line["name"] for line in sup_tree["lines"]] == [split[2].name, str(am01), str(am02)]


def test_the_split_page_queries_do_not_grow_with_managers(personas, split,
                                                          django_assert_max_num_queries):
    client = personas.client("director")
    url = f"{reverse('sales:target_split')}?year={YEAR}"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    from qiao.org.models import User

    am01 = personas["am01"]
    for i in range(5):
        User.objects.create(username=f"extra{i}", unit=am01.unit, position=am01.position,
                            supervisor=personas["sup1"])
        _month(User.objects.get(username=f"extra{i}"), date(YEAR, 3, 1), "100.00")
    with django_assert_max_num_queries(len(before)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="split-line"') == 1 + 3 + 6 + 12 + 5


# --- the personal sales plan ---------------------------------------------------------------------

def _measures():
    return [{"text": "每周拜访三家重点客户", "due_on": date(YEAR, 3, 31), "status": "open"}]


def test_the_plan_workflow(personas, split):
    am01, sup1 = personas["am01"], personas["sup1"]
    plan = services.plan_open(am01, YEAR)
    quarters = {"q1": D("40000.00"), "q2": D("50000.00"), "q3": D("40000.00"),
                "q4": D("50000.00"), "summary": "稳住老客户，开发两家新客户"}
    with pytest.raises(ValidationError):  # no measure
        services.plan_save(actor=am01, plan=plan, data=quarters, measures=[],
                           expected_version=plan.version, submit=True)
    with pytest.raises(ValidationError) as refused:  # quarters short of the target
        services.plan_save(actor=am01, plan=plan, data={**quarters, "q4": D("49999.99")},
                           measures=_measures(), expected_version=plan.version, submit=True)
    assert "¥179,999.99" in refused.value.messages[0]
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.q1 == 0 and not plan.measures.exists()
    with pytest.raises(PermissionDenied):
        services.plan_save(actor=sup1, plan=plan, data=quarters, measures=_measures(),
                           expected_version=plan.version)
    plan = services.plan_save(actor=am01, plan=plan, data=quarters, measures=_measures(),
                              expected_version=plan.version, submit=True)
    assert plan.status == "submitted" and plan.measures.count() == 1
    with pytest.raises(ValidationError):  # submitted: not editable
        services.plan_save(actor=am01, plan=plan, data=quarters, measures=[],
                           expected_version=plan.version)
    with pytest.raises(PermissionDenied):  # a manager does not review
        services.plan_review(actor=am01, plan=plan, accept=True, comment="",
                             expected_version=plan.version)
    with pytest.raises(PermissionDenied):  # another region's manager
        services.plan_review(actor=personas.users["region1"].__class__.objects.get(
            username="region2"), plan=plan, accept=True, comment="",
            expected_version=plan.version)
    with pytest.raises(ValidationError):  # returned without a comment
        services.plan_review(actor=sup1, plan=plan, accept=False, comment=" ",
                             expected_version=plan.version)
    plan = services.plan_review(actor=sup1, plan=plan, accept=False, comment="第三季度偏低",
                                expected_version=plan.version)
    assert plan.status == "returned"
    measures = [*_measures(), {"text": "节前备货促销", "due_on": date(YEAR, 9, 15),
                               "status": "done"}]
    plan = services.plan_save(actor=am01, plan=plan, data={**quarters, "q3": D("45000.00"),
                                                           "q4": D("45000.00")},
                              measures=measures, expected_version=plan.version, submit=True)
    assert plan.measures.count() == 2
    plan = services.plan_review(actor=sup1, plan=plan, accept=True, comment="",
                                expected_version=plan.version)
    assert plan.status == "accepted" and plan.reviewer == sup1


def test_the_plan_pages_by_role(personas, split):
    am01 = personas["am01"]
    response = personas.client("am01").post(reverse("sales:plan_open"), {"year": YEAR})
    plan = SalesPlan.objects.get(manager=am01, year=YEAR)
    assert response.url == reverse("sales:plan", args=[plan.pk])
    page = personas.client("am01").get(response.url).content.decode()
    assert 'data-testid="plan-form"' in page and "¥180,000.00" in page
    data = {"version": plan.version, "q1": "45000.00", "q2": "45000.00", "q3": "45000.00",
            "q4": "45000.00", "summary": "计划", "m-TOTAL_FORMS": "2", "m-INITIAL_FORMS": "0",
            "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "30", "m-0-text": "拜访",
            "m-0-due_on": f"{YEAR}-06-30", "m-0-status": "open", "m-1-text": "",
            "m-1-due_on": "", "m-1-status": "open", "submit": "1"}
    assert personas.client("am01").post(response.url, data).status_code == 302
    assert PlanMeasure.objects.filter(plan=plan).count() == 1
    listed = personas.client("sup1").get(f"{reverse('sales:plans')}?year={YEAR}")
    assert str(am01) in listed.content.decode()
    assert personas.client("am03").get(response.url).status_code == 404
    assert personas.client("region1").get(response.url).status_code == 200
    assert str(am01) not in personas.client("am03").get(
        f"{reverse('sales:plans')}?year={YEAR}").content.decode()


def test_the_margin_warning_at_the_boundary(personas, split):
    am01, sup1 = personas["am01"], personas["sup1"]
    plan = services.plan_open(am01, YEAR)
    with pytest.raises(PermissionDenied):
        services.plan_margin_set(actor=am01, plan=plan, min_margin=D("20.00"),
                                 expected_version=plan.version)
    plan = services.plan_margin_set(actor=sup1, plan=plan, min_margin=D("20.00"),
                                    expected_version=plan.version)
    today = date(YEAR, 6, 15)
    _month(am01, date(YEAR, 2, 1), "10000.00", cost="8000.00")  # margin 2,000 / 10,000 = 20%
    check = selectors.margin_check(am01, am01, today)
    assert check["rate"] == D("20.0") and not check["below"]
    _month(am01, date(YEAR, 3, 1), "1.00", cost="1.00")  # 2,000 / 10,001: just under 20%
    check = selectors.margin_check(am01, am01, today)
    assert check["below"]
    _month(am01, date(YEAR, 7, 1), "100.00", cost="0.00")  # after the date: not counted
    assert selectors.margin_check(am01, am01, today)["below"]
    ManagerMonth.objects.filter(month=date(YEAR, 3, 1)).delete()
    assert not selectors.margin_check(am01, am01, today)["below"]


def test_the_warning_is_shown_on_the_sales_page_and_the_desk(personas, split, monkeypatch):
    from django.utils import timezone

    am01, sup1 = personas["am01"], personas["sup1"]
    plan = services.plan_open(am01, YEAR)
    services.plan_margin_set(actor=sup1, plan=plan, min_margin=D("25.00"),
                             expected_version=plan.version)
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(YEAR, 6, 15))
    _month(am01, date(YEAR, 2, 1), "10000.00", cost="8000.00")  # 20% < 25%
    page = personas.client("am01").get(reverse("sales:home")).content.decode()
    assert 'data-testid="margin-warning"' in page
    assert 'data-testid="margin-warning"' in personas.client("am01").get("/").content.decode()
    version = SalesPlan.objects.get(pk=plan.pk).version
    personas.client("sup1").post(reverse("sales:plan_margin", args=[plan.pk]),
                                 {"version": version, "min_margin": "20.00"})
    assert SalesPlan.objects.get(pk=plan.pk).min_margin == D("20.00")
    page = personas.client("am01").get(reverse("sales:home")).content.decode()
    assert 'data-testid="margin-warning"' not in page


def test_saved_unchanged_the_plan_changes_nothing(personas, split):
    am01 = personas["am01"]
    plan = services.plan_open(am01, YEAR)
    plan = services.plan_save(actor=am01, plan=plan, data={"q1": D("1.00"), "summary": "x"},
                              measures=_measures(), expected_version=plan.version)
    version, ids = plan.version, list(plan.measures.values_list("pk", flat=True))
    services.plan_save(actor=am01, plan=plan, data={"q1": D("1.00"), "summary": "x"},
                       measures=_measures(), expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.version == version and list(plan.measures.values_list("pk", flat=True)) == ids


def test_org_units_are_the_demo_tree(personas):
    company, east, team_a, team_b = _units(personas)
    assert company.kind == OrgUnit.Kind.COMPANY and team_b.manager_id is None


def test_the_spread_button_on_the_split_page(personas, split):
    am01 = personas["am01"]
    url = f"{reverse('sales:target_split')}?year={YEAR}"
    services.targets_set(actor=personas["sup1"], month=date(YEAR, 3, 1), amounts={am01: D("9.00")})
    response = personas.client("sup1").post(url, {"spread": am01.pk})
    assert response.status_code == 302  # asked to confirm: nothing changed
    assert SalesTarget.objects.filter(manager=am01).count() == 1
    response = personas.client("sup1").post(url, {"spread": am01.pk, "confirm": "on"})
    assert response.url.startswith(reverse("sales:targets"))
    assert SalesTarget.objects.filter(manager=am01).count() == 12
    assert personas.client("sup1").post(url, {"spread": personas["am05"].pk}).status_code == 404


def test_the_demo_splits_this_years_target_and_writes_plans(personas):
    from qiao.sales.demo import MANAGERS, _annual_plans

    today = date(YEAR, 12, 7)
    managers = {name: personas[name] for name in MANAGERS}
    for i, name in enumerate(MANAGERS):
        _month(managers[name], date(YEAR - 1, 5, 1), f"{(i + 1) * 10000}.00")
    _annual_plans(today, managers, personas["director"])
    company = AnnualTarget.objects.get(year=YEAR, unit=personas.org.company, manager=None)
    # Σ (i + 1) × 10,000 × 1.08 over twelve managers = 78 × 10,800.
    assert company.amount == D("842400.00")
    assert AnnualTarget.objects.get(year=YEAR, manager=personas["am01"]).amount == D("10800.00")
    assert set(SalesPlan.objects.values_list("status", flat=True)) == {
        "accepted", "submitted", "returned", "draft"}
    returned = SalesPlan.objects.filter(status="returned").first()
    assert returned.review_comment and returned.measures.count() == 3
    assert not SalesPlan.objects.filter(min_margin__isnull=True).exists()
