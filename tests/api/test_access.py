"""C01 and C04 for the REST API: every operation of the OpenAPI schema × the personas.

Every path and method of /api/v1/openapi.json must be classified in OPS below; a new operation
fails `test_every_api_operation_is_classified` until someone says what it reads or writes and
which action it needs. Then, for each persona (with a personal token):

* without the API permission (agents, QA inspectors), every operation answers 401;
* every object operation on another manager's, another team's, another region's customer or
  contact, on a pool out of reach, or on a deleted record answers 404 and writes nothing; in
  scope, 404 too when the role lacks the action (refused is hidden like missing);
* lists and searches (customers, contacts, staff, pool) hold exactly what is in scope;
* the writes work once each on a record in scope;
* C04: no clear phone, mobile, ID, bank account number or private text appears in any JSON
  body of the run, errors included — only a reveal's own answer carries one clear value.

Who sees what comes from the handbook reference of the page matrix (tests/test_access_matrix
`sees`), so the API is checked against the same written-out rule as the pages.
"""

import json
import re
from dataclasses import dataclass
from itertools import count

import pytest
from stdnum.cn import ric

from qiao.api import api as ninja_api
from qiao.appraisal.actions import APPRAISAL_VIEW
from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.customers import services
from qiao.customers.actions import (
    CONTACT_EDIT,
    CUSTOMER_CREATE,
    CUSTOMER_DELETE,
    CUSTOMER_EDIT,
    CUSTOMER_VIEW,
    POOL_CLAIM,
)
from qiao.customers.models import Contact, Customer
from qiao.dataio.actions import DATA_IMPORT
from qiao.org.actions import FIELD_REVEAL
from qiao.org.models import User
from qiao.org.permissions import may_own_customers
from qiao.sales.actions import SALES_POST, SALES_VIEW
from qiao.tickets.actions import TICKET_ASSIGN, TICKET_HANDLE
from qiao.visits.actions import VISIT_RECORD
from tests.conftest import ROLES
from tests.factories import make_contact, make_customer
from tests.test_access_matrix import EAST, NORTH, SAMPLE, sees

from .conftest import API, Api, token_secret

# --- what every operation is -----------------------------------------------------------------

SELF = "self"              # about the caller (/me)
REFERENCE = "reference"    # the same for everyone with API access (units, grades)
STAFF = "staff"            # the staff in scope
LIST = "list"              # customers in scope (filters, search, paging)
POOL_LIST = "pool_list"    # pool customers of the regions the caller works in
CREATE = "create"          # a new customer
CUSTOMER = "customer"      # one live customer, by id
CONTACT = "contact"        # one live contact, by id
POOL_CUSTOMER = "pool_claim"  # one pool customer, by id
APPROVALS = "approvals"    # approval requests: scope, decisions and races in test_approvals.py
WORKORDERS = "workorders"  # work orders: scope, author-only changes, stages in test_workorders.py
TICKETS = "tickets"        # service tickets: scope, steps, conflicts in test_tickets.py
CALLS = "calls"            # call records: scope, idempotent posts, matching in test_calls.py
VISITS = "visits"          # visit records and commitments: scope, idempotency in test_visits.py
SALES = "sales"            # orders, returns, receipts, figures, credit: scope, idempotency in
                           # test_sales.py; dunning and promises in tests/sales/test_dunning.py,
                           # bonus lines in tests/sales/test_bonus.py
SCHEDULES = "schedules"    # visit schedules: scope, manager-only edits, 409, in test_schedules.py
APPRAISALS = "appraisals"  # staff appraisals, read-only: scope in test_appraisal.py
IMPORTS = "imports"        # import jobs: one's own only, data.import and the importer's actions,
                           # bad input, in tests/dataio/test_api.py


@dataclass(frozen=True)
class Op:
    kind: str
    action: str | None = None
    writes: bool = False   # a successful call changes data: tried once, at the end
    reveal: bool = False   # a successful call answers a clear value
    body: object = None    # (sample) -> JSON body of a probe


