"""The ground of the "no edit loses data" tests (tests/test_no_data_loss.py and
tests/e2e/test_no_data_loss.py): a world of records with every field filled, and the edit pages
of the application found by walking the URL resolver — not listed by hand, so that a new edit
page is covered without anyone remembering to add it.

An edit page is a route whose GET renders a ModelForm of an existing record. Every route of the
resolver (admin, API and files aside) is opened as the world's people with the world's records
(each id tried on each route): a route that answers 404 to all of them could be an edit page of
something the world lacks, and fails `Discovery.check` until the world has a record for it. An
edit page whose model has no FILLERS entry, or whose record leaves a field of the form empty or
at its default, fails it too.
"""

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.forms.models import BaseModelForm
from django.template import Context
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from simple_history.models import HistoricalChanges

from qiao.appraisal import services as appraisal_services
from qiao.appraisal.models import Appraisal, Scorecard
from qiao.appraisal.periods import previous_period
from qiao.approvals import services as approval_services
from qiao.approvals.models import ApprovalRequest
from qiao.core.models import Clearance
from qiao.customers import privacy
from qiao.customers import services as customer_services
from qiao.customers import tabs as customer_tabs
from qiao.customers.models import ChecklistItem, Contact, Customer, CustomerEvent, Grade, PoolRule
from qiao.dataio import export_requests
from qiao.dataio import services as dataio_services
from qiao.notify.delivery.models import Webhook
from qiao.notify.inbox.models import Notification
from qiao.org import services as org_services
from qiao.promotions import services as promotion_services
from qiao.promotions.models import Campaign
from qiao.sales import bonus as sales_bonus
from qiao.sales import services as sales_services
from qiao.sales.models import (
    BonusKind,
    BonusLine,
    BonusRule,
    BonusTier,
    PriceList,
    SalesPlan,
    SalesReport,
)
from qiao.tickets import services as ticket_services
from qiao.tickets.models import AssignmentRule, CannedReply, Queue, SlaPolicy
from qiao.visits import intel as visit_intel
from qiao.visits import selectors as visit_selectors
from qiao.visits import services as visit_services
from qiao.visits import worklog
from qiao.visits.demo import ensure_hospitality_chain
from qiao.visits.models import HospitalityRequest, VisitRule, WorkReport
from qiao.workorders import services as work_order_services
from qiao.workorders.models import StageAttachment, WorkOrder

from .factories import make_contact, valid_credit_code, valid_id_number
from .promotions.factories import make_campaign, make_handout, make_recommendation
from .sales.factories import make_order, make_product
from .tickets.factories import make_ticket
from .visits.factories import make_visit
from .workorders.factories import make_approved_work_order

LANGUAGES = ("zh-hans", "en")
PDF = b"%PDF-1.4\n%%EOF\n"
_serial = itertools.count(1)


# --- records with every field filled ---------------------------------------------------------

@dataclass(frozen=True)
class Filler:
    """How the world fills one model. `editors`: who edits its record (the first opens the
    pages; the API test uses the last); `derived`: columns the services compute from the fields
    (a PATCH of a field may change them too); `second`: another valid value of every field the
    API lets a user set, for the PATCH test; `reopen`: puts the record back where its page
    edits it, when saving the page moves it on (a resubmitted request is returned again);
    `moves`: what that move writes by design (history of other tables), not counted as a change."""

    make: object
    editors: tuple
    second: object = None
    derived: frozenset = frozenset()
    reopen: object = None
    moves: frozenset = frozenset()

    def second_values(self, world, model):
        assert self.second is not None, (
            f"{model.__name__} has a PATCH route: give its FILLERS entry a second value of every "
            "field (tests/edit_pages.py)")
        return self.second(world)


def _today():
    return timezone.localdate()


