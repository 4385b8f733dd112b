"""Work orders (工作单, SPEC APR-1/APR-2): a customer project that the customer director and the
requester's supervisor sign (客户总监及客户部主管签字批准), then runs through the stages of the
handbook's flow — 简报 → 提案 → 合同 → 计划 → 执行 → 评估 → 归档.

Stages (documented choice): `stage` is where the work order is now. Before approval it is draft,
waiting for approval, returned for changes or rejected; approval puts it in briefing. A stage
record (date, people, note, files) says the current stage is done and moves the work order on
to the next one — one stage at a time, never skipping. Recording the evaluation (总结评估会)
archives it (文件存档): archived is final, nothing is recorded after it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core.models import BusinessModel, StoredFile, TimeStampedModel
from qiao.core.money import MoneyField
from qiao.core.validators import PlausibleDate
from qiao.customers.models import Customer
from qiao.org.scope import ScopedQuerySet


class Stage(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approval")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    BRIEFING = "briefing", _("Briefing")
    PROPOSAL = "proposal", _("Proposal")
    CONTRACT = "contract", _("Contract")
    PLAN = "plan", _("Plan")
    EXECUTION = "execution", _("Execution")
    EVALUATION = "evaluation", _("Evaluation")
    ARCHIVED = "archived", _("Archived")


# The stages after approval, in order; each but the last is recorded once, then the next begins.
FLOW = [Stage.BRIEFING, Stage.PROPOSAL, Stage.CONTRACT, Stage.PLAN, Stage.EXECUTION,
        Stage.EVALUATION, Stage.ARCHIVED]
RECORDED = FLOW[:-1]
EDITABLE = (Stage.DRAFT, Stage.RETURNED)

# What is done in each stage, in the handbook's words (客户部工作流程).
STAGE_HINTS = {
    Stage.BRIEFING: _("Send the work order to the departments involved and hold a briefing: "
                      "present the project content and requirements."),
    Stage.PROPOSAL: _("Rehearse the proposal, then present it to the customer (proposal "
                      "accepted)."),
    Stage.CONTRACT: _("Sign the contract (notarised if needed) and hand it to the department "
                      "that carries it out; keep a copy on file."),
    Stage.PLAN: _("Write the work plan."),
    Stage.EXECUTION: _("Work according to the plan."),
    Stage.EVALUATION: _("When the project is done, hold the summary and evaluation meeting with "
                        "the departments involved."),
    Stage.ARCHIVED: _("File the documents."),
}


def next_stage(stage):
    """The stage after `stage` in the flow, or None (not in the flow, or archived)."""
    if stage not in RECORDED:
        return None
    return FLOW[FLOW.index(stage) + 1]


class WorkOrder(BusinessModel):
    """工作单: a project for a customer, with its content confirmed with the customer."""

    class Kind(models.TextChoices):
        NEW_CUSTOMER = "new_customer", _("New customer project")
        EXISTING_CUSTOMER = "existing_customer", _("Existing customer service")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices,
                            default=Kind.EXISTING_CUSTOMER)
    title = models.CharField(_("title"), max_length=120)
    content = models.TextField(_("project content"),
                               help_text=_("The project content as finally confirmed with the "
                                           "customer."))
    # Free text: the departments (市场部、创作部、行政部…) are not units of Qiao's org tree.
    departments = models.CharField(_("departments involved"), max_length=200,
                                   help_text=_("For example: 市场部、创作部"))
    budget = MoneyField(_("budget (CNY)"))
    deadline = models.DateField(_("deadline"), validators=[PlausibleDate()])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                               on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "my work orders": WHERE author_id = ? ORDER BY created_at DESC
            models.Index(fields=["author", "-created_at"], name="wo_author"),
            models.Index(fields=["customer", "-created_at"], name="wo_customer"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_editable(self):
        return self.stage in EDITABLE

    @property
    def next_stage(self):
        return next_stage(self.stage)


class StageRecord(TimeStampedModel):
    """One stage of a work order done: when, who took part, what came out of it."""

    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"),
                                   on_delete=models.CASCADE, related_name="stage_records")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    date = models.DateField(_("date"), validators=[PlausibleDate()])
    people = models.CharField(_("people"), max_length=200,
                              help_text=_("Who took part, e.g. the departments' people and the "
                                          "customer's."))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage record")
        verbose_name_plural = _("stage records")
        ordering = ["work_order", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "stage"],
                                               name="wo_stage_once")]

    def __str__(self):
        return f"{self.work_order} · {self.get_stage_display()}"


def stage_file_path(instance, filename):
    # Named by migration 0001; stage files are now stored under core.models.stored_file_path.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"workorders/{now:%Y/%m}/{instance.record.work_order_id}-{now:%H%M%S%f}.{ext}"


class StageAttachment(StoredFile, TimeStampedModel):
    """A file kept with a stage record (the proposal, the signed contract, the work plan…)."""

    upload_dir = "workorders"

    record = models.ForeignKey(StageRecord, verbose_name=_("stage record"),
                               on_delete=models.CASCADE, related_name="attachments")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage attachment")
        verbose_name_plural = _("stage attachments")
        ordering = ["created_at", "id"]
