"""C01, the access matrix: every route of the URL resolver × every persona.

Every route must be classified in ROUTES below; a route that is not fails
`test_every_route_is_classified` until someone says what it shows and which action it needs.
Then, for each persona:

* out of scope (another manager's, another team's, another region's, a pool out of reach):
  every object route answers 404 to GET and POST, writes nothing, and no response of the
  persona's — not even a list, a search or a duplicate check — carries the record's name,
  credit code, contact or file name;
* in scope: 200 for a role that has the route's action, 404 for one that has not (refused
  actions are hidden like missing records), and the writes (delete, restore…) really work;
* lists and searches show exactly the visible customers and count only them;
* no response but a reveal carries a phone, mobile, ID or bank number, or a contact's private
  text, in clear — not even to the record's own manager (C04: masked until revealed).

The reference for who sees what is written out here from the handbooks (SEES), not derived
from `visible_to`, so the matrix checks the code against the rule, not against itself.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from itertools import product

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from qiao.appraisal import services as appraisal_services
from qiao.appraisal.actions import APPRAISAL_MANAGE, APPRAISAL_VIEW
from qiao.appraisal.models import Appraisal
from qiao.appraisal.periods import previous_period
from qiao.approvals import services as approval_services
from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.approvals.models import ApprovalRequest, Delegation
from qiao.audit.actions import AUDIT_VIEW
from qiao.audit.models import OperationLog
from qiao.core.registry import scopes
from qiao.customers import services
from qiao.customers.actions import (
    ATTACHMENT_UPLOAD,
    CONTACT_EDIT,
    CUSTOMER_CREATE,
    CUSTOMER_DELETE,
    CUSTOMER_EDIT,
    CUSTOMER_EXPORT,
    CUSTOMER_GRADE,
    CUSTOMER_HISTORY,
    CUSTOMER_LIFECYCLE,
    CUSTOMER_REASSIGN,
    CUSTOMER_RESTORE,
    CUSTOMER_VIEW,
    PERSONAL_DATA,
    POOL_CLAIM,
)
from qiao.customers.models import Attachment, Contact, Customer, CustomerEvent, PersonalDataRequest
from qiao.customers.tabs import TABS
from qiao.dataio import services as dataio_services
from qiao.dataio.actions import DATA_BACKUP, DATA_IMPORT
from qiao.dataio.models import ExportRequest, ImportRun
from qiao.notify import services as notify_services
from qiao.notify.models import Notification
from qiao.org.actions import API_USE, FIELD_REVEAL
from qiao.promotions.actions import PROMOTION_MANAGE, PROMOTION_RECOMMEND
from qiao.promotions.models import Campaign, Handout, Recommendation
from qiao.reports.actions import REPORT_VIEW
from qiao.sales import bonus as sales_bonus
from qiao.sales import services as sales_services
from qiao.sales.actions import SALES_MANAGE, SALES_POST, SALES_VIEW
from qiao.sales.models import (
    AnnualTarget,
    ArrearsEscalation,
    BonusKind,
    BonusLine,
    BonusRule,
    BonusTier,
    CreditFile,
    CustomerMonth,
    DunningAction,
    ManagerCost,
    ManagerMonth,
    Order,
    PaymentPromise,
    Product,
    ProductMonth,
    Receipt,
    SalesPlan,
    SalesReport,
    SalesReturn,
    SalesTarget,
)
from qiao.tickets import services as ticket_services
from qiao.tickets.actions import TICKET_ASSIGN, TICKET_HANDLE
from qiao.tickets.models import Call, Ticket
from qiao.visits import intel as visit_intel
from qiao.visits import selectors as visit_selectors
from qiao.visits import services as visit_services
from qiao.visits import worklog
from qiao.visits.actions import HOSPITALITY_BUDGET, INTEL_HANDLE, VISIT_EXPORT, VISIT_RECORD
from qiao.visits.demo import ensure_hospitality_chain
from qiao.visits.models import (
    Commitment,
    GoingOut,
    HospitalityBudget,
    ScheduledVisit,
    UnlicensedPhoto,
    UnlicensedReport,
    Visit,
    VisitSchedule,
    WorkReport,
)
from qiao.workorders.models import StageAttachment, WorkOrder

from .conftest import PASSWORD, ROLES
from .factories import make_contact, make_customer, valid_id_number
from .promotions.factories import make_handout, make_recommendation
from .sales.factories import make_order
from .tickets.factories import make_ticket
from .visits.factories import make_visit
from .workorders.factories import make_approved_work_order

# --- what every route is ---------------------------------------------------------------------

PUBLIC = "public"              # no login needed (login, logout, language, health)
DESK = "desk"                  # the start page (工作台): widgets of the user's scope; an
                               # administrator without customers is sent to the admin
LIST = "list"                  # a list, search or table within the user's scope
EXPORT = "export"              # a file made from a list within the user's scope
CREATE = "create"              # a form for a new record
CUSTOMER = "customer"          # one live customer, by its id
DELETED_CUSTOMER = "deleted_customer"  # one customer in the recycle bin
CONTACT = "contact"            # one live contact
DELETED_CONTACT = "deleted_contact"
ATTACHMENT = "attachment"
STAFF = "staff"                # a member of staff (the bucket's account manager), by user id
APPROVAL = "approval"          # an approval request raised by the bucket's account manager
NOTIFICATION = "notification"  # a notification in the inbox of the bucket's account manager
DELEGATION = "delegation"      # the bucket's account manager's delegation while away
WORK_ORDER = "work_order"      # an approved work order for the bucket's customer (in "proposal")
WORK_ORDER_FILE = "work_order_file"  # the file of that work order's briefing record
CAMPAIGN = "campaign"          # the brand manager's campaign the bucket's customer is in
RECOMMENDATION = "recommendation"  # the bucket's customer recommended (and confirmed) for it
HANDOUT = "handout"            # the signed receipt of the goods handed out to that customer
IMPORT_RUN = "import_run"      # the bucket's account manager's import of a customer sheet
EXPORT_REQUEST = "export_request"  # the bucket's account manager's approved export of orders
PERSONAL_DATA_COPY = "personal_data_copy"  # the manager's approved copy of a contact's data
TICKET = "ticket"              # a service ticket on the bucket's customer (the director's)
CALL = "call"                  # a call about the bucket's customer the director took
VISIT = "visit"                # the bucket's account manager's signed visit record of its customer
COMMITMENT = "commitment"      # an open commitment made on that visit
ORDER = "order"                # a sales order of the bucket's customer (posted by the director)
RECEIPT = "receipt"            # a receipt from the bucket's customer (posted by the director)
REPORT = "report"              # the bucket's account manager's monthly sales analysis report
PLAN = "plan"                  # the bucket's account manager's personal sales plan of the year
SCHEDULE = "schedule"          # the bucket's account manager's visit schedule of next week
WORK_REPORT = "work_report"    # the bucket's account manager's draft work log of today
GOING_OUT = "going_out"        # the bucket's account manager's going-out registration (out now)
HOSPITALITY_RECEIPT = "hospitality_receipt"  # the manager's approved hospitality request whose
                               # actual cost is recorded with a receipt (its approval request)
UNLICENSED = "unlicensed"      # the bucket's account manager's unlicensed-trading report (photo)
APPRAISAL = "appraisal"        # the director's appraisal of the bucket's account manager
SCHEME = "scheme"              # the appraisal scheme (one, shared: not scoped)
BONUS_RUN = "bonus_run"        # this month's draft bonus run (one, shared: its lines are scoped)
BONUS_LINE = "bonus_line"      # the bucket's account manager's line of that run
PRICE_LIST = "price_list"      # a price list (价目表; one, shared: not scoped)
SECRET_LINK = "secret_link"    # no login, a secret token in the URL (a calendar feed): a wrong
                               # token answers 404 to anyone
OWN = "own"                    # an action on the user's own work, naming no record (tested in
                               # its app: the monthly report's "open mine")
OBJECT_KINDS = (CUSTOMER, DELETED_CUSTOMER, CONTACT, DELETED_CONTACT, ATTACHMENT, STAFF, APPROVAL,
                NOTIFICATION, DELEGATION, WORK_ORDER, WORK_ORDER_FILE, CAMPAIGN, RECOMMENDATION,
                HANDOUT, IMPORT_RUN, VISIT, COMMITMENT, TICKET, CALL, ORDER, RECEIPT, REPORT,
                PLAN, SCHEDULE, APPRAISAL, SCHEME, EXPORT_REQUEST, PERSONAL_DATA_COPY, BONUS_RUN,
                BONUS_LINE, WORK_REPORT, GOING_OUT, HOSPITALITY_RECEIPT, PRICE_LIST, UNLICENSED)
GET, POST = ("GET",), ("POST",)
BOTH = ("GET", "POST")


@dataclass(frozen=True)
class Route:
    kind: str
    actions: tuple = ()       # every one of them is needed (a missing one answers 404)
    methods: tuple = GET      # what the view accepts; other methods answer 405
    kwarg: str = "pk"         # the URL's name for the record's id
    writes: bool = False      # a valid POST changes the record (run once, at the end)
    extra: tuple = ()         # other URL arguments, as (name, value) pairs
    owned_only: bool = False  # refused (404) on a customer in the public pool, even in scope
    pool_only: bool = False   # only a customer in a public pool the persona works in (POOL_WORKERS)
    requester_only: bool = False  # the requester's own action: 404 to anyone else who sees it
    shared: bool = False      # shown to everyone with the actions, whatever the bucket (a campaign)
    ok: int = 200             # the answer to an allowed GET (302: it sends the user on)

    def url(self, name, pk=None):
        kwargs = dict(self.extra)
        if pk is not None:
            kwargs[self.kwarg] = pk
        return reverse(name, kwargs=kwargs)

    def urls(self, name, pk):
        """The record's URLs with the actions each needs: for the customer page's tab route,
        one per tab, which needs the tab's action too."""
        if "tab" not in dict(self.extra):
            return [(self.url(name, pk), self.actions)]
        return [(reverse(name, kwargs={**dict(self.extra), self.kwarg: pk, "tab": tab.code}),
                 tuple({*self.actions, tab.action})) for tab in TABS]


