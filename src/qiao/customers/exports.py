"""The customer list as a file (DAT-2): the columns of the list page, declared once for Excel
and CSV (qiao.core.exports writes them). Values are what the page shows: the phone masked as
the `{% sensitive %}` tag shows it (org.masking), an empty cell where the page shows "—"."""

from django.utils.translation import gettext_lazy as _

from qiao.core.exports import DATE, Column
from qiao.org.masking import masked

TITLE = _("Customer archive")


def _name(obj):
    return obj.name if obj is not None else ""


# The columns of customers/_fragments/results.html, in its order; the rows come from
# selectors.customer_list (grade, owner and region joined: no query per row).
LIST_COLUMNS = [
    Column(_("Customer name"), lambda c: c.name, 34),
    Column(_("Grade"), lambda c: _name(c.grade), 8),
    Column(_("Classification"), lambda c: c.get_category_display(), 12),
    Column(_("Status"), lambda c: c.get_status_display(), 8),
    Column(_("Region"), lambda c: _name(c.region), 10),
    Column(_("Phone"), lambda c: masked(c, "phone"), 16),
    Column(_("Account manager"), lambda c: str(c.owner) if c.owner_id else "", 10),
    Column(_("Updated"), lambda c: c.updated_at, 16, kind=DATE),
]