def make_customer_full(world):
    am01 = world.personas["am01"]
    data = {
        "kind": Customer.Kind.INDIVIDUAL, "name": f"满填测试{next(_serial)}商行",
        "short_name": "满填商行", "credit_code": valid_credit_code(),
        "licence_no": "310115000123456", "licence_expiry": _today() + timedelta(days=1000),
        "legal_representative": "赵建国", "id_number": valid_id_number(7),
        "address": "上海市浦东新区张江路88号", "district": "上海市浦东新区",
        "region": world.region, "phone": "021-50123456", "fax": "021-50123457",
        "industry": Customer.Industry.CATERING, "nature": Customer.Nature.INDIVIDUAL,
        "staff_count": 120, "business_mode": Customer.BusinessMode.STEADY,
        "business_status": Customer.BusinessStatus.GROWING,
        "peer_position": Customer.PeerPosition.INFLUENTIAL,
        "peak_months": [1, 2, 11, 12], "off_months": [6, 7, 8],
        "main_products": "饮料、休闲食品", "bank": "中国工商银行上海张江支行",
        "bank_account": "6222020200112233445", "start_date": date(2015, 3, 9),
        "source": Customer.Source.REFERRAL, "notes": "老客户。\n每月初对账。",
        "owner": am01, "secret_level": Clearance.PUBLIC,
        "grade": Grade.objects.order_by("rank")[1], "category": Customer.Category.KEY,
    }
    # Registered by the supervisor: an account manager may not set a secret level.
    return customer_services.customer_create(actor=world.personas["sup1"], data=data,
                                             tags=world.personas.tags[:2])


def second_customer_values(world):
    tags = world.personas.tags
    return {
        "kind": Customer.Kind.ENTERPRISE, "name": f"改名测试{next(_serial)}有限公司",
        "short_name": "改名", "credit_code": valid_credit_code(), "licence_no": "310115000999999",
        "licence_expiry": str(_today() + timedelta(days=700)), "legal_representative": "钱多多",
        "id_number": valid_id_number(8), "address": "上海市徐汇区漕溪北路1号",
        "district": "上海市徐汇区", "region": world.personas.org.regions[1].pk,
        "phone": "13912345678", "fax": "021-60123456", "industry": Customer.Industry.RETAIL,
        "nature": Customer.Nature.STATE_OWNED, "staff_count": 80,
        "business_mode": Customer.BusinessMode.ACTIVE,
        "business_status": Customer.BusinessStatus.STABLE,
        "peer_position": Customer.PeerPosition.LEADER, "peak_months": [3, 4],
        "off_months": [9], "main_products": "乳制品", "bank": "中国银行",
        "bank_account": "6217000010001234567", "start_date": "2016-05-20",
        "source": Customer.Source.EXHIBITION, "notes": "换了对接人。",
        "owner": world.personas["am02"].pk, "secret_level": Clearance.INTERNAL,
        "tags": [tag.pk for tag in tags[2:4]],
    }


def make_contact_full(world):
    return customer_services.contact_create(
        actor=world.personas["am01"], customer=world.records[Customer], data={
            "name": "钱经理", "employer": "满填商行（总店）", "title": "采购经理",
            "is_key_person": True, "has_decision_power": True, "mobile": "13812345678",
            "phone": "021-50123458", "email": "qian@example.cn", "address": "上海市浦东新区",
            "birthday": date(1980, 4, 21), "education": Contact.Education.BACHELOR,
            "character": "爽快", "hobbies": "钓鱼、围棋", "background": "曾在批发市场工作。\n为人可靠。",
            "private_info": "孩子在市一中读高二。", "notes": "周一上午不便打扰。\n逢年过节问候。"})


def second_contact_values(world):
    return {
        "name": "孙主任", "employer": "满填商行（分店）", "title": "店长", "is_key_person": False,
        "has_decision_power": False, "mobile": "13698765432", "phone": "021-50999999",
        "email": "sun@example.cn", "address": "上海市闵行区", "birthday": "1975-10-01",
        "education": Contact.Education.MASTER, "character": "细致", "hobbies": "跑步",
        "background": "新来的店长。", "private_info": "刚搬家。", "notes": "喜欢邮件联系。",
    }


