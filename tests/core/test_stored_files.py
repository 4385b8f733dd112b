"""Stored files (core.models.StoredFile): customers' attachments, work-order stage files and
receipts' signatures are checked, recorded and served one way — the type read from the content,
never from the name; size and SHA-256 recorded; one download view that answers 404 outside the
user's scope or above their clearance, and serves an attachment the browser may not sniff."""

import hashlib
import importlib
import io
import zipfile
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from qiao.core.files import DOCX, check_upload
from qiao.core.models import Clearance
from qiao.core.views import stored_file_download
from qiao.customers import services as customer_services
from qiao.customers.models import Attachment
from qiao.promotions import services as promotion_services
from qiao.promotions.demo import signature_data_url
from qiao.promotions.models import Handout
from qiao.workorders import services as workorder_services
from qiao.workorders.models import StageAttachment

from ..promotions.factories import confirm_list, make_recommendation
from ..workorders.factories import make_approved_work_order

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = "<html><body><script>alert('xss')</script>报价单</body></html>".encode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload_page(client, customer, name, content, **fields):
    return client.post(reverse("customers:attachment_upload", args=[customer.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type="text/html"),
                        **fields}, follow=True)


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def assert_served_as_attachment(response, content_type):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache


# --- upload: what is refused, what is recorded ----------------------------------------------

@pytest.mark.parametrize("program", [ELF, MZ], ids=["elf", "mz"])
def test_a_program_renamed_report_pdf_is_refused_at_upload(personas, media, program):
    customer = personas.customers["am01"][0]
    response = upload_page(personas.client("am01"), customer, "report.pdf", program)
    assert any("程序一律不接受" in str(m) for m in get_messages(response.wsgi_request))
    assert not Attachment.objects.exists() and not any(media.rglob("*.*"))
    work_order = make_approved_work_order(personas["am01"], personas.customers["am01"][1],
                                          with_attachment=False)
    with pytest.raises(ValidationError, match="程序"):
        workorder_services.stage_record(
            actor=personas["am01"], work_order=work_order, stage="briefing",
            date=date(2026, 11, 20), people="市场部",
            files=[SimpleUploadedFile("report.pdf", program)])
    assert not StageAttachment.objects.exists()


def test_size_sha256_and_the_detected_type_are_recorded(personas, media):
    customer = personas.customers["am01"][0]
    before = timezone.now()
    upload_page(personas.client("am01"), customer, "营业执照.pdf", PDF, description="扫描件")
    attachment = Attachment.objects.get()
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.content_type == "application/pdf"  # not the browser's "text/html"
    assert attachment.original_name == "营业执照.pdf"
    assert attachment.uploaded_by == personas["am01"] and attachment.uploaded_at >= before
    assert attachment.file.name.startswith("customers/") and attachment.file.name.endswith(".pdf")
    assert (media / attachment.file.name).read_bytes() == PDF


def test_an_office_file_is_known_by_its_parts_not_its_name(personas):
    def zipped(*parts):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for part in parts:
                archive.writestr(part, "<x/>")
        return buffer.getvalue()

    document = zipped("[Content_Types].xml", "word/document.xml")
    assert check_upload(SimpleUploadedFile("方案.docx", document)) == DOCX
    with pytest.raises(ValidationError):  # a Word document is not a workbook
        check_upload(SimpleUploadedFile("方案.xlsx", document))
    with pytest.raises(ValidationError):  # any zip is not a Word document
        check_upload(SimpleUploadedFile("方案.docx", zipped("payload.js")))


# --- download: one view, one set of rules ---------------------------------------------------

def test_html_uploaded_as_txt_is_served_as_a_plain_text_attachment(personas, media):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    upload_page(client, customer, "报价说明.txt", HTML)
    attachment = Attachment.objects.get()
    assert attachment.content_type == "text/plain"
    response, body = download(client, reverse("customers:attachment_download",
                                              args=[attachment.pk]))
    assert_served_as_attachment(response, "text/plain")
    assert "html" not in response["Content-Type"]
    assert "filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E8%AF%B4%E6%98%8E.txt" in \
        response["Content-Disposition"]
    assert body == HTML


def test_another_managers_attachment_answers_404(personas, media):
    customer = personas.customers["am01"][0]
    attachment = customer_services.attachment_add(
        actor=personas["am01"], customer=customer, upload=SimpleUploadedFile("合同.pdf", PDF))
    url = reverse("customers:attachment_download", args=[attachment.pk])
    assert download(personas.client("am01"), url)[1] == PDF
    for outsider in ("am02", "am03", "agent01", "admin"):
        assert personas.client(outsider).get(url).status_code == 404, outsider


def test_a_classified_attachment_above_the_users_clearance_answers_404(personas, media):
    customer = personas.customers["am01"][0]
    attachment = customer_services.attachment_add(
        actor=personas["sup1"], customer=customer, upload=SimpleUploadedFile("纪要.pdf", PDF),
        secret_level=Clearance.CONFIDENTIAL)
    url = reverse("customers:attachment_download", args=[attachment.pk])
    assert personas.client("am01").get(url).status_code == 404  # 内部 clearance, 秘密 file
    response, body = download(personas.client("sup1"), url)
    assert_served_as_attachment(response, "application/pdf")
    assert body == PDF


