"""C07: no file of more than QIAO_EXPORT_APPROVAL_ROWS rows leaves without the requester's
superior's approval; every file is watermarked and logged with its rows, filters, format and
the SHA-256 of its bytes; an approved export is its requester's alone to download."""

import csv
import datetime
import hashlib
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.approvals import services as approval_services
from qiao.approvals.models import ApprovalRequest, ApprovalTask
from qiao.audit.models import OperationLog
from qiao.core.exports import approval_rows
from qiao.dataio import export_requests
from qiao.dataio.models import ExportRequest
from tests.customers.test_queries import add_customers
from tests.reports.conftest import grant_export

EXPORT = "/customers/export/xlsx/"
LIMIT = 200


@pytest.fixture
def world(personas):
    """am01 (who may export customers here) with 201 customers: two of the personas' and 199
    bulk rows."""
    grant_export()
    add_customers(personas, personas["am01"], 0, LIMIT - 1)
    return personas


def exports_logged():
    return OperationLog.objects.filter(action=OperationLog.Kind.EXPORT)


def body(response) -> bytes:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return b"".join(response.streaming_content)


def ask(personas, path=EXPORT):
    """am01 asks for the export; it becomes a request, and no file."""
    response = personas.client("am01").get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("dataio:exports")
    return ExportRequest.objects.get()


def approval_task(export):
    request = ApprovalRequest.objects.get(type_code=export_requests.EXPORT_TYPE,
                                          object_id=export.pk)
    return request, ApprovalTask.objects.get(request=request)


def approve(personas, export):
    _request, task = approval_task(export)
    approval_services.task_approve(actor=personas["sup1"], task=task, comment="同意")
    export.refresh_from_db()


def test_the_threshold_is_200_rows_by_default():
    assert approval_rows() == LIMIT


def test_200_rows_go_straight_out_watermarked_and_hashed(personas):
    grant_export()
    add_customers(personas, personas["am01"], 0, LIMIT - 2)
    data = body(personas.client("am01").get(EXPORT))
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    mark = sheet["A1"].value
    assert mark.startswith("导出人：") and "（am01）" in mark and "来源：桥 Qiao" in mark
    assert sheet["A2"].value == "客户档案"  # the title under the watermark line
    assert sheet.max_row - 6 == LIMIT  # watermark, title, two notes, a blank line, header
    assert book.properties.creator == f"{personas['am01'].display_name}（am01）"
    assert book.properties.title == "客户档案"
    assert book.properties.keywords == mark and book.properties.description == mark
    log = exports_logged().get()
    assert log.actor == personas["am01"]
    assert log.details["rows"] == LIMIT and log.details["format"] == "xlsx"
    assert log.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert not ExportRequest.objects.exists()


def test_201_rows_make_a_request_to_the_superior_and_no_file(world):
    client = world.client("am01")
    response = client.get(EXPORT + "?status=&sort=name", follow=True)
    assert "已提交导出申请，待上级审批" in response.content.decode()
    assert not response.get("Content-Disposition")
    assert not exports_logged().exists()
    export = ExportRequest.objects.get()
    assert (export.requester, export.rows, export.fmt, export.state) == (
        world["am01"], LIMIT + 1, "xlsx", ExportRequest.State.WAITING)
    assert export.list_name == "customers:export_xlsx" and export.path == EXPORT
    assert export.query == "status=&sort=name"
    request, task = approval_task(export)
    assert request.requester == world["am01"] and task.approver == world["sup1"]
    # 我的导出 shows it, waiting, without a download button.
    page = client.get(reverse("dataio:exports")).content.decode()
    assert "待审批" in page and 'data-testid="export-download"' not in page
    # The approver reads what the file will hold on the approval's page.
    detail = world.client("sup1").get(reverse("approvals:detail", args=[request.pk]))
    text = detail.content.decode()
    assert 'data-testid="export-subject"' in text and "客户档案" in text and "201" in text


