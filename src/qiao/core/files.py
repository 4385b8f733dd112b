"""Files people upload and download (customers' attachments, work-order stage files, signed
receipts' signatures): one check of what is accepted, one way to store a file with what is known
about it (`store`), one way to hand it back (`stored_file_response`).

The type of a file is read from its content — the signature bytes at its start, the parts of an
Office container — never from its name or from what the browser claims: a page saved as
"report.txt" is stored and served as text/plain, and a program renamed "report.pdf" is refused.
The name's extension only chooses between types the content equally is (plain text or CSV).
"""

import hashlib
import zipfile
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

OCTET_STREAM = "application/octet-stream"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"

# What the handbooks' archive keeps — scans, office documents, photos: the extension a file may
# be uploaded with, and the type its content must then be.
ALLOWED_ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "doc": DOC,
    "xls": XLS,
    "txt": "text/plain",
    "csv": "text/csv",
}
# The extension a stored file is given on the disk, from its detected type.
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg",
              "image/gif": "gif", DOCX: "docx", XLSX: "xlsx", PPTX: "pptx", DOC: "doc",
              XLS: "xls", "text/plain": "txt", "text/csv": "csv"}

_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
# Programs, refused whatever they are called: Linux (ELF), macOS (Mach-O) and Java classes by
# their signature; Windows (MZ) and scripts with an interpreter line (#!/…) too, but only in
# binary or script form, so that a CSV whose first cell happens to start "MZ" is still text.
_PROGRAMS = (b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
             b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!/")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The part every Office Open XML file of each kind has.
_OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX,
                "ppt/presentation.xml": PPTX}
# Stream names in an OLE file's directory (UTF-16): a Word document's, an Excel workbook's.
_OLE_STREAMS = {"WordDocument".encode("utf-16-le"): DOC, "Workbook".encode("utf-16-le"): XLS,
                "Book\x00".encode("utf-16-le"): XLS}
_CHUNK = 64 * 1024


def _chunks(handle):
    handle.seek(0)
    while chunk := handle.read(_CHUNK):
        yield chunk
    handle.seek(0)


def _ole_types(handle) -> set[str]:
    found, tail = set(), b""
    for chunk in _chunks(handle):
        window = tail + chunk
        found |= {kind for name, kind in _OLE_STREAMS.items() if name in window}
        tail = window[-32:]
    return found


def _ooxml_type(handle) -> str | None:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        handle.seek(0)
    return next((kind for part, kind in _OOXML_PARTS.items() if part in names), None)


def is_program(head: bytes) -> bool:
    """Do the first bytes of a file (64 or more) say it is a program?"""
    return head.startswith(_PROGRAMS) or (head.startswith(b"MZ") and b"\x00" in head[:64])


def detect_content_type(handle, ext: str = "") -> str:
    """The type of the file open as `handle` (a binary file object that can seek), read from its
    content. A file of no type Qiao keeps is `application/octet-stream`. Text (no NUL byte in
    its first 4 KB) is text/csv when named .csv and text/plain otherwise — whatever markup it
    holds; an OLE container with both a Word and an Excel stream is what its name says."""
    handle.seek(0)
    head = handle.read(4096)
    handle.seek(0)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(_ZIP):
        return _ooxml_type(handle) or "application/zip"
    if head.startswith(_OLE):
        kinds = _ole_types(handle)
        claimed = ALLOWED_ATTACHMENT_TYPES.get(ext)
        if claimed in kinds:
            return claimed
        return kinds.pop() if len(kinds) == 1 else "application/x-ole-storage"
    if is_program(head) or b"\x00" in head:
        return OCTET_STREAM
    return "text/csv" if ext == "csv" else "text/plain"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload) -> str:
    """Size and type or a ValidationError: refused when the extension is not one Qiao keeps,
    when the content is a program (whatever the file is called) or is not what the extension
    says. Returns the detected content type."""
    limit = settings.QIAO_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": _("The file is too large (%(size)s); the limit is %(limit)s.")
                               % {"size": filesizeformat(upload.size),
                                  "limit": filesizeformat(limit)}})
    ext = _extension(upload.name or "")
    if ext not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError({"file": _(
            "This type of file is not accepted. Allowed: PDF, images (PNG, JPG, GIF), "
            "Word, Excel, PowerPoint, text and CSV.")})
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if is_program(head):
        raise ValidationError({"file": _("This file is a program; programs are not accepted, "
                                         "whatever they are called.")})
    detected = detect_content_type(upload, ext)
    if detected != ALLOWED_ATTACHMENT_TYPES[ext]:
        raise ValidationError({"file": _("The file's content does not match its type (.%s).")
                               % ext})
    return detected