OPS = {
    ("GET", "/me"): Op(SELF),
    ("GET", "/org/units"): Op(REFERENCE),
    ("GET", "/org/users"): Op(STAFF),
    ("GET", "/grades"): Op(REFERENCE),
    ("GET", "/customers"): Op(LIST, CUSTOMER_VIEW),
    ("POST", "/customers"): Op(CREATE, CUSTOMER_CREATE, writes=True),
    ("GET", "/customers/{customer_id}"): Op(CUSTOMER, CUSTOMER_VIEW),
    ("PATCH", "/customers/{customer_id}"): Op(
        CUSTOMER, CUSTOMER_EDIT, writes=True,
        body=lambda s: {"notes": "矩阵修改", "version": s.customer.version}),
    ("DELETE", "/customers/{customer_id}"): Op(CUSTOMER, CUSTOMER_DELETE, writes=True),
    ("POST", "/customers/{customer_id}/reveal"): Op(CUSTOMER, FIELD_REVEAL, reveal=True,
                                                    body=lambda s: {"field": "phone"}),
    ("GET", "/customers/{customer_id}/contacts"): Op(CUSTOMER, CUSTOMER_VIEW),
    ("POST", "/customers/{customer_id}/contacts"): Op(CUSTOMER, CONTACT_EDIT, writes=True,
                                                      body=lambda s: {"name": "矩阵新联系人"}),
    ("GET", "/contacts/{contact_id}"): Op(CONTACT, CUSTOMER_VIEW),
    ("PATCH", "/contacts/{contact_id}"): Op(
        CONTACT, CONTACT_EDIT, writes=True,
        body=lambda s: {"title": "矩阵", "version": s.contact.version}),
    ("DELETE", "/contacts/{contact_id}"): Op(CONTACT, CONTACT_EDIT, writes=True),
    ("POST", "/contacts/{contact_id}/reveal"): Op(CONTACT, FIELD_REVEAL, reveal=True,
                                                  body=lambda s: {"field": "mobile"}),
    ("GET", "/pool"): Op(POOL_LIST, POOL_CLAIM),
    ("POST", "/pool/{customer_id}/claim"): Op(POOL_CUSTOMER, POOL_CLAIM, writes=True),
    ("GET", "/approvals/waiting"): Op(APPROVALS),
    ("GET", "/approvals/mine"): Op(APPROVALS),
    ("GET", "/approvals/{approval_id}"): Op(APPROVALS),
    ("POST", "/approvals/{approval_id}/approve"): Op(APPROVALS, writes=True),
    ("POST", "/approvals/{approval_id}/reject"): Op(APPROVALS, writes=True),
    ("POST", "/approvals/{approval_id}/return"): Op(APPROVALS, writes=True),
    ("POST", "/approvals/{approval_id}/withdraw"): Op(APPROVALS, writes=True),
    ("POST", "/approvals/{approval_id}/resubmit"): Op(APPROVALS, writes=True),
    ("GET", "/workorders"): Op(WORKORDERS, APPROVAL_REQUEST),
    ("POST", "/workorders"): Op(WORKORDERS, APPROVAL_REQUEST, writes=True),
    ("GET", "/workorders/{work_order_id}"): Op(WORKORDERS, APPROVAL_REQUEST),
    ("PATCH", "/workorders/{work_order_id}"): Op(WORKORDERS, APPROVAL_REQUEST, writes=True),
    ("POST", "/workorders/{work_order_id}/submit"): Op(WORKORDERS, APPROVAL_REQUEST,
                                                       writes=True),
    ("POST", "/workorders/{work_order_id}/stages"): Op(WORKORDERS, APPROVAL_REQUEST,
                                                       writes=True),
    ("GET", "/tickets"): Op(TICKETS, TICKET_HANDLE),
    ("POST", "/tickets"): Op(TICKETS, TICKET_HANDLE, writes=True),
    ("GET", "/tickets/{ticket_id}"): Op(TICKETS, TICKET_HANDLE),
    ("POST", "/tickets/{ticket_id}/reply"): Op(TICKETS, TICKET_HANDLE, writes=True),
    ("POST", "/tickets/{ticket_id}/notes"): Op(TICKETS, TICKET_HANDLE, writes=True),
    ("POST", "/tickets/{ticket_id}/assign"): Op(TICKETS, TICKET_ASSIGN, writes=True),
    ("POST", "/tickets/{ticket_id}/transition"): Op(TICKETS, TICKET_HANDLE, writes=True),
    ("GET", "/calls"): Op(CALLS, TICKET_HANDLE),
    ("POST", "/calls"): Op(CALLS, TICKET_HANDLE, writes=True),
    ("GET", "/calls/{call_id}"): Op(CALLS, TICKET_HANDLE),
    ("GET", "/orders"): Op(SALES, SALES_VIEW),
    ("POST", "/orders"): Op(SALES, SALES_POST, writes=True),
    ("POST", "/orders/batch"): Op(SALES, SALES_POST, writes=True),
    ("GET", "/orders/{order_id}"): Op(SALES, SALES_VIEW),
    ("POST", "/orders/{order_id}/transition"): Op(SALES, SALES_POST, writes=True),
    ("POST", "/returns"): Op(SALES, SALES_POST, writes=True),
    ("GET", "/receipts"): Op(SALES, SALES_VIEW),
    ("POST", "/receipts"): Op(SALES, SALES_POST, writes=True),
    ("GET", "/figures"): Op(SALES, SALES_VIEW),
    ("GET", "/credit/{customer_id}"): Op(SALES, SALES_VIEW),
    ("GET", "/dunning"): Op(SALES, SALES_VIEW),
    ("POST", "/dunning"): Op(SALES, SALES_POST, writes=True),
    ("GET", "/promises"): Op(SALES, SALES_VIEW),
    ("GET", "/bonus-lines"): Op(SALES, SALES_VIEW),
    ("POST", "/promises"): Op(SALES, SALES_POST, writes=True),
    ("GET", "/visits"): Op(VISITS, VISIT_RECORD),
    ("POST", "/visits"): Op(VISITS, VISIT_RECORD, writes=True),
    ("GET", "/visits/{visit_id}"): Op(VISITS, VISIT_RECORD),
    ("GET", "/commitments"): Op(VISITS, VISIT_RECORD),
    ("GET", "/schedules"): Op(SCHEDULES, VISIT_RECORD),
    ("GET", "/schedules/{schedule_id}"): Op(SCHEDULES, VISIT_RECORD),
    ("POST", "/schedules/{schedule_id}/edit"): Op(SCHEDULES, VISIT_RECORD, writes=True),
    ("POST", "/schedules/{schedule_id}/submit"): Op(SCHEDULES, VISIT_RECORD, writes=True),
    ("POST", "/schedules/{schedule_id}/comment"): Op(SCHEDULES, VISIT_RECORD, writes=True),
    ("GET", "/appraisals"): Op(APPRAISALS, APPRAISAL_VIEW),
    ("GET", "/appraisals/{appraisal_id}"): Op(APPRAISALS, APPRAISAL_VIEW),
    ("GET", "/importers"): Op(IMPORTS, DATA_IMPORT),
    ("GET", "/imports"): Op(IMPORTS, DATA_IMPORT),
    ("POST", "/imports"): Op(IMPORTS, DATA_IMPORT, writes=True),
    ("GET", "/imports/{import_id}"): Op(IMPORTS, DATA_IMPORT),
    ("GET", "/imports/{import_id}/errors.xlsx"): Op(IMPORTS, DATA_IMPORT),
    ("POST", "/imports/{import_id}/configure"): Op(IMPORTS, DATA_IMPORT, writes=True),
    ("POST", "/imports/{import_id}/dry-run"): Op(IMPORTS, DATA_IMPORT, writes=True),
    ("POST", "/imports/{import_id}/run"): Op(IMPORTS, DATA_IMPORT, writes=True),
    ("POST", "/imports/{import_id}/cancel"): Op(IMPORTS, DATA_IMPORT, writes=True),
}
OBJECT_KINDS = (CUSTOMER, CONTACT, POOL_CUSTOMER)


