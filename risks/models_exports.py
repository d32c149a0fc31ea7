"""Bulk exports of the forms (附表1/附表2 in both formats plus the 风险点汇总表) built by a Celery task.

The job's state lives here, not in the worker, so a job and its file survive a restart and the page that
polls it reads the database only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import Campaign, Unit


class ExportJobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class ExportJob(models.Model):
    """One "export all forms of a campaign (or of one unit)" request and its ZIP file under DATA_DIR/exports."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="export_jobs")
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE, related_name="export_jobs"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=ExportJobState.choices, default=ExportJobState.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(_("已完成文件数"), default=0)
    total = models.PositiveIntegerField(_("文件总数"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    file_path = models.CharField(_("文件"), max_length=500, blank=True)
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="export_jobs"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    #: Touched by every progress step: a running job whose heartbeat stops was lost with its worker (the sweeper).
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ExportJobState.values), name="export_job_state_valid"),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="export_job_done_not_over_total"),
        ]

    def __str__(self):
        scope = self.unit.name if self.unit_id else str(self.campaign)
        return _("导出 %(scope)s #%(id)s") % {"scope": scope, "id": self.pk}

    @property
    def percent(self) -> int:
        if self.state == ExportJobState.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.state in (ExportJobState.DONE, ExportJobState.FAILED, ExportJobState.CANCELLED)

    @property
    def can_retry(self) -> bool:
        return self.state in (ExportJobState.FAILED, ExportJobState.CANCELLED)

    @property
    def can_cancel(self) -> bool:
        return self.state in (ExportJobState.QUEUED, ExportJobState.RUNNING)
