"""Pages with customer data, revealed values, exports, files and API answers are never kept by
a browser or a proxy (`Cache-Control: no-store`); static files keep their caching."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.api.conftest import API, token_secret


def no_store(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_customer_pages_fragments_reveals_and_exports_are_not_stored(personas):
    sup1 = personas.client("sup1")
    customer = personas.customers["am01"][0]
    responses = {
        "list": sup1.get(reverse("customers:list")),
        "detail": sup1.get(reverse("customers:detail", args=[customer.pk])),
        "fragment": sup1.get(reverse("customers:list"), HTTP_HX_REQUEST="true"),
        "reveal": sup1.post(reverse("customers:reveal", args=["customer", customer.pk, "phone"])),
        "export": sup1.get(reverse("reports:grades_export")),
        "report": sup1.get(reverse("reports:grades")),
        "inbox": sup1.get(reverse("notify:inbox")),
        "not found": sup1.get("/customers/999999/"),
    }
    for name, response in responses.items():
        assert no_store(response), (name, response.status_code, response.get("Cache-Control"))
    assert responses["export"].status_code == 200
    assert responses["reveal"].status_code == 200


def test_api_answers_authenticated_by_token_are_not_stored(personas):
    secret = token_secret(personas["am01"])
    response = Client().get(API + "/customers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and no_store(response)


def test_redirects_to_login_are_not_stored_either(db):
    response = Client().get(reverse("customers:list"))
    assert response.status_code == 302 and no_store(response)


@pytest.mark.django_db
def test_static_files_keep_their_caching():
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client().get("/static/qiao/qiao.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