def make_work_order_full(world):
    return work_order_services.work_order_create(actor=world.personas["am01"], data={
        "customer": world.personas.customers["am01"][0],
        "kind": WorkOrder.Kind.NEW_CUSTOMER, "title": "夏季新品陈列",
        "content": "门店陈列与新品试吃。\n每周回访一次。", "departments": "市场部、创作部",
        "budget": Decimal("12345.67"), "deadline": _today() + timedelta(days=90)})


def second_work_order_values(world):
    return {"customer": world.personas.customers["am01"][1].pk,
            "kind": WorkOrder.Kind.EXISTING_CUSTOMER, "title": "秋季促销",
            "content": "换季促销。", "departments": "行政部", "budget": "800.50",
            "deadline": str(_today() + timedelta(days=120))}


def make_campaign_full(world):
    return promotion_services.campaign_create(
        actor=world.personas["brandmgr"], data={
            "name": "满填促销活动", "starts_on": _today() + timedelta(days=3),
            "ends_on": _today() + timedelta(days=40), "quota": 7,
            "lowest_grade_rank": Grade.objects.order_by("rank")[1].rank,
            "description": "端午节前的促销。\n每家限领一份。"},
        items=[("品牌台历", "本"), ("宣传海报", "张")])


def make_hospitality_full(world):
    """A hospitality request returned for changes: the requester may change it."""
    ensure_hospitality_chain()
    am01 = world.personas["am01"]
    request = visit_services.hospitality_request_create(
        actor=am01, customer=world.personas.customers["am01"][0], amount=Decimal("1888.00"),
        date=_today() + timedelta(days=5), guests="钱经理、孙主任", purpose="年度合作答谢。\n商谈新品。")
    return_hospitality(world, request.object_id)
    return HospitalityRequest.objects.get(pk=request.object_id)


def make_costed_hospitality(world):
    """An approved hospitality request of today with its actual cost and receipt (a file, no
    form)."""
    ensure_hospitality_chain()
    am01 = world.personas["am01"]
    approval = visit_services.hospitality_request_create(
        actor=am01, customer=world.personas.customers["am01"][0], amount=Decimal("600.00"),
        date=_today(), guests="周经理", purpose="新品推介后工作餐。")
    task = approval.tasks.get(state="waiting")
    approval_services.task_approve(actor=task.approver, task=task)
    return visit_services.hospitality_cost_record(
        actor=am01, hospitality=approval.subject, amount=Decimal("588.00"),
        receipt=SimpleUploadedFile("餐费发票.pdf", PDF), note="含茶水")


def return_hospitality(world, pk):
    """Send the request of HospitalityRequest `pk` back to its requester for changes."""
    request = ApprovalRequest.objects.get(type_code="hospitality", object_id=pk)
    task = request.tasks.get(state="waiting")
    approval_services.task_return(actor=task.approver, task=task, comment="请补充来宾名单")


def make_report_full(world):
    """Last month's sales analysis report, every section written and saved as a draft."""
    am01 = world.personas["am01"]
    report = sales_services.report_draft(am01, _today().replace(day=1) - timedelta(days=1))
    return sales_services.report_save(actor=am01, report=report, expected_version=report.version,
                                      data={"overview": "总体平稳。\n一类烟增长。",
                                            "problems": "两家客户回款慢。", "opinions": "希望增加送货次数。",
                                            "forecast": "节前备货，预计增长一成。",
                                            "forecast_amount": Decimal("123456.78")})


def make_plan_full(world):
    """This year's personal sales plan of am01: the quarters, the approach and two measures."""
    am01 = world.personas["am01"]
    plan = sales_services.plan_open(am01, _today().year)
    return sales_services.plan_save(
        actor=am01, plan=plan, expected_version=plan.version,
        data={"q1": Decimal("30000.00"), "q2": Decimal("35000.50"), "q3": Decimal("32000.00"),
              "q4": Decimal("40000.00"), "summary": "稳住老客户。\n开发两家新客户。"},
        measures=[{"text": "每周拜访三家重点客户", "due_on": _today(), "status": "open"},
                  {"text": "节前备货促销", "due_on": _today() + timedelta(days=30),
                   "status": "done"}])


