"""REST API of staff appraisal (SAL-10), read-only: the appraisals you see (appraisal.view;
refused → 404), with their KPIs, criteria and rewards and penalties."""

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema

from qiao.core.api import PageQuery, Ref, UserRef, error_responses, page_of, paged, record_id
from qiao.org.api_access import check

from . import selectors
from .actions import APPRAISAL_VIEW

router = Router(tags=["appraisal"])


class KpiOut(Schema):
    source: str
    label: str
    weight: int
    target: Decimal
    cap: int
    actual: Decimal | None = Field(description="As read when the appraisal was drafted; "
                                               "null: no data.")
    score: Decimal
    weighted: Decimal


class CriterionOut(Schema):
    dimension: str
    number: int
    text: str
    score: int | None


class LineOut(Schema):
    kind: str
    reason: str
    amount: Decimal | None
    points: Decimal | None


class AppraisalItem(Schema):
    id: int
    form: str = Field(description="kpi: a scheme's KPIs; sheet: the department manager's "
                                  "performance evaluation.")
    person: UserRef | None = Field(description="The appraised person; null for a unit.")
    unit: Ref | None
    period_kind: str
    period_start: date
    period_end: date
    evaluator: UserRef
    evaluated_on: date
    status: str
    score: Decimal
    points: Decimal
    final_score: Decimal


class AppraisalOut(AppraisalItem):
    evaluation: str
    comments: str
    kpis: list[KpiOut]
    criteria: list[CriterionOut]
    lines: list[LineOut]

    @staticmethod
    def resolve_kpis(obj):
        return list(obj.kpis.all())

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class AppraisalQuery(PageQuery):
    status: Literal["all", "draft", "submitted", "confirmed", "returned"] = "all"
    form: Literal["all", "kpi", "sheet"] = "all"


@router.get("/appraisals", response={200: paged(AppraisalItem), **error_responses()})
def appraisal_list(request, query: Query[AppraisalQuery]):
    """The appraisals you see (your own; your team's, region's…), latest period first."""
    check(request, APPRAISAL_VIEW)
    rows = selectors.appraisal_list(request.auth,
                                    status="" if query.status == "all" else query.status,
                                    form="" if query.form == "all" else query.form)
    return page_of(rows, query)


@router.get("/appraisals/{appraisal_id}", response={200: AppraisalOut, **error_responses()})
def appraisal_detail(request, appraisal_id: int = record_id()):
    check(request, APPRAISAL_VIEW)
    return selectors.appraisal_get(request.auth, appraisal_id)
