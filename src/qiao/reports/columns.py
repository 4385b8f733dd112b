"""The columns of each customer list, shared by the screen, the printout and the Excel file,
so the three always show the same thing."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qiao.core import exports
from qiao.core.lists import Column, display
from qiao.core.masking import mask, masked

# Bootstrap classes that hide a column on a phone; every column comes back on paper.
PHONE_HIDDEN = "d-none d-md-table-cell d-print-table-cell"
TABLET_HIDDEN = "d-none d-lg-table-cell d-print-table-cell"
SMALL_HIDDEN = "d-none d-sm-table-cell d-print-table-cell"


def _name(obj):
    return obj.name if obj is not None else ""


def _registration_url(customer):
    return reverse("reports:registration", args=[customer.pk])


def _status_badge(customer):
    return f"badge-status-{customer.status}"


NAME = Column(_("Customer name"), "name", 34, link=_registration_url, wrap=True)
GRADE = Column(_("Grade"), "grade.name", 8)
CATEGORY = Column(_("Classification"), "category", 12, PHONE_HIDDEN)
REGION = Column(_("Region"), "region.name", 10, PHONE_HIDDEN)
DISTRICT = Column(_("Administrative area"), "district", 14, PHONE_HIDDEN, wrap=True)
ADDRESS = Column(_("Address"), "address", 30, TABLET_HIDDEN, wrap=True)
OWNER = Column(_("Account manager"), "owner", 10, SMALL_HIDDEN)
STATUS = Column(_("Status"), "status", 8, badge=_status_badge)
# Sensitive values are masked on screen, on paper and in Excel alike (ORG-4); they are revealed
# one at a time on the customer page, never in bulk.
PHONE = Column(_("Phone"), "phone", 16, TABLET_HIDDEN)
INDUSTRY = Column(_("Industry"), "industry", 14, PHONE_HIDDEN)
NATURE = Column(_("Enterprise nature"), "nature", 12, TABLET_HIDDEN)
SINCE = Column(_("Customer since"), lambda c: c.start_date or c.onboarded_on, 12, TABLET_HIDDEN,
               kind=exports.DATE)
CONTACTS = Column(_("Number of contacts"), "contacts_count", 8, TABLET_HIDDEN,
                  kind=exports.NUMBER)
KEY_PERSON = Column(_("Key person"), "key_person_name", 10)
KEY_TITLE = Column(_("Position"), "key_person_title", 10, TABLET_HIDDEN)
# An annotation (the first key person's mobile or phone), masked as a phone.
KEY_PHONE = Column(_("Key person's phone"), lambda c: mask(c.key_person_phone, "phone"), 16,
                   PHONE_HIDDEN)

GRADE_COLUMNS = [NAME, GRADE, CATEGORY, REGION, DISTRICT, OWNER, STATUS, PHONE, SINCE]
REGION_COLUMNS = [NAME, REGION, DISTRICT, ADDRESS, GRADE, OWNER, STATUS]
CLASSIFICATION_COLUMNS = [NAME, CATEGORY, INDUSTRY, NATURE, GRADE, REGION, OWNER, STATUS]
KEY_CUSTOMER_COLUMNS = [NAME, CATEGORY, GRADE, REGION, OWNER, CONTACTS, KEY_PERSON, KEY_TITLE,
                        KEY_PHONE, STATUS, SINCE]


# --- 客户信息登记表: the registration form of one customer ------------------------------------

def _months(months):
    return "、".join(str(m) for m in sorted(months or []))


def registration_rows(customer, tags, attachments):
    """The form's lines as on paper: two label/value pairs a line, or one wide pair. Every
    field of the customer record (CUS-1), plus grade, classification and status."""
    c = customer

    def pair(label, value):
        return (label, display(value))

    return [
        [pair(_("Customer name"), c.name)],
        [pair(_("Short name"), c.short_name), pair(_("Customer type"), c.get_kind_display())],
        [pair(_("Unified social credit code"), c.credit_code),
         pair(_("Legal representative"), c.legal_representative)],
        [pair(_("ID card number"), masked(c, "id_number")),
         pair(_("Secret level"), c.get_secret_level_display())],
        [pair(_("Licence number"), c.licence_no), pair(_("Licence expiry"), c.licence_expiry)],
        [pair(_("Address"), c.address)],
        [pair(_("Region"), _name(c.region)), pair(_("Administrative area"), c.district)],
        [pair(_("Phone"), masked(c, "phone")), pair(_("Fax"), masked(c, "fax"))],
        [pair(_("Industry"), c.get_industry_display()),
         pair(_("Enterprise nature"), c.get_nature_display())],
        [pair(_("Staff count"), c.staff_count),
         pair(_("Business mode"), c.get_business_mode_display())],
        [pair(_("Business status"), c.get_business_status_display()),
         pair(_("Peer position"), c.get_peer_position_display())],
        [pair(_("Peak season months"), _months(c.peak_months)),
         pair(_("Off season months"), _months(c.off_months))],
        [pair(_("Main products purchased"), c.main_products)],
        [pair(_("Bank"), c.bank), pair(_("Bank account"), masked(c, "bank_account"))],
        [pair(_("Doing business with us since"), c.start_date),
         pair(_("Source"), c.get_source_display())],
        [pair(_("Grade"), _name(c.grade)), pair(_("Classification"), c.get_category_display())],
        [pair(_("Status"), c.get_status_display()), pair(_("Onboarded on"), c.onboarded_on)],
        [pair(_("Account manager"), str(c.owner) if c.owner_id else ""),
         pair(_("Owning unit"), _name(c.owner_unit))],
        [pair(_("Tags"), "、".join(tags))],
        [pair(_("Attachments"), "、".join(attachments))],
        [pair(_("Notes"), c.notes)],
    ]


def _yes(flag):
    return str(_("Yes")) if flag else ""


# The key people on the form; their private background (ORG-4) never goes on paper.
CONTACT_COLUMNS = [
    (_("Name"), lambda p: p.name),
    (_("Position"), lambda p: p.title),
    (_("Key person"), lambda p: _yes(p.is_key_person)),
    (_("Decision power"), lambda p: _yes(p.has_decision_power)),
    (_("Mobile"), lambda p: masked(p, "mobile")),
    (_("Office phone"), lambda p: masked(p, "phone")),
    (_("Email"), lambda p: p.email),
]
