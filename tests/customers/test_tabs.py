"""ISSUE-15: the customer page asks for at most 8 queries whatever tabs there are; each tab
loads from its own URL (customers:detail_tab), through the same scope and clearance checks
as the page, with a number of queries that does not grow with its rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.audit.models import OperationLog
from qiao.core.models import Clearance
from qiao.customers import services, tabs
from qiao.customers.models import Customer

from ..factories import make_contact

PDF = b"%PDF-1.4\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}
# The scope's own queries (org.scope): none for "own" and "all", one per level of sup1's
# supervisor chain (his managers, then theirs: nobody).
SCOPE_QUERIES = {"am01": 0, "director": 0, "sup1": 2}
TAB_CODES = [tab.code for tab in tabs.TABS]


def counted(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(ctx), response.content.decode()


def grow(personas, customer, start, stop):
    """Contacts, follow-ups and attachments numbered start..stop-1 on `customer`."""
    am01 = personas["am01"]
    for i in range(start, stop):
        make_contact(customer, am01, name=f"联系人{i:02d}", mobile=f"1380013{i:04d}")
        services.customer_follow_up_record(actor=am01, customer=customer, channel="phone",
                                           note=f"电话回访{i:02d}")
        services.attachment_add(
            actor=am01, customer=customer, description=f"说明{i:02d}",
            upload=SimpleUploadedFile(f"营业执照{i:02d}.pdf", PDF, "application/pdf"))
    services.customer_update(actor=am01, customer=Customer.objects.get(pk=customer.pk),
                             data={}, tags=personas.tags[:3] if stop > 2 else personas.tags[:1],
                             expected_version=Customer.objects.get(pk=customer.pk).version)


def measure(clients, customer):
    page = reverse("customers:detail", args=[customer.pk])
    counts, pages = {}, {}
    for who, client in clients.items():
        counts[who, "page"], pages[who] = counted(client, page)
        for code in TAB_CODES:
            url = reverse("customers:detail_tab", args=[customer.pk, code])
            counts[who, code], _html = counted(client, url, **HTMX)
    return counts, pages


def test_the_page_and_each_tab_cost_the_same_for_2_and_20_rows(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = personas.customers["am01"][0]
    clients = {who: personas.client(who) for who in SCOPE_QUERIES}
    for client in clients.values():  # warm up: session, content types, translations
        client.get(reverse("customers:detail", args=[customer.pk]))
    grow(personas, customer, 0, 2)
    small, _pages = measure(clients, customer)
    grow(personas, customer, 2, 20)
    large, pages = measure(clients, customer)

    assert large == small
    for who, scope in SCOPE_QUERIES.items():
        # The page: PAGE_QUERIES whatever the tabs, within the budget of 8.
        assert small[who, "page"] == tabs.PAGE_QUERIES + scope, (who, small)
        assert small[who, "page"] <= tabs.PAGE_QUERY_BUDGET
        # The tabs are not on the page, their counts are.
        html = pages[who]
        assert "联系人05" not in html and "电话回访05" not in html and "营业执照05" not in html
        assert 'data-testid="tab-contacts">联系人 <span class="badge text-bg-secondary">20<' in html
    # What each tab shows: all its rows, from its own URL.
    am01 = clients["am01"]
    fragment = lambda code: am01.get(  # noqa: E731
        reverse("customers:detail_tab", args=[customer.pk, code]), **HTMX).content.decode()
    assert fragment("contacts").count("联系人") >= 20 and "<html" not in fragment("contacts")
    assert "营业执照19.pdf" in fragment("attachments")
    assert "电话回访19" in fragment("timeline") and "follow-up-form" in fragment("timeline")
    assert 'data-testid="lifecycle"' in fragment("lifecycle")
    print(small)


def test_without_javascript_a_tab_url_is_the_page_with_that_tab_open(personas):
    customer = personas.customers["am01"][0]
    make_contact(customer, personas["am01"], name="王小明")
    client = personas.client("am01")
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    url = reverse("customers:detail_tab", args=[customer.pk, "contacts"])
    assert f'href="{url}"' in page  # the tab is a link, not only a script's button
    html = client.get(url).content.decode()
    assert "<html" in html and customer.name in html and "王小明" in html
    assert 'class="nav-link active" href="' + url in html


@pytest.mark.parametrize("code", TAB_CODES)
def test_a_tab_is_shown_only_to_those_who_see_the_customer(personas, code):
    customer = personas.customers["am01"][0]
    url = reverse("customers:detail_tab", args=[customer.pk, code])
    assert personas.client("am01").get(url, **HTMX).status_code == 200
    assert personas.client("am01").get(url).status_code == 200
    # Another manager's customer, and a customer above the user's clearance: as if missing.
    assert personas.client("am03").get(url, **HTMX).status_code == 404
    assert personas.client("am03").get(url).status_code == 404
    Customer.objects.filter(pk=customer.pk).update(secret_level=Clearance.CONFIDENTIAL)
    assert personas.client("am01").get(url, **HTMX).status_code == 404
    assert personas.client("sup1").get(url, **HTMX).status_code == 200


def test_an_unknown_tab_is_missing(personas):
    customer = personas.customers["am01"][0]
    url = reverse("customers:detail_tab", args=[customer.pk, "salaries"])
    assert personas.client("am01").get(url, **HTMX).status_code == 404


def test_a_tab_added_to_the_list_adds_no_query_to_the_page(personas, monkeypatch):
    """A module's tab is built only when its URL is asked for: the page costs PAGE_QUERIES
    however many tabs there are."""
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    page = reverse("customers:detail", args=[customer.pk])
    client.get(page)

    def never_on_the_page(user, customer):
        raise AssertionError("a tab's context was built for the page")

    extra = tabs.CustomerTab("visits", "拜访", "customers/_fragments/timeline.html",
                             never_on_the_page)
    monkeypatch.setattr(tabs, "NAV_TABS", (*tabs.NAV_TABS, extra))
    monkeypatch.setitem(tabs.BY_CODE, "visits", extra)
    count, html = counted(client, page)
    assert count == tabs.PAGE_QUERIES
    assert 'data-testid="tab-visits"' in html


@pytest.mark.parametrize("code", TAB_CODES)
def test_reading_a_tab_is_logged_as_a_view_of_the_customer(personas, code):
    customer = personas.customers["am01"][0]
    views = OperationLog.objects.filter(actor=personas["am01"], customer=customer,
                                        action=OperationLog.Kind.CUSTOMER_VIEW)
    url = reverse("customers:detail_tab", args=[customer.pk, code])
    assert personas.client("am01").get(url, **HTMX).status_code == 200
    # The lifecycle card loads with every page, whose own view row covers it.
    assert views.count() == (0 if code == "lifecycle" else 1)
