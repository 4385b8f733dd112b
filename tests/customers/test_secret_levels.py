"""Secret levels (密级, ORG-5): a user sees a customer or an attachment only at or below their
role's clearance — account managers internal, supervisors and regional managers confidential,
the department manager and the director secret. Levels are set by those allowed to, never
above their own clearance."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiao.core.models import Clearance
from qiao.customers import services
from qiao.customers.models import Attachment, Customer

from ..factories import form_data, make_customer

PDF = b"%PDF-1.4\n%%EOF\n"
COUNT = re.compile(r'data-testid="result-count">共 (\d+) 条记录')


def classify(customer, level):
    Customer.objects.filter(pk=customer.pk).update(secret_level=level)


@pytest.mark.parametrize(("level", "seen_by", "hidden_from"), [
    (Clearance.PUBLIC, {"am01", "sup1", "region1", "director"}, set()),
    (Clearance.INTERNAL, {"am01", "sup1", "region1", "director"}, set()),
    (Clearance.CONFIDENTIAL, {"sup1", "region1", "deptmgr", "director"}, {"am01"}),
    (Clearance.SECRET, {"deptmgr", "director"}, {"am01", "sup1", "region1"}),
])
def test_customers_above_a_users_clearance_are_invisible(personas, level, seen_by, hidden_from):
    customer = personas.customers["am01"][0]
    classify(customer, level)
    for who in seen_by | hidden_from:
        client = personas.client(who)
        detail = client.get(reverse("customers:detail", args=[customer.pk]))
        listed = client.get(reverse("customers:list"), {"q": customer.name}).content.decode()
        found = int(COUNT.search(listed).group(1))
        report = client.get(reverse("reports:grades")).content.decode()
        if who in seen_by:
            assert detail.status_code == 200, who
            assert found == 1 and customer.name in report, who
        else:
            assert detail.status_code == 404, who
            assert found == 0 and customer.name not in report, who


def test_attachments_above_clearance_are_hidden_from_list_and_download(personas, settings,
                                                                        tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sup1 = personas["sup1"]
    customer = personas.customers["am01"][0]
    upload = SimpleUploadedFile("董事会纪要.pdf", PDF, "application/pdf")
    attachment = services.attachment_add(actor=sup1, customer=customer, upload=upload,
                                         secret_level=Clearance.CONFIDENTIAL)
    url = reverse("customers:attachment_download", args=[attachment.pk])
    tab_url = reverse("customers:detail_tab", args=[customer.pk, "attachments"])
    am01 = personas.client("am01")
    assert "董事会纪要" not in am01.get(tab_url).content.decode()
    assert am01.get(url).status_code == 404
    sup = personas.client("sup1")
    assert "董事会纪要" in sup.get(tab_url).content.decode()
    assert sup.get(url).status_code == 200


def test_an_attachment_cannot_be_classified_above_the_uploaders_clearance(personas, settings,
                                                                          tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = personas.customers["am01"][0]
    response = personas.client("am01").post(
        reverse("customers:attachment_upload", args=[customer.pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
         "secret_level": Clearance.CONFIDENTIAL}, follow=True)
    assert not Attachment.objects.filter(customer=customer).exists()
    assert response.status_code == 200  # back on the page, with the form's message
    upload = SimpleUploadedFile("b.pdf", PDF, "application/pdf")
    with pytest.raises(ValidationError):
        services.attachment_add(actor=personas["am01"], customer=customer, upload=upload,
                                secret_level=Clearance.SECRET)
    assert not Attachment.objects.filter(customer=customer).exists()


def test_account_managers_cannot_change_a_customers_level(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    page = personas.client("am01").get(reverse("customers:edit", args=[customer.pk]))
    assert 'name="secret_level"' in page.content.decode() and "disabled" in page.content.decode()
    # The disabled field is ignored when posted anyway…
    data = form_data(customer, am01, secret_level=Clearance.PUBLIC, notes="改")
    assert personas.client("am01").post(reverse("customers:edit", args=[customer.pk]),
                                        data).status_code == 302
    customer.refresh_from_db()
    assert customer.secret_level == Clearance.INTERNAL and customer.notes == "改"
    # …and the service refuses it outright.
    with pytest.raises(ValidationError) as error:
        services.customer_update(actor=am01, customer=customer, expected_version=customer.version,
                                 data={"secret_level": Clearance.PUBLIC})
    assert "secret_level" in error.value.message_dict


def test_a_supervisor_classifies_up_to_their_own_clearance(personas):
    sup1 = personas["sup1"]
    customer = make_customer(sup1)  # their own: classified, it stays in their sight
    client = personas.client("sup1")
    page = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    options = re.search(r'<select name="secret_level"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'value="(\d)"', options) == ["0", "1", "2"]  # no 机密 for a 主管
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           form_data(customer, sup1, secret_level=Clearance.SECRET))
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.secret_level == Clearance.INTERNAL
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           form_data(customer, sup1, secret_level=Clearance.CONFIDENTIAL))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.secret_level == Clearance.CONFIDENTIAL
    change = customer.history.first()
    assert change.history_user == sup1 and change.secret_level == Clearance.CONFIDENTIAL
    # Now out of an account manager's sight, still in sup1's and the regional manager's. (An
    # account manager's customer cannot be classified above them: test_clearance_reconciled.)
    assert personas.client("am01").get(
        reverse("customers:detail", args=[customer.pk])).status_code == 404
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert personas.client("region1").get(
        reverse("customers:detail", args=[customer.pk])).status_code == 200


def test_a_new_customer_is_internal(personas):
    customer = make_customer(personas["am01"])
    assert customer.secret_level == Clearance.INTERNAL
