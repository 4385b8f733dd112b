"""A disabled user (a leaver) is out at once: their open sessions are refused (CHECKS C06)."""

from django.urls import reverse


def test_disabling_a_user_refuses_their_open_session_on_the_next_request(personas):
    am01 = personas["am01"]
    client = personas.client("am01")
    customer = personas.customers["am01"][0]
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200

    am01.is_active = False
    am01.save(update_fields=["is_active"])

    for url in (reverse("customers:list"), reverse("customers:detail", args=[customer.pk]),
                reverse("customers:edit", args=[customer.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    response = client.post(reverse("customers:delete", args=[customer.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    customer.refresh_from_db()
    assert not customer.is_deleted