def schema_operations():
    schema = ninja_api.get_openapi_schema()
    return {(method.upper(), path.removeprefix(API))
            for path, methods in schema["paths"].items() for method in methods}


def test_every_api_operation_is_classified():
    found = schema_operations()
    assert sorted(found - set(OPS)) == [], "classify these in OPS (tests/api/test_access.py)"
    assert sorted(set(OPS) - found) == [], "OPS lists operations the API no longer has"


# --- the reference: who may do what, where --------------------------------------------------

_AM = {CUSTOMER_VIEW, CUSTOMER_CREATE, CUSTOMER_EDIT, CONTACT_EDIT, FIELD_REVEAL,
       POOL_CLAIM}
_SUP = _AM | {CUSTOMER_DELETE}
MAY = {"director": _SUP, "deptmgr": _SUP, "region1": _SUP, "sup1": _SUP, "am01": _AM,
       "am02": _AM, "am03": _AM, "admin": set()}
NO_API = {"agent01", "qa01"}  # their roles have no api.use: every call is 401
# The public pools each persona works in (their region; the department and above: all).
SOUTH = "pool:华南区"
POOLS = {"director": {EAST, NORTH, SOUTH}, "deptmgr": {EAST, NORTH, SOUTH}, "region1": {EAST},
         "sup1": {EAST}, "am01": {EAST}, "am02": {EAST}, "am03": {EAST}}
