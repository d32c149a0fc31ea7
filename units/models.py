"""The organisation and its calendar: people and roles, units, offices, posts, who holds them, campaigns."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    REVIEWER = "reviewer", _("纪委监察室审核人")
    SCHOOL_LEADER = "leader", _("校领导")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    UNIT_CONTACT = "unit_contact", _("单位联络员")
    STAFF = "staff", _("工作人员")


#: Roles that belong to one unit and see only that unit.
UNIT_ROLES = {Role.UNIT_LEADER, Role.UNIT_CONTACT, Role.STAFF}


class UnitKind(models.TextChoices):
    OFFICE = "office", _("机关部处")
    COLLEGE = "college", _("学院")
    AFFILIATED = "affiliated", _("直属单位")


class Batch(models.IntegerChoices):
    FIRST = 1, _("第一批(试点)")
    SECOND = 2, _("第二批")


class KeyArea(models.TextChoices):
    """The six key areas named in the plan (一、1)."""

    ADMINISTRATION = "admin", _("行政管理")
    EQUIPMENT = "equipment", _("设备管理")
    PERSONNEL = "personnel", _("人事管理")
    FINANCE = "finance", _("财务管理")
    STUDENT = "student", _("学生工作管理")
    CONSTRUCTION = "construction", _("工程项目管理")


class User(AbstractUser):
    """A person who uses the system. ``role`` decides what they may do; unit roles also carry ``unit``."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    staff_no = models.CharField(_("工号"), max_length=30, unique=True, null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    title = models.CharField(_("职务(职级)"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["unit_leader", "unit_contact", "staff"])
                | Q(unit__isnull=False)
                | Q(is_superuser=True),
                name="unit_role_needs_unit",
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def has_unit_role(self) -> bool:
        return self.role in UNIT_ROLES


class Unit(models.Model):
    code = models.SlugField(_("单位代码"), max_length=30, unique=True)
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.OFFICE)
    batch = models.PositiveSmallIntegerField(_("批次"), choices=Batch.choices, default=Batch.SECOND)
    is_pilot = models.BooleanField(_("试点单位"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name


class Office(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="offices")
    code = models.CharField(_("科室代码"), max_length=30, blank=True)
    name = models.CharField(_("科室名称"), max_length=100)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("科室")
        verbose_name_plural = _("科室")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="office_name_unique_in_unit")]

    def __str__(self):
        return self.name


class Post(models.Model):
    """A post (岗位). Risk points belong to posts, never to people (R3)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="posts")
    office = models.ForeignKey(
        Office, verbose_name=_("科室"), null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    code = models.CharField(_("岗位代码"), max_length=30, blank=True)
    name = models.CharField(_("岗位名称"), max_length=100)
    rank = models.CharField(_("职务(职级)"), max_length=50, blank=True)
    duties = models.TextField(_("主要岗位职责"), blank=True)
    is_key = models.BooleanField(_("重点岗位"), default=False)
    key_area = models.CharField(_("重点领域"), max_length=20, choices=KeyArea.choices, blank=True)
    # The post that answers for this one (e.g. 采购员 → 物资采购供应中心主任): its holder is "the head of the
    # post" whom a yellow card puts under key supervision (R9).
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("上级岗位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [models.UniqueConstraint(fields=["unit", "office", "name"], name="post_name_unique_in_office")]
        indexes = [models.Index(fields=["unit", "is_key"])]

    def __str__(self):
        return self.name


class AssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class Assignment(models.Model):
    """Who holds which post from when to when; rotation (轮岗/交流) closes one and opens another, keeping history."""

    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(User, verbose_name=_("任职人"), on_delete=models.PROTECT, related_name="assignments")
    start = models.DateField(_("任职起始"), default=timezone.localdate)
    end = models.DateField(_("任职截止"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["post", "-start"]
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="assignment_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["post", "user"], condition=Q(end__isnull=True), name="one_open_assignment_per_post_and_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.post}"


class Campaign(models.Model):
    """A batch of units doing the work in one year (e.g. 2010 第一批试点). Phases carry the dates (R6)."""

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveIntegerField(_("年度"))
    batch = models.PositiveSmallIntegerField(_("批次"), choices=Batch.choices, default=Batch.FIRST)
    units = models.ManyToManyField(Unit, verbose_name=_("参加单位"), related_name="campaigns", blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "batch", "id"]
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        constraints = [models.UniqueConstraint(fields=["year", "name"], name="campaign_name_unique_in_year")]

    def __str__(self):
        return self.name if str(self.year) in self.name else f"{self.year}年度 {self.name}"


class PhaseKind(models.TextChoices):
    PREPARE = "prepare", _("筹备启动")
    IDENTIFY = "identify", _("查找风险点")
    MEASURES = "measures", _("制定措施和执行落实")
    INSPECT = "inspect", _("检查总结")


PHASE_ORDER = [PhaseKind.PREPARE, PhaseKind.IDENTIFY, PhaseKind.MEASURES, PhaseKind.INSPECT]


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("阶段"), max_length=20, choices=PhaseKind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        ordering = ["campaign", "start"]
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="one_phase_of_each_kind_per_campaign"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="phase_end_after_start"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.get_kind_display()}"


class RoleChange(models.Model):
    """An account's role changed (or an account was created with a role): who, from what to what, by whom, when.
    Granting the reviewer role lets its holder see complaint reporters, so the existing reviewers are told of it."""

    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="role_changes")
    from_role = models.CharField(_("原角色"), max_length=20, choices=Role.choices, blank=True)
    to_role = models.CharField(_("新角色"), max_length=20, choices=Role.choices)
    changed_by = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("角色变更")
        verbose_name_plural = _("角色变更")

    def __str__(self):
        return f"{self.user} {self.from_role or '-'} → {self.to_role}"
