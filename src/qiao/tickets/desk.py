"""The service desk's block of the start page (工作台), registered in TicketsConfig.ready."""

from . import selectors

SHOWN = 5


def my_tickets(user):
    """How many open tickets are the user's, and the five nearest their resolution due; no
    block for someone without any."""
    count, tickets = selectors.my_open_tickets(user, SHOWN)
    if not count:
        return None
    return {"count": count, "tickets": tickets}