# Where a persona's writes are tried: a bucket in scope.
HOME = {"director": "am05", "deptmgr": "qa01", "region1": "am03", "sup1": "am02", "am01": "am01",
        "am02": "am02", "am03": "am03"}
PERSONAS = [r for r in ROLES if r != "leaver"]


def _valid_id_number(i):
    base = f"110105198{i % 10}{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 900 + 100:03d}"
    return next(base + c for c in "0123456789X" if ric.is_valid(base + c))


@dataclass
class Sample:
    bucket: str
    customer: Customer
    contact: Contact
    deleted_customer: Customer
    deleted_contact: Contact
    clear: set

    def of(self, kind, deleted=False):
        if kind == CONTACT:
            return self.deleted_contact if deleted else self.contact
        return self.deleted_customer if deleted else self.customer


@pytest.fixture
def samples(personas):
    """Per bucket of SAMPLE: a live customer with every sensitive field and a contact with a
    mobile and private text, a deleted customer and a deleted contact."""
    director = personas["director"]
    regions = {r.name: r for r in personas.org.regions}
    serial = count(1)
    result = {}
    for bucket in SAMPLE:
        owner = None if bucket.startswith("pool:") else personas[bucket]
        region = regions[bucket[5:]] if owner is None else regions["华东区"]
        i = next(serial)
        values = {"phone": f"1391234{i:04d}", "fax": f"021-6{i:03d}7788",
                  "id_number": _valid_id_number(i), "bank_account": f"62220202{i:011d}"}
        customer = make_customer(owner, actor=director, region=region, name=f"接口矩阵客户{i}号",
                                 **values)
        contact = make_contact(customer, director, name=f"接口矩阵联系人{i}号",
                               mobile=f"1365432{i:04d}", background=f"背景资料秘密{i}",
                               private_info=f"私人信息秘密{i}")
        old = make_contact(customer, director, name=f"接口矩阵旧联系人{i}号")
        services.contact_delete(actor=director, contact=old)
        gone = make_customer(owner, actor=director, region=region, name=f"接口矩阵已删客户{i}号")
        services.customer_delete(actor=director, customer=gone)
        personas.customers.setdefault(bucket, []).append(customer)
        clear = {values["phone"], values["fax"].replace("-", ""), values["fax"][4:],
                 values["id_number"], values["bank_account"], contact.mobile,
                 contact.background, contact.private_info}
        result[bucket] = Sample(bucket, Customer.objects.get(pk=customer.pk), contact,
                                gone, old, clear)
    return result


def state(samples):
    rows = {}
    for bucket, s in samples.items():
        for obj in (s.customer, s.contact, s.deleted_customer, s.deleted_contact):
            rows[(bucket, type(obj).__name__, obj.pk)] = type(obj)._base_manager.filter(
                pk=obj.pk).values_list("is_deleted", "version", "owner_id" if isinstance(
                    obj, Customer) else "customer_id").get()
    return rows


# --- C04: clear values in any body -----------------------------------------------------------

MOBILE = re.compile(r"(?<![\d*])1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Z*])\d{17}[\dX](?![\dA-Z])")
ACCOUNT = re.compile(r"(?<![\d*])\d{16,19}(?!\d)")
CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def clear_hits(text, clear_values, allowed):
    """Clear sensitive values in `text`: any of ours, or anything shaped like a mobile, ID or
    bank account number (credit codes, which may be all digits, are public and allowed)."""
    hits = {v for v in clear_values if v and v in text}
    text = CREDIT_CODE.sub(lambda m: " " if m.group() in allowed else m.group(), text)
    for pattern in (MOBILE, ID_NUMBER, ACCOUNT):
        hits |= set(pattern.findall(text))
    return hits


