"""The service desk (SPEC TKT): one ticket engine for the four kinds of work the handbooks give
the customer service department — inquiries (咨询), complaints (投诉), after-sales service and
repairs (售后服务) and customer proposals (客户提案/合理化建议).

A ticket is about one customer and runs new → in progress ⇄ waiting on the customer →
resolved → closed (the customer confirmed, with a 1–5 rating), and may be reopened within
`QIAO_TICKET_REOPEN_DAYS` of closing. Two clocks run on the business calendar
(core.calendar): the first response (the handbooks' 24 hours by default) and the resolution;
the resolution clock stops while the ticket waits on the customer. Each clock's warning and
breach moments are stored, so the worker's sweep is an indexed comparison, and the moment it
acted is stored too, so it acts exactly once (services.sla_sweep).

Replies to the customer and internal notes are messages; every step (created, assigned,
status changed, replied, escalated…) is an event, timed and attributed, rendered when read.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qiao.core.fields import PhoneField
from qiao.core.models import BusinessModel, TimeStampedModel
from qiao.core.validators import plausible_count
from qiao.org.scope import ScopedQuerySet

NUMBER_PREFIX = "KF"  # 客服: KF00000123, the number the customer quotes and e-mails carry


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    AFTER_SALES = "after_sales", _("After-sales service")
    PROPOSAL = "proposal", _("Customer proposal")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    VISIT = "visit", _("Customer visit")
    EMAIL = "email", _("E-mail")
    CALL_CENTRE = "call_centre", _("Call centre")
    WEB = "web", _("Web form")
    API = "api", _("API")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class Category(models.TextChoices):
    """What the ticket is about (客户投诉分析表's 投诉类别, used for every kind)."""

    QUALITY = "quality", _("Product quality")
    SERVICE = "service", _("Service attitude")
    DELIVERY = "delivery", _("Delivery")
    PRICE = "price", _("Price")
    BILLING = "billing", _("Accounts and billing")
    USAGE = "usage", _("Product use")
    OTHER = "other", _("Other")


class Cause(models.TextChoices):
    """Why it happened, found when it is resolved (投诉原因, for the analysis)."""

    PRODUCT = "product", _("Product defect")
    STAFF = "staff", _("Our staff")
    LOGISTICS = "logistics", _("Logistics")
    POLICY = "policy", _("Company policy")
    CUSTOMER = "customer", _("Customer's misunderstanding")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket", "In progress")
    WAITING = "waiting", _("Waiting on the customer")
    RESOLVED = "resolved", _("Resolved, to be confirmed")
    CLOSED = "closed", pgettext_lazy("ticket", "Closed")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)


