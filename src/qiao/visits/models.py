"""Visits: a customer's people met and entertained (SPEC VIS-1, VIS-3, VIS-4, VIS-5, VIS-7).

- `VisitRule`: how often a customer of a grade (optionally of a classification) is visited,
  how, and what is done on each visit (分级管理规定定期访问; seed 002 §4.1.3 a–f; the customer
  training of seed 001 客户拜访管理制度 第14条). Edited in the admin.
- `Visit`: one visit record (拜访报告 / 拜访客户记录卡, 特殊访问记录 for a special visit) with the
  sign-in (签到: time, optional location) and the customer's signature (签名确认), which is the
  record's stored file.
- `Commitment`: a promise made on a visit (承诺), a to-do of its owner; once fulfilled, a
  return visit (回访) is due (第15–16条).
- `HospitalityRequest`: the hospitality request (招待费申请), approved through the engine;
  `HospitalityBudget`: a manager's monthly hospitality budget (招待费预算), optionally per
  customer grade; `HospitalityCost`: the actual cost with its receipt (实际费用, 票据).
- `UnlicensedReport` (无证经营举报, seed 002 §4.7) with its optional `UnlicensedPhoto`: seen on a
  visit, passed on by the regional manager to the monopoly administration, its outcome kept.
- `VisitSchedule` and its `ScheduledVisit`s: a manager's week of visits (客户访问日程表),
  proposed from the rules, edited, submitted, commented by the supervisor; `CalendarFeed`: the
  manager's secret .ics address for a phone's calendar.

Records move only through `visits.services`; reads go through `visible_to(user)` (the scopes in
`visits.scopes`: a visit and a commitment are seen exactly when their customer is).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qiao.core.models import BusinessModel, StoredFile, TimeStampedModel
from qiao.core.money import MoneyField, format_cny, min_amount_validator
from qiao.core.validators import PlausibleDate
from qiao.customers.models import Customer
from qiao.org.scope import ScopedQuerySet


class Task(models.TextChoices):
    """What an account manager does on each visit: seed 002 §4.1.3 a–f, and the customer
    training of seed 001 第14条 where the rule asks for it."""

    INFORM = "inform", _("Pass on the company's information")
    COLLECT = "collect", _("Collect information from the customer")
    STOCK = "stock", _("Check the stock and suggest a reasonable order")
    DISPLAY = "display", _("Help improve the counter display and replace soiled price tags")
    LAWFUL = "lawful", _("Observe sales and urge lawful trading")
    PRICE = "price", _("Check the unified minimum retail price")
    TRAINING = "training", _("Coach and train the customer")


HANDBOOK_TASKS = [Task.INFORM, Task.COLLECT, Task.STOCK, Task.DISPLAY, Task.LAWFUL, Task.PRICE]


class Method(models.TextChoices):
    """How the customer is visited (seed 001 第15条: 电话定期跟踪拜访或定期上门回访)."""

    ON_SITE = "on_site", _("On-site visit")
    PHONE = "phone", _("Phone visit")


class VisitRule(models.Model):
    """How often customers of a grade are visited (分级管理规定定期访问): a rule for a grade,
    and optionally one for a classification within it, which then wins."""

    grade = models.ForeignKey("customers.Grade", verbose_name=_("grade"),
                              on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("classification"), max_length=10, blank=True,
                                choices=[("", _("Every classification")),
                                         *Customer.Category.choices],
                                help_text=_("Empty: the rule of the grade; a classification: "
                                            "its customers of this grade follow this rule "
                                            "instead."))
    frequency_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("A customer is due for a visit this many days after the last one."))
    method = models.CharField(_("visit type"), max_length=10, choices=Method.choices,
                              default=Method.ON_SITE)
    tasks = models.JSONField(_("tasks on each visit"), default=list, blank=True,
                             help_text=_("The checklist of each visit (seed 002 §4.1.3 a–f)."))
    training = models.BooleanField(_("customer training due"), default=False,
                                   help_text=_("Each visit sets aside time to coach and train "
                                               "the customer (客户拜访管理制度 第14条)."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        ordering = ["grade__rank", "category"]
        constraints = [models.UniqueConstraint(fields=["grade", "category"],
                                               name="visit_rule_once")]

    def __str__(self):
        label = self.get_category_display() if self.category else ""
        return f"{self.grade}{' · ' + label if label else ''}"

    @property
    def checklist(self) -> list[str]:
        """The task codes of each visit, in the handbook's order, training last."""
        chosen = [task for task in HANDBOOK_TASKS if task in (self.tasks or [])]
        return chosen + ([Task.TRAINING] if self.training else [])


