"""Risk identification: the power inventory, risk points and the forms (附表1/附表2) that carry them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianzheng.models import TransitionEvent
from units.models import Campaign, Office, Post, Unit


class PowerKind(models.TextChoices):
    APPROVAL = "approval", _("审批审核")
    ALLOCATION = "allocation", _("资源分配")
    PROCUREMENT = "procurement", _("采购招标")
    FINANCE = "finance", _("资金管理")
    PERSONNEL = "personnel", _("人事管理")
    SUPERVISION = "supervision", _("监督检查")
    SERVICE = "service", _("管理服务")
    OTHER = "other", _("其他")


class PowerItem(models.Model):
    """One item of a unit's power inventory (权力清理): what power, on what basis, exercised by which posts."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="power_items")
    name = models.CharField(_("职权(业务)事项"), max_length=200)
    kind = models.CharField(_("权力类型"), max_length=20, choices=PowerKind.choices, default=PowerKind.OTHER)
    basis = models.TextField(_("依据"), blank=True)
    process = models.TextField(_("运行流程"), blank=True)
    posts = models.ManyToManyField(Post, verbose_name=_("行使岗位"), blank=True, related_name="power_items")
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("权力事项")
        verbose_name_plural = _("权力事项")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="power_item_name_unique_in_unit")]

    def __str__(self):
        return self.name


class RiskCategory(models.TextChoices):
    """The plan's four kinds of risk (二、2), exactly (R2)."""

    DUTY = "duty", _("岗位职责风险")
    PROCESS = "process", _("业务流程风险")
    SYSTEM = "system", _("制度机制风险")
    EXTERNAL = "external", _("外部环境风险")


class RiskLevel(models.IntegerChoices):
    """The plan's three levels (二、2), exactly (R2)."""

    ONE = 1, _("一级")
    TWO = 2, _("二级")
    THREE = 3, _("三级")


RISK_LEVEL_MEANING = {
    RiskLevel.ONE: _("一旦发生可能构成犯罪"),
    RiskLevel.TWO: _("可能受到党纪政纪处分"),
    RiskLevel.THREE: _("可能造成不良影响"),
}


class RiskScope(models.TextChoices):
    """The three levels at which a point sits (R1): 岗位、科室、单位."""

    POST = "post", _("岗位")
    OFFICE = "office", _("科室")
    UNIT = "unit", _("单位")