ROUTES = {
    "home": Route(DESK),
    "login": Route(PUBLIC, methods=BOTH),
    "logout": Route(PUBLIC, methods=POST),
    "set_language": Route(PUBLIC, methods=POST),
    "health": Route(PUBLIC),
    # customers
    "customers:list": Route(LIST, (CUSTOMER_VIEW,)),
    "customers:duplicate_check": Route(LIST, (CUSTOMER_VIEW,)),
    "customers:recycle_bin": Route(LIST, (CUSTOMER_RESTORE,)),
    "customers:export_xlsx": Route(EXPORT, (CUSTOMER_VIEW, CUSTOMER_EXPORT)),
    "customers:export_csv": Route(EXPORT, (CUSTOMER_VIEW, CUSTOMER_EXPORT)),
    "customers:create": Route(CREATE, (CUSTOMER_CREATE,), BOTH),
    "customers:detail": Route(CUSTOMER, (CUSTOMER_VIEW,), BOTH),
    "customers:detail_tab": Route(CUSTOMER, (CUSTOMER_VIEW,), BOTH,
                                  extra=(("tab", "contacts"),)),
    "customers:edit": Route(CUSTOMER, (CUSTOMER_EDIT,), BOTH),
    "customers:history": Route(CUSTOMER, (CUSTOMER_HISTORY,), BOTH),
    "customers:grade": Route(CUSTOMER, (CUSTOMER_GRADE,), POST),
    "customers:transition": Route(CUSTOMER, (CUSTOMER_LIFECYCLE,), POST),
    "customers:follow_up": Route(CUSTOMER, (CUSTOMER_EDIT,), POST),
    "customers:delete": Route(CUSTOMER, (CUSTOMER_DELETE,), POST, writes=True),
    "customers:restore": Route(DELETED_CUSTOMER, (CUSTOMER_RESTORE,), POST, writes=True),
    "customers:contact_create": Route(CUSTOMER, (CONTACT_EDIT,), BOTH),
    "customers:personal_data_new": Route(CUSTOMER, (PERSONAL_DATA,), BOTH),
    "customers:personal_data": Route(LIST, (PERSONAL_DATA,)),
    "customers:personal_data_download": Route(PERSONAL_DATA_COPY, (PERSONAL_DATA,),
                                              requester_only=True),
    "customers:attachment_upload": Route(CUSTOMER, (ATTACHMENT_UPLOAD,), POST),
    "customers:contact_edit": Route(CONTACT, (CONTACT_EDIT,), BOTH),
    "customers:contact_delete": Route(CONTACT, (CONTACT_EDIT,), POST, writes=True),
    "customers:contact_restore": Route(DELETED_CONTACT, (CUSTOMER_RESTORE,), POST,
                                       writes=True),
    "customers:attachment_download": Route(ATTACHMENT, (CUSTOMER_VIEW,)),
    "customers:attachment_delete": Route(ATTACHMENT, (ATTACHMENT_UPLOAD,), POST, writes=True),
    # one masked value in clear (ORG-4): logged, so only POST; a pool customer's stay masked
    # until someone claims it
    "customers:reveal": Route(CUSTOMER, (FIELD_REVEAL,), POST, owned_only=True,
                              extra=(("model", "customer"), ("field", "phone"))),
    # reports (customer tables)
    "reports:index": Route(LIST, (REPORT_VIEW,)),
    "reports:grades": Route(LIST, (REPORT_VIEW,)),
    "reports:regions": Route(LIST, (REPORT_VIEW,)),
    "reports:at_risk": Route(LIST, (REPORT_VIEW,)),
    "reports:classification": Route(LIST, (REPORT_VIEW,)),
    "reports:key_customers": Route(LIST, (REPORT_VIEW,)),
    "reports:registration_pick": Route(LIST, (REPORT_VIEW,)),
    "reports:grades_export": Route(EXPORT, (REPORT_VIEW, CUSTOMER_EXPORT)),
    "reports:regions_export": Route(EXPORT, (REPORT_VIEW, CUSTOMER_EXPORT)),
    "reports:classification_export": Route(EXPORT, (REPORT_VIEW, CUSTOMER_EXPORT)),
    "reports:key_customers_export": Route(EXPORT, (REPORT_VIEW, CUSTOMER_EXPORT)),
    "reports:registration": Route(CUSTOMER, (REPORT_VIEW,), BOTH, kwarg="customer_id"),
    "reports:registration_export": Route(CUSTOMER, (REPORT_VIEW, CUSTOMER_EXPORT), BOTH,
                                         kwarg="customer_id"),
    # operation log (AUD-2): the entries of the users in scope
    "audit:log": Route(LIST, (AUDIT_VIEW,)),
    # public pool (CUS-11) and handover (ORG-6)
    "customers:pool": Route(LIST, (POOL_CLAIM,)),
    "customers:pool_claim": Route(CUSTOMER, (POOL_CLAIM,), POST, pool_only=True, writes=True),
    "customers:pool_release": Route(CUSTOMER, (CUSTOMER_VIEW,), POST),
    "customers:handover": Route(LIST, (CUSTOMER_REASSIGN,)),
    "customers:handover_user": Route(STAFF, (CUSTOMER_REASSIGN,), BOTH, kwarg="user_id"),
    # personal API tokens (DAT-3): the user's own, listed and made on one page
    "org:api_tokens": Route(CREATE, (API_USE,), BOTH),
    # one's own password (login only); an administrator's one-time reset link (no login: a
    # wrong or used link is a page saying so)
    "org:password_change": Route(CREATE, (), BOTH),
    "org:password_reset": Route(PUBLIC, methods=BOTH,
                                extra=(("uidb64", "MQ"), ("token", "not-a-token"))),
    # one's own second factor (login only): the set-up (a QR code of a new secret of one's
    # own); its page, the verification and new recovery codes (tests/security/test_second_factor.py)
    "org:second_factor_setup": Route(CREATE, (), BOTH),
    "org:second_factor": Route(OWN),
    "org:second_factor_verify": Route(OWN, methods=BOTH),
    "org:second_factor_recovery_codes": Route(OWN, methods=POST),
    # approvals (APR-1): a request is seen by its requester, its approvers and those whose scope
    # covers the requester; acting on it is the current approver's (or requester's) alone, so
    # an empty or not-yours POST is refused (400 / 409) and changes nothing
    "approvals:waiting": Route(LIST),
    "approvals:mine": Route(LIST),
    "visits:hospitality_new": Route(CREATE, (APPROVAL_REQUEST,), BOTH),
    # the actual cost of a hospitality request is recorded by its requester alone; its receipt
    # is seen with the request; the monthly budgets are set for the managers in one's scope
    "visits:hospitality_cost": Route(APPROVAL, (APPROVAL_REQUEST,), BOTH, requester_only=True),
    "visits:hospitality_receipt": Route(HOSPITALITY_RECEIPT, (APPROVAL_REQUEST,)),
    "visits:hospitality_budgets": Route(LIST, (HOSPITALITY_BUDGET,), BOTH),
    "approvals:detail": Route(APPROVAL),
    "approvals:decide": Route(APPROVAL, (), POST),
    "approvals:withdraw": Route(APPROVAL, (), POST, writes=True, requester_only=True),
    "approvals:resubmit": Route(APPROVAL, (), POST, writes=True, requester_only=True),
    # delegations while away: one's own, made and ended by oneself alone
    "approvals:delegations": Route(CREATE, (), BOTH),
    "approvals:delegation_end": Route(DELEGATION, (), POST, writes=True, requester_only=True),
    # work orders (APR-2): seen with their customer; changed and submitted by their author alone
    # (an approved one's edit page sends the author back to it), stages recorded by anyone who
    # sees it and raises requests
    "workorders:list": Route(LIST, (APPROVAL_REQUEST,)),
    "workorders:new": Route(CREATE, (APPROVAL_REQUEST,), BOTH),
    "workorders:detail": Route(WORK_ORDER, (APPROVAL_REQUEST,)),
    "workorders:edit": Route(WORK_ORDER, (APPROVAL_REQUEST,), BOTH, requester_only=True, ok=302),
    "workorders:submit": Route(WORK_ORDER, (APPROVAL_REQUEST,), POST, requester_only=True),
    "workorders:stage_record": Route(WORK_ORDER, (APPROVAL_REQUEST,), POST),
    "workorders:attachment": Route(WORK_ORDER_FILE, (APPROVAL_REQUEST,)),
    # promotions (PRM-1): a campaign is its brand manager's (not a persona here: his actions
    # answer 404 to everyone else) and is shown to every recommender, with only the
    # recommendations of customers they see; a recommendation and its receipt are seen by those
    # who see the customer
    "promotions:list": Route(LIST, (PROMOTION_RECOMMEND,)),
    "promotions:create": Route(CREATE, (PROMOTION_MANAGE,), BOTH),
    "promotions:detail": Route(CAMPAIGN, (PROMOTION_RECOMMEND,), shared=True),
    "promotions:recommend": Route(CAMPAIGN, (PROMOTION_RECOMMEND,), BOTH, shared=True),
    "promotions:edit": Route(CAMPAIGN, (PROMOTION_MANAGE,), BOTH, requester_only=True),
    "promotions:open": Route(CAMPAIGN, (PROMOTION_MANAGE,), POST, requester_only=True),
    "promotions:confirm_list": Route(CAMPAIGN, (PROMOTION_MANAGE,), POST, requester_only=True),
    "promotions:close": Route(CAMPAIGN, (PROMOTION_MANAGE,), POST, requester_only=True),
    "promotions:decide": Route(RECOMMENDATION, (PROMOTION_MANAGE,), POST, requester_only=True),
    "promotions:handout": Route(RECOMMENDATION, (PROMOTION_RECOMMEND,), BOTH),
    "promotions:receipt": Route(HANDOUT, (PROMOTION_RECOMMEND,)),
    "promotions:signature": Route(HANDOUT, (PROMOTION_RECOMMEND,)),
    # the inbox (NTF-1): login only; a notification is its recipient's alone, even for those
    # who see the recipient's customers
    "notify:inbox": Route(LIST, (), BOTH),
    "notify:open": Route(NOTIFICATION, (), GET, requester_only=True, ok=302),
    # imports (DAT-1): one's own runs only, even for those who see the importer's customers
    "dataio:index": Route(CREATE, (DATA_IMPORT,), BOTH),
    "dataio:detail": Route(IMPORT_RUN, (DATA_IMPORT,), BOTH, requester_only=True),
    "dataio:errors_xlsx": Route(IMPORT_RUN, (DATA_IMPORT,), requester_only=True),
    # backups (DAT-4): the administrator's alone; an empty POST asks nothing (400), no archive
    # is ever downloaded from the web
    "dataio:backups": Route(CREATE, (DATA_BACKUP,), BOTH),
    "dataio:exports": Route(LIST, (APPROVAL_REQUEST,)),
    # The file is made by the orders' export as the requester (who holds sales.view).
    "dataio:export_download": Route(EXPORT_REQUEST, (APPROVAL_REQUEST,), requester_only=True),
    # the service desk (TKT): a ticket is seen by those who see its customer, its assignee and
    # its queue's members (none here); handling needs ticket.handle, assigning and the case
    # library ticket.assign; an empty POST is refused (400) and changes nothing
    "tickets:list": Route(LIST, (TICKET_HANDLE,)),
    "tickets:export_xlsx": Route(EXPORT, (TICKET_ASSIGN,)),
    "tickets:export_csv": Route(EXPORT, (TICKET_ASSIGN,)),
    "tickets:new": Route(CREATE, (TICKET_HANDLE,), BOTH),
    "tickets:cases": Route(LIST, (TICKET_HANDLE,)),
    "tickets:analysis": Route(LIST, (TICKET_ASSIGN,)),
    "tickets:detail": Route(TICKET, (TICKET_HANDLE,)),
    **{f"tickets:{step}": Route(TICKET, (TICKET_HANDLE,), POST)
       for step in ("reply", "note", "resolve", "close", "reopen", "take", "wait", "resume")},
    "tickets:assign": Route(TICKET, (TICKET_ASSIGN,), POST),
    # the call centre (CC-1, CC-4): a call is seen by its agent, those whose scope holds the
    # agent, and those who see its customer; the statistics need ticket.assign
    "tickets:call_list": Route(LIST, (TICKET_HANDLE,)),
    "tickets:call_incoming": Route(CREATE, (TICKET_HANDLE,), BOTH),
    "tickets:call_statistics": Route(LIST, (TICKET_ASSIGN,)),
    "tickets:call_detail": Route(CALL, (TICKET_HANDLE,)),
    "tickets:call_choose": Route(CALL, (TICKET_HANDLE,), POST),
    "tickets:call_ticket": Route(CALL, (TICKET_HANDLE,), POST),
    "tickets:case": Route(TICKET, (TICKET_ASSIGN,), POST),
    # visits (VIS-3…5): a visit record and its commitments are seen with their customer; a
    # commitment is kept or cancelled by anyone who sees it and records visits
    "visits:list": Route(LIST, (VISIT_RECORD,)),
    "visits:export_xlsx": Route(EXPORT, (VISIT_RECORD, VISIT_EXPORT)),
    "visits:export_csv": Route(EXPORT, (VISIT_RECORD, VISIT_EXPORT)),
    "visits:new": Route(CREATE, (VISIT_RECORD,), BOTH),
    "visits:detail": Route(VISIT, (VISIT_RECORD,)),
    "visits:signature": Route(VISIT, (VISIT_RECORD,)),
    "visits:commitments": Route(LIST, (VISIT_RECORD,)),
    "visits:fulfil": Route(COMMITMENT, (VISIT_RECORD,), POST, writes=True),
    "visits:cancel": Route(COMMITMENT, (VISIT_RECORD,), POST),
    # sales and credit (SAL, CRD): orders, receipts and credit files are seen with their
    # customer; figures are the managers' in scope; posting needs sales.post, targets, costs
    # and reversals sales.manage; an empty POST is refused (400) and changes nothing
    "sales:home": Route(LIST, (SALES_VIEW,)),
    "sales:dashboard": Route(LIST, (SALES_VIEW,)),
    "sales:dashboard_rows": Route(LIST, (SALES_VIEW,)),
    "sales:orders": Route(LIST, (SALES_VIEW,)),
    "sales:export_xlsx": Route(EXPORT, (SALES_VIEW,)),
    "sales:export_csv": Route(EXPORT, (SALES_VIEW,)),
    "sales:order_new": Route(CREATE, (SALES_POST,), BOTH),
    "sales:order": Route(ORDER, (SALES_VIEW,)),
    **{f"sales:order_{step}": Route(ORDER, (SALES_POST,), POST)
       for step in ("deliver", "cancel", "return")},
    "sales:receipt_new": Route(CREATE, (SALES_POST,), BOTH),
    "sales:receipt_reverse": Route(RECEIPT, (SALES_MANAGE,), BOTH),
    "sales:credit_new": Route(CUSTOMER, (SALES_POST,), BOTH, kwarg="customer_id"),
    "sales:dunning_new": Route(CUSTOMER, (SALES_POST,), BOTH, kwarg="customer_id"),
    "sales:targets": Route(LIST, (SALES_MANAGE,), BOTH),
    "sales:cost_new": Route(CREATE, (SALES_MANAGE,), BOTH),
    "sales:reports": Route(LIST, (SALES_VIEW,)),
    "sales:report_open": Route(OWN, (SALES_POST,), POST),
    "sales:report": Route(REPORT, (SALES_VIEW,), BOTH),
    "sales:report_review": Route(REPORT, (SALES_MANAGE,), POST),
    "sales:bonus_runs": Route(LIST, (SALES_VIEW,)),
    "sales:bonus_run": Route(BONUS_RUN, (SALES_VIEW,), shared=True),
    "sales:bonus_recompute": Route(BONUS_RUN, (SALES_MANAGE,), POST, shared=True),
    "sales:bonus_confirm": Route(BONUS_RUN, (SALES_MANAGE,), POST, shared=True),
    "sales:bonus_line": Route(BONUS_LINE, (SALES_VIEW,)),
    "sales:target_split": Route(LIST, (SALES_MANAGE,), BOTH),
    "sales:plans": Route(LIST, (SALES_VIEW,)),
    "sales:plan_open": Route(OWN, (SALES_POST,), POST),
    "sales:plan": Route(PLAN, (SALES_VIEW,), BOTH),
    "sales:plan_review": Route(PLAN, (SALES_MANAGE,), POST),
    "sales:plan_margin": Route(PLAN, (SALES_MANAGE,), POST),
    "sales:price_lists": Route(LIST, (SALES_VIEW,)),
    "sales:price_list_new": Route(CREATE, (SALES_MANAGE,), BOTH),
    "sales:price_list": Route(PRICE_LIST, (SALES_VIEW,), shared=True),
    "sales:price_list_edit": Route(PRICE_LIST, (SALES_MANAGE,), BOTH, shared=True),
    "sales:price_list_export": Route(PRICE_LIST, (SALES_VIEW,), shared=True),
    "sales:order_prices": Route(LIST, (SALES_POST,)),
    "sales:monthly": Route(LIST, (SALES_VIEW,)),
    "sales:groups": Route(LIST, (SALES_VIEW,)),
    "sales:seasonal": Route(LIST, (SALES_VIEW,)),
    "sales:arrears": Route(LIST, (SALES_VIEW,)),
    **{f"sales:{name}": Route(LIST, (SALES_VIEW,)) for name in (
        "annual", "products", "costs", "profit", "comparison", "customer_comparison",
        "cumulative", "customer_cumulative", "industry_growth", "product_growth")},
    # visit schedules (VIS-2): one's own week and month (proposed when opened), the team's
    # week; a schedule is seen by its manager and whoever's scope covers the manager (the
    # supervisor, who comments); edited and submitted by its manager alone
    "visits:schedule": Route(LIST, (VISIT_RECORD,)),
    "visits:schedule_month": Route(LIST, (VISIT_RECORD,)),
    "visits:schedule_team": Route(LIST, (VISIT_RECORD,)),
    "visits:schedule_feed": Route(CREATE, (VISIT_RECORD,), BOTH),
    "visits:schedule_detail": Route(SCHEDULE, (VISIT_RECORD,)),
    "visits:schedule_edit": Route(SCHEDULE, (VISIT_RECORD,), POST, requester_only=True),
    "visits:schedule_submit": Route(SCHEDULE, (VISIT_RECORD,), POST, requester_only=True),
    "visits:schedule_comment": Route(SCHEDULE, (VISIT_RECORD,), POST),
    # Market intelligence (issue 12 item 9): a report is seen like a schedule (its reporter
    # and whoever's scope covers them); passed on and closed by those holding intel_handle
    "visits:intel_reports": Route(LIST, (VISIT_RECORD,)),
    "visits:intel_competitors": Route(LIST, (VISIT_RECORD,)),
    "visits:intel_new": Route(CREATE, (VISIT_RECORD,), BOTH),
    "visits:intel_detail": Route(UNLICENSED, (VISIT_RECORD,)),
    "visits:intel_photo": Route(UNLICENSED, (VISIT_RECORD,)),
    "visits:intel_pass_on": Route(UNLICENSED, (VISIT_RECORD, INTEL_HANDLE), POST),
    "visits:intel_handle": Route(UNLICENSED, (VISIT_RECORD, INTEL_HANDLE), POST),
    "visits:feed": Route(SECRET_LINK, extra=(("token", "not-a-token"),)),
    # Work logs and summaries, going out (issue 12 item 10): seen by the author and whoever's
    # scope covers the author (the supervisor, who comments); written by the author alone.
    "visits:work_reports": Route(LIST, (VISIT_RECORD,)),
    "visits:work_report_new": Route(CREATE, (VISIT_RECORD,), BOTH),
    "visits:work_report": Route(WORK_REPORT, (VISIT_RECORD,)),
    "visits:work_report_edit": Route(WORK_REPORT, (VISIT_RECORD,), BOTH, requester_only=True),
    "visits:work_report_submit": Route(WORK_REPORT, (VISIT_RECORD,), POST, requester_only=True),
    "visits:work_report_comment": Route(WORK_REPORT, (VISIT_RECORD,), POST),
    "visits:going_out": Route(LIST, (VISIT_RECORD,)),
    "visits:going_out_new": Route(CREATE, (VISIT_RECORD,), BOTH),
    "visits:going_out_return": Route(GOING_OUT, (VISIT_RECORD,), POST, requester_only=True,
                                     writes=True),
    # Visit coverage (拜访覆盖率) and a manager's drill-down; the three seed tables (CUS-10).
    "visits:coverage": Route(LIST, (VISIT_RECORD,)),
    "visits:coverage_manager": Route(STAFF, (VISIT_RECORD,)),
    "visits:contacts_table": Route(LIST, (VISIT_RECORD,)),
    "visits:contacts_table_export": Route(EXPORT, (VISIT_RECORD, VISIT_EXPORT)),
    "visits:visits_table": Route(LIST, (VISIT_RECORD,)),
    "visits:visits_table_export": Route(EXPORT, (VISIT_RECORD, VISIT_EXPORT)),
    "visits:hospitality_table": Route(LIST, (VISIT_RECORD,)),
    "visits:hospitality_table_export": Route(EXPORT, (VISIT_RECORD, VISIT_EXPORT)),
    # staff appraisal (SAL-10): an appraisal is seen by the appraised and whoever's scope
    # covers the person or unit; written and submitted by its evaluator, confirmed or returned
    # by another holding appraisal.manage; an empty POST is refused (400) and changes nothing.
    # Schemes are the department's (shared), set by those holding appraisal.manage.
    "appraisal:list": Route(LIST, (APPRAISAL_VIEW,)),
    "appraisal:export_xlsx": Route(EXPORT, (APPRAISAL_VIEW,)),
    "appraisal:export_csv": Route(EXPORT, (APPRAISAL_VIEW,)),
    "appraisal:new": Route(CREATE, (APPRAISAL_MANAGE,), BOTH),
    "appraisal:detail": Route(APPRAISAL, (APPRAISAL_VIEW,), BOTH),
    "appraisal:line_add": Route(APPRAISAL, (APPRAISAL_MANAGE,), POST),
    "appraisal:line_remove": Route(APPRAISAL, (APPRAISAL_MANAGE,), POST),
    "appraisal:submit": Route(APPRAISAL, (APPRAISAL_MANAGE,), POST),
    "appraisal:review": Route(APPRAISAL, (APPRAISAL_MANAGE,), POST),
    "appraisal:scorecards": Route(LIST, (APPRAISAL_MANAGE,)),
    "appraisal:scorecard_new": Route(CREATE, (APPRAISAL_MANAGE,), BOTH),
    "appraisal:scorecard_edit": Route(SCHEME, (APPRAISAL_MANAGE,), BOTH, shared=True),
    "appraisal:ranking": Route(LIST, (APPRAISAL_VIEW,)),
}