def make_price_list_full(world):
    """A 价目表 for the top grade's visits, dated both ends, with a quantity break."""
    product = make_product("PL1", "100.00", "60.00")
    return sales_services.price_list_save(
        actor=world.personas["sup1"], price_list=None, data={
            "name": "一级客户拜访价目表", "valid_from": _today().replace(day=1),
            "valid_to": _today() + timedelta(days=90), "grade": Grade.objects.order_by(
                "rank").first(), "channel": "visit", "active": True, "note": "季度促销价"},
        lines=[{"product": product, "price": Decimal("95.50"), "min_quantity": 1},
               {"product": product, "price": Decimal("92.00"), "min_quantity": 50}])


def make_scorecard_full(world):
    """An appraisal scheme (of teams, monthly), every field filled."""
    from qiao.org.models import Role

    return appraisal_services.scorecard_save(
        actor=world.personas["sup1"], scorecard=None, data={
            "name": "重客组月度考核", "role": Role.objects.get(code="supervisor"),
            "subject": "unit", "period_kind": "month", "active": True,
            "note": "销售与回款并重"},
        kpis=[{"source": "net_sales", "weight": 60, "target": Decimal("30000.00"), "cap": 120},
              {"source": "collections", "weight": 40, "target": Decimal("25000.00"),
               "cap": 100}])


def make_appraisal_full(world):
    """Last quarter's appraisal of am01 by sup1, the evaluation and comments written."""
    sup1 = world.personas["sup1"]
    scheme = appraisal_services.scorecard_save(
        actor=sup1, scorecard=None, data={"name": "客户经理季度考核", "role": None,
                                          "subject": "person", "period_kind": "quarter",
                                          "active": True, "note": ""},
        kpis=[{"source": "net_sales", "weight": 100, "target": Decimal("30000.00")}])
    appraisal = appraisal_services.appraisal_draft(
        actor=sup1, scorecard=scheme, person=world.personas["am01"],
        day=previous_period("quarter", _today()))
    return appraisal_services.appraisal_save(
        actor=sup1, appraisal=appraisal, expected_version=appraisal.version,
        data={"evaluation": "完成良好。\n回款偏慢。", "comments": "下季度加强回款。"})


def make_work_report_full(world):
    """Yesterday's work log of am01, drafted and rewritten as a draft still to submit."""
    am01 = world.personas["am01"]
    report = worklog.report_draft(actor=am01, period="day", day=_today() - timedelta(days=1))
    return worklog.report_save(actor=am01, report=report, expected_version=report.version,
                               body="上午走访两家客户。\n下午整理订单。")


# In the order the world makes them (a contact needs the customer).
FILLERS = {
    Customer: Filler(make_customer_full, ("am01", "sup1"), second_customer_values,
                     frozenset({"name_normalized", "name_pinyin", "phone_normalized",
                                "search_text", "owner_unit"})),
    Contact: Filler(make_contact_full, ("am01", "sup1"), second_contact_values),
    WorkOrder: Filler(make_work_order_full, ("am01",), second_work_order_values),
    Campaign: Filler(make_campaign_full, ("brandmgr",)),
    HospitalityRequest: Filler(make_hospitality_full, ("am01",), reopen=return_hospitality,
                               moves=frozenset({"approvals.HistoricalApprovalRequest",
                                                "approvals.HistoricalApprovalTask"})),
    SalesReport: Filler(make_report_full, ("am01",)),
    SalesPlan: Filler(make_plan_full, ("am01",)),
    PriceList: Filler(make_price_list_full, ("sup1",)),
    Scorecard: Filler(make_scorecard_full, ("sup1",)),
    Appraisal: Filler(make_appraisal_full, ("sup1",)),
    WorkReport: Filler(make_work_report_full, ("am01",)),
}


@dataclass
class World:
    """Records with every field filled (one per FILLERS model), and records of every other kind
    a route may show, each with people who may open it: `filled` and `others`, [(username, id)]
    (the director too: some routes need more rights than an editor's, an export)."""

    personas: object
    region: object
    records: dict = field(default_factory=dict)
    filled: list = field(default_factory=list)
    others: list = field(default_factory=list)


