"""Hospitality budgets (招待费预算, issue 12 item 7): a manager's monthly budget (per customer
grade if set), its balance shown before a request is submitted, a request over the balance
approved by the next level too, the actual cost (实际费用) with its receipt after the event, and
the budget page of the manager's superiors."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qiao.approvals import services as approvals
from qiao.approvals.models import ApprovalRequest
from qiao.core.exceptions import ConflictError
from qiao.visits import selectors, services
from qiao.visits.models import HospitalityBudget, HospitalityCost, HospitalityRequest

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def month():
    return timezone.localdate().replace(day=1)


def budget(manager, amount, grade=None, on=None):
    return HospitalityBudget.objects.create(manager=manager, month=on or month(), grade=grade,
                                            amount=Decimal(amount))


def raise_(personas, username, amount, *, customer=None, day=None):
    return services.hospitality_request_create(
        actor=personas[username], customer=customer or personas.customers[username][0],
        amount=Decimal(amount), date=day or month(), guests="采购部 2 人", purpose="季度走访")


def approve_all(approval):
    while (task := approval.tasks.filter(state="waiting").first()) is not None:
        approvals.task_approve(actor=task.approver, task=task)
    approval.refresh_from_db()
    return approval


def receipt(name="发票.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def steps(approval):
    """(order, approver) of the request's current round."""
    approval.refresh_from_db()
    return [(t.order, t.approver.username)
            for t in approval.tasks.filter(round=approval.round).order_by("order")]


def test_balance_against_hand_computed_figures(personas, chain, django_assert_max_num_queries):
    """General budget ¥3,000 and grade A's ¥1,000 for am01: waiting ¥800 + approved ¥500 whose
    actual cost is ¥520 use the general one (1,320 → balance 1,680); the rejected ¥700 and last
    month's ¥400 use nothing; ¥600 for a grade-A customer uses grade A's (balance 400)."""
    am01, grade_a = personas["am01"], personas.grades[0]
    plain, graded = personas.customers["am01"]
    graded.__class__.objects.filter(pk=graded.pk).update(grade=grade_a)
    graded.refresh_from_db()
    general, of_a = budget(am01, "3000"), budget(am01, "1000", grade_a)
    raise_(personas, "am01", "800")
    costed = approve_all(raise_(personas, "am01", "500"))
    services.hospitality_cost_record(actor=am01, hospitality=costed.subject,
                                     amount=Decimal("520"), receipt=receipt())
    rejected = raise_(personas, "am01", "700")
    approvals.task_reject(actor=personas["sup1"], task=rejected.tasks.get(order=1),
                          comment="不属于业务招待")
    raise_(personas, "am01", "400", day=selectors.previous_month(month()))
    raise_(personas, "am01", "600", customer=graded)
    with django_assert_max_num_queries(3):
        overview = selectors.budget_overview(am01, month(), graded)
    figures = {s.budget.pk: (s.amount, s.used, s.balance) for s in overview["statuses"]}
    assert figures == {general.pk: (Decimal("3000"), Decimal("1320"), Decimal("1680")),
                       of_a.pk: (Decimal("1000"), Decimal("600"), Decimal("400"))}
    assert overview["applies"].budget == of_a
    assert selectors.budget_overview(am01, month(), plain)["applies"].budget == general
    # Another manager's month is his own: nothing set, nothing used.
    assert selectors.budget_overview(personas["am02"], month())["statuses"] == []


