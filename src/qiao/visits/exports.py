"""Files of visits other than lists: the personal calendar feed (.ics, RFC 5545) of a
manager's scheduled visits, written as plain text (no library in the lock file makes one)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Qiao//Visit schedule//ZH"


def _escape(text) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def schedule_ics(user, lines) -> str:
    """The calendar of `lines` (ScheduledVisits with customer and schedule): one all-day event
    per visit; a draft week's events are tentative."""
    host = (settings.ALLOWED_HOSTS or ["qiao"])[0].lstrip(".") or "qiao"
    if host == "*":
        host = "qiao"
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
           "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(_('Visit schedule'))} · {_escape(user)}",
           "X-WR-TIMEZONE:Asia/Shanghai"]
    for line in lines:
        customer = line.customer
        summary = _("Visit %(customer)s") % {"customer": customer.name}
        description = str(line.get_reason_display())
        if line.note:
            description += f"\n{line.note}"
        status = "CONFIRMED" if line.schedule.is_submitted else "TENTATIVE"
        out += ["BEGIN:VEVENT", f"UID:schedule-{line.schedule_id}-customer-{customer.pk}@{host}",
                f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{line.day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{line.day + timedelta(days=1):%Y%m%d}",
                f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(description)}",
                f"STATUS:{status}", "TRANSP:TRANSPARENT", "END:VEVENT"]
        if customer.address:
            out.insert(len(out) - 3, f"LOCATION:{_escape(customer.address)}")
    out.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in out)