# The REST API has its own matrix, its routes taken from the OpenAPI schema (tests/api).
SKIPPED_PREFIXES = ("admin/", "api/", settings.STATIC_URL.lstrip("/"), settings.MEDIA_URL.lstrip("/"))


def resolver_routes():
    """{name: pattern} of every route the URL resolver serves, admin and static files aside."""
    found = {}

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                if pattern.lstrip("^").startswith(SKIPPED_PREFIXES):
                    continue
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                found[name or f"<unnamed {pattern}>"] = pattern

    walk(get_resolver().url_patterns, "", None)
    return found


# Every model registered in core.registry.scopes, and the kinds of routes that read it through
# its visible_to(user): the matrix then checks who sees it. A model registered without a kind
# here fails test_every_scoped_model_is_in_the_matrix until routes of the matrix read it.
SCOPED_MODELS = {
    Customer: (CUSTOMER, DELETED_CUSTOMER),
    Contact: (CONTACT, DELETED_CONTACT),
    Attachment: (ATTACHMENT,),
    CustomerEvent: (CUSTOMER,),  # the customer page's timeline tab (every tab is opened)
    ApprovalRequest: (APPROVAL,),
    Notification: (NOTIFICATION,),
    WorkOrder: (WORK_ORDER,),
    StageAttachment: (WORK_ORDER_FILE,),
    Campaign: (CAMPAIGN,),
    Recommendation: (RECOMMENDATION,),
    Handout: (HANDOUT,),
    OperationLog: (LIST,),  # the log page (audit:log), checked for out-of-scope names
    ImportRun: (IMPORT_RUN,),
    ExportRequest: (EXPORT_REQUEST,),
    PersonalDataRequest: (PERSONAL_DATA_COPY, LIST),  # and on customers:personal_data
    Ticket: (TICKET,),
    Call: (CALL,),
    Visit: (VISIT,),
    Commitment: (COMMITMENT,),
    HospitalityBudget: (LIST,),  # the budget page: the managers of one's scope
    Order: (ORDER,),
    SalesReturn: (ORDER,),  # listed on the order's page
    Receipt: (RECEIPT,),
    CustomerMonth: (CUSTOMER,),  # the customer page's sales tab
    CreditFile: (CUSTOMER,),
    DunningAction: (CUSTOMER,),  # the sales tab and the dunning page
    PaymentPromise: (CUSTOMER,),
    ArrearsEscalation: (CUSTOMER,),
    ManagerMonth: (LIST,),  # the sales figures and statistics
    ProductMonth: (LIST,),  # the product statistics
    ManagerCost: (LIST,),
    SalesTarget: (LIST,),
    SalesReport: (REPORT,),
    BonusLine: (BONUS_LINE,),
    SalesPlan: (PLAN,),
    AnnualTarget: (LIST,),  # the annual target split (sales:target_split)
    VisitSchedule: (SCHEDULE,),
    ScheduledVisit: (SCHEDULE,),  # its lines, on the schedule's page
    WorkReport: (WORK_REPORT, LIST),
    GoingOut: (GOING_OUT, LIST),  # the list and the desk's "out now"
    UnlicensedReport: (UNLICENSED, LIST),
    UnlicensedPhoto: (UNLICENSED,),
    Appraisal: (APPRAISAL, LIST),  # its page; the list and the ranking
}


