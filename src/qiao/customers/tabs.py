"""The tabs of the customer page (ISSUE-15): each loads when it is opened, from its own URL
(`customers:detail_tab`), with its own queries; the page itself asks for PAGE_QUERIES only,
whatever tabs there are.

A tab is a code, a label, the fragment template and a function that builds its context from
(user, customer). Its URL goes through the same selector as the page (customer_get: data
scope, secret level, not deleted — 404 otherwise) and needs `action` besides viewing the
customer (404 otherwise, as for a customer one may not see). Without JavaScript the tab links
open the page with that tab rendered in it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiao.approvals.selectors import request_for
from qiao.org.permissions import can
from qiao.tickets import selectors as tickets

from . import requests as lifecycle_requests
from . import selectors
from .actions import CUSTOMER_LIFECYCLE, CUSTOMER_RESTORE, CUSTOMER_VIEW
from .forms import AttachmentForm, FollowUpForm, GradeForm, TransitionForm
from .lifecycle import allowed_targets, approval_type
from .models import Customer

# What the customer page costs, for any user whose scope is resolved in one or two queries
# (am01, sup1, director): session, user, [scope…], the customer with its tags, tab counts and
# pending badges (selectors.customer_page), the view's audit row and its volume check, the
# header's unread count. A tab that put a query on the page would break
# tests/customers/test_tabs.py.
PAGE_QUERIES = 6  # + the scope's queries: none for own/all, one per level of a supervisor chain
PAGE_QUERY_BUDGET = 8


@dataclass(frozen=True)
class CustomerTab:
    code: str
    label: Any
    template: str
    context: Callable[[Any, Customer], dict]
    action: str = CUSTOMER_VIEW
    count_attr: str = ""  # the annotation of selectors.customer_page shown on the tab
    # Reading it is logged as a view of the customer (AUD-2), but for the card that loads with
    # the page's first screen, which the page's own view row already covers.
    logs_view: bool = True


def _contacts(user, customer):
    return {
        "contacts": selectors.customer_contacts(customer),
        "deleted_contacts": selectors.customer_deleted_contacts(customer)
        if can(user, CUSTOMER_RESTORE) else [],
    }


def _attachments(user, customer):
    return {"attachments": selectors.customer_attachments(user, customer),
            "attachment_form": AttachmentForm(user=user)}


def _timeline(user, customer):
    return {"timeline": selectors.customer_timeline(user, customer),
            "follow_up_form": FollowUpForm()}


def _lifecycle(user, customer):
    """The lifecycle and grade card: each allowed target with its checklist and whether it goes
    through approval, the change waiting for approval (with its approval request), the grade
    form."""
    pending = lifecycle_requests.open_lifecycle_request(customer)
    statuses = allowed_targets(customer.status) if can(user, CUSTOMER_LIFECYCLE) else ()
    checklists = lifecycle_requests.checklists_for(statuses) if statuses else {}
    approved = lifecycle_requests.active_chains(approval_type(s) for s in statuses)
    return {
        "target_steps": [
            {"status": s, "label": Customer.Status(s).label, "checklist": checklists[s],
             "needs_approval": approval_type(s) in approved}
            for s in statuses],
        "pending_lifecycle": pending,
        # Linked only for those who may open it (the requester, approvers, their scope).
        "pending_approval": request_for(pending, user) if pending else None,
        "transition_form": TransitionForm(initial={"version": customer.version}),
        "grade_form": GradeForm(initial={"grade": customer.grade_id,
                                         "category": customer.category,
                                         "version": customer.version}),
    }


def _tickets(user, customer):
    return {"tickets": tickets.customer_tickets(user, customer)}
VISITS_SHOWN = 20


def _visits(user, customer):
    """The customer's visits and commitments (visits.selectors.customer_tab)."""
    from qiao.visits import selectors as visit_selectors

    return visit_selectors.customer_tab(user, customer, VISITS_SHOWN)


def _sales(user, customer):
    """The customer's orders, receipts, credit and receivable (sales.selectors.customer_tab)."""
    from qiao.sales import selectors as sales_selectors

    return sales_selectors.customer_tab(user, customer)


TABS = (
    CustomerTab("contacts", _("Contacts"), "customers/_fragments/contacts.html", _contacts,
                count_attr="contact_count"),
    CustomerTab("attachments", _("Attachments"), "customers/_fragments/attachments.html",
                _attachments, count_attr="attachment_count"),
    CustomerTab("timeline", _("Timeline"), "customers/_fragments/timeline.html", _timeline),
    CustomerTab("tickets", _("Service tickets"), "tickets/_customer_tab.html", _tickets,
                action=tickets.TICKET_HANDLE),
    CustomerTab("visits", pgettext_lazy("customer tab", "Visits"), "visits/_customer_tab.html",
                _visits),
    CustomerTab("sales", pgettext_lazy("customer tab", "Sales and credit"),
                "sales/_customer_tab.html", _sales, action="sales.view"),
    # Not a tab of its own: the side card of the profile, loaded with the page's first screen.
    CustomerTab("lifecycle", _("Lifecycle"), "customers/_fragments/lifecycle.html", _lifecycle,
                logs_view=False),
)
BY_CODE = {tab.code: tab for tab in TABS}
NAV_TABS = tuple(tab for tab in TABS if tab.code != "lifecycle")


def get(code: str) -> CustomerTab | None:
    return BY_CODE.get(code)
