"""Files people upload and download: one check of what is accepted, one way to hand a stored
file back (404 when it has gone missing from the disk)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Attachments: what the handbooks' archive keeps — scans, office documents, photos.
ALLOWED_ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "txt": (),
    "csv": (),
}


def check_upload(upload) -> str:
    """Size and type (extension and the file's own signature) or a ValidationError."""
    limit = settings.QIAO_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": _("The file is too large (%(size)s); the limit is %(limit)s.")
                               % {"size": filesizeformat(upload.size),
                                  "limit": filesizeformat(limit)}})
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if ext not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError({"file": _(
            "This type of file is not accepted. Allowed: PDF, images (PNG, JPG, GIF), "
            "Word, Excel, PowerPoint, text and CSV.")})
    head = upload.read(8)
    upload.seek(0)
    signatures = ALLOWED_ATTACHMENT_TYPES[ext]
    text_like = not signatures and b"\x00" not in upload.read(4096)
    upload.seek(0)
    if signatures and not any(head.startswith(sig) for sig in signatures) or (
        not signatures and not text_like
    ):
        raise ValidationError({"file": _("The file's content does not match its type (.%s).")
                               % ext})
    return ext


def stored_file_response(field_file, *, filename=None, content_type=None, as_attachment=True):
    """The stored file as a response (its name `filename` when downloaded), or 404 when the
    file is gone from the disk."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename,
                            content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
