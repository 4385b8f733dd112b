"""The signature pad's data URL: only a PNG, not too big, not blank; refused clearly with
nothing written (no receipt row, no image file)."""

import base64
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qiao.core.signatures import MAX_BYTES, decode_signature
from qiao.promotions.demo import signature_data_url
from qiao.promotions.models import Handout, HandoutLine

from .factories import confirm_list, make_recommendation


def _data_url(raw: bytes, mime="image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _noise_png(side) -> bytes:
    return _png(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)))


BAD = {
    "empty": ("", "尚未签名"),
    "not a data URL": ("javascript:alert(1)", "PNG"),
    "another image type": (_data_url(b"GIF89a....", "image/gif"), "PNG"),
    "broken base64": ("data:image/png;base64,@@@notbase64@@@", "无法读取"),
    "JPEG bytes labelled PNG": (None, "PNG"),
    "PNG header, then garbage": (_data_url(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50), "无法读取"),
    "transparent (blank)": (_data_url(_png(Image.new("RGBA", (600, 200), (0, 0, 0, 0)))), "空白"),
    "white (blank)": (_data_url(_png(Image.new("RGB", (600, 200), "white"))), "空白"),
    "too big": (None, "过大"),
    "far too big": (_data_url(b"\x89PNG\r\n\x1a\n" + os.urandom(600 * 1024)), "过大"),
}


def _bad(case):
    value, message = BAD[case]
    if case == "JPEG bytes labelled PNG":
        out = io.BytesIO()
        Image.new("RGB", (60, 20), "black").save(out, format="JPEG")
        value = _data_url(out.getvalue())
    if case == "too big":
        raw = _noise_png(300)
        assert len(raw) > MAX_BYTES
        value = _data_url(raw)
    return value, message


def test_a_drawn_signature_is_accepted_and_re_encoded():
    png = decode_signature(signature_data_url(3))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size == (600, 200)


@pytest.mark.parametrize("case", list(BAD))
def test_bad_signatures_are_refused_with_a_clear_message(case):
    value, message = _bad(case)
    with pytest.raises(ValidationError) as exc:
        decode_signature(value)
    assert message in " ".join(exc.value.messages)


def test_an_oversized_canvas_is_refused():
    big = Image.new("RGBA", (5000, 100), (0, 0, 0, 0))
    with pytest.raises(ValidationError) as exc:
        decode_signature(_data_url(_png(big)))
    assert "过大" in " ".join(exc.value.messages)


@pytest.mark.parametrize("case", ["empty", "JPEG bytes labelled PNG", "too big", "far too big",
                                  "transparent (blank)", "broken base64"])
def test_the_form_refuses_a_bad_signature_and_writes_nothing(personas, media_root, case):
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    confirm_list(rec)
    item = rec.campaign.items.first()
    value, message = _bad(case)
    response = personas.client("am01").post(reverse("promotions:handout", args=[rec.pk]), {
        "handed_out_on": timezone.localdate().isoformat(), f"qty_{item.pk}": "2",
        "signer_name": "王采购", "signature": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Handout.objects.exists() and not HandoutLine.objects.exists()
    assert not media_root.exists() or not list(media_root.rglob("*.png"))


def test_the_form_saves_a_good_signature_as_an_image_file(personas, media_root):
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    confirm_list(rec)
    item = rec.campaign.items.first()
    client = personas.client("am01")
    response = client.post(reverse("promotions:handout", args=[rec.pk]), {
        "handed_out_on": timezone.localdate().isoformat(), f"qty_{item.pk}": "2",
        "signer_name": "王采购", "signature": signature_data_url(1), "notes": "当面清点"})
    handout = Handout.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("promotions:receipt", args=[handout.pk])
    assert handout.signer_name == "王采购" and handout.signed_at <= timezone.now()
    assert handout.handed_out_by == personas["am01"]
    files = list(media_root.rglob("*.png"))
    assert len(files) == 1 and files[0].read_bytes().startswith(b"\x89PNG")
    assert "signatures" in str(files[0])
    image = client.get(reverse("promotions:signature", args=[handout.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    page = client.get(reverse("promotions:receipt", args=[handout.pk])).content.decode()
    assert "宣传促销品签收单" in page and "王采购" in page
    assert reverse("promotions:signature", args=[handout.pk]) in page
    assert "品牌台历" in page and "当面清点" in page