def sha256_of(handle) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(handle):
        digest.update(chunk)
    return digest.hexdigest()


def store(record, upload, *, uploaded_by, secret_level=None, original_name=None):
    """Check `upload` (check_upload) and put it in `record` (a `core.models.StoredFile`): the
    file under a name of Qiao's own with the detected type's extension, its original name (the
    upload's, or `original_name`), detected type, size, SHA-256, who uploaded it, when, and its
    secret level (the model's default when None). The caller saves the record."""
    content_type = check_upload(upload)
    record.original_name = (original_name or upload.name or "")[-200:]
    record.content_type = content_type
    record.size = upload.size
    record.sha256 = sha256_of(upload)
    record.uploaded_by = uploaded_by
    record.uploaded_at = timezone.now()
    if secret_level is not None:
        record.secret_level = secret_level
    record.file.save(f"upload.{EXTENSIONS[content_type]}", upload, save=False)
    return record


def describe_stored(field_file) -> dict | None:
    """{content_type, size, sha256} of a file already on the disk, or None when it is missing
    (used to fill in files stored before these were recorded)."""
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, OSError, ValueError):
        return None
    with handle:
        return {"content_type": detect_content_type(handle, _extension(field_file.name)),
                "size": field_file.storage.size(field_file.name),
                "sha256": sha256_of(handle)}


def content_disposition(name: str) -> str:
    """`attachment` with the file's name: an ASCII stand-in for old clients and the real name
    (Chinese included) in RFC 5987 form, which browsers prefer (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                       for c in name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def stored_file_response(record):
    """The stored file of `record` (a `core.models.StoredFile` the caller has checked the user
    may see) as a download: always an attachment under its original name, of the type detected
    when it was stored, never sniffed by the browser, never cached; 404 when the file has gone
    missing from the disk."""
    try:
        handle = record.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=record.content_type or OCTET_STREAM)
    response["Content-Disposition"] = content_disposition(record.original_name or "download")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_files_backfill(queryset, *, fields=(), extra=None, batch_size=500) -> int:
    """For migrations: fill in `content_type`, `size` and `sha256` of the rows of `queryset`
    (a historical model's, from `apps.get_model`) from their files on the disk — a file shared
    by many rows is read once. A file missing from the disk leaves the size as it was, the
    SHA-256 empty and the type application/octet-stream (what the browser once claimed is not
    kept: it was never checked). `extra(row)` sets the model's own `fields` too. Rows are read
    in batches by primary key, each batch written before the next is read. Returns the number
    of rows written."""
    cache: dict[str, dict | None] = {}
    columns = ["content_type", "size", "sha256", *fields]
    written, last = 0, None
    while True:
        page = queryset.order_by("pk")
        batch = list((page if last is None else page.filter(pk__gt=last))[:batch_size])
        if not batch:
            return written
        for row in batch:
            name = row.file.name or ""
            if name not in cache:
                if len(cache) >= 1000:
                    cache.clear()
                cache[name] = describe_stored(row.file) if name else None
            found = cache[name]
            if found is None:
                row.content_type, row.sha256 = OCTET_STREAM, ""
            else:
                row.content_type, row.size, row.sha256 = (
                    found["content_type"], found["size"], found["sha256"])
            if extra is not None:
                extra(row)
        queryset.model.objects.bulk_update(batch, columns)
        written, last = written + len(batch), batch[-1].pk
