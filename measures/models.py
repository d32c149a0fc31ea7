"""Control measures per risk point (前期预防 / 中期监控 / 后期处置) and the units' 实施细则 with their publicity."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianzheng.models import TransitionEvent
from risks.appendix import DEFAULT_PLEDGE
from risks.models import RiskForm, RiskPoint
from units.models import Campaign, Unit


class MeasureStage(models.TextChoices):
    """Each stage is a separate list (R7)."""

    PRE = "pre", _("前期预防")
    MID = "mid", _("中期监控")
    POST = "post", _("后期处置")


class MeasureState(models.TextChoices):
    PLANNED = "planned", _("计划")
    IN_EFFECT = "in_effect", _("执行中")
    CHECKED = "checked", _("已检查")


class Measure(models.Model):
    """One control measure of a risk point. ``personal_form`` marks a post holder's own measure on 附表2."""

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.CASCADE, related_name="measures"
    )
    stage = models.CharField(_("阶段"), max_length=4, choices=MeasureStage.choices)
    content = models.TextField(_("措施内容"))
    responsible = models.CharField(_("责任人或部门"), max_length=100, blank=True)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=MeasureState.choices, default=MeasureState.PLANNED)
    evidence_note = models.TextField(_("落实情况说明"), blank=True)
    evidence_file = models.FileField(_("佐证材料"), upload_to="measures/evidence/%Y/", blank=True)
    # The name the file had on the uploader's machine; the stored name is random (no user text in paths).
    evidence_name = models.CharField(_("佐证材料文件名"), max_length=200, blank=True)
    personal_form = models.ForeignKey(
        RiskForm,
        verbose_name=_("个人防控表"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_measures",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["risk_point", "stage", "sort_order", "id"]
        verbose_name = _("防控措施")
        verbose_name_plural = _("防控措施")
        constraints = [models.CheckConstraint(condition=Q(stage__in=MeasureStage.values), name="measure_stage_valid")]
        indexes = [models.Index(fields=["risk_point", "stage"])]

    def __str__(self):
        return self.content[:50]

    @property
    def is_overdue(self) -> bool:
        """Derived, never stored: a planned measure whose due date has passed."""
        return bool(self.due_date and self.state == MeasureState.PLANNED and self.due_date < timezone.localdate())


class RulesState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLICISING = "publicising", _("公示中")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


class ImplementationRules(models.Model):
    """A unit's 廉政风险防范管理实施细则 for a campaign; publicised for a window before submission (R8)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="implementation_rules"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="implementation_rules"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文(Markdown)"), blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=RulesState.choices, default=RulesState.DRAFT, db_index=True
    )
    publicity_start = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateTimeField(_("公示结束"), null=True, blank=True)
    publicity_scope = models.CharField(_("公示范围"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "-id"]
        verbose_name = _("实施细则")
        verbose_name_plural = _("实施细则")
        constraints = [
            models.UniqueConstraint(fields=["unit", "campaign"], name="one_rules_per_unit_and_campaign"),
            models.CheckConstraint(
                condition=Q(publicity_start__isnull=True)
                | Q(publicity_end__isnull=True)
                | Q(publicity_end__gt=models.F("publicity_start")),
                name="publicity_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class RulesComment(models.Model):
    """A reader's comment during publicity (anonymous allowed) and the unit's answer."""

    rules = models.ForeignKey(ImplementationRules, on_delete=models.CASCADE, related_name="comments")
    author_name = models.CharField(_("署名"), max_length=50, blank=True)
    content = models.TextField(_("意见"), max_length=1000)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("公示意见")
        verbose_name_plural = _("公示意见")

    def __str__(self):
        return self.content[:50]

    @property
    def is_answered(self) -> bool:
        return bool(self.answer.strip())


class RulesEvent(TransitionEvent):
    """The timeline of a 实施细则: who moved it, from which state to which, with what comment."""

    rules = models.ForeignKey(ImplementationRules, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("实施细则记录")
        verbose_name_plural = _("实施细则记录")

    def __str__(self):
        return f"{self.rules} {self.action}"

    @property
    def action_label(self) -> str:
        return str(RULES_EVENT_LABELS.get(self.action, self.action))


RULES_EVENT_LABELS = {
    "create": _("生成初稿"),
    "regenerate": _("重新生成正文"),
    "publicise": _("开始公示"),
    "withdraw": _("撤回公示"),
    "submit": _("提交审核"),
    "approve": _("审核通过"),
    "return": _("退回修改"),
}


#: The official wording printed on 附表2 until an admin edits it (one source: risks.appendix, which prints it).
DEFAULT_PLEDGE_TEXT = DEFAULT_PLEDGE


class PledgeText(models.Model):
    """The 个人廉政承诺 printed on every 附表2; a single row that admins edit."""

    text = models.TextField(_("个人廉政承诺"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("个人廉政承诺文本")
        verbose_name_plural = _("个人廉政承诺文本")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="pledge_text_singleton")]

    def __str__(self):
        return self.text[:50]

    @classmethod
    def current(cls) -> "PledgeText":
        """The one row, created with the default wording the first time it is asked for."""
        obj, _created = cls.objects.get_or_create(pk=1, defaults={"text": str(DEFAULT_PLEDGE_TEXT)})
        return obj
