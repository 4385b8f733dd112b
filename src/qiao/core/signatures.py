"""A signature drawn on screen, for any module that has one signed (a promotions receipt today):
the pad (`_signature_pad.html`, `qiao/signature-pad.js` and `.css`) fills a form's
`SignatureField` with a PNG data URL, which `decode_signature` checks before it is stored — the
PNG signature bytes, a size limit, dimensions, and that something was drawn."""

import base64
import binascii
import io
import math

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 200 * 1024
MAX_SIDE = 2400  # pixels; a phone canvas at 3× density is about 1100 × 600
MIN_INKED_PIXELS = 30  # fewer dark pixels than this is a blank pad or a stray tap
INK_BELOW = 160  # grey level (0 black … 255 white) that counts as ink


class SignatureField(forms.CharField):
    """The pad's hidden field. No max_length: the request body is capped
    (DATA_UPLOAD_MAX_MEMORY_SIZE) and an error on a hidden field would not be seen;
    decode_signature says "too large" in words."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput(attrs={"data-signature-input": ""}))
        super().__init__(required=False, strip=True, **kwargs)


def decode_signature(data_url: str) -> bytes:
    """The PNG bytes of a signature pad's data URL, re-encoded (no chunks but the image's own);
    ValidationError with a message the signer's manager can act on."""
    data_url = (data_url or "").strip()
    if not data_url:
        raise ValidationError(_("The customer has not signed yet: ask them to sign in the box."))
    if not data_url.startswith(PREFIX):
        raise ValidationError(_("The signature is not a PNG image drawn on the signature pad; "
                                "clear it and sign again."))
    encoded = data_url[len(PREFIX):]
    if len(encoded) > (MAX_BYTES * 4) // 3 + 4:
        raise ValidationError(_("The signature image is too large (at most %(kb)s KB); clear it "
                                "and sign again.") % {"kb": MAX_BYTES // 1024})
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature could not be read; clear it and sign again.")) from None
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The signature image is too large (at most %(kb)s KB); clear it "
                                "and sign again.") % {"kb": MAX_BYTES // 1024})
    if not raw.startswith(PNG_MAGIC):
        raise ValidationError(_("The signature is not a PNG image drawn on the signature pad; "
                                "clear it and sign again."))
    image = _open(raw)
    if _inked_pixels(image) < MIN_INKED_PIXELS:
        raise ValidationError(_("The signature is blank: ask the customer to sign in the box."))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _open(raw: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(raw))
        if image.format != "PNG":
            raise ValueError
        width, height = image.size
        if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
            raise ValidationError(_("The signature image is too large (at most %(kb)s KB); "
                                    "clear it and sign again.") % {"kb": MAX_BYTES // 1024})
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("The signature could not be read; clear it and sign again.")) from None
    return image.convert("RGBA")


def _inked_pixels(image: Image.Image) -> int:
    """Dark pixels once the (transparent) pad is laid on white paper."""
    paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(paper, image).convert("L")
    histogram = grey.histogram()
    return sum(histogram[:INK_BELOW])


def signature_data_url(seed: int = 0, width: int = 600, height: int = 200) -> str:
    """A PNG data URL of a handwriting-like stroke on a transparent pad (as the signature pad
    sends): the demo data's and the tests' signatures."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = []
    for i in range(120):
        t = i / 119
        x = 40 + t * (width - 80)
        y = height / 2 + math.sin(t * (9 + seed % 4) + seed) * 45 * (1 - t / 2) \
            + math.cos(t * 23 + seed) * 12
        points.append((x, y))
    draw.line(points, fill=(17, 17, 17, 255), width=4, joint="curve")
    draw.line([(60, height - 40), (width - 60, height - 48)], fill=(17, 17, 17, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