def test_every_scoped_model_is_in_the_matrix():
    registered = {entry.model for entry in scopes}
    unread = sorted(m.__name__ for m in registered - set(SCOPED_MODELS))
    assert not unread, ("Models with a registered scope that the access matrix does not read: "
                        f"say in SCOPED_MODELS which routes' kinds do — {unread}")
    assert not set(SCOPED_MODELS) - registered, "SCOPED_MODELS lists models without a scope"
    kinds = {route.kind for route in ROUTES.values()}
    for model, model_kinds in SCOPED_MODELS.items():
        assert model_kinds and set(model_kinds) <= kinds & {*OBJECT_KINDS, LIST}, model


def test_every_route_is_classified():
    found = resolver_routes()
    unclassified = sorted(set(found) - set(ROUTES))
    assert not unclassified, (
        "Routes missing from ROUTES in tests/test_access_matrix.py — classify each (kind, "
        "actions, methods) so that the access matrix covers it: "
        + "; ".join(f"{name} ({found[name]})" for name in unclassified))
    gone = sorted(set(ROUTES) - set(found))
    assert not gone, f"ROUTES lists routes the resolver no longer has: {gone}"


# --- who sees what, and may do what (the reference) ------------------------------------------

EAST, NORTH = "pool:华东区", "pool:华北区"
# The records the matrix points at: a teammate's, another team's, another region's, the call
# centre's, and two public pools.
SAMPLE = ("am01", "am02", "am03", "am05", "agent01", "qa01", EAST, NORTH)
EAST_MANAGERS = {"am01", "am02", "am03", "am04"}


