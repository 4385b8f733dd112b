"""C13 at a small budget: schemathesis generates requests from /api/v1/openapi.json — valid ones
and invalid ones — for every operation, as an account manager (am01), a regional manager
(region1) and the administrator (no customer data), against the WSGI application in process.
Every response must be a non-5xx answer that the schema documents (status, content type, body);
authentication must be enforced. Valid requests are pointed at records that exist (half of them
in the persona's scope), so that the bodies reach the forms and services, not just a 404.

The budget (FUZZ_EXAMPLES per operation, persona and mode) keeps this file under two minutes;
a soak run may raise it with QIAO_FUZZ_EXAMPLES."""

import os
from decimal import Decimal
from itertools import cycle

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis import Config

from qiao.appraisal import services as appraisal_services
from qiao.appraisal.periods import previous_period
from qiao.dataio import services as import_services
from qiao.tickets import services as ticket_services
from qiao.visits import selectors as schedule_selectors
from qiao.visits import services as schedule_services
from qiao.visits.demo import ensure_hospitality_chain
from tests.approvals.conftest import hospitality
from tests.dataio.conftest import csv_file
from tests.factories import make_contact
from tests.sales.factories import make_order
from tests.tickets.factories import make_ticket
from tests.visits.factories import make_visit
from tests.workorders.factories import make_approved_work_order, make_work_order

from .conftest import token_secret

FUZZ_EXAMPLES = int(os.environ.get("QIAO_FUZZ_EXAMPLES", "20"))
PERSONAS = ("am01", "region1", "admin")

CONFIG = Config.from_dict({
    "generation": {"max-examples": FUZZ_EXAMPLES, "mode": "all", "database": "none"},
    "checks": {
        # Values that fit the schema may still break a business rule that a schema cannot
        # state (a credit code's check character, a real phone number, a grade that exists):
        # those are 400 with the field's message, which is right.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404", "409", "429"]},
    },
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(),
                                        config=CONFIG)


@pytest.fixture(params=PERSONAS)
def persona(request, personas, settings):
    """The persona's token, and ids of real records: its own or in its scope, and others'.
    The data lives through all the generated requests of one operation (the writes of one
    request are seen by the next, as in real use)."""
    settings.QIAO_REVEALS_PER_HOUR = 5  # so that the 429 answer is reached too
    # Requests go through the WSGI handler, which closes the database connection when a
    # request starts and ends; the test's transaction must survive them (as Django's test
    # client arranges for its own requests).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    director = personas["director"]
    customers = [c for bucket in ("am01", "am03", "pool:华东区", "am05")
                 for c in personas.customers[bucket]]
    contacts = [make_contact(c, director, name="模糊测试联系人", mobile="13800138000")
                for c in customers]
    ensure_hospitality_chain()  # requests of am01 (in am01's and region1's scope) and am05
    approvals = [hospitality(personas, username, amount)
                 for username in ("am01", "am05") for amount in ("800.00", "3600.00")]
    # Work orders of am01 (a draft, one in its stages) and of am05 (out of am01's and region1's
    # scope); make_approved_work_order sets up the work-order chain.
    work_orders = [make(personas[username], personas.customers[username][0])
                   for username in ("am01", "am05")
                   for make in (make_work_order, make_approved_work_order)]
    # Tickets on am01's and am05's customers, registered by their managers.
    tickets = [make_ticket(personas[username], personas.customers[username][0])
               for username in ("am01", "am05")]
    # Calls their managers took about am01's and am05's customers.
    calls = [ticket_services.call_record(actor=personas[username], data={
        "direction": "in", "phone": "13800138000", "customer": personas.customers[username][0],
        "started_at": timezone.now(), "duration": 60, "summary": "模糊测试来电"})[0]
        for username in ("am01", "am05")]
    # Visit records of am01 (in am01's and region1's scope) and am05 (out of both).
    visits = [make_visit(personas[username], personas.customers[username][0],
                         commitments=[("模糊测试承诺", timezone.localdate())])
              for username in ("am01", "am05")]
    # Orders of am01 (posted, and delivered so that returns can be tried) and of am05.
    orders = [make_order(personas[username], personas.customers[username][0],
                         delivered_on=timezone.localdate() if delivered else None)
              for username in ("am01", "am05") for delivered in (False, True)]
    # Next week's visit schedules of am01 and am05, proposed.
    schedules = [schedule_services.schedule_propose(
        actor=personas[username], week_start=schedule_selectors.next_week())[0]
        for username in ("am01", "am05")]
    # Last quarter's appraisals of am01 and am05, drafted by the director.
    scheme = appraisal_services.scorecard_save(
        actor=director, scorecard=None, data={"name": "模糊测试考核", "role": None,
                                              "subject": "person", "period_kind": "quarter",
                                              "active": True, "note": ""},
        kpis=[{"source": "net_sales", "weight": 100, "target": Decimal("1000.00")}])
    appraisals = [appraisal_services.appraisal_draft(
        actor=director, scorecard=scheme, person=personas[username],
        day=previous_period("quarter", timezone.localdate())) for username in ("am01", "am05")]
    # Import jobs of am01 (a sheet with a bad row) and of am05 (out of everyone's reach).
    imports = [import_services.import_upload(
        actor=personas[username], importer="customers",
        upload=csv_file([["客户名称", "电话"], ["模糊测试导入公司", "021-12345678"],
                         ["", "12"]])) for username in ("am01", "am05")]
    try:
        yield {"headers": {"Authorization": f"Bearer {token_secret(personas[request.param])}"},
               "customer_id": cycle([c.pk for c in customers]),
               "contact_id": cycle([c.pk for c in contacts]),
               "approval_id": cycle([a.pk for a in approvals]),
               "work_order_id": cycle([w.pk for w in work_orders]),
               "ticket_id": cycle([t.pk for t in tickets]),
               "call_id": cycle([c.pk for c in calls]),
               "visit_id": cycle([v.pk for v in visits]),
               "order_id": cycle([o.pk for o in orders]),
               "schedule_id": cycle([s.pk for s in schedules]),
               "appraisal_id": cycle([a.pk for a in appraisals]),
               "import_id": cycle([i.pk for i in imports])}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_every_generated_request_as_documented(case, persona):
    if case.path_parameters and case.meta.generation.mode.is_positive:
        for name in case.path_parameters:
            case.path_parameters[name] = next(persona[name])
    case.call_and_validate(headers=persona["headers"])