class Visit(StoredFile, TimeStampedModel):
    """A visit record (拜访报告 / 拜访客户记录卡; 特殊访问记录 for a special visit), signed in
    (签到) and confirmed by the customer's signature — the stored file, a PNG drawn on the
    signature pad (营销人员市场走访签到记录簿: 请客户在记录簿上签名确认)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular visit")
        SPECIAL = "special", _("Special visit")

    upload_dir = "visits/signatures"

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                               on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("visit kind"), max_length=10, choices=Kind.choices,
                            default=Kind.REGULAR)
    situation = models.TextField(_("special situation"), blank=True, max_length=2000,
                                 help_text=_("What happened at the customer's that called for "
                                             "a special visit."))
    method = models.CharField(_("visit type"), max_length=10, choices=Method.choices,
                              default=Method.ON_SITE)
    planned = models.BooleanField(pgettext_lazy("visit", "planned"), default=True,
                                  help_text=_("On the visit schedule."))
    visited_on = models.DateField(_("visit date"), validators=[PlausibleDate(not_future=True)])
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    contacts = models.ManyToManyField("customers.Contact", verbose_name=_("people met"),
                                      blank=True, related_name="+")
    tasks = models.JSONField(_("tasks done"), default=list, blank=True)
    findings = models.TextField(_("findings"), blank=True, max_length=4000)
    needs = models.TextField(_("customer needs"), blank=True, max_length=2000)
    # A complaint found on a visit: the service desk takes it over once it exists.
    complaints = models.TextField(_("complaints"), blank=True, max_length=2000)
    suggestions = models.TextField(_("suggestions"), blank=True, max_length=2000)
    competitors = models.TextField(_("competitor information"), blank=True, max_length=2000)
    suggested_order = models.TextField(_("suggested order"), blank=True, max_length=2000)
    signed_in_at = models.DateTimeField(_("signed in at"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    accuracy = models.FloatField(_("location accuracy (m)"), null=True, blank=True,
                                 validators=[MinValueValidator(0), MaxValueValidator(100_000)])
    signer_name = models.CharField(pgettext_lazy("visit", "signed by"), max_length=40)
    signed_at = models.DateTimeField(_("signed at"))
    # Made by the client for each record it sends: a record sent twice is stored once.
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True, editable=False)
    history = HistoricalRecords(m2m_fields=[contacts])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        ordering = ["-visited_on", "-id"]
        indexes = [
            # The customer's visits (tab) and its last visit (due dates):
            #   WHERE customer_id = … ORDER BY visited_on DESC, id DESC
            models.Index(fields=["customer", "-visited_on", "-id"], name="visit_customer"),
            # The count of a scoped list, from the index alone (the scope joins the customer
            # and checks the record's own clearance): WHERE customer_id = … AND secret_level <= …
            models.Index(fields=["customer", "secret_level"], name="visit_customer_level"),
            # A manager's visits: WHERE author_id = … ORDER BY visited_on DESC, id DESC
            models.Index(fields=["author", "-visited_on", "-id"], name="visit_author"),
            # Everyone's (the director, a unit read in order): ORDER BY visited_on DESC, id DESC
            models.Index(fields=["-visited_on", "-id"], name="visit_recent"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.visited_on}"

    @property
    def is_special(self):
        return self.kind == self.Kind.SPECIAL


class Commitment(TimeStampedModel):
    """A promise made to the customer on a visit (承诺), its owner's to-do until fulfilled or
    cancelled. Fulfilling it makes a return visit (回访) due on `return_due_on`; the next visit
    of the customer after that is the return visit."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("commitment", "Open")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")

    visit = models.ForeignKey(Visit, verbose_name=_("visit record"), on_delete=models.PROTECT,
                              related_name="commitments")
    # The visit's customer, copied so that scope and the customer's lists need no join.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("commitment"), max_length=300)
    due_on = models.DateField(_("due date"), validators=[PlausibleDate()])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True,
                                 validators=[PlausibleDate(not_future=True)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    return_due_on = models.DateField(_("return visit due"), null=True, blank=True,
                                     validators=[PlausibleDate()])
    return_visit = models.ForeignKey(Visit, verbose_name=_("return visit"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="returns")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "id"]
        indexes = [
            # A manager's open commitments, soonest (or most overdue) first, and the desk's:
            #   WHERE owner_id = … AND status = 'open' ORDER BY due_on, id
            models.Index(fields=["owner", "status", "due_on", "id"], name="cmt_owner"),
            # The customer's commitments (its tab) and its return visits waiting:
            #   WHERE customer_id = … AND status = …
            models.Index(fields=["customer", "status", "due_on"], name="cmt_customer"),
            # Return visits waiting for a manager: WHERE owner_id = … AND status = 'fulfilled'
            #   AND return_visit_id IS NULL ORDER BY return_due_on
            models.Index(fields=["owner", "return_due_on"], name="cmt_return_due",
                         condition=models.Q(status="fulfilled", return_visit__isnull=True)),
        ]

    def __str__(self):
        return self.text

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def awaits_return_visit(self):
        return self.status == self.Status.FULFILLED and self.return_visit_id is None


class HospitalityRequest(TimeStampedModel):
    """招待费申请: a hospitality budget for entertaining a customer's people. Read only on its
    approval request's page (an approval subject), so it has no scope of its own."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"),
                                  on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("amount (CNY)"), minimum="0.01")
    date = models.DateField(_("date"), validators=[PlausibleDate()])
    guests = models.CharField(_("guests"), max_length=200)
    purpose = models.TextField(_("purpose"))
    # The manager's hospitality budget (招待费预算) as it stood when the request was raised or
    # last resubmitted, shown to the approvers: the month's budget (None: no budget set), what
    # other requests had used of it, and whether this one goes over the balance (then the
    # request needs the next approval level: approvals.registry's `over_limit`).
    budget = MoneyField(_("monthly budget"), null=True, blank=True, editable=False)
    budget_used = MoneyField(_("budget used"), null=True, blank=True, editable=False)
    over_budget = models.BooleanField(_("over budget"), default=False, editable=False)
    # The tables it had inside the approval engine, kept with their rows (visits 0001).
    history = HistoricalRecords(table_name="approvals_historicalhospitalityrequest")

    class Meta:
        db_table = "approvals_hospitalityrequest"
        verbose_name = _("hospitality request")
        verbose_name_plural = _("hospitality requests")
        indexes = [
            # A manager's month (the budget's balance): WHERE requester_id = … AND date BETWEEN …
            models.Index(fields=["requester", "date"], name="hospitality_requester_date"),
        ]

    def __str__(self):
        return f"{self.customer} · {format_cny(self.amount)}"

    @property
    def budget_balance(self):
        """The balance before this request (本月余额), when a budget applied."""
        return None if self.budget is None else self.budget - self.budget_used

    @property
    def event_passed(self):
        """The actual cost (实际费用) is recorded from the day of the hospitality on."""
        return self.date <= timezone.localdate()


# A month's hospitality budget of one manager beyond this is a slip of the keyboard.
BUDGET_MAX = Decimal("1000000")


class HospitalityBudget(TimeStampedModel):
    """招待费预算: what an account manager may spend on hospitality in a month — for every
    customer, or for the customers of one grade (a grade's budget then covers that grade's
    customers and the month's general budget the others). Set by the manager's superiors
    (visits.hospitality_views), read through `visible_to` (the managers in the reader's data
    scope)."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), validators=[PlausibleDate()],
                             help_text=_("The first day of the month."))
    grade = models.ForeignKey("customers.Grade", verbose_name=_("customer grade"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text=_("Empty: the customers of every grade without a "
                                          "budget of their own."))
    amount = MoneyField(_("budget (CNY)"), minimum="0.01", validators=[
        min_amount_validator("0.01"),
        MaxValueValidator(BUDGET_MAX, message=_("A monthly hospitality budget is at most "
                                                "%(limit_value)s yuan."))])
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hospitality budget")
        verbose_name_plural = _("hospitality budgets")
        ordering = ["-month", "manager", "grade__rank"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "month", "grade"],
                                    name="hospitality_budget_grade_once",
                                    condition=models.Q(grade__isnull=False)),
            models.UniqueConstraint(fields=["manager", "month"],
                                    name="hospitality_budget_general_once",
                                    condition=models.Q(grade__isnull=True)),
        ]

    def __str__(self):
        return f"{self.manager} · {self.month:%Y-%m} · {format_cny(self.amount)}"

    def clean(self):
        if self.month is not None:
            self.month = self.month.replace(day=1)  # a month is its first day