def test_approved_the_requester_downloads_and_the_log_holds_its_sha256(world):
    export = ask(world)
    approve(world, export)
    assert export.state == ExportRequest.State.APPROVED
    assert export.expires_at > timezone.now() + datetime.timedelta(days=6)
    client = world.client("am01")
    assert 'data-testid="export-download"' in client.get(reverse("dataio:exports")).content.decode()
    data = body(client.get(reverse("dataio:export_download", args=[export.pk])))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.active["A1"].value.startswith("导出人：")
    assert book.properties.creator.endswith("（am01）")
    assert book.active.max_row - 6 == LIMIT + 1
    log = exports_logged().get()
    assert log.actor == world["am01"] and log.details["rows"] == LIMIT + 1
    assert log.details["sha256"] == hashlib.sha256(data).hexdigest()
    export.refresh_from_db()
    assert export.downloads == 1 and export.last_sha256 == log.details["sha256"]
    body(client.get(reverse("dataio:export_download", args=[export.pk])))
    export.refresh_from_db()
    assert export.downloads == 2 and exports_logged().count() == 2


@pytest.mark.parametrize("who", ["sup1", "am02", "director"])
def test_nobody_but_the_requester_downloads_it(world, who):
    export = ask(world)
    approve(world, export)
    url = reverse("dataio:export_download", args=[export.pk])
    assert world.client(who).get(url).status_code == 404
    page = world.client(who).get(reverse("dataio:exports")).content.decode()
    assert 'data-testid="export-request-row"' not in page
    assert not exports_logged().exists()


def test_a_rejected_request_cannot_be_downloaded(world):
    export = ask(world)
    _request, task = approval_task(export)
    approval_services.task_reject(actor=world["sup1"], task=task, comment="不需要")
    export.refresh_from_db()
    assert export.state == ExportRequest.State.REJECTED
    client = world.client("am01")
    response = client.get(reverse("dataio:export_download", args=[export.pk]), follow=True)
    assert not response.get("Content-Disposition")
    assert "只有已批准的导出才能下载" in response.content.decode()
    assert not exports_logged().exists()


def test_a_waiting_or_expired_request_cannot_be_downloaded(world):
    export = ask(world)
    client = world.client("am01")
    url = reverse("dataio:export_download", args=[export.pk])
    assert client.get(url)["Location"] == reverse("dataio:exports")
    approve(world, export)
    ExportRequest.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(url, follow=True)
    assert not response.get("Content-Disposition") and "已过期" in response.content.decode()
    assert not exports_logged().exists()


def test_more_rows_than_approved_are_refused(world):
    export = ask(world)
    approve(world, export)
    add_customers(world, world["am01"], LIMIT, LIMIT + 1)
    response = world.client("am01").get(reverse("dataio:export_download", args=[export.pk]),
                                        follow=True)
    assert not response.get("Content-Disposition")
    assert "超过批准的 201 行" in response.content.decode()
    assert not exports_logged().exists()


