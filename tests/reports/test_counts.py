"""Every figure of the count tables equals the number counted by hand (see conftest), for an
account manager (own customers), a regional manager (the region and its pool) and the
director (everything)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from qiao.customers.models import Customer


def zh(text):
    """A label as the (default) Chinese interface shows it."""
    with translation.override("zh-hans"):
        return gettext(text) if isinstance(text, str) else str(text)


NOT_FILLED = zh("Not filled in")
UNGRADED = zh("Ungraded")
STATUSES = [zh(label) for label in Customer.Status.labels]
BIG, KEY, ORDINARY = (zh(Customer.Category.BIG.label), zh(Customer.Category.KEY.label),
                      zh(Customer.Category.ORDINARY.label))
RETAIL, MANUFACTURING, IT = (zh(Customer.Industry.RETAIL.label),
                             zh(Customer.Industry.MANUFACTURING.label),
                             zh(Customer.Industry.IT.label))


def table_rows(table):
    """{row label: [count per column..., total]} with children as "parent/child"."""
    rows = {}
    for row in table.rows:
        rows[row.member.label] = [*row.cells, row.total]
        for child in row.children:
            rows[f"{row.member.label}/{child.member.label}"] = [*child.cells, child.total]
    return rows


def totals(table):
    return {row.member.label: row.total for row in table.rows}


def get_tables(personas, username, url):
    response = personas.client(username).get(url)
    assert response.status_code == 200
    return response.context["tables"]


def test_status_labels_are_the_chinese_ones(world):
    (table,) = get_tables(world, "am01", "/reports/grades/")
    assert [c.label for c in table.columns] == STATUSES


@pytest.mark.parametrize(("username", "expected", "total"), [
    ("am01", {"一级": [0, 0, 1, 0, 0, 1], "二级": [1, 0, 0, 0, 0, 1],
              "三级": [0] * 6, "四级": [0] * 6, "五级": [0] * 6}, 2),
    ("region1", {"一级": [2, 0, 2, 0, 0, 4], "二级": [3, 0, 0, 1, 0, 4],
                 "三级": [0] * 6, "四级": [0] * 6, "五级": [0] * 6,
                 UNGRADED: [1, 0, 0, 0, 0, 1]}, 9),
    ("director", {"一级": [9, 0, 3, 0, 0, 12], "二级": [11, 0, 0, 1, 0, 12],
                  "三级": [0] * 6, "四级": [0] * 6, "五级": [0] * 6,
                  UNGRADED: [3, 0, 0, 0, 0, 3]}, 27),
])
def test_grade_table(world, username, expected, total):
    (table,) = get_tables(world, username, "/reports/grades/")
    assert table_rows(table) == expected
    assert table.total == total


@pytest.mark.parametrize(("username", "expected"), [
    ("am01", {"华东区": [1, 1, 0, 0, 0, 2], "华东区/浦东新区": [1, 0, 0, 0, 0, 1],
              "华东区/黄浦区": [0, 1, 0, 0, 0, 1]}),
    ("region1", {"华东区": [4, 4, 0, 0, 0, 1, 9], "华东区/浦东新区": [2, 0, 0, 0, 0, 0, 2],
                 "华东区/黄浦区": [0, 1, 0, 0, 0, 0, 1],
                 f"华东区/{NOT_FILLED}": [2, 3, 0, 0, 0, 1, 6]}),
])
def test_region_table_by_grade_with_administrative_areas(world, username, expected):
    by_region, by_area = get_tables(world, username, "/reports/regions/")
    assert table_rows(by_area) == expected
    assert totals(by_region) == {"华东区": sum(expected["华东区"][:-1])}


def test_region_table_for_the_director_by_status(world):
    by_region, by_area = get_tables(world, "director", "/reports/regions/?columns=status")
    assert [c.label for c in by_region.columns] == STATUSES
    assert table_rows(by_region) == {
        "华东区": [6, 0, 2, 1, 0, 9], "华北区": [8, 0, 1, 0, 0, 9], "华南区": [9, 0, 0, 0, 0, 9]}
    assert by_area.total == by_region.total == 27


@pytest.mark.parametrize(("username", "by_grade", "by_industry", "state_owned"), [
    ("am01", {BIG: [0, 0, 0, 0, 0, 0], KEY: [1, 0, 0, 0, 0, 1],
              ORDINARY: [0, 1, 0, 0, 0, 1]},
     {RETAIL: [0, 1, 0, 1], NOT_FILLED: [0, 0, 1, 1]}, 1),
    ("region1", {BIG: [1, 0, 0, 0, 0, 0, 1], KEY: [1, 1, 0, 0, 0, 0, 2],
                 ORDINARY: [2, 3, 0, 0, 0, 1, 6]},
     {RETAIL: [0, 2, 0, 2], MANUFACTURING: [1, 0, 0, 1], NOT_FILLED: [0, 0, 6, 6]}, 1),
    ("director", {BIG: [2, 0, 0, 0, 0, 0, 2], KEY: [1, 1, 0, 0, 0, 0, 2],
                  ORDINARY: [9, 11, 0, 0, 0, 3, 23]},
     {RETAIL: [0, 2, 0, 2], MANUFACTURING: [1, 0, 0, 1], IT: [1, 0, 0, 1],
      NOT_FILLED: [0, 0, 23, 23]}, 1),
])
def test_classification_table(world, username, by_grade, by_industry, state_owned):
    grade, industry, nature = get_tables(world, username, "/reports/classification/")
    assert table_rows(grade) == by_grade
    # Every industry is a row, as on the paper form; those with customers are these:
    assert {k: v for k, v in table_rows(industry).items() if v[-1]} == by_industry
    assert len(industry.rows) == len(Customer.Industry.choices) + 1
    assert totals(nature)[zh(Customer.Nature.STATE_OWNED.label)] == state_owned
    assert nature.total == grade.total == industry.total


@pytest.mark.parametrize(("username", "names"), [
    ("am01", [("am01", 0)]),
    ("region1", [("am02", 0), ("am01", 0), ("am03", 1)]),
    ("director", [("am02", 0), ("am05", 0), ("am01", 0), ("am03", 1)]),
])
def test_key_customer_table_lists_big_then_key(world, username, names):
    response = world.client(username).get("/reports/key-customers/")
    (table,) = response.context["tables"]
    assert table.total == len(names)
    assert [row.member.key for row in table.rows] == ["big", "key"]  # no ordinary row
    big = sum(1 for who, i in names if world.customers[who][i].pk in {
        world.customers["am02"][0].pk, world.customers["am05"][0].pk})
    assert [row.total for row in table.rows] == [big, len(names) - big]
    listed = [line.cells[0].text for line in response.context["lines"]]
    assert listed == [world.customers[who][i].name for who, i in names]


def test_key_customer_line_has_contacts_and_key_person(world):
    response = world.client("region1").get("/reports/key-customers/")
    lines = {line.cells[0].text: [c.text for c in line.cells] for line in response.context["lines"]}
    am01 = lines[world.customers["am01"][0].name]
    am02 = lines[world.customers["am02"][0].name]
    am03 = lines[world.customers["am03"][1].name]
    # name, classification, grade, region, manager, contacts, key person, position, phone…
    assert am01[1:10] == [KEY, "一级", "华东区", str(world["am01"]), "2", "王总", "总经理",
                          "138****8000", STATUSES[2]]  # masked (ORG-4)
    assert am02[5:9] == ["1", "陈经理", "", "021****5678"]
    assert am03[5:9] == ["0", "", "", ""]


def test_filters_narrow_figures_and_list(world):
    response = world.client("director").get("/reports/grades/?category=big&region="
                                            f"{world.org.regions[0].pk}")
    (table,) = response.context["tables"]
    assert table.total == 1
    assert [line.cells[0].text for line in response.context["lines"]] == [
        world.customers["am02"][0].name]
    assert response.context["filters_text"] == [
        (zh("Region"), "华东区"), (zh("Classification"), BIG)]


def test_invalid_filter_values_are_ignored(world):
    response = world.client("am01").get("/reports/grades/?grade=abc&status=nonsense&owner=x")
    assert response.status_code == 200
    assert response.context["tables"][0].total == 2
