"""The customers themselves: grades, tags, the customer record and its timeline."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qiao.core.fields import PhoneField
from qiao.core.models import BusinessModel, Clearance
from qiao.core.registry import timeline_kinds
from qiao.core.validators import (
    PlausibleDate,
    plausible_count,
    validate_credit_code,
    validate_id_number,
)
from qiao.org.scope import ScopedQuerySet, ScopedSoftDeleteQuerySet


class Grade(models.Model):
    """A customer grade (客户等级). Rank 1 is the best: 一级 customers are visited weekly."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=40)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("1 is the best"),
                                            validators=plausible_count(100))
    description = models.CharField(_("description"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer grade")
        verbose_name_plural = _("customer grades")
        ordering = ["rank"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerQuerySet(ScopedSoftDeleteQuerySet):
    def in_pool(self):
        """The public pool (公海): live customers without an account manager."""
        return self.filter(owner__isnull=True, is_deleted=False)


class Customer(BusinessModel):
    """A customer (enterprise or individual) with the fields of 客户信息登记表/客户信息调查表."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        INDIVIDUAL = "individual", _("Individual")

    class Nature(models.TextChoices):
        STATE_OWNED = "state", _("State-owned")
        JOINT_STOCK = "stock", _("Joint-stock")
        PARTNERSHIP = "partnership", _("Partnership")
        JOINT_VENTURE = "joint_venture", _("Joint venture")
        INDIVIDUAL = "individual", _("Sole proprietor")
        OTHER = "other", _("Other")

    class BusinessMode(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("business mode", "Active")
        CONSERVATIVE = "conservative", _("Conservative")
        STEADY = "steady", _("Steady")
        VARIABLE = "variable", _("Variable")
        SPECULATIVE = "speculative", _("Speculative")

    class BusinessStatus(models.TextChoices):
        THRIVING = "thriving", _("Thriving")
        GROWING = "growing", _("Growing")
        STABLE = "stable", _("Stable")
        DECLINING = "declining", _("Declining")

    class PeerPosition(models.TextChoices):
        LEADER = "leader", _("Leader")
        INFLUENTIAL = "influential", _("Influential")
        FIRST = "first", _("First tier")
        SECOND = "second", _("Second tier")
        THIRD = "third", _("Third tier")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ONBOARDED = "onboarded", _("Onboarded")
        ACTIVE = "active", pgettext_lazy("customer status", "Active")
        SUSPENDED = "suspended", _("Suspended")
        OFFBOARDED = "offboarded", _("Offboarded")

    class Category(models.TextChoices):
        BIG = "big", _("Big customer")
        KEY = "key", _("Key customer")
        ORDINARY = "ordinary", _("Ordinary customer")

    class Source(models.TextChoices):
        VISIT = "visit", _("Market visit")
        REFERRAL = "referral", _("Referral")
        CALL_CENTRE = "call_centre", _("Call centre")
        EXHIBITION = "exhibition", _("Exhibition")
        WEBSITE = "website", _("Website")
        IMPORT = "import", _("Import")
        OTHER = "other", _("Other")

    class Industry(models.TextChoices):
        RETAIL = "retail", _("Retail")
        WHOLESALE = "wholesale", _("Wholesale")
        CATERING = "catering", _("Catering and hotels")
        MANUFACTURING = "manufacturing", _("Manufacturing")
        CONSTRUCTION = "construction", _("Construction")
        LOGISTICS = "logistics", _("Transport and logistics")
        IT = "it", _("Information technology")
        FINANCE = "finance", _("Finance")
        REAL_ESTATE = "real_estate", _("Real estate")
        SERVICES = "services", _("Business services")
        PUBLIC = "public", _("Public sector")
        OTHER = "other", _("Other")

    # Identity
    kind = models.CharField(_("customer type"), max_length=12, choices=Kind.choices,
                            default=Kind.ENTERPRISE)
    name = models.CharField(_("customer name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True,
        validators=[validate_credit_code],
    )
    licence_no = models.CharField(_("licence number"), max_length=40, blank=True)
    licence_expiry = models.DateField(
        _("licence expiry"), null=True, blank=True, validators=[PlausibleDate()],
        help_text=_("Empty for a licence without a time limit (长期)."))
    legal_representative = models.CharField(_("legal representative"), max_length=40, blank=True)
    id_number = models.CharField(
        _("ID card number"), max_length=18, blank=True, validators=[validate_id_number],
        help_text=_("Of an individual customer, or of the legal representative."),
    )
    # Where and how to reach
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.CharField(_("administrative area"), max_length=60, blank=True)
    region = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="region_customers",
        limit_choices_to={"kind": "region"},
    )
    phone = PhoneField(_("phone"), blank=True)
    fax = PhoneField(_("fax"), blank=True)
    # Business profile
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices,
                                blank=True)
    nature = models.CharField(_("enterprise nature"), max_length=20, choices=Nature.choices,
                              blank=True)
    staff_count = models.PositiveIntegerField(_("staff count"), null=True, blank=True,
                                              validators=plausible_count(10_000_000))
    business_mode = models.CharField(_("business mode"), max_length=20,
                                     choices=BusinessMode.choices, blank=True)
    business_status = models.CharField(_("business status"), max_length=20,
                                       choices=BusinessStatus.choices, blank=True)
    peer_position = models.CharField(_("peer position"), max_length=20,
                                     choices=PeerPosition.choices, blank=True)
    peak_months = models.JSONField(_("peak season months"), default=list, blank=True)
    off_months = models.JSONField(_("off season months"), default=list, blank=True)
    main_products = models.CharField(_("main products purchased"), max_length=200, blank=True)
    bank = models.CharField(_("bank"), max_length=80, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    start_date = models.DateField(_("doing business with us since"), null=True, blank=True,
                                  validators=[PlausibleDate()])
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True,
                                  related_name="customers")
    # Relationship with us
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account manager"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="owned_customers",
    )
    owner_unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("owning unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="unit_customers", editable=False,
        help_text=_("The owner's unit, copied onto the customer so scope is one condition."),
    )
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="customers")
    category = models.CharField(_("classification"), max_length=10, choices=Category.choices,
                                default=Category.ORDINARY)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PROSPECT)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    secret_level = models.PositiveSmallIntegerField(
        _("secret level"), choices=Clearance.choices, default=Clearance.INTERNAL)
    last_activity_at = models.DateTimeField(
        _("last follow-up"), default=timezone.now, editable=False,
        help_text=_("Time of the latest follow-up (a visit, a call…, not an edit of the "
                    "record); the pool's reclaim rule reads it."))
    onboarded_on = models.DateField(_("onboarded on"), null=True, blank=True,
                                    validators=[PlausibleDate()])
    offboarded_on = models.DateField(_("offboarded on"), null=True, blank=True,
                                     validators=[PlausibleDate()])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    # Search keys, maintained by services: normalised name for duplicates, one lower-case
    # blob (name, pinyin, initials, phones, credit code, contacts) for the search box.
    name_normalized = models.CharField(max_length=120, editable=False, db_index=True)
    name_pinyin = models.CharField(max_length=400, editable=False, blank=True)
    phone_normalized = models.CharField(max_length=20, editable=False, blank=True,
                                        db_index=True)
    search_text = models.TextField(editable=False, blank=True)

    objects = CustomerQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["search_text", "name_pinyin", "name_normalized", "phone_normalized",
                         "updated_at", "version"],
        m2m_fields=[tags],
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            # One live customer per credit code; the database settles concurrent creates.
            models.UniqueConstraint(
                fields=["credit_code"], condition=Q(is_deleted=False) & ~Q(credit_code=""),
                name="customer_unique_live_credit_code",
            ),
        ]
        # The customer list (customers.selectors.customer_list) at 100k+ customers. Every list
        # query has `NOT is_deleted` (visible_to), hence partial indexes; `is_deleted` is also a
        # column so that SQLite counts from the index alone (it does not treat the partial
        # condition as covering the column). Each order ends with `id`, the tie-breaker of the
        # sorts, so no sort step is left after the index. Searches (search_text) go through the
        # trigram index of migration 0003, then these give the order.
        indexes = [
            # A manager's list and its count (scope owner_id IN (me)):
            #   WHERE owner_id IN (…) AND NOT is_deleted ORDER BY updated_at DESC, id DESC
            models.Index(fields=["owner", "-updated_at", "-id", "is_deleted", "secret_level"],
                         condition=Q(is_deleted=False), name="cust_owner_recent"),
            # A unit's list and the count of any unit scope (region, team):
            #   WHERE owner_unit_id IN (…) AND NOT is_deleted ORDER BY updated_at DESC, id DESC
            models.Index(fields=["owner_unit", "-updated_at", "-id", "is_deleted", "secret_level"],
                         condition=Q(is_deleted=False), name="cust_unit_recent"),
            # The list in its default order for the director (no scope: also the COUNT(*)) and
            # for scopes that span several owners or units (a region is owner_unit_id IN
            # (region, team, team); a supervisor owner_id IN (…)): the index is read in order,
            # the scope checked on its owner / unit columns, and reading stops when the page is
            # full, instead of sorting every customer of the scope.
            models.Index(fields=["-updated_at", "-id", "owner", "owner_unit", "is_deleted",
                                 "secret_level"],
                         condition=Q(is_deleted=False), name="cust_recent"),
            # Sorted by name the Chinese way (pinyin order), a manager's list:
            #   WHERE owner_id IN (…) AND NOT is_deleted ORDER BY name_pinyin, id
            models.Index(fields=["owner", "name_pinyin", "id", "secret_level"],
                         condition=Q(is_deleted=False),
                         name="cust_owner_pinyin"),
            # Sorted by name for the director and for scopes of several owners or units,
            # read in order like cust_recent: ORDER BY name_pinyin, id
            models.Index(fields=["name_pinyin", "id", "owner", "owner_unit", "secret_level"],
                         condition=Q(is_deleted=False), name="cust_pinyin"),
            # Filters on the list, company-wide: WHERE grade_id = … / status = …
            #   ORDER BY updated_at DESC, id DESC
            models.Index(fields=["grade", "-updated_at", "-id"], condition=Q(is_deleted=False),
                         name="cust_grade_recent"),
            models.Index(fields=["status", "-updated_at", "-id"], condition=Q(is_deleted=False),
                         name="cust_status_recent"),
            # On PostgreSQL, migration 0008 adds two narrow indexes for the counts of scoped lists
            # (cust_owner_level, cust_unit_level): outside the model, as SQLite must not have them.
            # The public pool of a region (customers.selectors.pool_customers):
            #   WHERE owner_id IS NULL AND region_id IN (…) AND NOT is_deleted
            #   ORDER BY updated_at DESC, id DESC
            models.Index(fields=["region", "-updated_at", "-id", "secret_level"],
                         condition=Q(is_deleted=False, owner__isnull=True), name="cust_pool"),
            # The reclaim rule (customers.services.pool_reclaim): owned customers with no
            # follow-up since a cutoff: WHERE owner_id IS NOT NULL AND NOT is_deleted AND
            # last_activity_at < … (per region)
            models.Index(fields=["region", "last_activity_at"],
                         condition=Q(is_deleted=False, owner__isnull=False), name="cust_idle"),
            # The desk's customers longest without follow-up (customers.selectors.
            # idle_customers): WHERE owner_id = me AND NOT is_deleted ORDER BY
            # last_activity_at, id LIMIT 5
            models.Index(fields=["owner", "last_activity_at", "id", "secret_level"],
                         condition=Q(is_deleted=False), name="cust_owner_idle"),
            # The desk's licences expiring soon (customers.selectors.licences_expiring):
            # WHERE <scope> AND licence_expiry BETWEEN today AND today + 30 — a manager's by
            # owner, a unit's or the whole company's by date.
            models.Index(fields=["owner", "licence_expiry", "secret_level"],
                         condition=Q(is_deleted=False, licence_expiry__isnull=False),
                         name="cust_owner_licence"),
            models.Index(fields=["licence_expiry", "owner_unit", "owner", "secret_level"],
                         condition=Q(is_deleted=False, licence_expiry__isnull=False),
                         name="cust_licence"),
        ]

    # Masked for everyone until revealed (core.masking): field name → kind of mask.
    SENSITIVE_FIELDS = {"phone": "phone", "fax": "phone", "id_number": "id",
                        "bank_account": "account"}

    def __str__(self):
        return self.name

    @property
    def log_label(self) -> str:
        """How the append-only operation log names the customer: an enterprise by its name, a
        person by number only, so that an erasure of their data leaves no name behind (C22)."""
        if self.kind == self.Kind.INDIVIDUAL:
            return f"{self.Kind.INDIVIDUAL.label} #{self.pk}"
        return self.name

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None

    @property
    def display_grade(self):
        return self.grade.name if self.grade_id else "—"


class FollowUpChannel(models.TextChoices):
    """How a follow-up recorded on the customer page reached the customer."""

    VISIT = "visit", _("Visit")
    PHONE = "phone", _("Phone call")
    MESSAGE = "message", _("WeChat or text message")
    OTHER = "other", _("Other")


class CustomerEvent(models.Model):
    """One line of a customer's timeline: the activity record every module writes (created,
    edited, graded, a follow-up, a work order's stage, goods handed out…), through
    customers.services.customer_event_record, each of a kind registered in
    core.registry.timeline_kinds.

    The event is stored as its kind and `params` and composed when read, in the reader's
    language (`text`); `message` is the text as written, shown for a kind no longer registered
    or params that no longer fit its text. `owner` and `owner_unit` are the customer's, copied
    (and moved with the customer by every change of owner) so that "my day" and "my team's week"
    are one indexed query. `link` is the record the event is about (a contact, a file, a work
    order…), when there is one."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300)  # as written, in the writer's language
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    # An event about a classified record (an attachment) names it: shown only to those cleared.
    secret_level = models.PositiveSmallIntegerField(choices=Clearance.choices,
                                                    default=Clearance.PUBLIC)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    owner_unit = models.ForeignKey("org.OrgUnit", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    link_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    link_id = models.PositiveBigIntegerField(null=True, blank=True)
    link = GenericForeignKey("link_type", "link_id")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [
            # The timeline of one customer, newest first
            models.Index(fields=["customer", "-occurred_at"], name="event_timeline"),
            # A manager's day: WHERE owner_id = … AND occurred_at >= … ORDER BY occurred_at DESC
            models.Index(fields=["owner", "-occurred_at"], name="event_owner_day"),
            # A team's week: WHERE owner_unit_id IN (…) AND occurred_at >= …
            models.Index(fields=["owner_unit", "-occurred_at"], name="event_unit_week"),
            # The events about one record (a work order's lines on its customers' timelines)
            models.Index(fields=["link_type", "link_id"], name="event_link"),
            # Follow-ups of a period (the desk's team figures): WHERE kind IN (…) AND
            # occurred_at >= the week's start, the customer then checked against the scope.
            models.Index(fields=["kind", "occurred_at", "customer"], name="event_kind_time"),
        ]

    def __str__(self):
        return self.text

    @property
    def kind_entry(self):
        """The registered kind (core.registry.TimelineKind), or None for a kind of old."""
        return timeline_kinds.get(self.kind) if self.kind in timeline_kinds else None

    @property
    def text(self) -> str:
        """The event in the active language, or as written when its kind or params are of old."""
        kind = self.kind_entry
        if kind is None:
            return self.message
        try:
            return kind.render(self.params)
        except (LookupError, TypeError, ValueError):
            return self.message

    @property
    def icon(self) -> str:
        kind = self.kind_entry
        return kind.icon if kind is not None else "bi-dot"