def sees(persona, bucket):
    """Does `persona` see the records of `bucket` (an account manager's or a pool)?"""
    if persona in ("director", "deptmgr"):
        return True
    if persona == "region1":
        return bucket in EAST_MANAGERS | {EAST}
    if persona == "sup1":
        return bucket in {"am01", "am02"}
    if persona in ("am01", "am02", "am03", "agent01", "qa01"):
        return bucket == persona
    return False  # admin (no business data), leaver (disabled)


# Who works in which public pool (the region above their unit; the department manager and the
# director in every region's), whatever their data scope: the pool page shows those customers.
POOL_WORKERS = {EAST: {"director", "deptmgr", "region1", "sup1", "am01", "am02", "am03"},
                NORTH: {"director", "deptmgr"}}


def works_in_pool(persona, bucket):
    return persona in POOL_WORKERS.get(bucket, ())


ROUTE_ACTIONS = {a for r in ROUTES.values() for a in r.actions}
_AM = {CUSTOMER_VIEW, CUSTOMER_CREATE, CUSTOMER_EDIT, CUSTOMER_LIFECYCLE,
       CUSTOMER_HISTORY, CONTACT_EDIT, ATTACHMENT_UPLOAD, REPORT_VIEW, FIELD_REVEAL,
       POOL_CLAIM, API_USE, APPROVAL_REQUEST, PROMOTION_RECOMMEND, DATA_IMPORT, VISIT_RECORD,
       TICKET_HANDLE, SALES_VIEW, SALES_POST, APPRAISAL_VIEW, PERSONAL_DATA}
_SUP = _AM | {CUSTOMER_GRADE, CUSTOMER_DELETE, CUSTOMER_RESTORE, CUSTOMER_EXPORT,
              CUSTOMER_REASSIGN, VISIT_EXPORT, TICKET_ASSIGN, SALES_MANAGE, APPRAISAL_MANAGE,
              HOSPITALITY_BUDGET}
_MGR = _SUP | {AUDIT_VIEW}
_TOP = _MGR | {PROMOTION_MANAGE, INTEL_HANDLE}
MAY = {"director": _TOP, "deptmgr": _TOP, "region1": _MGR | {INTEL_HANDLE}, "sup1": _MGR,
       "am01": _AM, "am02": _AM,
       "am03": _AM, "agent01": {CUSTOMER_VIEW, TICKET_HANDLE, PERSONAL_DATA}, "qa01": {CUSTOMER_VIEW},
       "admin": {API_USE, DATA_BACKUP},
       "leaver": set()}