class HospitalityCost(StoredFile, TimeStampedModel):
    """实际费用: what a hospitality actually cost, recorded once by its requester after the
    event, with the receipt (票据: a PDF or a photo) as the stored file. Read with its request,
    on the approval request's page."""

    upload_dir = "visits/hospitality_receipts"

    request = models.OneToOneField(HospitalityRequest, verbose_name=_("hospitality request"),
                                   on_delete=models.PROTECT, related_name="cost")
    amount = MoneyField(_("actual cost (CNY)"), minimum="0.01")
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("actual hospitality cost")
        verbose_name_plural = _("actual hospitality costs")

    def __str__(self):
        return format_cny(self.amount)



class UnlicensedReport(BusinessModel):
    """无证经营举报: an account manager saw unlicensed tobacco trading in their area (seed 002
    §4.7) and reports it to the regional manager, who passes it on to the monopoly
    administration (专卖部门) and records its result. Each step is timed and attributed."""

    class State(models.TextChoices):
        REPORTED = "reported", _("Reported")
        PASSED_ON = "passed_on", _("Passed on to the monopoly administration")
        HANDLED = "handled", _("Handled")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("intel", "reported by"),
                                 on_delete=models.PROTECT, related_name="+")
    # The reporter's unit when reporting, copied so scope is one condition.
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", editable=False)
    visit = models.ForeignKey(Visit, verbose_name=_("visit record"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200)
    operator = models.CharField(_("shop or operator"), max_length=100, blank=True)
    description = models.TextField(_("what was seen"), max_length=4000,
                                   validators=[MaxLengthValidator(4000)])
    observed_on = models.DateField(_("observed on"),
                                   validators=[PlausibleDate(not_future=True)])
    state = models.CharField(_("status"), max_length=10, choices=State.choices,
                             default=State.REPORTED)
    reported_at = models.DateTimeField(_("reported at"))
    passed_to = models.CharField(_("passed on to"), max_length=100, blank=True)
    passed_on = models.DateField(_("passed on"), null=True, blank=True,
                                 validators=[PlausibleDate(not_future=True)])
    passed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("passed on by"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    passed_at = models.DateTimeField(_("passed on at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, max_length=4000,
                               validators=[MaxLengthValidator(4000)])
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("outcome recorded by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unlicensed trading report")
        verbose_name_plural = _("unlicensed trading reports")
        ordering = ["-reported_at", "-id"]
        indexes = [
            # A unit's reports by state, newest first: WHERE unit_id IN (…) AND state = …
            models.Index(fields=["unit", "state", "-reported_at"], name="unlicensed_unit"),
            # A manager's own: WHERE reporter_id = … ORDER BY reported_at DESC
            models.Index(fields=["reporter", "-reported_at"], name="unlicensed_reporter"),
        ]

    def __str__(self):
        return f"{self.place} · {self.observed_on}"


class UnlicensedPhoto(StoredFile):
    """The photo taken of unlicensed trading (JPEG or PNG), read with its report."""

    upload_dir = "visits/unlicensed"

    report = models.OneToOneField(UnlicensedReport, verbose_name=_("unlicensed trading report"),
                                  on_delete=models.CASCADE, related_name="photo")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class VisitSchedule(BusinessModel):
    """A manager's weekly visit schedule (客户访问日程表 / 拜访计划): proposed by the system
    from the visit rules, edited by the manager and submitted before the week; the supervisor
    reads it and comments. One per manager and week (the week starts on Monday)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("schedule", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("schedule", "Submitted")

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.PROTECT, related_name="+")
    # The manager's unit when the schedule was made, copied so scope is one condition.
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", editable=False)
    week_start = models.DateField(_("week starting"), validators=[PlausibleDate()])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    comment = models.TextField(_("supervisor's comment"), blank=True, max_length=2000)
    commented_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("commented by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    commented_at = models.DateTimeField(_("commented at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit schedule")
        verbose_name_plural = _("visit schedules")
        ordering = ["-week_start", "id"]
        constraints = [models.UniqueConstraint(fields=["manager", "week_start"],
                                               name="schedule_once_a_week")]
        indexes = [
            # The team's schedules of a week: WHERE unit_id IN (…) AND week_start = …
            models.Index(fields=["week_start", "unit"], name="schedule_week_unit"),
        ]

    def __str__(self):
        return f"{self.manager} · {self.week_start}"

    @property
    def week_end(self):
        return self.week_start + timedelta(days=6)

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED


class ScheduledVisit(TimeStampedModel):
    """One customer on a schedule's day, with why it is there."""

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("Overdue by the visit rule")
        DUE = "due", _("Due by the visit rule")
        COMMITMENT = "commitment", _("Open commitment")
        RETURN = "return", _("Return visit due")
        AT_RISK = "at_risk", _("At-risk customer")
        MANUAL = "manual", _("Added by hand")

    schedule = models.ForeignKey(VisitSchedule, verbose_name=_("visit schedule"),
                                 on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"), validators=[PlausibleDate()])
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices,
                              default=Reason.MANUAL)
    note = models.CharField(_("note"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheduled visit")
        verbose_name_plural = _("scheduled visits")
        ordering = ["day", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "customer"],
                                               name="scheduled_customer_once")]
        indexes = [models.Index(fields=["schedule", "day", "order"], name="scheduled_day")]

    def __str__(self):
        return f"{self.customer} · {self.day}"


class CalendarFeed(models.Model):
    """A user's personal calendar feed (.ics) of their visit schedules: read without a login
    at a secret address, so it is revocable (deleted) and replaceable (a new token)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE, related_name="+")
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


# --- work logs and going out (工作日志、个人总结、外出登记) ------------------------------------

class WorkReport(BusinessModel):
    """A manager's work log of a day (工作日志) or summary of a week, month, quarter or year
    (个人总结报告, seed 002 篇3): drafted from what the author did in the period (visits,
    commitments, the timeline), edited, submitted to the supervisor, who comments (reviewed).
    One per author, period kind and period start."""

    class Period(models.TextChoices):
        DAY = "day", _("Daily log")
        WEEK = "week", _("Weekly summary")
        MONTH = "month", _("Monthly summary")
        QUARTER = "quarter", _("Quarterly summary")
        YEAR = "year", _("Annual summary")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("work report", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("work report", "Submitted")
        REVIEWED = "reviewed", pgettext_lazy("work report", "Reviewed")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    # The author's unit when the report was written, copied so scope is one condition.
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", editable=False)
    period = models.CharField(_("period kind"), max_length=10, choices=Period.choices)
    period_start = models.DateField(_("period start"), validators=[PlausibleDate()])
    body = models.TextField(_("work report"), max_length=20000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    comment = models.TextField(_("supervisor's comment"), blank=True, max_length=2000)
    commented_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("commented by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    commented_at = models.DateTimeField(_("commented at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-period_start", "period", "id"]
        constraints = [models.UniqueConstraint(fields=["author", "period", "period_start"],
                                               name="work_report_once")]
        indexes = [
            # The team's reports, newest first: WHERE unit_id IN (…) ORDER BY period_start DESC
            models.Index(fields=["unit", "-period_start"], name="work_report_unit"),
            # One's own: WHERE author_id = … ORDER BY period_start DESC
            models.Index(fields=["author", "-period_start"], name="work_report_author"),
        ]

    def __str__(self):
        return f"{self.author} · {self.get_period_display()} · {self.period_start}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT


class GoingOut(TimeStampedModel):
    """外出登记: before going out the manager registers where, why and until when, and informs
    the supervisor (seed 000: 出外前须做好登记及知会直接主管); marked returned on coming back."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                               on_delete=models.PROTECT, related_name="+")
    # The author's unit, copied so the supervisor's "who is out" is one indexed condition.
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", editable=False)
    place = models.CharField(_("destination"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    leaves_at = models.DateTimeField(_("going out at"), validators=[PlausibleDate()])
    until = models.DateTimeField(_("back by"), validators=[PlausibleDate()])
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("going-out registration")
        verbose_name_plural = _("going-out registrations")
        ordering = ["-leaves_at", "-id"]
        indexes = [
            # Who of the team is out: WHERE unit_id IN (…) AND returned_at IS NULL
            models.Index(fields=["unit", "leaves_at"], name="going_out_open",
                         condition=models.Q(returned_at__isnull=True)),
            models.Index(fields=["author", "-leaves_at"], name="going_out_author"),
        ]

    def __str__(self):
        return f"{self.author} · {self.place}"

    @property
    def is_out(self):
        return self.returned_at is None
