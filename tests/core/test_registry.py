"""core.registry: named entries, one per key, in order; domain events heard after commit."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from qiao.core import registry


@dataclass(frozen=True)
class Entry:
    code: str
    order: int = 0


def test_entries_come_in_order_and_a_key_is_claimed_once():
    entries = registry.Registry("test", key=lambda e: e.code)
    entries.register(Entry("b", 2))
    entries.register(Entry("a", 1))
    entries.register(Entry("a", 1))  # the same entry again (ready() run twice): harmless
    assert [e.code for e in entries] == ["a", "b"] and len(entries) == 2
    assert entries.get("b") == Entry("b", 2) and "a" in entries
    with pytest.raises(ValueError, match="already registered"):
        entries.register(Entry("a", 3))
    with pytest.raises(LookupError):
        entries.get("c")


@pytest.mark.django_db(transaction=True)
def test_subscribers_hear_of_an_event_only_after_its_transaction_commits():
    registry.events.register(registry.DomainEvent("test.happened", "happened"))
    heard = []
    registry.subscribe("test.happened", lambda **payload: heard.append(payload))
    with transaction.atomic():
        registry.emit("test.happened", n=1)
        assert heard == []
    assert heard == [{"n": 1}]
    with pytest.raises(RuntimeError), transaction.atomic():
        registry.emit("test.happened", n=2)
        raise RuntimeError
    assert heard == [{"n": 1}]
