"""C21, audit completeness for a working session: every login, mutation, reveal, export and print
leaves exactly one audit row — operations in the operation log (who, what, when, from where),
changes in the record history (who, when, before → after) — and nothing else is logged."""

import pytest
from django.test import Client
from django.urls import reverse

from qiao.audit.models import OperationLog
from qiao.customers.models import Customer

from ..conftest import PASSWORD
from ..factories import form_data

K = OperationLog.Kind
IP = "10.9.8.7"


@pytest.fixture
def exporter(personas):
    """sup1 (主管) may export; the matrix of roles says so."""
    return personas["sup1"]


def test_a_session_leaves_one_row_per_operation_and_change(personas, exporter):
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="C21")
    assert client.post(reverse("login"), {"username": "sup1", "password": PASSWORD}).status_code == 302

    # Two mutations: a new customer, then an edit of it.
    response = client.post(reverse("customers:create"), {
        "kind": "enterprise", "name": "审计完整性商行", "phone": "021-5012 3456",
        "owner": personas["am01"].pk})
    assert response.status_code == 302
    customer = Customer.objects.get(name="审计完整性商行")
    data = form_data(customer, exporter, address="上海市徐汇区漕溪北路1号")
    assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302

    # One reveal, two exports, a print, and the logout.
    reveal = reverse("customers:reveal", args=["customer", customer.pk, "phone"])
    assert client.post(reveal).status_code == 200
    assert client.get(reverse("reports:grades_export")).status_code == 200
    assert client.get(reverse("reports:registration_export", args=[customer.pk])).status_code == 200
    assert client.get(reverse("reports:grades"), {"print": "1"}).status_code == 200
    client.post(reverse("logout"))

    log = list(OperationLog.objects.order_by("id"))
    assert [row.action for row in log] == [K.LOGIN, K.REVEAL, K.EXPORT, K.EXPORT, K.PRINT,
                                           K.LOGOUT]
    for row in log:
        assert (row.actor, row.actor_username, row.ip_address, row.user_agent) == (
            exporter, "sup1", IP, "C21")
        assert row.occurred_at is not None
    reveal_row, grades_export, form_export = log[1], log[2], log[3]
    assert reveal_row.customer_id == customer.pk and reveal_row.details["field"] == "phone"
    visible = Customer.objects.visible_to(exporter).count()
    assert grades_export.details["rows"] == visible and grades_export.object_repr == "客户等级分类表"
    assert form_export.details == {"rows": 1, "filters": {"customer": customer.pk}, "format": "xlsx",
                                   "sha256": form_export.details["sha256"]}
    assert len(form_export.details["sha256"]) == 64
    assert log[4].details == {"rows": visible, "filters": {}}

    changes = list(customer.history.order_by("history_date"))
    assert [(c.history_type, c.history_user) for c in changes] == [("+", exporter),
                                                                   ("~", exporter)]
    diff = changes[1].diff_against(changes[0])
    assert [(d.field, d.old, d.new) for d in diff.changes] == [
        ("address", "", "上海市徐汇区漕溪北路1号")]


def test_an_export_names_its_filters(personas, exporter):
    client = personas.client("sup1")
    grade = personas.grades[0]
    assert client.get(reverse("reports:grades_export"), {"grade": grade.pk}).status_code == 200
    row = OperationLog.objects.get(action=K.EXPORT)
    assert grade.name in row.details["filters"].values()
    assert row.details["rows"] == Customer.objects.visible_to(exporter).filter(grade=grade).count()


def test_refused_exports_leave_no_export_row(personas):
    """am01 may not export: 404, and nothing claims an export happened."""
    assert personas.client("am01").get(reverse("reports:grades_export")).status_code == 404
    assert not OperationLog.objects.filter(action=K.EXPORT).exists()