class Queue(models.Model):
    """A team's queue (服务队列: 投诉组, 售后组, 呼叫中心…): its members see and take its tickets;
    its supervisor is told of breaches and escalations."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"),
                                     blank=True, related_name="ticket_queues")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("queue supervisor"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service queue")
        verbose_name_plural = _("service queues")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SlaPolicy(models.Model):
    """How long a first response and a resolution may take, in business hours, for tickets of
    a kind × severity × customer grade; an empty condition matches any, and the policy that
    names the most conditions wins."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                blank=True)
    grade = models.ForeignKey("customers.Grade", verbose_name=_("customer grade"), null=True,
                              blank=True, on_delete=models.CASCADE, related_name="+")
    first_response_hours = models.DecimalField(
        _("first response (business hours)"), max_digits=6, decimal_places=2, default=24,
        validators=[MinValueValidator(0.25), MaxValueValidator(2000)])
    resolution_hours = models.DecimalField(
        _("resolution (business hours)"), max_digits=6, decimal_places=2, default=72,
        validators=[MinValueValidator(0.25), MaxValueValidator(5000)])
    warn_hours = models.DecimalField(
        _("warn before (business hours)"), max_digits=6, decimal_places=2, default=4,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text=_("The assignee is warned this long before a clock runs out."))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AssignmentRule(models.Model):
    """Where a new ticket goes (分派规则), tried in `order`: the first whose conditions all hold
    (an empty one holds always) sends it to its queue, its person or the customer's own
    account manager."""

    order = models.PositiveSmallIntegerField(_("order"), default=100,
                                             validators=plausible_count(1000))
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                blank=True)
    region = models.ForeignKey("org.OrgUnit", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+",
                               limit_choices_to={"kind": "region"})
    product_contains = models.CharField(_("product contains"), max_length=60, blank=True)
    queue = models.ForeignKey(Queue, verbose_name=_("to queue"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to person"),
                                 null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    to_owner = models.BooleanField(_("to the customer's account manager"), default=False)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class CannedReply(models.Model):
    """A standard reply (标准客户服务用语) agents insert and adapt."""

    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"), max_length=2000)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("standard reply")
        verbose_name_plural = _("standard replies")
        ordering = ["title"]

    def __str__(self):
        return self.title


class Ticket(BusinessModel):
    """服务单: an inquiry, complaint, after-sales request or proposal of one customer."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices,
                               default=Channel.PHONE)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+",
                                 db_index=False)  # tkt_customer and tkt_customer_open lead
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    reporter_name = models.CharField(_("reported by"), max_length=40, blank=True)
    reporter_phone = PhoneField(_("reporter's phone"), blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    subject = models.CharField(_("subject"), max_length=120)
    description = models.TextField(pgettext_lazy("ticket", "description"), max_length=10000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                default=Category.OTHER)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.GENERAL)
    product = models.CharField(_("product"), max_length=100, blank=True)
    batch = models.CharField(_("batch"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.NEW)
    queue = models.ForeignKey(Queue, verbose_name=_("queue"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                   on_delete=models.PROTECT, related_name="+")
    is_repeat = models.BooleanField(_("repeat complaint"), default=False, help_text=_(
        "The customer complained before within the repeat window."))
    # The clocks (business hours on core.calendar), set when the ticket is created.
    first_response_due = models.DateTimeField(_("first response due"))
    first_response_warn_at = models.DateTimeField(_("first response warning at"))
    first_response_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due = models.DateTimeField(_("resolution due"))
    resolution_warn_at = models.DateTimeField(_("resolution warning at"))
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(_("waiting on the customer since"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("result"), blank=True, max_length=5000)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("customer's comment"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # The case library (案例库): a resolved ticket worth learning from, with its lesson.
    is_case = models.BooleanField(_("in the case library"), default=False)
    case_summary = models.TextField(_("case summary"), blank=True, max_length=3000)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            # An agent's queue: their open tickets, the nearest breach first.
            models.Index(fields=["assignee", "status", "resolution_due"], name="tkt_assignee"),
            models.Index(fields=["queue", "status", "resolution_due"], name="tkt_queue"),
            models.Index(fields=["customer", "-created_at"], name="tkt_customer"),
            # A manager's customers' open tickets (the scope's way in through the customer).
            models.Index(fields=["customer", "status", "resolution_due"],
                         name="tkt_customer_open"),
            models.Index(fields=["-created_at", "-id"], name="tkt_created"),
            models.Index(fields=["status", "-created_at"], name="tkt_status"),
            models.Index(fields=["kind", "created_at"], name="tkt_kind_created"),
            # The SLA sweep: open clocks by the moment they warn or breach.
            models.Index(fields=["first_response_warn_at"], name="tkt_response_warn",
                         condition=models.Q(first_response_at__isnull=True)),
            models.Index(fields=["resolution_warn_at"], name="tkt_resolution_warn",
                         condition=models.Q(resolved_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return f"{NUMBER_PREFIX}{self.pk:08d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def resolution_overdue(self) -> bool:
        return self.resolved_at is None and self.resolution_due <= timezone.now()


def ticket_id_of(number: str) -> int | None:
    """The ticket id a number (KF00000123, kf123, 123) stands for, or None."""
    text = (number or "").strip().upper().removeprefix(NUMBER_PREFIX)
    return int(text) if text.isdigit() and 0 < len(text) <= 12 else None


class TicketMessage(TimeStampedModel):
    """A reply to the customer (答复) or an internal note (内部备注) the customer never sees."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to the customer")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("text"), max_length=10000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tkt_msg_ticket")]

    def __str__(self):
        return f"{self.ticket_id} · {self.get_kind_display()}"


class TicketEvent(models.Model):
    """One step of a ticket, who took it and when; its text is composed when read
    (services.EVENT_TEXTS), in the reader's language."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="events")
    code = models.CharField(_("step"), max_length=30)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("ticket step")
        verbose_name_plural = _("ticket steps")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="tkt_event_ticket")]

    def __str__(self):
        return f"{self.ticket_id} · {self.code}"


# --- the call centre (呼叫中心, SPEC CC-1, CC-4) -------------------------------------------------

MAX_CALL_SECONDS = 24 * 3600  # a call longer than a day is a telephony fault, never a call


class CallDirection(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class CallPurpose(models.TextChoices):
    """来电/去电目的 of the 呼入/呼出业务记录表."""

    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    AFTER_SALES = "after_sales", _("After-sales service")
    PROPOSAL = "proposal", _("Suggestion")
    RETURN_VISIT = "return_visit", _("Return visit")
    OTHER = "other", _("Other")


class CallResult(models.TextChoices):
    """处理结果: how the call ended (the outcome codes of inbound and outbound calls)."""

    ANSWERED = "answered", _("Resolved on the call")
    TICKET = "ticket", _("Ticket registered")
    CALLBACK = "callback", _("Call back later")
    TRANSFERRED = "transferred", _("Transferred")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Line busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Customer declined")


# The kind of ticket a call's purpose registers.
TICKET_KIND_OF_PURPOSE = {
    CallPurpose.INQUIRY: Kind.INQUIRY, CallPurpose.COMPLAINT: Kind.COMPLAINT,
    CallPurpose.AFTER_SALES: Kind.AFTER_SALES, CallPurpose.PROPOSAL: Kind.PROPOSAL,
}


class Call(TimeStampedModel):
    """呼叫记录: one inbound or outbound call of an agent (呼入/呼出业务记录表, 呼叫电话记录表).
    Its customer is the one its number matched, or the one the agent chose among several
    (never guessed); a ticket may be registered from it in one step."""

    direction = models.CharField(_("direction"), max_length=3, choices=CallDirection.choices)
    phone = PhoneField(_("phone number"))
    # The number's key (core.validators.normalize_phone), as customers are matched by it.
    phone_normalized = models.CharField(max_length=20, editable=False)
    started_at = models.DateTimeField(_("started at"))
    duration = models.PositiveIntegerField(
        _("duration (seconds)"), validators=[MaxValueValidator(MAX_CALL_SECONDS)])
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"),
                              on_delete=models.PROTECT, related_name="+")
    # The agent's unit when the call was taken: a department manager's scope over the unit.
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=20, choices=CallPurpose.choices,
                               default=CallPurpose.INQUIRY)
    result = models.CharField(_("result"), max_length=20, choices=CallResult.choices,
                              default=CallResult.ANSWERED)
    summary = models.TextField(_("call summary"), max_length=2000, blank=True)
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="calls")
    # The telephony system's own id of the call: posting it again records nothing new.
    external_id = models.CharField(_("telephony id"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    SENSITIVE_FIELDS = {"phone": "phone"}  # masked like the customer's own number (ORG-4)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=~models.Q(external_id=""),
                                    name="call_external_id"),
        ]
        indexes = [
            models.Index(fields=["agent", "-started_at"], name="call_agent"),
            models.Index(fields=["unit", "-started_at"], name="call_unit"),
            models.Index(fields=["customer", "-started_at"], name="call_customer"),
            models.Index(fields=["phone_normalized", "started_at"], name="call_phone"),
            models.Index(fields=["-started_at", "-id"], name="call_started"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.phone} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_text(self) -> str:
        return clock_text(self.duration)


def clock_text(seconds) -> str:
    """Seconds as a call's length reads: 4:05, 1:02:03."""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