def test_the_approved_filters_and_format_make_the_file(world):
    """A CSV asked with its order: the download holds the rows as the requester sees them, in
    that order, its first line the watermark, its SHA-256 the log's."""
    export = ask(world, "/customers/export/csv/?sort=name")
    assert export.query == "sort=name" and export.fmt == "csv"
    approve(world, export)
    data = body(world.client("am01").get(reverse("dataio:export_download", args=[export.pk])))
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines[0][0].startswith("导出人：") and "（am01）" in lines[0][0]
    assert len(lines) - 2 == export.rows
    log = exports_logged().get()
    assert log.details["format"] == "csv" and log.details["rows"] == export.rows
    assert log.details["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_threshold_from_settings(world, settings):
    settings.QIAO_EXPORT_APPROVAL_ROWS = 1000
    body(world.client("am01").get(EXPORT))
    assert exports_logged().count() == 1 and not ExportRequest.objects.exists()


def test_my_exports_page_reads_in_a_fixed_number_of_queries(world):
    client = world.client("am01")
    url = reverse("dataio:exports")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    ask(world)
    count()  # the first request of a session fills per-process caches
    one = count()
    for _ in range(4):
        client.get(EXPORT)
    assert ExportRequest.objects.count() == 5
    assert count() == one


def test_a_file_that_is_no_list_goes_through_the_same_gate(personas, settings):
    """The registration form (one customer, rows=1) with the threshold at 0: a request, then
    the same page makes the file for its requester when approved."""
    grant_export()
    settings.QIAO_EXPORT_APPROVAL_ROWS = 0
    customer = personas.customers["am01"][0]
    export = ask(personas, reverse("reports:registration_export", args=[customer.pk]))
    assert export.rows == 1 and export.list_name == "reports:registration_export"
    approve(personas, export)
    data = body(personas.client("am01").get(reverse("dataio:export_download",
                                                     args=[export.pk])))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A1"].value.startswith("导出人：") and sheet["A2"].value == "客户信息登记表"
    log = exports_logged().get()
    assert log.customer_id == customer.pk
    assert log.details["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_request_that_cannot_be_recorded_is_refused_whole(world):
    """A query string too long to keep: a message, no request, no approval, no file."""
    response = world.client("am01").get(EXPORT + "?sort=name&x=" + "长" * 3000, follow=True,
                                        HTTP_REFERER="http://testserver/customers/")
    assert response.redirect_chain[-1][0].endswith("/customers/")  # back where it was asked
    assert not response.get("Content-Disposition")
    assert not ExportRequest.objects.exists() and not ApprovalRequest.objects.exists()
    assert not exports_logged().exists()


def test_approving_an_export_needs_the_approvers_second_factor(world, settings):
    """C24: an export's approval is a privileged route — the page sends an approver whose
    session has not verified to verify first, and the service refuses anyone else (an API
    token never has a verified session); rejecting needs nothing."""
    from qiao.core.exceptions import SecondFactorRequired
    from tests.security.test_second_factor import enrol

    settings.QIAO_SECOND_FACTOR = True
    export = ask(world)
    request, task = approval_task(export)
    sup1 = world.client("sup1")
    decide = reverse("approvals:decide", args=[request.pk])
    answer = sup1.post(decide, {"task": task.pk, "decision": "approve", "comment": "同意"})
    assert answer.status_code == 302 and answer["Location"].startswith(
        reverse("org:second_factor_setup"))
    with pytest.raises(SecondFactorRequired):
        approval_services.task_approve(actor=world["sup1"], task=task, comment="同意")
    export.refresh_from_db()
    assert export.state == ExportRequest.State.WAITING
    enrol(sup1, world["sup1"])  # set up and verified in this session
    answer = sup1.post(decide, {"task": task.pk, "decision": "approve", "comment": "同意"})
    assert answer.status_code == 302
    export.refresh_from_db()
    assert export.state == ExportRequest.State.APPROVED


def test_a_returned_export_is_asked_again_with_what_it_is_for(world):
    """An approver returns a request to ask what the file is for; the requester says so (an
    empty or invisible answer is refused, nothing changed) and it waits for approval again."""
    from django.core.exceptions import ValidationError

    export = ask(world)
    request, task = approval_task(export)
    approval_services.task_return(actor=world["sup1"], task=task, comment="请说明用途")
    request.refresh_from_db()
    with pytest.raises(ValidationError):
        approval_services.request_resubmit(actor=world["am01"], request=request,
                                           data={"purpose": " \u200b "})
    export.refresh_from_db()
    assert export.purpose == "" and export.state == ExportRequest.State.RETURNED
    approval_services.request_resubmit(actor=world["am01"], request=request,
                                       data={"purpose": "季度拜访计划，核对门店地址"})
    export.refresh_from_db()
    assert export.purpose == "季度拜访计划，核对门店地址"
    assert export.state == ExportRequest.State.WAITING
    page = world.client("sup1").get(reverse("approvals:detail", args=[request.pk])).content.decode()
    assert "季度拜访计划" in page