class Probe:
    def __init__(self, persona, secret, samples):
        self.persona = persona
        self.api = Api(secret)
        self.clear = set().union(*(s.clear for s in samples.values()))
        self.allowed = set(Customer._base_manager.values_list("credit_code", flat=True))
        self.problems = []

    def call(self, method, path, body=None, params=None):
        if method == "GET":
            response = self.api.get(path, params)
        elif method == "DELETE":
            response = self.api.delete(path)
        else:
            response = self.api.send(method.lower(), path, body)
        self.scan(method, path, response)
        return response

    def scan(self, method, path, response):
        """C04 over the body as a client decodes it (ninja escapes non-ASCII in JSON)."""
        if not response.content:
            return
        text = json.dumps(response.json(), ensure_ascii=False)
        if path.endswith("/reveal") and response.status_code == 200:
            value = response.json()["value"]  # the one value asked for, nothing else
            text = text.replace(value, "", 1)
        hits = clear_hits(text, self.clear, self.allowed)
        if hits:
            self.problems.append(f"{self.persona} {method} {path}: clear values {sorted(hits)}")

    def expect(self, method, path, status, why, body=None, params=None):
        response = self.call(method, path, body, params)
        if response.status_code != status:
            self.problems.append(f"{self.persona} {method} {path} ({why}): expected {status}, "
                                 f"got {response.status_code} {response.content[:200]}")
        return response


def url(path, sample, kind, deleted=False):
    obj = sample.of(kind, deleted)
    return path.format(customer_id=obj.pk, contact_id=obj.pk)


def expected(persona, op, sample, deleted):
    """(status, why) for an object operation; status None: allowed (a success, or a write
    tried at the end)."""
    if persona in NO_API:
        return 401, "no API permission"
    if deleted:
        return 404, "deleted"
    if op.kind == POOL_CUSTOMER:
        claimable = sample.bucket in POOLS.get(persona, ()) and op.action in MAY[persona]
        return (None, "claimable") if claimable else (404, "not in a pool of the persona")
    if not sees(persona, sample.bucket):
        return 404, f"{sample.bucket} out of scope"
    if op.action not in MAY[persona]:
        return 404, "in scope, action refused"
    if op.reveal and sample.bucket.startswith("pool:"):
        return 404, "a pool customer is not revealed"
    return None, "in scope, allowed"


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_access_matrix(personas, samples, persona, settings):
    settings.QIAO_REVEALS_PER_HOUR = 1000
    probe = Probe(persona, token_secret(personas[persona]), samples)
    before = state(samples)

    # 1. Every object operation × every bucket's live and deleted record.
    for (method, path), op in OPS.items():
        if op.kind not in OBJECT_KINDS:
            continue
        for sample in samples.values():
            for deleted in (False, True):
                status, why = expected(persona, op, sample, deleted)
                body = op.body(sample) if op.body else None
                target = url(path, sample, CONTACT if op.kind == CONTACT else CUSTOMER, deleted)
                if status is None and op.writes:
                    continue  # step 4
                if status is None:
                    response = probe.call(method, target, body)
                    if response.status_code != 200:
                        probe.problems.append(f"{persona} {method} {target} ({why}): "
                                              f"{response.status_code}")
                    elif op.reveal:
                        field = body["field"]
                        if response.json()["value"] != getattr(sample.of(op.kind), field):
                            probe.problems.append(f"{persona} reveal {target}: wrong value")
                else:
                    probe.expect(method, target, status, why, body)
    if state(samples) != before:
        probe.problems.append(f"{persona}: a refused or read-only request changed a record")

    # 2. Lists and searches.
    if persona in NO_API:
        for (method, path), op in OPS.items():
            if op.kind not in OBJECT_KINDS:
                probe.expect(method, path.replace("{approval_id}", "1")
                             .replace("{work_order_id}", "1").replace("{ticket_id}", "1")
                             .replace("{call_id}", "1"),
                             401, "no API permission",
                             {"name": "x"})
    else:
        check_lists(probe, personas, samples)

    # 3. The writes, once each, in scope.
    if persona in HOME:
        check_writes(probe, personas, samples)
    assert probe.problems == []


def visible_customer_ids(personas, persona):
    return {c.pk for bucket, cs in personas.customers.items() if sees(persona, bucket)
            for c in cs}


def staff_in_scope(personas, persona):
    """The active staff a persona's owner filter offers, by the handbook rule: those who may own
    customers, within the persona's scope."""
    user = personas[persona]
    owners = {u.username: u for u in User.objects.filter(is_active=True) if may_own_customers(u)}
    if persona == "director":
        return set(owners)
    if persona in ("deptmgr", "region1"):
        return {name for name, u in owners.items() if u.unit.path.startswith(user.unit.path)}
    if persona == "sup1":
        return {"sup1", "am01", "am02"}
    return {persona} & set(owners)