class RiskPoint(models.Model):
    """A risk point. It belongs to posts, never to people (R3): whoever holds the post answers for it.

    ``scope`` follows from what is set: posts → post; an office and no posts → office; neither → unit (R1).
    Services keep it consistent (the posts are a many-to-many the database cannot check).
    """

    campaign = models.ForeignKey(Campaign, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="risk_points")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="risk_points")
    office = models.ForeignKey(
        Office, verbose_name=_("科室"), null=True, blank=True, on_delete=models.PROTECT, related_name="risk_points"
    )
    posts = models.ManyToManyField(Post, verbose_name=_("岗位"), blank=True, related_name="risk_points")
    scope = models.CharField(_("层次"), max_length=10, choices=RiskScope.choices, default=RiskScope.UNIT)
    code = models.CharField(_("编号"), max_length=30, blank=True)
    power_item = models.ForeignKey(
        PowerItem,
        verbose_name=_("职权事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_points",
    )
    business_step = models.CharField(_("职权(业务)事项"), max_length=200, blank=True)
    name = models.CharField(_("风险点"), max_length=200)
    manifestation = models.TextField(_("风险表现形式"))
    category = models.CharField(_("风险类别"), max_length=10, choices=RiskCategory.choices)
    level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices)
    responsible_leader = models.CharField(_("责任领导"), max_length=100, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=100, blank=True)
    supervisor = models.CharField(_("监督部门"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        indexes = [
            models.Index(fields=["campaign", "unit", "sort_order", "id"], name="riskpoint_campaign_unit_order"),
            models.Index(fields=["campaign", "category", "level"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=RiskCategory.values), name="risk_point_category_valid"),
            models.CheckConstraint(condition=Q(level__in=RiskLevel.values), name="risk_point_level_valid"),
            models.CheckConstraint(condition=Q(scope__in=RiskScope.values), name="risk_point_scope_valid"),
            # An office-level point names its office; a unit-level point names none.
            models.CheckConstraint(
                condition=~Q(scope="office") | Q(office__isnull=False), name="risk_point_office_scope_has_office"
            ),
            models.CheckConstraint(
                condition=~Q(scope="unit") | Q(office__isnull=True), name="risk_point_unit_scope_no_office"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def level_meaning(self):
        return RISK_LEVEL_MEANING.get(self.level, "")

    @property
    def matter(self) -> str:
        """The 职权(业务)事项 column: the power item if linked, else the business step."""
        return self.power_item.name if self.power_item_id else self.business_step


class FormKind(models.TextChoices):
    UNIT = "unit", _("部门廉政风险识别防控表(附表1)")
    PERSONAL = "personal", _("个人廉政风险识别防控表(附表2)")


class FormState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    CONFIRMED = "confirmed", _("已确认")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


class SpecialMeeting(models.Model):
    """The unit's special meeting (专题会议) that assesses risk points; one meeting may cover many forms (R4)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="meetings")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField(_("会议日期"))
    attendees = models.TextField(_("参会人员"))
    minutes = models.TextField(_("会议纪要"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("专题会议")
        verbose_name_plural = _("专题会议")

    def __str__(self):
        return f"{self.unit} {self.date:%Y-%m-%d}"


class RiskForm(models.Model):
    """The envelope that is filled, confirmed and approved: 附表1 (kind unit) or 附表2 (kind personal, one post).

    A personal form is tied to a post (R3); its holder is whoever holds the post. ``version`` guards against
    stale edits; ``revision`` counts approved versions (a change after approval opens the next one).
    """

    kind = models.CharField(_("类型"), max_length=10, choices=FormKind.choices)
    campaign = models.ForeignKey(Campaign, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="forms")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="forms")
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="forms"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=FormState.choices, default=FormState.DRAFT, db_index=True
    )
    meeting = models.ForeignKey(
        SpecialMeeting,
        verbose_name=_("专题会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forms",
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填表人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmation_text = models.TextField(_("单位领导班子确认意见"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    pledge_accepted_at = models.DateTimeField(_("廉政承诺时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("版本"), default=1)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "kind", "post", "id"]
        verbose_name = _("防控表")
        verbose_name_plural = _("防控表")
        permissions = [("review_riskform", _("可审核防控表"))]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"], condition=Q(kind="unit"), name="one_unit_form_per_unit_and_campaign"
            ),
            models.UniqueConstraint(
                fields=["campaign", "post"],
                condition=Q(kind="personal"),
                name="one_personal_form_per_post_and_campaign",
            ),
            models.CheckConstraint(
                condition=(Q(kind="unit") & Q(post__isnull=True)) | (Q(kind="personal") & Q(post__isnull=False)),
                name="personal_form_has_post_unit_form_has_none",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self):
        if self.kind == FormKind.UNIT:
            return _("%(unit)s 附表1") % {"unit": self.unit.name}
        return _("%(unit)s %(post)s 附表2") % {"unit": self.unit.name, "post": self.post.name if self.post_id else ""}

    @property
    def appendix_number(self) -> int:
        return 1 if self.kind == FormKind.UNIT else 2

    @property
    def is_editable(self) -> bool:
        return self.state in (FormState.DRAFT, FormState.RETURNED)


class FormSnapshot(models.Model):
    """The frozen content of a form when it was approved: what was in force from ``approved_at`` on."""

    form = models.ForeignKey(RiskForm, verbose_name=_("防控表"), on_delete=models.CASCADE, related_name="snapshots")
    revision = models.PositiveIntegerField(_("版本"))
    approved_at = models.DateTimeField(_("通过时间"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(_("内容"))
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["form", "-revision"]
        verbose_name = _("防控表快照")
        verbose_name_plural = _("防控表快照")
        constraints = [models.UniqueConstraint(fields=["form", "revision"], name="one_snapshot_per_form_revision")]

    def __str__(self):
        return f"{self.form} v{self.revision}"


class FormEvent(TransitionEvent):
    """The timeline of a form: who moved it, from which state to which, with what comment."""

    form = models.ForeignKey(RiskForm, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("防控表记录")
        verbose_name_plural = _("防控表记录")

    def __str__(self):
        return f"{self.action} {self.from_state}→{self.to_state}"


from .models_exports import ExportJob  # noqa: E402,F401


class UnitRiskFigures(models.Model):
    """Figures of one unit in one campaign, kept by the services that write the rows they count (``risks.figures``)
    in the same transaction, so that dashboards and the coverage page read them instead of counting the campus.

    ``by_level_category`` is keyed ``"<category>:<level>"`` (R2), ``by_key_area`` by the key area of the points'
    posts (a point on posts of two areas counts in both), ``by_scope`` by scope (R1), ``forms`` by ``total``,
    ``unit_forms`` and each state.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    #: Posts of the unit (its current roster, kept by the roster import and the admin's post changes).
    posts = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=0)
    #: Points with a measure in each of the three stages (R7).
    complete = models.PositiveIntegerField(default=0)
    #: Posts of the unit with at least one point of the campaign, and those with a point lacking a stage (R13).
    covered_posts = models.PositiveIntegerField(default=0)
    posts_with_incomplete = models.PositiveIntegerField(default=0)
    by_level_category = models.JSONField(default=dict)
    by_key_area = models.JSONField(default=dict)
    by_scope = models.JSONField(default=dict)
    forms = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("单位风险统计")
        verbose_name_plural = _("单位风险统计")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_risk_figures_per_unit")]

    def __str__(self):
        return f"{self.unit_id}/{self.campaign_id}"
