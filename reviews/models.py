"""Models of this app; see DESIGN.md §2 for the glossary.

Two groups live here: the office's review work (deliverables, submissions, inspections) and supervision
(信访举报, warnings, yellow cards, key supervision, violation cases and the annual assessment).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Post, Unit

# --- Supervision ------------------------------------------------------------------------------------------
# 后期处置 and 检查总结 (plan 二、3 and 二、4): complaints with query codes, warnings, yellow cards (R9),
# key supervision, violation cases and the responsibility-system assessment (R10, R11).


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    CHECKING = "checking", _("初核中")
    VERIFIED = "verified", _("已查实")
    UNFOUNDED = "unfounded", _("查无实据")
    CLOSED = "closed", _("已办结")


class ComplaintChannel(models.TextChoices):
    ONLINE = "online", _("网上举报")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    PHONE = "phone", _("电话")
    HOTLINE = "hotline", _("政行风热线")


class ComplaintConclusion(models.TextChoices):
    """Kept after the complaint is closed, so R9 still counts a closed complaint that was verified."""

    NONE = "", _("尚无结论")
    VERIFIED = "verified", _("查实")
    UNFOUNDED = "unfounded", _("不实")


class Complaint(models.Model):
    """A complaint (信访举报). The reporter's identity is for reviewers only; the query code is stored as a keyed hash."""

    year = models.PositiveIntegerField(_("年度"), db_index=True)
    received_on = models.DateField(_("受理日期"), default=timezone.localdate)
    channel = models.CharField(
        _("来源渠道"), max_length=20, choices=ComplaintChannel.choices, default=ComplaintChannel.ONLINE
    )
    state = models.CharField(
        _("办理阶段"), max_length=20, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    conclusion = models.CharField(
        _("核查结论"), max_length=20, choices=ComplaintConclusion.choices, default=ComplaintConclusion.NONE, blank=True
    )
    anonymous = models.BooleanField(_("匿名举报"), default=True)
    reporter_name = models.CharField(_("举报人姓名"), max_length=50, blank=True)
    reporter_contact = models.CharField(_("举报人联系方式"), max_length=100, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("被举报单位"), on_delete=models.PROTECT, related_name="complaints")
    post = models.ForeignKey(
        Post, verbose_name=_("被举报岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被举报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_against",
    )
    person_name = models.CharField(_("被举报人(举报人填写)"), max_length=50, blank=True)
    content = models.TextField(_("举报内容"))
    query_code_hash = models.CharField(max_length=64, unique=True, editable=False)
    #: Keyed hash of the one-time key of the public form the complaint came from: the same form sent twice (a double
    #: click, a re-sent page) finds this complaint instead of filing a second one.
    submission_key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    findings = models.TextField(_("核查情况"), blank=True)
    disposition = models.TextField(_("处理意见"), blank=True)
    public_reply = models.TextField(_("答复举报人"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    concluded_at = models.DateTimeField(_("核查结论时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("信访举报")
        verbose_name_plural = _("信访举报")
        indexes = [
            models.Index(fields=["post", "year", "conclusion"]),
            models.Index(fields=["unit", "year"]),
            models.Index(fields=["state"]),
        ]
        constraints = [
            # A named report carries a name; an anonymous one carries none (so nothing identifying leaks by mistake).
            models.CheckConstraint(
                condition=Q(anonymous=False) | (Q(reporter_name="") & Q(reporter_contact="")),
                name="complaint_anonymous_has_no_identity",
            ),
        ]

    def __str__(self):
        # Never the reporter: this string ends up in audit rows and notifications.
        return _("信访举报 第%(no)s号") % {"no": self.number}

    @property
    def number(self) -> str:
        return f"{self.year}-{self.pk:05d}" if self.pk else "—"


def complaint_attachment_path(instance, filename):
    # A random name: neither the reporter's file name nor the complaint's number appears on disk.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"complaints/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class ComplaintAttachment(models.Model):
    """A file sent with a complaint. Stored outside the web root; only reviewers download it, through a view."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=complaint_attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("举报附件")
        verbose_name_plural = _("举报附件")

    def __str__(self):
        return self.original_name


class WarningKind(models.TextChoices):
    """后期处置 measures in escalating order (plan 二、3, 二、4; R11)."""

    TALK = "talk", _("谈话提醒")
    CAUTION = "caution", _("警示提醒")
    ADMONISH = "admonish", _("诫勉纠错")
    ACCOUNTABILITY = "accountability", _("责任追究")


WARNING_ORDER = [WarningKind.TALK, WarningKind.CAUTION, WarningKind.ADMONISH, WarningKind.ACCOUNTABILITY]


class WarningState(models.TextChoices):
    PROPOSED = "proposed", _("系统建议")
    ISSUED = "issued", _("已下达")
    ANSWERED = "answered", _("已回复整改")
    DISMISSED = "dismissed", _("不予采纳")


class WarningTarget(models.TextChoices):
    PERSON = "person", _("个人")
    POST = "post", _("岗位")
    UNIT = "unit", _("单位")


class WarningSource(models.TextChoices):
    MANUAL = "manual", _("纪委监察室提出")
    SATISFACTION = "satisfaction", _("民主测评满意度较低(R11)")
    ESCALATION = "escalation", _("整改不力升级")


class Warning(models.Model):  # the glossary name; shadows the builtin only inside this module
    """谈话提醒 / 警示提醒 / 诫勉纠错 / 责任追究 on a person, a post or a unit."""

    kind = models.CharField(_("处置方式"), max_length=20, choices=WarningKind.choices)
    state = models.CharField(_("状态"), max_length=20, choices=WarningState.choices, default=WarningState.ISSUED)
    source = models.CharField(_("来源"), max_length=20, choices=WarningSource.choices, default=WarningSource.MANUAL)
    year = models.PositiveIntegerField(_("年度"), db_index=True)
    target = models.CharField(_("对象类型"), max_length=10, choices=WarningTarget.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="warnings")
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="warnings"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("个人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    reason = models.TextField(_("事由"))
    complaints = models.ManyToManyField(Complaint, verbose_name=_("相关信访举报"), blank=True, related_name="warnings")
    assessment = models.ForeignKey(
        "reviews.Assessment",
        verbose_name=_("相关考核"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    escalated_from = models.ForeignKey(
        "self", verbose_name=_("升级自"), null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下达人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("下达日期"), null=True, blank=True)
    response = models.TextField(_("回复/整改报告"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    dismiss_reason = models.TextField(_("不予采纳理由"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        verbose_name = _("预警处置")
        verbose_name_plural = _("预警处置")
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["person", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target="person") & Q(person__isnull=False))
                | (Q(target="post") & Q(post__isnull=False) & Q(person__isnull=True))
                | (Q(target="unit") & Q(post__isnull=True) & Q(person__isnull=True)),
                name="warning_target_matches_fields",
            ),
            # R11: one proposal per assessment, however often the assessment is saved.
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(source="satisfaction"),
                name="one_satisfaction_warning_per_assessment",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.target == WarningTarget.PERSON:
            return str(self.person)
        if self.target == WarningTarget.POST:
            return f"{self.unit} {self.post}"
        return str(self.unit)

    @property
    def rank(self) -> int:
        return WARNING_ORDER.index(self.kind)


class YellowCardState(models.TextChoices):
    PROPOSED = "proposed", _("系统建议")
    ISSUED = "issued", _("已警告")
    LIFTED = "lifted", _("已撤销")


class YellowCard(models.Model):
    """廉政风险黄牌警告 on a key post for one year (R9): proposed by the system, issued by a reviewer, later lifted."""

    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="yellow_cards")
    year = models.PositiveIntegerField(_("年度"))
    state = models.CharField(
        _("状态"), max_length=20, choices=YellowCardState.choices, default=YellowCardState.PROPOSED
    )
    complaints = models.ManyToManyField(Complaint, verbose_name=_("查实的信访举报"), related_name="yellow_cards")
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    proposed_at = models.DateTimeField(_("建议时间"), default=timezone.now)
    issued_on = models.DateField(_("警告日期"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("警告人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_on = models.DateField(_("撤销日期"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.TextField(_("撤销理由(整改情况)"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "-proposed_at", "-id"]
        verbose_name = _("黄牌警告")
        verbose_name_plural = _("黄牌警告")
        constraints = [models.UniqueConstraint(fields=["post", "year"], name="one_yellow_card_per_post_and_year")]

    def __str__(self):
        return _("%(post)s %(year)s年度黄牌警告") % {"post": self.post, "year": self.year}


class KeySupervisionState(models.TextChoices):
    ACTIVE = "active", _("监管中")
    ENDED = "ended", _("已结束")


class KeySupervision(models.Model):
    """重点监管 of the head of a post that received a yellow card (R9)."""

    yellow_card = models.OneToOneField(
        YellowCard, verbose_name=_("黄牌警告"), on_delete=models.PROTECT, related_name="supervision"
    )
    head_post = models.ForeignKey(
        Post, verbose_name=_("负责人岗位"), on_delete=models.PROTECT, related_name="key_supervisions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监管对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_supervisions",
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=KeySupervisionState.choices, default=KeySupervisionState.ACTIVE
    )
    start = models.DateField(_("监管起始"))
    end = models.DateField(_("监管截止"), null=True, blank=True)
    plan = models.TextField(_("监管方案"), blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_note = models.TextField(_("结束说明"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("重点监管")
        verbose_name_plural = _("重点监管")

    def __str__(self):
        return _("重点监管：%(post)s") % {"post": self.head_post}


class SupervisionReport(models.Model):
    """A periodic report (定期报告) under key supervision."""

    supervision = models.ForeignKey(KeySupervision, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("报告期"), max_length=50)
    content = models.TextField(_("报告内容"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("监管报告")
        verbose_name_plural = _("监管报告")

    def __str__(self):
        return self.period


class ViolationCase(models.Model):
    """违规违纪案件 in a unit in a year; any one of them keeps the unit from 好 that year (R10)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="violation_cases")
    year = models.PositiveIntegerField(_("年度"), db_index=True)
    case_no = models.CharField(_("案件编号"), max_length=50, blank=True)
    title = models.CharField(_("案由"), max_length=200)
    description = models.TextField(_("简要案情与处理"), blank=True)
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("违规违纪案件")
        verbose_name_plural = _("违规违纪案件")

    def __str__(self):
        return f"{self.year} {self.unit} {self.title}"


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


class Assessment(models.Model):
    """党风廉政建设责任制考核 of a unit for a year: score → band grade → R10 cap → final grade, each with its reason."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveIntegerField(_("年度"))
    raw_score = models.DecimalField(_("考核得分"), max_digits=5, decimal_places=2)
    score_basis = models.TextField(_("得分依据"), blank=True)
    ballots_issued = models.PositiveIntegerField(_("发出测评票"), null=True, blank=True)
    ballots_good = models.PositiveIntegerField(_("好"), default=0)
    ballots_fairly_good = models.PositiveIntegerField(_("较好"), default=0)
    ballots_average = models.PositiveIntegerField(_("一般"), default=0)
    ballots_poor = models.PositiveIntegerField(_("差"), default=0)
    ballots_invalid = models.PositiveIntegerField(_("无效票"), default=0)
    satisfaction_rate = models.DecimalField(_("满意率(%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    satisfaction_note = models.CharField(_("满意率说明"), max_length=300, blank=True)
    band_grade = models.CharField(_("按得分评定"), max_length=20, choices=Grade.choices)
    band_reason = models.CharField(_("评定依据"), max_length=300)
    capped = models.BooleanField(_("受R10限制"), default=False)
    cap_reason = models.TextField(_("限制理由"), blank=True)
    final_grade = models.CharField(_("考核等次"), max_length=20, choices=Grade.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "unit__sort_order", "unit__code"]
        verbose_name = _("党风廉政建设责任制考核")
        verbose_name_plural = _("党风廉政建设责任制考核")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_assessment_per_unit_and_year"),
            models.CheckConstraint(
                condition=Q(raw_score__gte=0) & Q(raw_score__lte=100), name="assessment_score_0_100"
            ),
            # R10 in the database too: a capped assessment is never 好.
            models.CheckConstraint(
                condition=Q(capped=False) | ~Q(final_grade="good"), name="capped_assessment_not_good"
            ),
        ]

    def __str__(self):
        return _("%(unit)s %(year)s年度党风廉政建设责任制考核") % {"unit": self.unit, "year": self.year}

    @property
    def ballots_valid(self) -> int:
        return self.ballots_good + self.ballots_fairly_good + self.ballots_average + self.ballots_poor

    @property
    def ballots_returned(self) -> int:
        return self.ballots_valid + self.ballots_invalid

    @property
    def weighted_score(self) -> Decimal | None:
        """好100/较好80/一般60/差0 averaged over the valid ballots (shown for reference)."""
        valid = self.ballots_valid
        if not valid:
            return None
        total = 100 * self.ballots_good + 80 * self.ballots_fairly_good + 60 * self.ballots_average
        return (Decimal(total) / valid).quantize(Decimal("0.1"))


class SupervisionFigureKind(models.TextChoices):
    COMPLAINT = "complaint", _("信访举报(按办理阶段)")
    CARD = "card", _("黄牌警告(按状态)")
    SUPERVISION = "supervision", _("重点监管(按状态)")
    WARNING = "warning", _("预警处置(按方式:状态)")
    GRADE = "grade", _("考核等次")


class SupervisionFigure(models.Model):
    """Kept figure (``lianzheng.figures``): per unit and year, how many complaints are in each stage, yellow cards and
    key supervisions in each state, warnings of each kind and state (``value`` is ``kind:state``), and the unit's
    assessment grade. The supervision services recompute the (unit, year) rows in the same transaction as each write
    (``reviews.figures.keep_unit_year``). A yellow card and its key supervision count under the card's post's unit and
    the card's year."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    figure = models.CharField(max_length=20, choices=SupervisionFigureKind.choices)
    value = models.CharField(max_length=50)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("监督统计")
        verbose_name_plural = _("监督统计")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "figure", "value"], name="one_supervision_figure")
        ]
        indexes = [models.Index(fields=["figure", "year"], name="supervision_figure_by_year")]

    def __str__(self):
        return f"{self.unit_id} {self.year} {self.figure} {self.value}: {self.count}"


from .schedule.models import *  # noqa: E402,F403
