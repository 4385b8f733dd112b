"""Ownership and clearance reconciled (ORG-5): nobody receives a message, count or link about a
customer they cannot open — an account manager whose customer is classified above their
clearance gets no reminder naming it, and does not count it among their customers — and such a
customer is flagged, once, to the first supervisor up the line who may open and hand it over.
Every way to make the pair is refused with a clear message; where the pair arises from a
change that cannot be refused (a role's clearance, a manager's position), the flag comes at
once."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from qiao.core.models import Clearance
from qiao.customers import reminders, services
from qiao.customers.models import Customer
from qiao.customers.tasks import reminders_daily
from qiao.notify.inbox.models import Notification
from qiao.org.models import Position, Role, User
from tests.api.conftest import API, token_secret

from ..factories import form_data, make_contact, make_customer

TODAY = date(2026, 11, 26)
COUNT = "共 {} 条记录"


def classify(customer, level):
    """As a role change or a data import would leave it: no service refuses this."""
    Customer.objects.filter(pk=customer.pk).update(secret_level=level)


def flags(user):
    return list(Notification.objects.filter(recipient=user, kind="clearance_mismatch"))


def test_reminders_name_only_customers_their_reader_may_open(personas):
    am01, director = personas["am01"], personas["director"]
    seen, classified = personas.customers["am01"]
    for customer in (seen, classified):
        Customer.objects.filter(pk=customer.pk).update(licence_expiry=TODAY + timedelta(days=3))
        make_contact(customer, director, name=f"{customer.pk}号联系人", birthday=date(1980, 11, 27))
    classify(classified, Clearance.CONFIDENTIAL)

    assert reminders.licence_expiry_remind(today=TODAY) == 1
    assert reminders.birthday_remind(today=TODAY) == 1
    titles = " ".join(Notification.objects.filter(recipient=am01).values_list("title", flat=True))
    assert seen.name in titles
    assert classified.name not in titles and f"{classified.pk}号联系人" not in titles
    # Every link in every inbox opens for its reader.
    client = Client()
    client.force_login(am01)
    for url in Notification.objects.filter(recipient=am01).values_list("url", flat=True):
        assert client.get(url).status_code == 200, url


def test_the_pool_page_counts_what_the_list_shows(personas):
    am01 = personas["am01"]
    classify(personas.customers["am01"][1], Clearance.CONFIDENTIAL)
    client = personas.client("am01")
    listed = client.get(reverse("customers:list")).content.decode()
    assert COUNT.format(1) in listed
    pool = client.get(reverse("customers:pool")).content.decode()
    assert "名下客户: <strong>1 /" in pool
    assert services.selectors.owned_count(am01) == 1


def test_a_customer_above_its_managers_clearance_is_flagged_once_up_the_line(personas):
    confidential, secret = personas.customers["am01"]
    classify(confidential, Clearance.CONFIDENTIAL)  # 秘密: sup1 (主管) may open it
    classify(secret, Clearance.SECRET)  # 机密: above sup1 and region1; deptmgr may
    assert reminders.clearance_mismatch_remind() == 2
    assert reminders.clearance_mismatch_remind() == 0  # once per customer
    (to_sup1,), (to_deptmgr,) = flags(personas["sup1"]), flags(personas["deptmgr"])
    assert confidential.name in to_sup1.title and "秘密" in to_sup1.title
    assert secret.name in to_deptmgr.title and "机密" in to_deptmgr.title
    assert not flags(personas["region1"]) and not flags(personas["am01"])
    for boss, flag in (("sup1", to_sup1), ("deptmgr", to_deptmgr)):
        assert personas.client(boss).get(flag.url).status_code == 200
    # Handed over to someone cleared, it is in order; nothing more is said.
    services.customers_handover(actor=personas["sup1"], from_user=personas["am01"],
                                to_user=personas["sup1"], customers=[confidential],
                                reason="密级调整")
    assert not reminders.clearance_mismatches().filter(pk=confidential.pk).exists()


def test_nobody_up_the_line_who_may_open_it_means_nobody_is_told_yet(personas):
    am03 = personas["am03"]  # reports to region1 (秘密), who reports to deptmgr
    customer = personas.customers["am03"][0]
    classify(customer, Clearance.SECRET)
    User.objects.filter(pk=personas["region1"].pk).update(supervisor=None)
    assert reminders.clearance_mismatch_remind() == 0
    assert not Notification.objects.filter(kind="clearance_mismatch").exists()
    User.objects.filter(pk=personas["region1"].pk).update(supervisor=personas["deptmgr"])
    am03.refresh_from_db()
    assert reminders.clearance_mismatch_remind() == 1  # the next run finds the way
    assert len(flags(personas["deptmgr"])) == 1


def test_the_daily_task_flags_them_too(personas):
    classify(personas.customers["am01"][0], Clearance.CONFIDENTIAL)
    reminders_daily.call_local()
    assert len(flags(personas["sup1"])) == 1


# --- every way to make the pair is refused ------------------------------------------------------

def test_creating_a_customer_for_a_manager_not_cleared_for_it_is_refused(personas):
    before = Customer.objects.count()
    with pytest.raises(ValidationError) as refused:
        make_customer(personas["am01"], actor=personas["sup1"],
                      secret_level=Clearance.CONFIDENTIAL)
    assert refused.value.message_dict["owner"] == [
        f"{personas['am01']}仅有“内部”密级权限，低于该客户的密级（秘密）：请选择有相应密级权限的"
        "客户经理，或降低密级。"]
    assert Customer.objects.count() == before
    mine = make_customer(personas["sup1"], secret_level=Clearance.CONFIDENTIAL)
    assert mine.owner == personas["sup1"]


def test_classifying_a_customer_above_its_managers_clearance_is_refused(personas):
    sup1 = personas["sup1"]
    customer = personas.customers["am01"][0]
    response = personas.client("sup1").post(
        reverse("customers:edit", args=[customer.pk]),
        form_data(customer, sup1, secret_level=Clearance.CONFIDENTIAL))
    assert response.status_code == 400
    assert "仅有“内部”密级权限" in response.content.decode()
    customer.refresh_from_db()
    assert customer.secret_level == Clearance.INTERNAL


def test_giving_a_classified_customer_to_a_manager_not_cleared_is_refused(personas):
    sup1 = personas["sup1"]
    mine = make_customer(sup1, secret_level=Clearance.CONFIDENTIAL)
    response = personas.client("sup1").post(reverse("customers:edit", args=[mine.pk]),
                                            form_data(mine, sup1, owner=personas["am01"].pk))
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.owner == sup1
    # The same through the API.
    secret = token_secret(sup1)
    answer = Client().patch(f"{API}/customers/{mine.pk}",
                            {"owner": personas["am01"].pk, "version": mine.version},
                            content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 400, answer.content
    mine.refresh_from_db()
    assert mine.owner == sup1


# --- where it cannot be refused, the flag comes at once ------------------------------------------

def test_lowering_a_roles_clearance_in_the_admin_flags_at_once(personas, django_capture_on_commit_callbacks):
    sup1 = personas["sup1"]
    mine = make_customer(sup1, secret_level=Clearance.CONFIDENTIAL)
    role = Role.objects.get(code="supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client("admin").post(reverse("admin:org_role_change", args=[role.pk]), {
            "code": role.code, "name": role.name, "data_scope": role.data_scope,
            "clearance": Clearance.INTERNAL, "actions": role.actions})
    assert response.status_code == 302
    (flag,) = flags(personas["region1"])  # sup1's supervisor, cleared for 秘密
    assert mine.name in flag.title


def test_moving_a_manager_to_a_position_with_less_clearance_flags_at_once(
        personas, django_capture_on_commit_callbacks):
    sup1 = personas["sup1"]
    mine = make_customer(sup1, secret_level=Clearance.CONFIDENTIAL)
    data = {"username": "sup1", "is_active": "on", "display_name": sup1.display_name,
            "unit": sup1.unit_id, "position": Position.objects.get(role__code="account_manager").pk,
            "supervisor": sup1.supervisor_id, "language": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client("admin").post(
            reverse("admin:org_user_change", args=[sup1.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    (flag,) = flags(personas["region1"])
    assert mine.name in flag.title
