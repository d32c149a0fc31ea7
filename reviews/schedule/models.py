"""The phase schedule's records: what each phase requires (Deliverable), what a unit handed in (Submission and its
timeline), self-inspections (R12), the office's inspections, the leading-group roster, and the reminders sent.

Dates are data (R6): a deliverable's due date is a field, copied and shifted with its campaign, never a constant.
Overdue is derived from the due date at read time and never stored.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Phase, Unit

__all__ = [
    "Deliverable",
    "DeliverableFigure",
    "DeliverableKind",
    "GroupRole",
    "Inspection",
    "LeadingGroupMember",
    "Reminder",
    "ReminderKind",
    "SelfInspection",
    "Submission",
    "SubmissionEvent",
    "SubmissionState",
]


class DeliverableKind(models.TextChoices):
    DOCUMENT = "document", _("文件材料")
    FORM = "form", _("防控表(附表1、附表2)")
    RULES = "rules", _("实施细则")
    POWER_INVENTORY = "power_inventory", _("权力清理")
    ORG_LIST = "org_list", _("领导小组/组织机构名单")
    PERSON_IN_CHARGE = "person_in_charge", _("具体负责人")
    SELF_INSPECTION = "self_inspection", _("阶段自查")


#: Kinds whose state is derived from another object (risk forms, 实施细则), never stored in a Submission.
DERIVED_KINDS = (DeliverableKind.FORM, DeliverableKind.RULES)


class Deliverable(models.Model):
    """What a phase requires of every unit of its campaign by ``due_date``."""

    phase = models.ForeignKey(Phase, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="deliverables")
    kind = models.CharField(_("类型"), max_length=20, choices=DeliverableKind.choices)
    name = models.CharField(_("材料名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(_("截止日期"))
    required = models.BooleanField(_("必报"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        ordering = ["phase__start", "order", "id"]
        verbose_name = _("报送材料")
        verbose_name_plural = _("报送材料")
        constraints = [models.UniqueConstraint(fields=["phase", "name"], name="deliverable_name_unique_in_phase")]

    def __str__(self):
        return self.name

    @property
    def is_derived(self) -> bool:
        return self.kind in DERIVED_KINDS

    @property
    def takes_file(self) -> bool:
        return self.kind in (DeliverableKind.DOCUMENT, DeliverableKind.POWER_INVENTORY)


class SubmissionState(models.TextChoices):
    MISSING = "missing", _("未报送")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


def submission_file_path(instance, filename):
    # A random name: the uploader's file name is kept in ``original_name`` only, never on disk.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"submissions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Submission(models.Model):
    """What one unit handed in for one deliverable. For form and rules deliverables the state is derived from the
    linked object and this row, if any, only records the link."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="submissions")
    deliverable = models.ForeignKey(
        Deliverable, verbose_name=_("报送材料"), on_delete=models.CASCADE, related_name="submissions"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=SubmissionState.choices, default=SubmissionState.MISSING, db_index=True
    )
    file = models.FileField(_("文件"), upload_to=submission_file_path, max_length=200, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小(字节)"), null=True, blank=True)
    risk_form = models.ForeignKey(
        "risks.RiskForm", verbose_name=_("防控表"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rules = models.ForeignKey(
        "measures.ImplementationRules",
        verbose_name=_("实施细则"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("报送说明"), blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit", "deliverable"]
        verbose_name = _("材料报送")
        verbose_name_plural = _("材料报送")
        constraints = [
            models.UniqueConstraint(fields=["unit", "deliverable"], name="one_submission_per_unit_and_deliverable")
        ]

    def __str__(self):
        return f"{self.unit} · {self.deliverable}"


class SubmissionEvent(models.Model):
    """The timeline of a submission: who did what, from which state to which, with what comment or file."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    comment = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "at", "id"]
        verbose_name = _("报送记录")
        verbose_name_plural = _("报送记录")

    def __str__(self):
        return f"{self.submission} {self.action}"


class SelfInspection(models.Model):
    """A unit's self-inspection of one phase (R12: every unit, every phase)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="self_inspections")
    phase = models.ForeignKey(Phase, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="self_inspections")
    findings = models.TextField(_("自查发现的问题"))
    rectification = models.TextField(_("整改措施"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("填报时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["phase__start", "unit"]
        verbose_name = _("阶段自查")
        verbose_name_plural = _("阶段自查")
        constraints = [models.UniqueConstraint(fields=["unit", "phase"], name="one_self_inspection_per_unit_and_phase")]

    def __str__(self):
        return f"{self.unit} · {self.phase.get_kind_display()}"


class Inspection(models.Model):
    """The office's inspection (阶段性检查) of one unit in one phase: findings and a score out of 100."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="inspections")
    phase = models.ForeignKey(Phase, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="inspections")
    findings = models.TextField(_("检查发现"))
    score = models.DecimalField(
        _("得分"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("检查时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["phase__start", "unit"]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        constraints = [
            models.UniqueConstraint(fields=["unit", "phase"], name="one_inspection_per_unit_and_phase"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)), name="inspection_score_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.phase.get_kind_display()}"


class GroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    OFFICE_DIRECTOR = "office_director", _("办公室主任")
    IN_CHARGE = "in_charge", _("具体负责人")


class LeadingGroupMember(models.Model):
    """One person of a unit's 廉政风险防范管理工作领导小组 (or its 具体负责人) for a campaign."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="group_members")
    campaign = models.ForeignKey(
        "units.Campaign", verbose_name=_("批次"), on_delete=models.CASCADE, related_name="group_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    role = models.CharField(_("小组职务"), max_length=20, choices=GroupRole.choices)
    order = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        ordering = ["unit", "campaign", "order", "id"]
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        constraints = [
            models.UniqueConstraint(fields=["unit", "campaign", "name", "role"], name="group_member_unique_role")
        ]

    def __str__(self):
        return f"{self.name}({self.get_role_display()})"


class ReminderKind(models.TextChoices):
    BEFORE_3 = "before_3", _("截止前3天")
    BEFORE_1 = "before_1", _("截止前1天")
    OVERDUE = "overdue", _("已逾期")


class Reminder(models.Model):
    """One reminder sent. The unique constraint makes sending exactly-once: the row is inserted first, in the same
    transaction as the notification, and only a successful insert sends."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    on_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on_date", "id"]
        verbose_name = _("截止提醒")
        verbose_name_plural = _("截止提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "unit", "recipient", "kind", "on_date"], name="reminder_exactly_once"
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.deliverable} · {self.get_kind_display()} · {self.on_date}"


class DeliverableFigure(models.Model):
    """Kept figure (``lianzheng.figures``): the state of one unit's stored (document-like) deliverable, written by the
    schedule's services in the same transaction as the submission it mirrors. A missing deliverable has no row; form
    and 实施细则 deliverables are derived from those objects and have none either. Overdue is derived at read time
    from the deliverable's due date, never kept here."""

    campaign = models.ForeignKey("units.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="+")
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=SubmissionState.choices)

    class Meta:
        verbose_name = _("报送状态统计")
        verbose_name_plural = _("报送状态统计")
        constraints = [models.UniqueConstraint(fields=["unit", "deliverable"], name="one_deliverable_figure_per_unit")]
        indexes = [models.Index(fields=["campaign", "unit", "phase"], name="deliverable_figure_progress")]

    def __str__(self):
        return f"{self.unit_id} · {self.deliverable_id} · {self.state}"
