"""Reads behind the customer tables (CUS-10). Every figure and every row starts from
`Customer.objects.visible_to(user)`: a count is one GROUP BY over the user's scope, a list is
one query per page (related names joined, contact figures as subqueries), so the number of
queries never depends on how many customers there are."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from qiao.customers.models import Attachment, Contact, Customer, Grade
from qiao.customers.selectors import search_condition
from qiao.org.models import OrgUnit

NONE = "none"  # the filter value that selects "not filled in" (no grade, no region, no area…)
KEY_CATEGORIES = (Customer.Category.BIG, Customer.Category.KEY)


@dataclass(frozen=True)
class ReportFilters:
    grade: str = ""  # "", a grade id, or NONE
    region: str = ""  # "", an org region id, or NONE
    owner: int | None = None
    status: str = ""
    category: str = ""
    industry: str = ""  # "", a choice, or NONE
    nature: str = ""  # "", a choice, or NONE
    district: str = ""  # a fragment of the administrative area, or NONE


def _by_relation(qs, name, value):
    if value == NONE:
        return qs.filter(**{f"{name}__isnull": True})
    if value:
        return qs.filter(**{f"{name}_id": int(value)})
    return qs


def report_customers(user, filters: ReportFilters):
    """The customers a table is about: the user's scope narrowed by the table's filters."""
    qs = Customer.objects.visible_to(user)
    qs = _by_relation(qs, "grade", filters.grade)
    qs = _by_relation(qs, "region", filters.region)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    for name in ("status", "category", "industry", "nature"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: "" if value == NONE else value})
    if filters.district == NONE:
        qs = qs.filter(district="")
    elif filters.district:
        qs = qs.filter(district__icontains=filters.district)
    return qs


# --- Count tables -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    """One row or column of a count table: the value in the data, how people read it, and
    the filter value that narrows a table to it."""

    key: object
    label: str
    param: str


class Dimension:
    """What a count table groups by: a field of Customer and the members to show."""

    filter_name = ""

    def __init__(self, field_name, header):
        self.field = field_name
        self.header = header

    def members(self, present) -> list[Member]:
        raise NotImplementedError


class GradeDimension(Dimension):
    """Every grade, as the paper form lists them, then the ungraded customers if any."""

    filter_name = "grade"

    def __init__(self):
        super().__init__("grade", _("Grade"))

    def members(self, present):
        members = [Member(g.pk, g.name, str(g.pk)) for g in Grade.objects.order_by("rank")]
        if None in present:
            members.append(Member(None, str(_("Ungraded")), NONE))
        return members


class RegionDimension(Dimension):
    """The org regions that have customers in the table, in the organisation's order."""

    filter_name = "region"

    def __init__(self):
        super().__init__("region", _("Region"))

    def members(self, present):
        ids = [k for k in present if k is not None]
        regions = OrgUnit.objects.filter(pk__in=ids).order_by("sort_order", "name") if ids else []
        members = [Member(r.pk, r.name, str(r.pk)) for r in regions]
        if None in present:
            members.append(Member(None, str(_("No region")), NONE))
        return members


class ChoiceDimension(Dimension):
    """A field with fixed choices: all of them, then "not filled in" if any is blank."""

    def __init__(self, field_name, header, choices):
        super().__init__(field_name, header)
        self.filter_name = field_name
        self.choices = choices

    def members(self, present):
        members = [Member(value, str(label), value) for value, label in self.choices]
        if "" in present:
            members.append(Member("", str(_("Not filled in")), NONE))
        return members


def grade_dimension():
    return GradeDimension()


def region_dimension():
    return RegionDimension()


def choice_dimension(name):
    fields = {
        "status": (_("Status"), Customer.Status.choices),
        "category": (_("Classification"), Customer.Category.choices),
        "industry": (_("Industry"), Customer.Industry.choices),
        "nature": (_("Enterprise nature"), Customer.Nature.choices),
    }
    header, choices = fields[name]
    return ChoiceDimension(name, header, choices)


@dataclass
class CountRow:
    member: Member
    cells: list  # the counts, one per column
    items: list  # (column member, count) pairs, for links to the customers behind a figure
    total: int
    share: int = 0  # per cent of the table's total, for the bar
    children: list = field(default_factory=list)


@dataclass
class CountTable:
    rows_by: Dimension
    cols_by: Dimension
    columns: list
    rows: list
    totals: list
    total: int
    caption: str = ""
    row_header: str = ""


def _row(member, columns, counts, total):
    cells = [counts.get(c.key, 0) for c in columns]
    row_total = sum(cells)
    share = round(100 * row_total / total) if total else 0
    return CountRow(member, cells, list(zip(columns, cells, strict=True)), row_total, share)


def count_table(qs, rows_by: Dimension, cols_by: Dimension, caption="") -> CountTable:
    """Customers counted by two dimensions in one GROUP BY query."""
    counts = defaultdict(dict)
    for item in qs.order_by().values(rows_by.field, cols_by.field).annotate(n=Count("pk")):
        counts[item[rows_by.field]][item[cols_by.field]] = item["n"]
    columns = cols_by.members({c for by_col in counts.values() for c in by_col})
    total = sum(n for by_col in counts.values() for n in by_col.values())
    rows = [_row(m, columns, counts.get(m.key, {}), total) for m in rows_by.members(set(counts))]
    totals = [sum(r.cells[i] for r in rows) for i in range(len(columns))]
    return CountTable(rows_by, cols_by, columns, rows, totals, total, str(caption),
                      str(rows_by.header))


