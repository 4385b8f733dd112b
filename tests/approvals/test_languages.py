"""Approval titles, the engine's notes on events and the approval messages in inboxes are stored
as their kind and parameters and composed when read: the same row reads in Chinese for a
Chinese reader and in English for an English one, whoever wrote it in which language. Rows
written before (text only) get their parameters from the data migrations."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone, translation

from qiao.approvals import services
from qiao.approvals.models import ApprovalEvent, ApprovalRequest
from qiao.notify.inbox.models import Notification
from tests.customers.request_factories import make_lifecycle_request, make_transfer_request
from tests.workorders.factories import make_approved_work_order

from .conftest import hospitality

pytestmark = pytest.mark.django_db


def read(row, attribute, language):
    with translation.override(language):
        return getattr(row.__class__.objects.get(pk=row.pk), attribute)


def test_a_title_reads_in_the_readers_language(personas, chain):
    request = hospitality(personas)  # written in a Chinese session
    customer = request.subject.customer.name
    assert read(request, "title", "zh-hans") == f"招待费：{customer}，¥800.00"
    assert read(request, "title", "en") == f"Hospitality for {customer}, ¥800.00"
    english = personas.client("am01").get(reverse("approvals:mine"), HTTP_ACCEPT_LANGUAGE="en")
    assert f"Hospitality for {customer}" in english.content.decode()
    chinese = personas.client("sup1").get(reverse("approvals:waiting"))
    assert f"招待费：{customer}" in chinese.content.decode()


def test_every_request_type_titles_in_both_languages(personas):
    am01, am03 = personas["am01"], personas["am03"]
    lifecycle = make_lifecycle_request(am01, personas.customers["am01"][0])
    transfer = make_transfer_request(am01, personas.customers["am01"][1])
    work_order = ApprovalRequest.objects.get(
        type_code="work_order",
        object_id=make_approved_work_order(am03, personas.customers["am03"][0],
                                           with_attachment=False).pk)
    assert read(lifecycle, "title", "zh-hans").startswith("客户入网：")
    assert read(lifecycle, "title", "en").startswith("Customer onboarding: ")
    assert read(lifecycle, "title", "zh-hans").endswith("（潜在 → 入网）")
    assert read(transfer, "title", "en").startswith("Customer transfer: 1 customers, ")
    assert read(transfer, "title", "zh-hans").startswith("客户转移：1 户，")
    assert read(work_order, "title", "zh-hans").startswith("工作单：")
    assert read(work_order, "title", "en").startswith("Work order: ")


def test_approval_messages_read_in_the_readers_language(personas, chain):
    sup1 = personas["sup1"]
    sup1.language = "en"  # sup1 reads English: the copy sent out is in English
    sup1.save(update_fields=["language"])
    request = hospitality(personas)  # am01 writes in Chinese
    customer = request.subject.customer.name
    message = Notification.objects.get(recipient=sup1, kind="approval_waiting")
    assert message.title == f"Waiting for your approval: Hospitality for {customer}, ¥800.00"
    assert read(message, "display_title", "zh-hans") == f"待您审批：招待费：{customer}，¥800.00"
    assert read(message, "display_title", "en") == message.title
    page = personas.client("sup1").get(reverse("notify:inbox"), HTTP_ACCEPT_LANGUAGE="en")
    assert message.title in page.content.decode()
    services.task_return(actor=sup1, task=request.tasks.get(), comment="请补充来宾名单")
    decided = Notification.objects.get(recipient=personas["am01"], kind="approval_decided")
    assert read(decided, "display_title", "zh-hans").endswith("：已退回修改")
    assert read(decided, "display_title", "en").endswith(": Returned for changes")


def test_an_overdue_step_reads_in_the_readers_language(personas, chain):
    request = hospitality(personas)
    request.tasks.update(waiting_since=timezone.now() - timedelta(days=10))
    assert services.tasks_escalate() == 1
    event = ApprovalEvent.objects.get(request=request, kind="escalated")
    sup1, region1 = personas["sup1"], personas["region1"]
    assert read(event, "note", "zh-hans") == (
        f"等待 {sup1} 审批已超过 24 个工作小时，已报告 {region1}。")
    assert read(event, "note", "en") == (
        f"Waiting for {sup1} for more than 24 working hours; reported to {region1}.")
    told = Notification.objects.get(recipient=region1, kind="approval_escalated")
    assert read(told, "display_title", "en").startswith(f"Overdue: {sup1} has not decided ")
    assert read(told, "display_title", "zh-hans").startswith(f"超时未审批：{sup1} 已 24 个工作小时未审批")


def test_rows_written_before_get_their_parameters(personas, chain):
    """The data migrations: titles of every request type, then the messages already sent."""
    hospitality_request = hospitality(personas)
    lifecycle = make_lifecycle_request(personas["am01"], personas.customers["am01"][0])
    transfer = make_transfer_request(personas["am01"], personas.customers["am01"][1])
    hospitality_request.tasks.update(waiting_since=timezone.now() - timedelta(days=10))
    services.tasks_escalate()
    before = {r.pk: r.title_params for r in ApprovalRequest.objects.all()}
    messages = {n.pk: n.params for n in Notification.objects.all()}
    assert len(messages) >= 4
    ApprovalRequest.objects.update(title_params={})
    Notification.objects.update(params={})
    # The hospitality request was the approval engine's then (visits 0001 moved it): that
    # migration reads the models as they were.
    loader = MigrationLoader(connection)
    importlib.import_module("qiao.approvals.migrations.0008_hospitality_title_params").fill(
        loader.project_state(("approvals", "0008_hospitality_title_params")).apps, None)
    for module in ("customers.migrations.0012_approval_title_params",
                   "workorders.migrations.0003_approval_title_params",
                   "approvals.migrations.0009_approval_messages_params"):
        importlib.import_module(f"qiao.{module}").fill(django_apps, None)
    assert {r.pk: r.title_params for r in ApprovalRequest.objects.all()} == before
    assert {n.pk: n.params for n in Notification.objects.all()} == messages
    assert {lifecycle.pk, transfer.pk} <= set(before)
    waiting = Notification.objects.filter(kind="approval_waiting").first()
    assert read(waiting, "display_title", "en").startswith("Waiting for your approval: ")