# Where a persona's writes are tried (one bucket in scope, when there is one).
HOME = {"director": "am05", "deptmgr": "qa01", "region1": "am03", "sup1": "am02", "am01": "am01",
        "am02": "am02", "am03": "am03", "agent01": "agent01", "qa01": "qa01"}

PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class Records:
    customer: Customer
    deleted_customer: Customer
    contact: Contact
    deleted_contact: Contact
    attachment: Attachment
    staff: object = None  # the bucket's account manager (None for a pool)
    approval: object = None  # a hospitality request the manager raised (None without one)
    notification: object = None  # one in the manager's inbox (None for a pool)
    delegation: object = None  # the manager's delegation while away (None for a pool)
    work_order: object = None  # an approved work order of the manager's (None without one)
    work_order_file: object = None
    campaign: object = None  # a confirmed campaign with the manager's customer (None without)
    recommendation: object = None
    handout: object = None
    import_run: object = None  # the manager's import of a sheet naming the bucket's customer
    visit: object = None  # the manager's visit record of the customer (None without one)
    commitment: object = None
    ticket: object = None  # a service ticket the director registered on the bucket's customer
    order: object = None  # a sales order the director posted for the bucket's customer
    receipt: object = None  # a receipt the director posted from the bucket's customer
    report: object = None  # the manager's draft monthly sales analysis report (None for a pool)
    schedule: object = None  # the manager's next week's visit schedule, the customer on it
    appraisal: object = None  # the director's appraisal of the manager (None without one)
    scheme: object = None  # the appraisal scheme (the same for every bucket)
    export_request: object = None  # the manager's approved export of their orders (C07)
    personal_data_copy: object = None  # the manager's approved copy of a contact's data (C22)
    bonus_run: object = None  # this month's draft bonus run (the same for every bucket)
    bonus_line: object = None  # the manager's line in it (None for a pool)
    plan: object = None  # the manager's personal sales plan of the year (None for a pool)
    work_report: object = None  # the manager's draft work log of today (None for a pool)
    going_out: object = None  # the manager's going-out registration, out now (None for a pool)
    hospitality_receipt: object = None  # the approval of the manager's costed hospitality
    price_list: object = None  # a general price list (the same for every bucket)
    call: object = None  # a call about the bucket's customer the director took
    unlicensed: object = None  # the manager's unlicensed-trading report, with a photo

    def of_kind(self, kind):
        return getattr(self, kind)

    @property
    def clear_values(self):
        """Sensitive values that no page may show in clear, to anyone (C04)."""
        return {self.customer.phone, self.customer.id_number, self.customer.bank_account,
                self.contact.mobile, self.contact.private_info}

    @property
    def secrets(self):
        """What must never reach someone who cannot see these records."""
        return {self.customer.name, self.customer.credit_code, self.deleted_customer.name,
                self.deleted_customer.credit_code, self.contact.name, self.deleted_contact.name,
                self.attachment.original_name, self.commitment and self.commitment.text,
                self.ticket and self.ticket.subject, self.call and self.call.summary,
                self.order and self.order.note,
                self.report and self.report.problems, self.plan and self.plan.summary,
                self.appraisal and self.appraisal.evaluation,
                self.work_report and self.work_report.body,
                self.going_out and self.going_out.place,
                self.unlicensed and self.unlicensed.description}


@pytest.fixture
def matrix(personas, settings, tmp_path):
    """For each bucket of SAMPLE: a live customer with a contact, a deleted contact and an
    attachment, and a customer in the recycle bin — all made through the services."""
    settings.MEDIA_ROOT = tmp_path
    ensure_hospitality_chain()
    director = personas["director"]
    regions = {r.name: r for r in personas.org.regions}
    records = {}
    scheme = appraisal_services.scorecard_save(
        actor=director, scorecard=None, data={"name": "矩阵考核方案", "role": None,
                                              "subject": "person", "period_kind": "quarter",
                                              "active": True, "note": ""},
        kpis=[{"source": "net_sales", "weight": 100, "target": Decimal("1000.00")}])
    last_quarter = previous_period("quarter", timezone.localdate())
    for i, bucket in enumerate(SAMPLE):
        owner = None if bucket.startswith("pool:") else personas[bucket]
        region = regions[bucket[5:]] if owner is None else None
        if bucket in ("agent01", "qa01"):
            personas.customers[bucket] = [make_customer(owner, actor=director)]
        customer = personas.customers[bucket][0]
        deleted = make_customer(owner, actor=director, region=region, name=f"矩阵已删客户{i}号")
        services.customer_delete(actor=director, customer=deleted)
        customer = services.customer_update(
            actor=director, customer=customer, expected_version=customer.version,
            data={"phone": f"1391234{i:04d}", "id_number": valid_id_number(i),
                  "bank_account": f"6222 0210 0100 {i:04d}"})
        personas.customers[bucket][0] = customer
        contact = make_contact(customer, director, name=f"矩阵联系人{i}号",
                               mobile=f"1380013{i:04d}", private_info=f"矩阵私人资料{i}号")
        old_contact = make_contact(customer, director, name=f"矩阵旧联系人{i}号")
        services.contact_delete(actor=director, contact=old_contact)
        attachment = services.attachment_add(
            actor=director, customer=customer,
            upload=SimpleUploadedFile(f"矩阵附件{i}号.pdf", PDF, "application/pdf"))
        approval = None
        if owner is not None and owner.username.startswith("am"):
            approval = visit_services.hospitality_request_create(
                actor=owner, customer=customer, amount=Decimal("800.00"), date=date(2026, 12, 1),
                guests="矩阵客人", purpose="矩阵招待")
        notification = None
        if owner is not None:
            [notification] = notify_services.notify(
                recipients=[owner], kind="matrix", title=f"矩阵提醒{i}号",
                url=f"/customers/{customer.pk}/")
        delegation = None
        if owner is not None:
            away = timezone.localdate() + timedelta(days=30)
            delegation = approval_services.delegation_set(
                actor=owner, delegate=director, starts_on=away, ends_on=away + timedelta(days=5))
        work_order = work_order_file = None
        if approval is not None:
            work_order = make_approved_work_order(owner, customer)
            work_order_file = StageAttachment.objects.get(record__work_order=work_order)
        recommendation = handout = None
        if approval is not None:
            recommendation = make_recommendation(owner, customer)
            handout = make_handout(recommendation)
            recommendation.refresh_from_db()
        import_run = None
        if approval is not None:
            import_run = dataio_services.import_upload(
                actor=owner, importer="customers", upload=SimpleUploadedFile(
                    f"矩阵导入{i}号.csv", f"客户名称\n{customer.name}\n".encode(), "text/csv"))
        ticket = make_ticket(director, customer, subject=f"矩阵服务单{i}号")
        visit = commitment = None
        if approval is not None:
            visit = make_visit(owner, customer, commitments=[
                (f"矩阵承诺{i}号", timezone.localdate() + timedelta(days=7))])
            commitment = visit.commitments.get()
        order = make_order(director, customer, note=f"矩阵订单{i}号")
        receipt = sales_services.receipt_post(actor=director, customer=customer,
                                              amount=Decimal("100.00"), method="cash",
                                              received_on=timezone.localdate())
        # Collection (CRD-3): shown on the customer's sales tab and the arrears list.
        sales_services.dunning_record(
            actor=director, customer=customer, method="phone", acted_on=timezone.localdate(),
            result=f"矩阵催缴{i}号", promise_amount=Decimal("100.00"),
            promise_due=timezone.localdate() + timedelta(days=7))
        report = None
        if approval is not None:
            report = sales_services.report_draft(owner, timezone.localdate())
            report.problems = f"矩阵报告{i}号"
            report.save()
        schedule = None
        if approval is not None:
            schedule, _created = visit_services.schedule_propose(
                actor=owner, week_start=visit_selectors.next_week())
            if not schedule.items.filter(customer=customer).exists():  # (its commitment)
                schedule = visit_services.schedule_edit(
                    actor=owner, schedule=schedule, expected_version=schedule.version,
                    change=visit_services.ScheduleChange(add=[(customer, next(iter(
                        visit_selectors.working_days(schedule.week_start))))]))
        appraisal = None
        if approval is not None:
            appraisal = appraisal_services.appraisal_draft(
                actor=director, scorecard=scheme, day=last_quarter, person=owner)
            appraisal = appraisal_services.appraisal_save(
                actor=director, appraisal=appraisal, data={"evaluation": f"矩阵考核{i}号"},
                expected_version=appraisal.version)
        records[bucket] = Records(customer, deleted, contact, old_contact, attachment, owner,
                                  approval, notification, delegation, work_order, work_order_file,
                                  recommendation and recommendation.campaign, recommendation,
                                  handout, import_run, visit, commitment, ticket, order, receipt,
                                  report, schedule, appraisal, scheme)
        records[bucket].call, _new = ticket_services.call_record(actor=director, data={
            "direction": "in", "phone": customer.phone, "customer": customer,
            "started_at": timezone.now(), "duration": 120, "summary": f"矩阵来电{i}号"})
        if approval is not None:
            records[bucket].export_request = ExportRequest.objects.create(
                requester=owner, list_name="sales:export_xlsx", path="/sales/orders/export/xlsx/",
                title="订单", fmt="xlsx", rows=10_000, state=ExportRequest.State.APPROVED,
                expires_at=timezone.now() + timedelta(days=7))
            plan = sales_services.plan_open(owner, timezone.localdate().year)
            plan.summary = f"矩阵计划{i}号"
            plan.save()
            records[bucket].plan = plan
            report = worklog.report_draft(actor=owner, period="day", day=timezone.localdate())
            records[bucket].work_report = worklog.report_save(
                actor=owner, report=report, expected_version=report.version,
                body=f"矩阵日志{i}号")
            records[bucket].going_out = worklog.going_out_register(
                actor=owner, place=f"矩阵外出{i}号", purpose="拜访客户",
                leaves_at=timezone.now(), until=timezone.now() + timedelta(hours=2))
            records[bucket].hospitality_receipt = costed_hospitality(owner, customer)
            records[bucket].unlicensed = visit_intel.report_submit(
                actor=owner, visit=visit, place=f"矩阵路{i}号", operator="", observed_on=visit.visited_on,
                description=f"矩阵无证经营{i}号", photo=SimpleUploadedFile(
                    "现场.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"))
            records[bucket].personal_data_copy = PersonalDataRequest.objects.create(
                requester=owner, customer=customer, contact=contact, kind="export",
                reason="本人来电申请", state="approved",
                expires_at=timezone.now() + timedelta(days=7))
    # Bonuses: this month's run drafted over the orders above, shared; each manager's line.
    rule = BonusRule.objects.create(effective_from=timezone.localdate().replace(day=1))
    BonusTier.objects.create(rule=rule, completion_from=Decimal(0), rate=Decimal(1))
    bonus_run, _made = sales_bonus.run_draft(BonusKind.MONTH, timezone.localdate())
    price_list = sales_services.price_list_save(
        actor=director, price_list=None, data={
            "name": "矩阵价目表", "valid_from": timezone.localdate(), "valid_to": None,
            "grade": None, "channel": "", "active": True, "note": ""},
        lines=[{"product": Product.objects.order_by("pk").first(), "price": Decimal("99.00"),
                "min_quantity": 1}])
    for records_of in records.values():
        records_of.bonus_run = bonus_run
        records_of.price_list = price_list
        if records_of.report is not None:
            records_of.bonus_line = BonusLine.objects.get(run=bonus_run,
                                                          manager=records_of.staff)
    return records