def test_within_budget_the_supervisor_over_it_the_next_level_too(personas, chain):
    am01, am03 = personas["am01"], personas["am03"]
    budget(am01, "1000")
    budget(am03, "500")
    within = raise_(personas, "am01", "800")
    assert steps(within) == [(1, "sup1")]
    over = raise_(personas, "am01", "300")  # balance 200
    assert steps(over) == [(1, "sup1"), (2, "region1")]
    assert over.tasks.get(order=2).step_label == "超预算：上一级审批"
    subject = over.subject
    assert (subject.budget, subject.budget_used, subject.budget_balance, subject.over_budget) == (
        Decimal("1000"), Decimal("800"), Decimal("200"), True)
    # am03 reports to the regional manager: over budget, the department manager decides too.
    assert steps(raise_(personas, "am03", "600")) == [(1, "region1"), (2, "deptmgr")]
    # Without a budget the chain is as configured (from ¥2,000 the department manager).
    assert steps(raise_(personas, "am02", "2500")) == [(1, "sup1"), (2, "deptmgr")]
    # The approvers see the balance as it stood when the request was submitted.
    page = personas.client("sup1").get(reverse("approvals:detail", args=[over.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "¥1,000.00" in text and "¥200.00" in text
    assert 'data-testid="subject-over-budget"' in text and "超预算" in text
    # Both levels approve; a returned request is checked again when resubmitted.
    assert approve_all(over).state == "approved"
    returned = raise_(personas, "am01", "100")  # 1,100 used: over
    approvals.task_return(actor=personas["sup1"], task=returned.tasks.get(order=1),
                          comment="请补充来宾名单")
    HospitalityBudget.objects.filter(manager=am01).update(amount=Decimal("5000"))
    approvals.request_resubmit(actor=am01, request=returned)  # unchanged: checked again
    returned.subject.refresh_from_db()
    assert not returned.subject.over_budget and steps(returned) == [(1, "sup1")]


def test_over_budget_with_nobody_above_is_refused_with_nothing_written(personas, chain):
    User = personas["sup1"].__class__
    User.objects.filter(pk=personas["region1"].pk).update(supervisor=None)
    personas.org.regions[0].__class__.objects.update(manager=None)
    personas.users["am03"] = User.objects.get(username="am03")  # as a page would read him
    budget(personas["am03"], "100")
    with pytest.raises(ValidationError, match="超出其限额"):
        raise_(personas, "am03", "300")
    assert not HospitalityRequest.objects.exists() and not ApprovalRequest.objects.exists()


def test_the_request_form_shows_the_balance_before_submitting(personas, chain):
    am01 = personas["am01"]
    budget(am01, "1000")
    raise_(personas, "am01", "800")
    client = personas.client("am01")
    url = reverse("visits:hospitality_new")
    text = client.get(url).content.decode()
    assert "本月预算" in text and "已用" in text and "余额" in text and "¥200.00" in text
    customer = personas.customers["am01"][0]
    asked = client.get(url, {"customer": customer.pk, "amount": "300",
                             "date": month().isoformat()}).content.decode()
    assert 'data-testid="over-budget"' in asked and "上一级审批" in asked
    assert 'value="300"' in asked  # the form keeps what was typed
    within = client.get(url, {"customer": customer.pk, "amount": "150",
                              "date": month().isoformat()}).content.decode()
    assert 'data-testid="over-budget"' not in within
    # am02 has no budget: the form says so; am02 never sees am01's figures.
    other = personas.client("am02").get(url).content.decode()
    assert 'data-testid="no-budget"' in other and "¥200.00" not in other


def test_budget_page_sets_copies_and_keeps_to_the_scope(personas, chain):
    sup1, am01, am02, am03 = (personas[u] for u in ("sup1", "am01", "am02", "am03"))
    url = reverse("visits:hospitality_budgets")
    client = personas.client("sup1")
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "招待费预算" in text and "复制上月" in text
    assert am01.display_name in text and am02.display_name in text
    assert am03.display_name not in text and f'name="amount_{sup1.pk}"' not in text
    response = client.post(url, {f"amount_{am01.pk}": "2,000", f"amount_{am02.pk}": ""})
    assert response.status_code == 302
    assert list(HospitalityBudget.objects.values_list("manager", "month", "amount")) == [
        (am01.pk, month(), Decimal("2000.00"))]
    # Bad amounts: refused by field, nothing written.
    for bad in ("-5", "0", "1000000.01", "1e5", "99999999999999"):
        response = client.post(url, {f"amount_{am01.pk}": "3000", f"amount_{am02.pk}": bad})
        assert response.status_code == 400, bad
        assert f'data-testid="error-amount_{am02.pk}"' in response.content.decode()
    assert HospitalityBudget.objects.get().amount == Decimal("2000.00")
    # A manager outside one's scope, or oneself, is missing; year 0001 is refused.
    for manager in (am03, sup1):
        with pytest.raises(PermissionDenied):
            services.hospitality_budgets_set(actor=sup1, month=month(),
                                             amounts={manager.pk: Decimal("100")})
    with pytest.raises(ValidationError):
        services.hospitality_budgets_set(actor=sup1, month=date(1, 1, 1),
                                         amounts={am01.pk: Decimal("100")})
    assert client.get(url, {"month": "0001-01"}).status_code == 200  # this month instead
    # Emptying an amount removes the budget.
    client.post(url, {f"amount_{am01.pk}": "", f"amount_{am02.pk}": ""})
    assert not HospitalityBudget.objects.exists()
    # Copy last month: every grade's budget the month lacks, once.
    last = selectors.previous_month(month())
    budget(am01, "1500", on=last)
    budget(am02, "900", personas.grades[0], on=last)
    budget(am03, "700", on=last)  # another team's: not sup1's to copy
    budget(am01, "1800")  # this month has one already
    response = client.post(url, {"copy": "1"}, follow=True)
    assert "已从上月复制 1 项预算" in response.content.decode()
    assert set(HospitalityBudget.objects.filter(month=month()).values_list(
        "manager", "grade", "amount")) == {(am01.pk, None, Decimal("1800.00")),
                                           (am02.pk, personas.grades[0].pk, Decimal("900.00"))}
    assert services.hospitality_budgets_copy(actor=sup1, month=month()) == 0
    # A manager never sees another's budget; the regional manager sees the region's.
    assert set(HospitalityBudget.objects.visible_to(am02).values_list("manager", flat=True)) == {
        am02.pk}
    assert HospitalityBudget.objects.visible_to(personas["region1"]).count() == 5
    assert personas.client("am01").get(url).status_code == 404
    assert personas.client("agent01").get(url).status_code == 404


def test_actual_cost_with_receipt(personas, chain, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    am01 = personas["am01"]
    approval = raise_(personas, "am01", "800")
    url = reverse("visits:hospitality_cost", args=[approval.pk])
    client = personas.client("am01")
    # Not yet approved: refused, nothing written.
    response = client.post(url, {"amount": "800", "receipt": receipt()})
    assert response.status_code == 400 and "审批通过后" in response.content.decode()
    approve_all(approval)
    assert client.get(url).status_code == 200
    # Another manager, even the approving supervisor, does not record it (404).
    assert personas.client("am02").get(url).status_code == 404
    assert personas.client("sup1").get(url).status_code == 404
    for data, message in (
            ({"amount": "900", "receipt": receipt()}, "差额"),  # over ¥840 (5 %)
            ({"amount": "820", "receipt": receipt("发票.txt", b"plain text")}, "PDF、JPEG 或 PNG"),
            ({"amount": "820", "receipt": receipt("发票.pdf", b"MZ\x90\x00 program")}, ""),
            ({"amount": "-1", "receipt": receipt()}, ""),
            ({"amount": "820"}, "")):
        response = client.post(url, data)
        assert response.status_code == 400 and message in response.content.decode(), data
    assert not HospitalityCost.objects.exists()
    response = client.post(url, {"amount": "835.50", "receipt": receipt(), "note": "含茶水"})
    assert response.status_code == 302
    cost = HospitalityCost.objects.get()
    assert (cost.amount, cost.note, cost.content_type, cost.uploaded_by) == (
        Decimal("835.50"), "含茶水", "application/pdf", am01)
    # Twice: the page says it is done; the service refuses.
    assert client.get(url).status_code == 302
    with pytest.raises(ConflictError):
        services.hospitality_cost_record(actor=am01, hospitality=cost.request,
                                         amount=Decimal("800"), receipt=receipt())
    # The receipt is read with the request: the approver yes, another manager no.
    receipt_url = reverse("visits:hospitality_receipt", args=[approval.pk])
    assert personas.client("sup1").get(receipt_url).status_code == 200
    assert personas.client("am02").get(receipt_url).status_code == 404
    detail = personas.client("sup1").get(reverse("approvals:detail", args=[approval.pk]))
    assert "¥835.50" in detail.content.decode() and receipt_url in detail.content.decode()
    # The budget now counts the actual cost; the 客户招待管理表 shows it.
    budget(am01, "1000")
    assert selectors.budget_overview(am01, month())["statuses"][0].used == Decimal("835.50")
    table = personas.client("sup1").get(reverse("visits:hospitality_table")).content.decode()
    assert "实际费用" in table and "835.50" in table


def test_actual_cost_waits_for_the_day_of_the_hospitality(personas, chain):
    later = timezone.localdate() + timedelta(days=3)
    approval = approve_all(raise_(personas, "am01", "500", day=later))
    with pytest.raises(ValidationError, match=later.isoformat()):
        services.hospitality_cost_record(actor=personas["am01"], hospitality=approval.subject,
                                         amount=Decimal("500"), receipt=receipt())
    assert not HospitalityCost.objects.exists()