def check_lists(probe, personas, samples):
    persona = probe.persona
    may = MAY[persona]
    me = probe.expect("GET", "/me", 200, "self")
    if me.status_code == 200 and me.json()["username"] != persona:
        probe.problems.append(f"{persona} /me says {me.json()['username']}")
    probe.expect("GET", "/org/units", 200, "reference")
    probe.expect("GET", "/grades", 200, "reference")
    staff = {u["username"] for u in probe.api.all_pages("/org/users")[1]}
    if staff != staff_in_scope(personas, persona):
        probe.problems.append(f"{persona} staff list: {sorted(staff)}")
    # A create that the form refuses, or 404 without the action.
    probe.expect("POST", "/customers", 400 if CUSTOMER_CREATE in may else 404, "create",
                 {"name": ""})
    if CUSTOMER_VIEW not in may:
        probe.expect("GET", "/customers", 404, "no customer.view")
    else:
        visible = visible_customer_ids(personas, persona)
        total, items = probe.api.all_pages("/customers")
        for item in items:
            probe.scan("GET", "/customers (pages)", _Json(item))
        if total != len(visible) or {i["id"] for i in items} != visible:
            probe.problems.append(f"{persona} list: {total} rows, expected {len(visible)}")
        for bucket, sample in samples.items():
            in_scope = sees(persona, bucket)
            for q in (sample.customer.name, sample.contact.name, sample.customer.credit_code,
                      sample.deleted_customer.name, sample.customer.phone):
                body = probe.call("GET", "/customers", params={"q": q}).json()
                got = (body["count"], [i["id"] for i in body["items"]])
                want = (1, [sample.customer.pk]) if in_scope and q != \
                    sample.deleted_customer.name else (0, [])
                if got != want:
                    probe.problems.append(f"{persona} search {q!r} ({bucket}): {got} != {want}")
            if in_scope:
                body = probe.call("GET", f"/customers/{sample.customer.pk}/contacts").json()
                if [c["id"] for c in body["items"]] != [sample.contact.pk]:
                    probe.problems.append(f"{persona} contacts of {bucket}: {body}")
    if POOL_CLAIM not in may:
        probe.expect("GET", "/pool", 404, "no pool.claim")
    else:
        want = {c.pk for bucket in POOLS[persona] for c in personas.customers[bucket]}
        got = {i["id"] for i in probe.api.all_pages("/pool")[1]}
        if got != want:
            probe.problems.append(f"{persona} pool: {sorted(got)} != {sorted(want)}")


class _Json:
    """A list row scanned like a response."""

    def __init__(self, data):
        self.content = b"x"
        self._data = data

    def json(self):
        return self._data


def check_writes(probe, personas, samples):
    persona = probe.persona
    may = MAY[persona]
    sample = samples[HOME[persona]]
    customer, contact = sample.customer, sample.contact
    steps = []
    if CUSTOMER_EDIT in may:
        steps.append(("PATCH", f"/customers/{customer.pk}",
                      {"notes": "矩阵修改", "version": customer.version}, 200))
    if CONTACT_EDIT in may:
        steps += [("POST", f"/customers/{customer.pk}/contacts", {"name": "矩阵新联系人"}, 201),
                  ("PATCH", f"/contacts/{contact.pk}", {"title": "矩阵", "version": contact.version},
                   200),
                  ("DELETE", f"/contacts/{contact.pk}", None, 204)]
    if CUSTOMER_CREATE in may:
        steps.append(("POST", "/customers", {"name": f"{persona}经接口新建的客户",
                                             "confirm_duplicate": True}, 201))
    if CUSTOMER_DELETE in may:
        steps.append(("DELETE", f"/customers/{customer.pk}", None, 204))
    pool = [bucket for bucket in sorted(POOLS.get(persona, ())) if bucket in samples]
    if pool and POOL_CLAIM in may:
        steps.append(("POST", f"/pool/{samples[pool[0]].customer.pk}/claim", None, 200))
    for method, path, body, status in steps:
        probe.expect(method, path, status, "write in scope", body)
    customer.refresh_from_db()
    if CUSTOMER_DELETE in may and not customer.is_deleted:
        probe.problems.append(f"{persona}: the delete did not delete")
    if CUSTOMER_EDIT in may and customer.notes != "矩阵修改":
        probe.problems.append(f"{persona}: the edit did not save")
    if pool and POOL_CLAIM in may:
        claimed = Customer.objects.get(pk=samples[pool[0]].customer.pk)
        if claimed.owner != personas[persona]:
            probe.problems.append(f"{persona}: the claim did not claim")