def region_area_table(qs, cols_by: Dimension, caption="") -> CountTable:
    """Regions, each with its administrative areas (区/县) beneath it, in one GROUP BY."""
    counts = defaultdict(lambda: defaultdict(dict))
    for item in qs.order_by().values("region", "district", cols_by.field).annotate(n=Count("pk")):
        counts[item["region"]][item["district"]][item[cols_by.field]] = item["n"]
    present_cols = {c for areas in counts.values() for by_col in areas.values() for c in by_col}
    columns = cols_by.members(present_cols)
    total = sum(n for areas in counts.values() for by_col in areas.values()
                for n in by_col.values())
    rows = []
    for member in region_dimension().members(set(counts)):
        areas = counts[member.key]
        region_counts = defaultdict(int)
        for by_col in areas.values():
            for col, n in by_col.items():
                region_counts[col] += n
        row = _row(member, columns, region_counts, total)
        for area in sorted(areas, key=lambda a: (a == "", a)):
            area_member = Member(area, area or str(_("Not filled in")), area or NONE)
            row.children.append(_row(area_member, columns, areas[area], total))
        rows.append(row)
    totals = [sum(r.cells[i] for r in rows) for i in range(len(columns))]
    return CountTable(region_dimension(), cols_by, columns, rows, totals, total, str(caption),
                      str(_("Region / administrative area")))


def grade_summary(qs) -> CountTable:
    return count_table(qs, grade_dimension(), choice_dimension("status"),
                       _("Customers per grade, by status"))


def region_summary(qs, columns_by: str) -> CountTable:
    return count_table(qs, region_dimension(), _columns(columns_by), _("Customers per region"))


def region_area_summary(qs, columns_by: str) -> CountTable:
    return region_area_table(qs, _columns(columns_by),
                             _("Customers per region and administrative area"))


def _columns(columns_by):
    return choice_dimension("status") if columns_by == "status" else grade_dimension()


def classification_summaries(qs) -> list[CountTable]:
    """By classification (big / key / ordinary) against grade, industry and nature."""
    category = choice_dimension("category")
    return [
        count_table(qs, category, grade_dimension(), _("Classification by grade")),
        count_table(qs, choice_dimension("industry"), category, _("Classification by industry")),
        count_table(qs, choice_dimension("nature"), category,
                    _("Classification by enterprise nature")),
    ]


def key_customer_summary(qs) -> CountTable:
    big_and_key = ChoiceDimension("category", _("Classification"), [
        (c.value, c.label) for c in Customer.Category if c in KEY_CATEGORIES])
    return count_table(key_customers_only(qs), big_and_key, grade_dimension(),
                       _("Big and key customers by grade"))


# --- Lists ------------------------------------------------------------------------------------

def _choice_rank(name, values):
    """Order by a choice field in its declared order, not alphabetically."""
    return Case(*[When(**{name: v}, then=Value(i)) for i, v in enumerate(values)],
                default=Value(len(values)), output_field=IntegerField())


def _with_names(qs):
    return qs.select_related("grade", "owner", "region")


def grade_list(qs):
    return _with_names(qs).order_by(F("grade__rank").asc(nulls_last=True), "name_pinyin", "pk")


def region_list(qs):
    return _with_names(qs).order_by(F("region__sort_order").asc(nulls_last=True), "region_id",
                                    "district", "name_pinyin", "pk")


def classification_list(qs):
    return _with_names(qs).order_by(
        _choice_rank("category", Customer.Category.values),
        _choice_rank("industry", Customer.Industry.values),
        _choice_rank("nature", Customer.Nature.values), "name_pinyin", "pk")


def key_customers_only(qs):
    return qs.filter(category__in=KEY_CATEGORIES)


def key_customer_list(qs):
    """Big and key customers with their contact count and first key person (name, phone),
    each a correlated subquery, so a page is one query whatever its size."""
    contacts = Contact.objects.filter(customer=OuterRef("pk"), is_deleted=False)
    key_people = contacts.filter(Q(is_key_person=True) | Q(has_decision_power=True)).order_by(
        "-is_key_person", "-has_decision_power", "pk")
    count = contacts.order_by().values("customer").annotate(n=Count("pk")).values("n")
    phone = Case(When(mobile="", then=F("phone")), default=F("mobile"))
    return _with_names(key_customers_only(qs)).annotate(
        contacts_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        key_person_name=Subquery(key_people.values("name")[:1]),
        key_person_title=Subquery(key_people.values("title")[:1]),
        key_person_phone=Subquery(key_people.annotate(tel=phone).values("tel")[:1]),
    ).order_by(_choice_rank("category", KEY_CATEGORIES),
               F("grade__rank").asc(nulls_last=True), "name_pinyin", "pk")


# --- The registration form of one customer -------------------------------------------------------

def registration_customer(user, customer_id) -> Customer:
    """The customer if `user` may see it, else 404 (missing and forbidden look the same)."""
    return get_object_or_404(
        Customer.objects.visible_to(user).select_related(
            "grade", "owner", "owner_unit", "region", "created_by"),
        pk=customer_id,
    )


def registration_tags(customer):
    return [tag.name for tag in customer.tags.all()]


def registration_contacts(user, customer):
    """The key people: flagged key persons first, then those with decision power."""
    return list(Contact.objects.visible_to(user).filter(customer=customer).filter(
        Q(is_key_person=True) | Q(has_decision_power=True)).order_by(
        "-is_key_person", "-has_decision_power", "name", "pk"))


def registration_attachments(user, customer):
    return list(Attachment.objects.visible_to(user).filter(customer=customer)
                .order_by("created_at", "pk").values_list("original_name", flat=True))


def registration_candidates(user, text: str):
    """Customers to pick a registration form for: the archive's search, within scope."""
    qs = Customer.objects.visible_to(user)
    if text.strip():
        qs = qs.filter(search_condition(text.strip()))
    return _with_names(qs).order_by("name_pinyin", "pk")