def build_world(personas):
    """The world (its files go to MEDIA_ROOT: give the test a directory of its own)."""
    am01 = personas["am01"]
    world = World(personas, region=next(r for r in personas.org.regions
                                         if am01.unit.path.startswith(r.path)))
    for model, filler in FILLERS.items():
        record = filler.make(world)
        world.records[model] = type(record).objects.get(pk=record.pk)
        world.filled += [(username, record.pk) for username in (*filler.editors, "director")]
    _add_other_kinds(world)
    _add_admin_settings(world)
    return world


def _add_other_kinds(world):
    """An attachment, an approved work order with a file, a recommendation and its receipt, the
    approval requests and notifications they raise, an import run, and a member of staff."""
    personas = world.personas
    am01 = personas["am01"]
    customer = world.records[Customer]
    attachment = customer_services.attachment_add(
        actor=am01, customer=customer, upload=SimpleUploadedFile("营业执照.pdf", PDF))
    approved = make_approved_work_order(am01, personas.customers["am01"][0])
    stage_file = StageAttachment.objects.get(record__work_order=approved)
    recommendation = make_recommendation(am01, personas.customers["am01"][1],
                                         campaign=make_campaign())
    handout = make_handout(recommendation)
    import_run = dataio_services.import_upload(
        actor=am01, importer="customers",
        upload=SimpleUploadedFile("客户.csv", "客户名称\n某公司\n".encode(), "text/csv"))
    ticket = make_ticket(am01, personas.customers["am01"][0], product="硬盒中华", batch="B2611",
                         reporter_name="王店长", reporter_phone="13812345678")
    call, _new = ticket_services.call_record(actor=am01, data={
        "direction": "in", "phone": "13812345678", "customer": personas.customers["am01"][0],
        "started_at": timezone.now(), "duration": 60, "summary": "来电询问到货"})
    visit = make_visit(am01, personas.customers["am01"][0], commitments=[
        ("下周补送畅销品", _today() + timedelta(days=7))])
    schedule, _proposed = visit_services.schedule_propose(actor=am01,
                                                          week_start=visit_selectors.next_week())
    order = make_order(am01, personas.customers["am01"][0], note="月初补货")
    # An unlicensed-trading report from the visit, with its photo (its page, no edit form).
    unlicensed = visit_intel.report_submit(
        actor=am01, visit=visit, place="解放路 18 号", operator="无名小卖部",
        description="柜台下私售卷烟", observed_on=visit.visited_on,
        photo=SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"))
    export = export_requests.request_create(
        actor=am01, list_name="customers:export_xlsx", path="/customers/export/xlsx/", query="",
        title="客户列表", filters=[], fmt="xlsx", rows=201)
    personal_data = privacy.request_create(actor=am01, customer=personas.customers["am01"][0],
        contact=make_contact(personas.customers["am01"][0], am01, name="李四"),
        kind="export", reason="本人来电申请，已核对身份")
    receipt = sales_services.receipt_post(actor=am01, customer=personas.customers["am01"][0],
                                          amount=Decimal("100.00"), method="cash",
                                          received_on=_today())
    make_costed_hospitality(world)
    # This month's draft bonus run (its page and am01's line: read-only pages, no form).
    rule = BonusRule.objects.create(effective_from=_today().replace(day=1),
                                    monthly_first=Decimal("1000.00"), note="奖金规则")
    BonusTier.objects.create(rule=rule, completion_from=Decimal(80), rate=Decimal(1))
    bonus_run, _made = sales_bonus.run_draft(BonusKind.MONTH, _today())
    bonus_line = BonusLine.objects.get(run=bonus_run, manager=am01)
    pks = [bonus_run.pk, bonus_line.pk,
           attachment.pk, approved.pk, stage_file.pk, recommendation.pk, handout.pk,
           recommendation.campaign_id, import_run.pk, ticket.pk, call.pk, visit.pk, order.pk,
           receipt.pk, schedule.pk, export.pk, personal_data.pk, unlicensed.pk,
           visit.commitments.get().pk,
           *ApprovalRequest.objects.filter(requester=am01).values_list("pk", flat=True)]
    world.others += [(username, pk) for pk in pks for username in ("am01", "director")]
    notification = Notification.objects.order_by("pk").first()
    world.others += [(notification.recipient.username, notification.pk), ("sup1", am01.pk)]


def _add_admin_settings(world):
    """What administrators configure, for the admin's change pages: a pool rule, a checklist
    item, a group robot (switched off: nothing is ever sent to it), a visit rule."""
    PoolRule.objects.create(region=world.region, daily_claim_limit=3, max_owned=200,
                            reclaim_idle_days=60, reclaim_offboarded=False)
    ChecklistItem.objects.create(to_status=Customer.Status.ONBOARDED, label="核对营业执照",
                                 help_text="原件与复印件一致", required=False, order=2)
    queue = Queue.objects.create(name="投诉组", supervisor=world.personas["sup1"])
    queue.members.add(world.personas["agent01"])
    SlaPolicy.objects.create(name="重大投诉", kind="complaint", severity="major",
                             first_response_hours="2.5", resolution_hours=16, warn_hours=1,
                             grade=Grade.objects.order_by("rank").first())
    AssignmentRule.objects.create(order=20, name="华东区售后", kind="after_sales",
                                  region=world.region, product_contains="陈列柜", queue=queue,
                                  assignee=world.personas["agent01"])
    CannedReply.objects.create(title="致歉", kind="complaint", body="非常抱歉。\n我们已受理。")
    Webhook.objects.create(name="华东区客户群", unit=world.region,
                           platform=Webhook.Platform.DINGTALK,
                           url="https://oapi.dingtalk.com/robot/send?access_token=test",
                           secret="SEC-test", active=False)
    VisitRule.objects.create(grade=Grade.objects.order_by("rank")[0], category="key",
                             frequency_days=10, method="phone", tasks=["collect", "price"],
                             training=True)


# --- finding the edit pages ------------------------------------------------------------------

SKIPPED_PREFIXES = ("admin/", "api/", settings.STATIC_URL.lstrip("/"),
                    settings.MEDIA_URL.lstrip("/"))
NOT_FOUND = 404


def password_reset_link(world):
    return org_services.user_password_reset_link(actor=world.personas["admin"],
                                                 user=world.personas["am01"])


def calendar_feed_link(world):
    """am01's calendar feed (.ics, a file, no form)."""
    feed = visit_services.feed_issue(actor=world.personas["am01"])
    return reverse("visits:feed", args=[feed.token])


# Routes whose arguments are tokens rather than ids: how to make a real address for each.
TOKEN_ROUTES = {"org:password_reset": password_reset_link, "visits:feed": calendar_feed_link}
# Routes with words among their arguments, and the words they take: each is tried as a route
# with ids only is.
WORD_ARGS = {"customers:detail_tab": {"tab": [tab.code for tab in customer_tabs.TABS]}}


@dataclass(frozen=True)
class EditPage:
    route: str
    url: str
    model: type
    pk: int
    fields: tuple  # the form's field names, as posted (with its prefix)

    def __str__(self):
        return f"{self.route} ({self.model.__name__} #{self.pk})"


def routes():
    """[(name, URLPattern)] of every route of the resolver, admin, API and files aside."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern),
                     ":".join(filter(None, [namespace, p.namespace])) or None)
            elif isinstance(p, URLPattern) and p.name and \
                    not (prefix + str(p.pattern)).startswith(SKIPPED_PREFIXES):
                found.append((f"{namespace}:{p.name}" if namespace else p.name, p))

    walk(get_resolver().url_patterns, "", None)
    return found


def model_forms(response):
    """The ModelForms of existing records that the response's templates rendered."""
    found = {}
    contexts = response.context
    for context in [contexts] if isinstance(contexts, Context) else contexts or ():
        for scope in context.dicts:
            for value in scope.values():
                if isinstance(value, BaseModelForm) and value.instance.pk is not None:
                    found[id(value)] = value
    return list(found.values())


@dataclass
class Discovery:
    pages: list = field(default_factory=list)
    unclassified: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def check(self):
        assert not self.unclassified, (
            "Routes that answered 404 to every record of the test world — each may be an edit "
            "page of something the world lacks: give tests/edit_pages.py a record for it: "
            + ", ".join(self.unclassified))
        assert not self.problems, "\n".join(self.problems)


def discover(world) -> Discovery:
    found = Discovery()
    clients = {}

    def get(username, url):
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(world.personas[username])
        return clients[username].get(url)

    for name, pattern in routes():
        kwargs = pattern.pattern.converters
        if name in TOKEN_ROUTES:  # a page for someone not logged in, reached by its link
            response = Client().get(TOKEN_ROUTES[name](world), follow=True)
            for form in model_forms(response):
                _found_page(found, world, name, response.request["PATH_INFO"], form, None)
            continue
        words = WORD_ARGS.get(name, {})
        ids = [k for k, c in kwargs.items() if isinstance(c, IntConverter)]
        if len(ids) + len(words) != len(kwargs):
            # Nothing to try but a guess: it must refuse GET (405) to be known not to be a page.
            dummy = {k: 1 if isinstance(c, IntConverter) else "x" for k, c in kwargs.items()}
            if get("am01", reverse(name, kwargs=dummy)).status_code != 405:
                found.unclassified.append(name)
            continue
        # Without arguments: a page of one's own (a profile?) as a few people. With ids: the
        # filled records, each of which may be the one the route edits, then the others until
        # one answers (a record of another kind shows whether the route is an edit page too).
        attempts = [(u, None) for u in ("am01", "sup1", "brandmgr", "admin")] if not ids else \
            world.filled + world.others
        answered = False
        variants = itertools.product(*words.values())
        for fixed in [dict(zip(words, combo, strict=True)) for combo in variants]:
            for index, (username, pk) in enumerate(attempts):
                if answered and index >= len(world.filled):
                    break
                url = reverse(name, kwargs={**dict.fromkeys(ids, pk), **fixed})
                response = get(username, url)
                answered |= response.status_code != NOT_FOUND
                for form in model_forms(response):
                    _found_page(found, world, name, url, form, username)
        if not answered:
            found.unclassified.append(name)
    return found


def _found_page(found, world, route, url, form, username):
    model = type(form.instance)
    page = EditPage(route, url, model, form.instance.pk,
                    tuple(form.add_prefix(name) for name in form.fields))
    if page in found.pages:
        return
    if model not in FILLERS:
        found.problems.append(f"{page}: an edit page of {model.__name__}, which "
                              "tests/edit_pages.py cannot fill: add it to FILLERS")
        return
    if world.records.get(model) is None or world.records[model].pk != page.pk:
        return  # another record of a known model (not filled): the filled one is tried too
    if username != FILLERS[model].editors[0]:
        return
    found.problems += [f"{page}: {problem}" for problem in unfilled(form)]
    found.pages.append(page)


def _is_empty(value):
    return value is None or value is False or value == "" or (
        isinstance(value, list | tuple) and not value)


def unfilled(form):
    """The fields of `form` that its record leaves empty or at the model's default."""
    problems = []
    opts = form.instance._meta
    names = {f.name for f in opts.get_fields() if getattr(f, "concrete", False)
             or isinstance(f, models.ManyToManyField)}
    for name in form.fields:
        if name not in names or form[name].is_hidden:
            continue  # a form-only field (a confirmation box), or bookkeeping (the version)
        model_field = opts.get_field(name)
        value = model_field.value_from_object(form.instance)
        default = model_field.get_default() if model_field.concrete else None
        if _is_empty(value):
            problems.append(f"field {name} is empty: fill it in tests/edit_pages.py")
        elif not _is_empty(default) and value == default:
            problems.append(f"field {name} has its default value {default!r}: set another")
    return problems


# --- what an edit may not change -------------------------------------------------------------

def row(model, pk):
    """Every concrete column and many-to-many of the record, as the database has them."""
    instance = model._base_manager.get(pk=pk)
    values = model._base_manager.filter(pk=pk).values().get()
    for m2m in model._meta.many_to_many:
        values[m2m.name] = sorted(getattr(instance, m2m.name).values_list("pk", flat=True))
    return values


def written_elsewhere():
    """How many history rows (of every model) and timeline events there are."""
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()
              if issubclass(m, HistoricalChanges)}
    counts["timeline"] = CustomerEvent.objects.count()
    return counts


