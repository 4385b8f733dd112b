"""C14 and C16: many people saving at once, through the real pages, on a real database.

Each thread is one person with a browser of their own (a django.test.Client, hence its own
session and its own database connection); the data they work on is committed, so these are
`transaction=True` tests. They run in both passes of `make test`: on the SQLite file (WAL,
IMMEDIATE transactions and busy timeout, the options production uses) and on PostgreSQL.

C14 — lost updates. Threads edit one customer in rounds. In a round every thread opens the
edit page (GET: the form, with the hidden `version` it was drawn at), appends its own marker to
the notes *it was shown*, and then all of them press "save" together (a barrier). Whoever
opened the latest version and claims it first wins; everyone else must get 409 with the
"someone else changed it" message — never a 500, never "database is locked". The next round's
pages load while the slowest saves of the previous round are still finishing, so reads and
writes overlap too. Because the winner of a round always reloads after its own save, every
round has exactly one winner, so the run is deterministic: winners == rounds, the version
goes up by exactly one per winner, and the final notes are the winners' markers in round
order — an update that was accepted and then overwritten would be missing from that chain.

C16 — duplicate creates. Fifty people submit the same new customer (same credit code, the
"not the same customer" box ticked) at the same moment: exactly one row; 49 × 409 naming the
credit code.
"""

import html
import threading
import time
import traceback
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from qiao.core.exceptions import StaleVersionError
from qiao.customers import selectors, services
from qiao.customers.models import Customer, CustomerEvent

from ..factories import valid_credit_code

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

# C14 asks for 20 threads × 50 edits = 1,000 concurrent edits. Through the edit page each
# edit is a GET of the form and a POST through the whole stack, about 0.25 s of CPU under one
# GIL, so 1,000 of them take over 4 minutes on two cores: the page test does 20 × 10 = 200
# and the service test below it (same rounds, same checks) does the full 20 × 50 = 1,000.
EDIT_THREADS = 20
PAGE_ROUNDS = 10
SERVICE_ROUNDS = 50
CREATE_THREADS = 50
BARRIER_TIMEOUT = 60  # seconds; a thread that hangs fails the test instead of blocking CI

# People who may edit am01's customers (the manager, up the line) or create customers.
EDITORS = ("am01", "sup1", "region1", "deptmgr", "director")
CREATORS = ("am01", "am02", "am03", "sup1", "region1", "deptmgr", "director")


# --- a browser's view of a form --------------------------------------------------------------

