"""What every app builds on: the audit chain, in-app notifications and rate-limit counters.

These models import no app of the project (DESIGN §4): users are referenced through AUTH_USER_MODEL and
audited objects by type name and id.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only row of the audit log, hash-chained to the row before it.

    ``hash`` = SHA-256 over the canonical JSON of this row's content and ``prev_hash``; editing or deleting any
    row breaks the chain from there on, which ``verify_audit_log`` reports.
    """

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
    and comparing it with the last event detects a deleted tail."""

    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self):
        return f"{self.count}: {self.last_hash[:12]}"


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
