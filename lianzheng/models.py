"""What every app builds on: the audit chain, in-app notifications and rate-limit counters.

These models import no app of the project (DESIGN §4): users are referenced through AUTH_USER_MODEL and
audited objects by type name and id.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only row of the audit log, chained to the row before it.

    ``hash`` = HMAC-SHA256, under the audit key named by ``key_id``, over the canonical JSON of this row's content,
    its ``seq`` and ``prev_hash``. ``seq`` numbers the events 1, 2, 3... without gaps, so ``verify_audit_log`` names
    the events that were deleted; without the key nobody can recompute the chain after an edit.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    key_id = models.CharField(_("密钥标识"), max_length=16)

    at = models.DateTimeField(_("时间"), db_index=True)
    # PROTECT: the actor's id is part of the hashed content, so the user row must outlive its events.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    summary = models.JSONField(_("变更摘要"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """A single row holding the newest hash; locking it serialises writers so the chain never forks,
    and comparing it with the last event detects a deleted tail. ``count`` is the last ``seq`` handed out; ``mac``
    (under the key ``key_id``) keeps the head from being wound back without the key."""

    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)
    key_id = models.CharField(max_length=16, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self):
        return f"{self.count}: {self.last_hash[:12]}"


class AccessAction(models.TextChoices):
    DOWNLOAD = "download", _("下载")
    REFUSED = "refused", _("拒绝下载")
    CLEANUP = "cleanup", _("清理导出文件")


class AccessLog(models.Model):
    """Who fetched which form or file when: reads are logged here, cheaply and without the audit chain's lock."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as written, so the row still says who it was after the account is gone.
    user_name = models.CharField(_("姓名"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("动作"), max_length=20, choices=AccessAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    # The unit the object belongs to, by code (the ground references no app's table); empty for the whole school.
    unit_code = models.CharField(_("单位代码"), max_length=30, blank=True)
    format = models.CharField(_("格式"), max_length=10, blank=True)
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("下载记录")
        verbose_name_plural = _("下载记录")
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["unit_code", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name} {self.action} {self.object_repr}"


class TransitionEvent(models.Model):
    """One step on an object's timeline (who moved it, which way, with what comment). Each workflow's event model
    adds the foreign key to its object and its own state fields."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("动作"), max_length=30)
    comment = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    # Lets a sender make a notification idempotent (e.g. one reminder per deliverable and day).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_key"),
        ]

    def __str__(self):
        return self.title


class RateLimitHit(models.Model):
    """One counted attempt (a failed login, a complaint query...). Kept in the database so every app
    server sees the same counts."""

    key = models.CharField(max_length=200, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("限流记录")

    def __str__(self):
        return f"{self.key} @ {self.at:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """Work queued for a Celery worker (an e-mail, an export), written in the same transaction as the change that
    asks for it (``lianzheng.outbox``). It is handed to the broker after the commit; when the broker is unreachable
    the row waits here and ``flush_outbox`` (beat, every minute; or the command) hands it over later. The tasks are
    safe to run twice, so a row handed over twice does no harm."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("交给队列的时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近的错误"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("待发任务")
        verbose_name_plural = _("待发任务")
        indexes = [models.Index(fields=["dispatched_at", "id"], name="outbox_pending")]

    def __str__(self):
        return f"{self.task}{self.args}"