class _FormParser(HTMLParser):
    """Collects the fields of each <form method=post> the way a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None  # (name, multiple, [selected values], first value)
        self._option = None  # value of the open <option>, text collected when it has none
        self._textarea = None  # (name, [text parts])

    def _add(self, name, value):
        if self._form is not None and name:
            self._form.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {}
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a.get("name"), a.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "file", "image"):
                self._add(a.get("name"), a.get("value", ""))
        elif tag == "select":
            self._select = [a.get("name"), "multiple" in a, [], None]
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, []]
        elif tag == "textarea":
            self._textarea = (a.get("name"), [])

    def handle_data(self, data):
        if self._option is not None:
            self._option[2].append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select" and self._select is not None:
            if self._option is not None:
                self._close_option()
            name, multiple, selected, first = self._select
            for value in selected or ([] if multiple or first is None else [first]):
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            self._add(name, text[1:] if text.startswith("\n") else text)  # as browsers do
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def _close_option(self):
        value, selected, text = self._option
        value = value if value is not None else "".join(text).strip()
        if self._select[3] is None:
            self._select[3] = value
        if selected:
            self._select[2].append(value)
        self._option = None


def form_fields(response, must_have: str) -> dict:
    """The fields of the POST form on the page that has a field named `must_have`."""
    parser = _FormParser()
    parser.feed(response.content.decode())
    forms = [f for f in parser.forms if must_have in f]
    assert len(forms) == 1, f"expected one form with {must_have!r}, found {len(forms)}"
    return forms[0]


def messages_in_every_language(message: str) -> set[str]:
    texts = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.add(html.escape(translation.gettext(message), quote=False))
    return texts


# --- running threads ------------------------------------------------------------------------

@dataclass
class Outcome:
    thread: int
    round: int
    marker: str
    version: int  # the version of the form this person submitted
    status: int
    location: str = ""
    body: str = ""


def run_threads(count, target, barrier):
    """Run target(i) in `count` threads; each closes its own database connection at the end.
    A thread that raises breaks the barrier, so the others stop too. Returns the tracebacks."""
    errors = []

    def run(i):
        try:
            target(i)
        except threading.BrokenBarrierError:
            pass  # another thread failed and broke the barrier; its traceback is reported
        except BaseException:
            errors.append(f"thread {i}:\n{traceback.format_exc()}")
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=f"person-{i}") for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10 * BARRIER_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "threads still running"
    return errors


def describe(outcome: Outcome) -> str:
    return (f"thread {outcome.thread} round {outcome.round}: HTTP {outcome.status} "
            f"{outcome.location} {outcome.body[:2000]}")


# --- C14 ------------------------------------------------------------------------------------

def _edit_in_rounds(threads, rounds, load, save):
    """`threads` people edit one customer for `rounds` rounds: load(i) returns (version seen,
    notes seen, context); after the barrier save(i, context, new notes) returns an Outcome
    status and the response details. Returns the outcomes and the elapsed time."""
    outcomes: list[Outcome] = []
    barrier = threading.Barrier(threads, timeout=BARRIER_TIMEOUT)

    def person(i):
        for r in range(rounds):
            version, notes, context = load(i)
            marker = f"[t{i:02d}r{r:02d}]"
            barrier.wait()
            status, location, body = save(i, context, notes + marker)
            outcomes.append(Outcome(thread=i, round=r, marker=marker, version=version,
                                    status=status, location=location, body=body))

    started = time.monotonic()
    errors = run_threads(threads, person, barrier)
    elapsed = time.monotonic() - started
    assert not errors, "\n".join(errors)
    assert len(outcomes) == threads * rounds
    return outcomes, elapsed


def _assert_nothing_lost(customer, start, history_before, events_before, outcomes, threads,
                         rounds):
    """Exactly one winner per round, who had opened the customer at the version the previous
    winner left; each accepted save raised the version by one, left one history entry and
    one timeline event; the notes carry every accepted change, in order, and nothing else."""
    winners = sorted((o for o in outcomes if o.status == 302), key=lambda o: o.round)
    losers = [o for o in outcomes if o.status == 409]
    assert [o.round for o in winners] == list(range(rounds))
    assert [o.version for o in winners] == [start.version + r for r in range(rounds)]
    assert len(losers) == (threads - 1) * rounds

    final = Customer.objects.get(pk=customer.pk)
    assert final.version == start.version + len(winners)
    assert final.notes == start.notes + "".join(o.marker for o in winners)
    for field in ("name", "credit_code", "owner_id", "region_id", "kind", "status", "phone",
                  "grade_id", "category", "peak_months", "off_months", "is_deleted"):
        assert getattr(final, field) == getattr(start, field), field
    assert set(final.tags.all()) == set(start.tags.all())

    new_history = list(final.history.exclude(history_id__in=history_before)
                       .order_by("history_id"))
    assert len(new_history) == len(winners)
    notes = start.notes
    for entry, winner in zip(new_history, winners, strict=True):
        notes += winner.marker
        assert (entry.history_type, entry.notes) == ("~", notes)
    assert (CustomerEvent.objects.filter(customer=customer, kind="edited").count()
            == events_before + len(winners))
    return winners, losers


def _before(customer):
    return (Customer.objects.get(pk=customer.pk),
            set(customer.history.values_list("history_id", flat=True)),
            CustomerEvent.objects.filter(customer=customer, kind="edited").count())


def test_c14_concurrent_edits_through_the_edit_page(personas):
    """The whole path a person takes: open the edit page, change the notes, save."""
    customer = personas.customers["am01"][0]
    url = reverse("customers:edit", args=[customer.pk])
    start, history_before, events_before = _before(customer)
    clients = []
    for i in range(EDIT_THREADS):
        client = personas.client(EDITORS[i % len(EDITORS)])
        assert client.get(url).status_code == 200, EDITORS[i % len(EDITORS)]
        clients.append(client)
    stale = messages_in_every_language(
        "Someone else changed this customer after you opened it. "
        "Reload the page to see their change, then edit again.")

    def load(i):
        page = clients[i].get(url)
        assert page.status_code == 200, page.status_code
        data = form_fields(page, "version")
        return int(data["version"][0]), data.get("notes", [""])[0], data

    def save(i, data, notes):
        response = clients[i].post(url, {**data, "notes": [notes]})
        return (response.status_code, response.get("Location", ""),
                "" if response.status_code == 302 else response.content.decode())

    outcomes, elapsed = _edit_in_rounds(EDIT_THREADS, PAGE_ROUNDS, load, save)

    # Every save either succeeded (redirect to the customer) or was refused with 409 and the
    # message that tells the person what happened. Nothing else: no 500, no 400.
    unexpected = [o for o in outcomes if o.status not in (302, 409)]
    assert not unexpected, "\n".join(describe(o) for o in unexpected[:5])
    for o in outcomes:
        if o.status == 302:
            assert o.location == reverse("customers:detail", args=[customer.pk]), describe(o)
        else:
            assert any(text in o.body for text in stale), describe(o)
    winners, losers = _assert_nothing_lost(customer, start, history_before, events_before,
                                           outcomes, EDIT_THREADS, PAGE_ROUNDS)
    print(f"\nC14 (edit page) on {connection.vendor}: {len(outcomes)} edits by {EDIT_THREADS} "
          f"threads in {elapsed:.1f} s; {len(winners)} saved, {len(losers)} × 409")


def test_c14_concurrent_edits_through_the_service(personas):
    """C14's full 1,000 edits through customers.services.customer_update, which the edit page
    calls (StaleVersionError is what the page turns into 409, as the test above shows)."""
    customer = personas.customers["am01"][1]
    start, history_before, events_before = _before(customer)
    users = [personas[EDITORS[i % len(EDITORS)]] for i in range(EDIT_THREADS)]

    def load(i):
        opened = selectors.customer_get(users[i], customer.pk)
        return opened.version, opened.notes, opened

    def save(i, opened, notes):
        try:
            services.customer_update(actor=users[i], customer=opened, data={"notes": notes},
                                     expected_version=opened.version)
        except StaleVersionError:
            return 409, "", ""
        return 302, "", ""

    outcomes, elapsed = _edit_in_rounds(EDIT_THREADS, SERVICE_ROUNDS, load, save)
    winners, losers = _assert_nothing_lost(customer, start, history_before, events_before,
                                           outcomes, EDIT_THREADS, SERVICE_ROUNDS)
    print(f"\nC14 (service) on {connection.vendor}: {len(outcomes)} edits by {EDIT_THREADS} "
          f"threads in {elapsed:.1f} s; {len(winners)} saved, {len(losers)} stale")


# --- C16 ------------------------------------------------------------------------------------

def test_c16_concurrent_creates_of_one_customer_make_one_row(personas):
    code = valid_credit_code()
    url = reverse("customers:create")
    region = personas.org.regions[0]
    posts = []
    for i in range(CREATE_THREADS):
        username = CREATORS[i % len(CREATORS)]
        client = personas.client(username)
        page = client.get(url)
        assert page.status_code == 200, username
        data = form_fields(page, "credit_code")
        data.update({
            "name": ["上海并发测试贸易有限公司"], "kind": ["enterprise"],
            "credit_code": [code], "region": [str(region.pk)],
            "owner": [str(personas[username].pk)], "confirm_duplicate": ["on"],
        })
        posts.append((client, data))
    taken = {text.replace("%(code)s", code)
             for text in messages_in_every_language(
                 "A customer with credit code %(code)s already exists.")}
    outcomes: list[Outcome] = []
    barrier = threading.Barrier(CREATE_THREADS, timeout=BARRIER_TIMEOUT)

    def person(i):
        client, data = posts[i]
        barrier.wait()
        response = client.post(url, data)
        outcomes.append(Outcome(
            thread=i, round=0, marker="", version=0, status=response.status_code,
            location=response.get("Location", ""),
            body="" if response.status_code == 302 else response.content.decode()))

    errors = run_threads(CREATE_THREADS, person, barrier)
    assert not errors, "\n".join(errors)

    rows = list(Customer._base_manager.filter(credit_code=code))
    assert len(rows) == 1
    created = [o for o in outcomes if o.status == 302]
    refused = [o for o in outcomes if o.status == 409]
    others = [o for o in outcomes if o.status not in (302, 409)]
    assert not others, "\n".join(describe(o) for o in others[:5])
    assert len(created) == 1
    assert created[0].location == reverse("customers:detail", args=[rows[0].pk])
    assert len(refused) == CREATE_THREADS - 1
    for o in refused:
        assert any(text in o.body for text in taken), describe(o)
    assert rows[0].history.count() == 1
    assert CustomerEvent.objects.filter(customer=rows[0], kind="created").count() == 1


def test_search_text_keeps_a_rename_saved_while_a_contact_is_added(personas):
    """A lost update of derived data, in the interleaving threads produce: one person opens
    the customer to add a contact, another renames the customer and saves, then the first
    saves the contact. The customer must still be found by its new name."""
    am01 = personas["am01"]
    pk = personas.customers["am01"][0].pk
    opened_for_contact = selectors.customer_get(am01, pk)
    opened_for_edit = selectors.customer_get(am01, pk)
    services.customer_update(actor=am01, customer=opened_for_edit,
                             data={"name": "新名字贸易有限公司"},
                             expected_version=opened_for_edit.version)
    services.contact_create(actor=am01, customer=opened_for_contact, data={"name": "王小明"})
    search_text = Customer.objects.get(pk=pk).search_text
    assert "王小明" in search_text
    assert "新名字贸易有限公司" in search_text


def test_sqlite_test_database_is_a_wal_file_like_production():
    """The checks above mean something on SQLite only with the production options."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL pass")
    assert not connection.is_in_memory_db()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert connection.settings_dict["OPTIONS"]["timeout"] >= 5