def written_since(elsewhere: dict, model) -> dict:
    """What the save of a `model` page wrote elsewhere since `elsewhere` (written_elsewhere()),
    but for what its move writes by design (Filler.moves)."""
    return {table: counts for table, counts in differences(elsewhere, written_elsewhere()).items()
            if table not in FILLERS[model].moves}


def differences(before: dict, after: dict) -> dict:
    return {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys()
            if before.get(k) != after.get(k)}


# --- a form as a browser sends it ------------------------------------------------------------

class _FormParser(HTMLParser):
    """The <form> elements of a page with their controls: {"tag", "attrs", "options", "text"}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._control = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "controls": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            self._control = {"tag": tag, "attrs": attrs, "options": [], "text": ""}
            self._form["controls"].append(self._control)
        elif tag == "option" and self._control is not None:
            self._control["options"].append(attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag in ("select", "textarea"):
            self._control = None

    def handle_data(self, data):
        if self._control is not None and self._control["tag"] == "textarea":
            self._control["text"] += data


def _sanitized(input_type, value):
    """HTML's value sanitization: a date or number input shows what it cannot read as empty,
    and sends it empty."""
    if input_type == "date":
        try:
            return value if len(value) == 10 and date.fromisoformat(value) else ""
        except ValueError:
            return ""
    if input_type == "number":
        return value if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", value) else ""
    return value


def _is_submit(control):
    default = "submit" if control["tag"] == "button" else "text"
    return control["tag"] in ("input", "button") and \
        control["attrs"].get("type", default).lower() in ("submit", "image")


def _entries(control):
    """What one control adds to the form data set, as a browser builds it."""
    tag, attrs = control["tag"], control["attrs"]
    name = attrs.get("name")
    if not name or "disabled" in attrs or tag == "button":
        return []
    if tag == "textarea":
        text = control["text"].removeprefix("\n")  # the parser drops the first line break
        return [(name, text.replace("\r\n", "\n").replace("\n", "\r\n"))]
    if tag == "select":
        options = [o for o in control["options"] if "disabled" not in o]
        chosen = [o for o in options if "selected" in o]
        if not chosen and "multiple" not in attrs:
            chosen = options[:1]
        return [(name, o.get("value", "")) for o in chosen]
    input_type = attrs.get("type", "text").lower()
    if input_type in ("checkbox", "radio"):
        return [(name, attrs.get("value", "on"))] if "checked" in attrs else []
    if input_type in ("file", "reset", "button", "submit", "image"):
        return []
    return [(name, _sanitized(input_type, attrs.get("value", "")))]


def browser_post_data(html: str, field_names) -> tuple[str, list]:
    """(action, [(name, value)]) of the form holding `field_names`, as a browser submits it
    unchanged with its first submit button: disabled controls and unticked boxes left out, a
    select without a selected option sending its first, text areas with CRLF line breaks."""
    parser = _FormParser()
    parser.feed(html)
    form = next(f for f in parser.forms
                if set(field_names) & {c["attrs"].get("name") for c in f["controls"]})
    data = [entry for control in form["controls"] for entry in _entries(control)]
    button = next((c for c in form["controls"] if _is_submit(c)), None)
    if button is not None and button["attrs"].get("name"):
        data.append((button["attrs"]["name"], button["attrs"].get("value", "")))
    return form["attrs"].get("action") or "", data


def save_unchanged(client, page, language):
    """Open the page and send its form back unchanged; the response to the POST."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    response = client.get(page.url, **headers)
    assert response.status_code == 200, f"{page}: GET answered {response.status_code}"
    action, data = browser_post_data(response.content.decode(), page.fields)
    body = {}
    for name, value in data:
        body.setdefault(name, []).append(value)
    return client.post(urljoin(page.url, action), body, **headers)