def costed_hospitality(owner, customer):
    """An approved hospitality request of today whose actual cost is recorded with a receipt."""
    approval = visit_services.hospitality_request_create(
        actor=owner, customer=customer, amount=Decimal("500.00"), date=timezone.localdate(),
        guests="矩阵客人", purpose="矩阵招待")
    task = approval.tasks.get(state="waiting")
    approval_services.task_approve(actor=task.approver, task=task)
    visit_services.hospitality_cost_record(
        actor=owner, hospitality=approval.subject, amount=Decimal("480.00"),
        receipt=SimpleUploadedFile("矩阵票据.pdf", PDF, "application/pdf"))
    return approval


STATE_FIELDS = {APPROVAL: ("state", "version"), HOSPITALITY_RECEIPT: ("state", "version"),
                WORK_ORDER: ("stage", "version"),
                TICKET: ("status", "version"), CALL: ("customer_id", "ticket_id"),
                ORDER: ("status", "updated_at"),
                RECEIPT: ("amount", "updated_at"), REPORT: ("status", "version"),
                PLAN: ("status", "version"),
                CAMPAIGN: ("state", "version"), RECOMMENDATION: ("state", "updated_at"),
                VISIT: ("kind", "updated_at"), COMMITMENT: ("status", "updated_at"),
                SCHEDULE: ("status", "version"), APPRAISAL: ("status", "version"),
                WORK_REPORT: ("status", "version"), GOING_OUT: ("returned_at", "updated_at"),
                SCHEME: ("name", "updated_at"), BONUS_RUN: ("status", "version"),
                BONUS_LINE: ("net_payable", "rank"), PRICE_LIST: ("name", "updated_at"),
                UNLICENSED: ("state", "version")}


def state(records):
    """The rows the matrix could damage: (is_deleted or state, version) of every sample record."""
    return {(bucket, kind): (obj.__class__._base_manager.filter(pk=obj.pk)
                             .values_list(*STATE_FIELDS.get(kind, ("is_deleted", "version")))
                             .get())
            for bucket, recs in records.items() for kind in OBJECT_KINDS
            if kind not in (STAFF, NOTIFICATION, DELEGATION, WORK_ORDER_FILE, HANDOUT, IMPORT_RUN,
                            EXPORT_REQUEST, PERSONAL_DATA_COPY)
            for obj in [recs.of_kind(kind)] if obj is not None} | {
        ("owners", 0): tuple(Customer._base_manager.order_by("pk").values_list("owner_id", flat=True)),
        ("delegations", 0): tuple(Delegation.objects.order_by("pk").values_list("pk", "ends_on"))}


# --- the matrix ------------------------------------------------------------------------------

REVEAL_PATH = "/reveal/"
POOL_URL = "/customers/pool/"
ROW = re.compile(r'class="fw-semibold text-decoration-none">([^<]*)</a>')
COUNT = re.compile(r'data-testid="result-count">共 (\d+) 条记录')
# What a search page echoes of what was typed: the search box, and the links that keep the
# filters (pages, exports).
ECHOES = re.compile(r'value="[^"]*"|href="[^"?]*\?[^"]*"')


def body_text(response):
    """What a response shows: HTML or JSON as text, an Excel file's cells, a download's bytes
    (as far as they decode)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK" and "spreadsheet" in response.get("Content-Type", ""):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return unescape(content.decode("utf-8", errors="replace"))


class Probe:
    """One persona's client that checks every response for out-of-scope secrets."""

    def __init__(self, personas, persona, records):
        self.persona = persona
        self.client = personas.client(persona)
        self.forbidden = {s for bucket, recs in records.items() if not sees(persona, bucket)
                          for s in recs.secrets if s}
        self.clear = {v for recs in records.values() for v in recs.clear_values if v}
        # The pool page shows the pool customers (masked) of the pools the persona works in.
        self.pool_shown = {s for bucket, recs in records.items() if works_in_pool(persona, bucket)
                           for s in (recs.customer.name, recs.contact.name)}
        self.problems = []

    def request(self, method, url, data=None, *, echoed=False):
        response = getattr(self.client, method.lower())(url, data or {})
        text = body_text(response)
        if echoed:  # a search form shows what was typed; the rows must not
            text = ECHOES.sub("", text)
        forbidden = self.forbidden - self.pool_shown if url.startswith(POOL_URL) else self.forbidden
        leaked = sorted(s for s in forbidden if s in text)
        if REVEAL_PATH not in url:
            leaked += sorted(v for v in self.clear if v in text)
        if leaked:
            self.problems.append(f"{self.persona} {method} {url}: leaks {leaked}")
        return response

    def expect(self, method, url, status, why, data=None):
        response = self.request(method, url, data)
        if response.status_code != status:
            self.problems.append(f"{self.persona} {method} {url} ({why}): "
                                 f"expected {status}, got {response.status_code}")
        return response