def test_a_file_missing_from_the_disk_answers_404(personas, media):
    attachment = customer_services.attachment_add(
        actor=personas["am01"], customer=personas.customers["am01"][0],
        upload=SimpleUploadedFile("合同.pdf", PDF))
    (media / attachment.file.name).unlink()
    url = reverse("customers:attachment_download", args=[attachment.pk])
    assert personas.client("am01").get(url).status_code == 404


@pytest.fixture
def stage_file(personas, media):
    work_order = make_approved_work_order(personas["am01"], personas.customers["am01"][1])
    return StageAttachment.objects.get(record__work_order=work_order)


@pytest.fixture
def handout(personas, media):
    recommendation = make_recommendation(personas["am01"], personas.customers["am01"][1])
    confirm_list(recommendation)
    item = recommendation.campaign.items.first()
    return promotion_services.handout_record(
        actor=personas["am01"], recommendation=recommendation,
        handed_out_on=timezone.localdate(), quantities={item.pk: 1}, signer_name="王采购",
        signature_data_url=signature_data_url(1))


def _decorated(view) -> list:
    """`view` and every function it wraps (functools.wraps' __wrapped__ chain)."""
    chain = [view]
    while hasattr(chain[-1], "__wrapped__"):
        chain.append(chain[-1].__wrapped__)
    return chain


def test_stage_files_and_signatures_go_through_the_same_view_and_rules(personas, stage_file,
                                                                       handout):
    stage_url = reverse("workorders:attachment", args=[stage_file.pk])
    signature_url = reverse("promotions:signature", args=[handout.pk])
    attachment_url = reverse("customers:attachment_download", args=[1])
    for url in (stage_url, signature_url, attachment_url):
        assert stored_file_download in _decorated(resolve(url).func)  # inside `requires(...)`

    response, body = download(personas.client("am01"), stage_url)
    assert_served_as_attachment(response, "application/pdf")
    assert "filename*=UTF-8''%E8%AF%B4%E6%98%8E%E4%BC%9A%E7%BA%AA%E8%A6%81.pdf" in \
        response["Content-Disposition"]
    assert stage_file.sha256 == hashlib.sha256(body).hexdigest() and stage_file.size == len(body)

    response, body = download(personas.client("am01"), signature_url)
    assert_served_as_attachment(response, "image/png")
    assert body.startswith(b"\x89PNG") and handout.content_type == "image/png"
    assert handout.sha256 == hashlib.sha256(body).hexdigest()
    assert handout.original_name == "王采购的签名.png" and handout.uploaded_by == personas["am01"]

    for url in (stage_url, signature_url):
        assert personas.client("am03").get(url).status_code == 404, url

    StageAttachment.objects.filter(pk=stage_file.pk).update(secret_level=Clearance.CONFIDENTIAL)
    Handout.objects.filter(pk=handout.pk).update(secret_level=Clearance.CONFIDENTIAL)
    for url in (stage_url, signature_url):
        assert personas.client("am01").get(url).status_code == 404, url
    assert personas.client("sup1").get(stage_url).status_code == 200


# --- files stored before: the migrations fill them in ----------------------------------------

def fill(module):
    importlib.import_module(module).fill(django_apps, None)


def test_the_backfill_reads_old_files_from_the_disk_and_tolerates_missing_ones(personas, media,
                                                                               stage_file,
                                                                               handout):
    customer = personas.customers["am01"][0]
    created = timezone.now().replace(microsecond=0) - timezone.timedelta(days=400)
    path = default_storage.save("customers/2025/01/1-old.txt", ContentFile(HTML))
    # As rows were written before: what the browser claimed, nothing of the content.
    old = Attachment.objects.create(customer=customer, file=path, original_name="旧说明.txt",
                                    content_type="text/html", size=len(HTML),
                                    uploaded_by=personas["am01"], created_at=created)
    gone = Attachment.objects.create(customer=customer, file="customers/2025/01/1-gone.pdf",
                                     original_name="丢失.pdf", content_type="application/pdf",
                                     size=123, created_at=created)
    fill("qiao.customers.migrations.0018_attachment_stored_file_backfill")
    old.refresh_from_db()
    gone.refresh_from_db()
    assert (old.content_type, old.size, old.sha256, old.uploaded_at) == (
        "text/plain", len(HTML), hashlib.sha256(HTML).hexdigest(), created)
    assert (gone.content_type, gone.size, gone.sha256) == ("application/octet-stream", 123, "")
    url = reverse("customers:attachment_download", args=[old.pk])
    assert_served_as_attachment(personas.client("am01").get(url), "text/plain")
    assert personas.client("am01").get(
        reverse("customers:attachment_download", args=[gone.pk])).status_code == 404

    expected = (stage_file.content_type, stage_file.size, stage_file.sha256)
    StageAttachment.objects.filter(pk=stage_file.pk).update(content_type="text/html", sha256="")
    fill("qiao.workorders.migrations.0005_stage_attachment_stored_file_backfill")
    stage_file.refresh_from_db()
    assert (stage_file.content_type, stage_file.size, stage_file.sha256) == expected
    assert stage_file.uploaded_at == stage_file.created_at

    sha256 = handout.sha256
    Handout.objects.filter(pk=handout.pk).update(original_name="", sha256="", size=0,
                                                 uploaded_by=None)
    fill("qiao.promotions.migrations.0005_handout_signature_backfill")
    handout.refresh_from_db()
    assert (handout.original_name, handout.sha256, handout.content_type) == (
        "王采购的签名.png", sha256, "image/png")
    assert handout.uploaded_by == personas["am01"] and handout.uploaded_at == handout.signed_at