def expected_status(route, persona, bucket, method, actions):
    if method not in route.methods:
        return 405, "method not allowed"
    if route.pool_only:
        if not works_in_pool(persona, bucket):
            return 404, f"{bucket} is not a public pool {persona} works in"
    elif not route.shared and not sees(persona, bucket):
        return 404, f"{bucket}'s record is out of scope"
    if not set(actions) <= MAY[persona]:
        return 404, "in scope, action refused"
    if route.requester_only and persona != bucket:
        return 404, "in scope, but not the requester"
    if route.owned_only and bucket.startswith("pool:"):
        return 404, "in scope, but in the public pool"
    return (route.ok if method == "GET" else 200), "in scope, action allowed"


@pytest.mark.parametrize("persona", [r for r in ROLES if r != "leaver"])
def test_access_matrix(personas, matrix, persona):
    user = personas[persona]
    assert user.action_set() & ROUTE_ACTIONS == MAY[persona], "the default roles changed"
    probe = Probe(personas, persona, matrix)
    before = state(matrix)

    # 1. Every object route × every sample bucket × GET and POST, writes left for step 3.
    for name, route in ROUTES.items():
        if route.kind not in OBJECT_KINDS:
            continue
        for bucket, records in matrix.items():
            if records.of_kind(route.kind) is None:
                continue  # a pool has no account manager
            for (url, actions), method in product(
                    route.urls(name, records.of_kind(route.kind).pk), ("GET", "POST")):
                status, why = expected_status(route, persona, bucket, method, actions)
                if status == 200 and method == "POST" and route.writes:
                    continue
                if status == 200 and method == "POST":
                    # An empty form: the view runs and refuses it (400, or back to the page).
                    response = probe.request("POST", url, {"_": "1"})
                    if response.status_code not in (200, 302, 400, 409):
                        probe.problems.append(f"{persona} POST {url} ({why}): "
                                              f"got {response.status_code}")
                else:
                    probe.expect(method, url, status, why, {"_": "1"} if method == "POST" else None)
    assert state(matrix) == before, "a refused or empty request changed a record"

    # 2. Lists, searches, tables and files: only what is in scope, counted only so.
    check_lists(probe, personas, matrix)

    # 3. The writes, once each, on a record in scope.
    if persona in HOME:
        check_writes(probe, matrix[HOME[persona]])
    assert probe.problems == []


def check_lists(probe, personas, matrix):
    persona = probe.persona
    may = MAY[persona]
    for name, route in ROUTES.items():
        if route.kind in (LIST, EXPORT, CREATE):
            status = 200 if set(route.actions) <= may else 404
            probe.expect("GET", reverse(name), status, route.kind)
        if route.kind == CREATE:  # an incomplete form: refused, or hidden without the action
            probe.expect("POST", reverse(name), 400 if status == 200 else 404, route.kind,
                         {"name": ""})
    # The desk shows records of the persona's scope only (the probe checks every response
    # for out-of-scope names); an administrator without customers lands in the admin.
    administrator = personas[persona].is_staff and CUSTOMER_VIEW not in may
    home = probe.expect("GET", reverse("home"), 302 if administrator else 200, "home")
    if administrator and home.get("Location") != reverse("admin:index"):
        probe.problems.append(f"{persona} home: sent to {home.get('Location')}, not the admin")
    if CUSTOMER_VIEW not in may:
        return
    list_url = reverse("customers:list")
    visible = {c.name for bucket, cs in personas.customers.items() if sees(persona, bucket)
               for c in cs}
    html = probe.request("GET", list_url).content.decode()
    shown, count = set(ROW.findall(html)), int(COUNT.search(html).group(1))
    if count != len(visible) or not shown <= visible or len(shown) != min(25, len(visible)):
        probe.problems.append(f"{persona} list: shows {len(shown)} of {count}, "
                              f"expected {len(visible)}")
    for bucket, records in matrix.items():
        in_scope = sees(persona, bucket)
        for q in (records.customer.name, records.contact.name, records.customer.credit_code,
                  records.deleted_customer.name):
            html = probe.request("GET", list_url, {"q": q}, echoed=True).content.decode()
            got = (ROW.findall(html), int(COUNT.search(html).group(1)))
            want = ([records.customer.name], 1) if in_scope and q != records.deleted_customer.name \
                else ([], 0)
            if got != want:
                probe.problems.append(f"{persona} search {q!r} ({bucket}): {got}, expected {want}")
        html = probe.request("GET", reverse("customers:duplicate_check"),
                             {"name": records.customer.name}).content.decode()
        if in_scope != (records.customer.name in html) or (
                not in_scope and "另有 1 个相同的客户" not in html):
            probe.problems.append(f"{persona} duplicate check of {bucket}'s customer")
    if CUSTOMER_RESTORE in may:
        html = probe.request("GET", reverse("customers:recycle_bin")).content.decode()
        shown = set(re.findall(r"<tr><td>([^<]*)</td>", html))
        expected = {r.deleted_customer.name for b, r in matrix.items() if sees(persona, b)}
        if shown != expected:
            probe.problems.append(f"{persona} recycle bin: {sorted(shown)} != {sorted(expected)}")


def check_writes(probe, records):
    """Each write route the persona may use, on its home bucket; the rest were 404 above."""
    may = MAY[probe.persona]
    steps = [
        ("customers:attachment_delete", records.attachment),
        ("customers:contact_delete", records.contact),
        ("customers:contact_restore", records.deleted_contact),
        ("customers:restore", records.deleted_customer),
        ("customers:delete", records.customer),
    ]
    for name, obj in steps:
        route = ROUTES[name]
        if not set(route.actions) <= may:
            continue
        was_deleted = obj.__class__._base_manager.get(pk=obj.pk).is_deleted
        response = probe.request("POST", reverse(name, kwargs={"pk": obj.pk}))
        now_deleted = obj.__class__._base_manager.get(pk=obj.pk).is_deleted
        if response.status_code != 302 or now_deleted == was_deleted:
            probe.problems.append(f"{probe.persona} {name}: {response.status_code}, "
                                  f"deleted {was_deleted} → {now_deleted}")


# --- people who are not (or no longer) logged in ---------------------------------------------

def test_the_leaver_cannot_log_in_and_is_sent_to_login_everywhere(personas, matrix):
    client = personas.client("leaver")  # a session made before the account was disabled
    login = reverse("login")
    problems = []
    for name, route in ROUTES.items():
        if route.kind in (PUBLIC, SECRET_LINK):
            continue
        url = route.url(name, matrix["am01"].of_kind(route.kind).pk
                        if route.kind in OBJECT_KINDS else None)
        for method in route.methods:
            response = getattr(client, method.lower())(url)
            if response.status_code != 302 or not response["Location"].startswith(login):
                problems.append(f"{method} {url}: {response.status_code}")
    assert problems == []
    assert Customer.objects.get(pk=matrix["am01"].customer.pk).is_deleted is False
    # And a new login is refused, with the same answer as a wrong password.
    fresh = Client()
    # django-axes needs a request in authenticate(); Client.login passes none of its own.
    assert not fresh.login(request=HttpRequest(), username="leaver", password=PASSWORD)
    response = fresh.post(login, {"username": "leaver", "password": PASSWORD})
    wrong = Client().post(login, {"username": "am01", "password": "wrong-password"})
    assert response.status_code == wrong.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in fresh.session
    assert fresh.get(reverse("customers:list"))["Location"].startswith(login)


def test_anonymous_requests_go_to_login_and_public_routes_answer(personas, matrix):
    client = Client()
    login = reverse("login")
    for name, route in ROUTES.items():
        url = route.url(name, matrix["am01"].of_kind(route.kind).pk
                        if route.kind in OBJECT_KINDS else None)
        for method in route.methods:
            response = getattr(client, method.lower())(url)
            if route.kind == PUBLIC:
                assert response.status_code in (200, 302), (method, url)
            elif route.kind == SECRET_LINK:
                assert response.status_code == 404, (method, url)
            else:
                assert response.status_code == 302, (method, url)
                assert response["Location"].startswith(login), (method, url)
            assert matrix["am01"].customer.name not in response.content.decode()
    assert client.get(reverse("health")).json() == {"status": "ok"}
