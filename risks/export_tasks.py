"""Exports: what a download serves, and the bulk job (start, build, clean up).

``export_content`` decides what a form prints: an approved form its frozen snapshot, any other form its live data.
The bulk job is state in the database (``ExportJob``); the Celery task in ``risks/tasks.py`` only calls
``export_job_run`` with the job's id, which may run again after a crash and builds the same ZIP from scratch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lianzheng import audit, outbox
from lianzheng.access_log import log_access
from lianzheng.models import AccessAction, OutboxMessage
from units.rules import is_admin, is_reviewer

from .appendix import SCHEMA, appendix_data, register_data
from .exports import appendix_pdf, appendix_xlsx, register_xlsx
from .models import FormKind, FormSnapshot, FormState, RiskForm
from .models_exports import ExportJob, ExportJobState

logger = logging.getLogger("lianzheng.exports")

FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}

#: Who may start a bulk export and download its file: the discipline office.
can_export_all = is_admin | is_reviewer


class SnapshotMismatch(Exception):
    """The stored snapshot no longer renders the PDF whose hash was recorded at approval."""


@dataclass
class Export:
    data: dict
    snapshot: FormSnapshot | None


def is_appendix_data(content) -> bool:
    return isinstance(content, dict) and content.get("schema") == SCHEMA and "groups" in content


def export_content(form: RiskForm) -> Export:
    """What the form prints now: the newest snapshot of an approved form (so an approved form always gives the same
    file), else the live data."""
    if form.state == FormState.APPROVED:
        snapshot = form.snapshots.order_by("-revision").first()
        if snapshot is not None and is_appendix_data(snapshot.content):
            return Export(snapshot.content, snapshot)
        if snapshot is not None:
            logger.warning("snapshot %s of form %s is not appendix data; exporting the live form", snapshot.pk, form.pk)
    return Export(appendix_data(form), None)


def render_file(export: Export, fmt: str) -> bytes:
    """The file's bytes; an approved PDF is checked against the hash stored at approval.

    An approved PDF never changes, so once rendered and verified it is kept under DATA_DIR/pdf-cache by its hash
    and served from there (a large 附表1 takes seconds to lay out); a cached file is re-hashed before use.
    """
    if fmt == "xlsx":
        return appendix_xlsx(export.data)
    expected = export.snapshot.pdf_sha256 if export.snapshot is not None else ""
    cached = Path(settings.DATA_DIR) / "pdf-cache" / f"{expected}.pdf" if expected else None
    if cached is not None and cached.is_file():
        body = cached.read_bytes()
        if hashlib.sha256(body).hexdigest() == expected:
            return body
    body = appendix_pdf(export.data)
    if expected and hashlib.sha256(body).hexdigest() != expected:
        raise SnapshotMismatch(export.snapshot.pk)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(body)
        os.replace(partial, cached)
    return body


def file_name(data: dict, fmt: str) -> str:
    return f"{data['filename']}.{fmt}"


def ascii_file_name(data: dict, fmt: str) -> str:
    """The fallback ``filename=`` for clients without RFC 5987."""
    if data["kind"] == FormKind.UNIT:
        return f"appendix1_{data['unit_code']}_{data['year']}.{fmt}"
    return f"appendix2_{data['unit_code']}_form{data['form_id']}_{data['year']}.{fmt}"


# --- bulk job ----------------------------------------------------------------------------------------------
def exports_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


def export_job_start(*, actor, campaign, unit=None) -> ExportJob:
    """Queue "export every form of the campaign (or of one unit)"; the worker picks it up after commit."""
    if not can_export_all(actor):
        raise PermissionDenied
    if unit is not None and not campaign.units.filter(pk=unit.pk).exists():
        raise ValidationError(_("该单位不在所选批次中。"))
    with transaction.atomic():
        job = ExportJob.objects.create(campaign=campaign, unit=unit, created_by=actor)
        audit.record(
            actor=actor,
            action="export.start",
            obj=job,
            summary={"campaign": campaign.pk, "unit": unit.pk if unit else None},
        )
        # By name through the outbox (risks/tasks.py imports this module, never the other way round); the job waits
        # in the database if the broker is down.
        outbox.enqueue("risks.build_export_job", job.pk)
    return job


def _forms_of(job: ExportJob) -> list[RiskForm]:
    qs = RiskForm.objects.filter(campaign_id=job.campaign_id).select_related("unit", "post", "post__office")
    if job.unit_id:
        qs = qs.filter(unit_id=job.unit_id)
    return sorted(
        qs,
        key=lambda f: (
            f.unit.sort_order,
            f.unit.code,
            0 if f.kind == FormKind.UNIT else 1,
            f.post.sort_order if f.post_id else 0,
            f.pk,
        ),
    )


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}_{n}{dot}{ext}"
    used.add(candidate)
    return candidate


def zip_name(job: ExportJob) -> str:
    scope = job.unit.name if job.unit_id else "全校"
    return f"防控表导出_{job.campaign.year}年度{job.campaign.name}_{scope}_{job.pk}.zip"


class ExportCancelled(Exception):
    """The job was cancelled while it was being built."""


#: A running job without progress for this long lost its worker (killed, restarted, out of memory).
STALE_AFTER = timedelta(minutes=10)
#: Runs of one job before the sweeper gives up and marks it failed.
MAX_ATTEMPTS = 3


def _set(job_id: int, **fields) -> None:
    """Update the job and its heartbeat; a progress step also notices a cancellation (and stops the build)."""
    fields.setdefault("heartbeat_at", timezone.now())
    if "done" in fields and "state" not in fields:
        if not ExportJob.objects.filter(pk=job_id).exclude(state=ExportJobState.CANCELLED).update(**fields):
            raise ExportCancelled
        return
    ExportJob.objects.filter(pk=job_id).update(**fields)


def _record_failure(job_id: int, message: str) -> None:
    """Record a failure even when the failure was the database connection itself: a fresh connection is tried."""
    fields = {"state": ExportJobState.FAILED, "error": message, "finished_at": timezone.now()}
    try:
        _set(job_id, **fields)
    except DatabaseError:
        connection.close()  # the next query opens a new connection
        _set(job_id, **fields)


def export_job_run(job_id: int) -> ExportJob | None:
    """Build the job's ZIP. Idempotent: a finished job is left alone; anything else is built again from scratch
    (a retried or re-delivered task overwrites its own partial file). A failure is recorded on the job, with why."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("campaign", "unit")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None
        if job.state == ExportJobState.DONE and job.file_path and Path(job.file_path).is_file():
            return job
        if job.state == ExportJobState.CANCELLED:
            return job
        alive = job.heartbeat_at is not None and job.heartbeat_at > timezone.now() - STALE_AFTER
        if job.state == ExportJobState.RUNNING and alive:
            return job  # another worker is building it (a duplicate delivery): leave it to that one
        job.state, job.done, job.error = ExportJobState.RUNNING, 0, ""
        job.started_at, job.finished_at = timezone.now(), None
        job.heartbeat_at = job.started_at
        job.attempts += 1
        job.save(update_fields=["state", "done", "error", "started_at", "finished_at", "attempts", "heartbeat_at"])
    target = exports_dir() / f"job-{job.pk}.zip"
    partial = target.with_suffix(".zip.part")
    try:
        with translation.override("zh-hans"):
            size = _build_zip(job, partial)
        os.replace(partial, target)
    except ExportCancelled:
        partial.unlink(missing_ok=True)
        return ExportJob.objects.get(pk=job_id)
    except Exception as exc:  # any failure must reach the page, not only the worker's log
        logger.exception("export job %s failed", job_id)
        partial.unlink(missing_ok=True)
        _record_failure(job_id, _("导出失败：%(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:1000]})
        return ExportJob.objects.get(pk=job_id)
    finished = (
        ExportJob.objects.filter(pk=job_id)
        .exclude(state=ExportJobState.CANCELLED)
        .update(
            heartbeat_at=timezone.now(),
            state=ExportJobState.DONE,
            done=F("total"),
            file_path=str(target),
            file_size=size,
            finished_at=timezone.now(),
        )
    )
    if not finished:  # cancelled in the last moment: the file is not offered
        target.unlink(missing_ok=True)
    return ExportJob.objects.get(pk=job_id)


@transaction.atomic
def export_job_cancel(*, job: ExportJob, actor) -> ExportJob:
    """Stop a queued or running job; a worker building it stops at its next file."""
    locked = ExportJob.objects.select_for_update().get(pk=job.pk)
    if not locked.can_cancel:
        raise ValidationError(_("该导出任务已结束，不能取消。"))
    _set(locked.pk, state=ExportJobState.CANCELLED, finished_at=timezone.now(), error="")
    audit.record(actor=actor, action="export.cancel", obj=locked, summary={"attempts": locked.attempts})
    return ExportJob.objects.get(pk=job.pk)


@transaction.atomic
def export_job_retry(*, job: ExportJob, actor) -> ExportJob:
    """Queue a failed or cancelled job again (through the outbox: it waits in the database if Redis is down)."""
    locked = ExportJob.objects.select_for_update().get(pk=job.pk)
    if not locked.can_retry:
        raise ValidationError(_("只有失败或已取消的导出任务可以重试。"))
    _set(locked.pk, state=ExportJobState.QUEUED, done=0, error="", finished_at=None, attempts=0)
    audit.record(actor=actor, action="export.retry", obj=locked, summary={})
    outbox.enqueue("risks.build_export_job", locked.pk)
    return ExportJob.objects.get(pk=job.pk)


def sweep_stalled_jobs(*, now=None) -> dict:
    """Jobs lost with their worker (no progress for ``STALE_AFTER``, or queued that long and never started) are
    queued again, up to ``MAX_ATTEMPTS`` runs; then marked failed with the reason. What beat runs every 5 minutes."""
    now = now or timezone.now()
    stale = now - STALE_AFTER
    requeued = failed = 0
    lost = ExportJob.objects.filter(
        Q(state=ExportJobState.RUNNING, heartbeat_at__lt=stale)
        | Q(state=ExportJobState.QUEUED, created_at__lt=stale, heartbeat_at__isnull=True)
        | Q(state=ExportJobState.QUEUED, heartbeat_at__lt=stale)
    )
    for job_id in lost.values_list("pk", flat=True):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.state not in (ExportJobState.QUEUED, ExportJobState.RUNNING):
                continue
            if job.attempts >= MAX_ATTEMPTS:
                _set(
                    job.pk,
                    state=ExportJobState.FAILED,
                    finished_at=now,
                    error=_("导出已尝试 %(n)s 次仍未完成（生成进程中断），请稍后重试或联系系统管理员。")
                    % {"n": job.attempts},
                )
                failed += 1
            else:
                _set(job.pk, state=ExportJobState.QUEUED, done=0, heartbeat_at=now)
                waiting = [job.pk] in OutboxMessage.objects.filter(
                    task="risks.build_export_job", dispatched_at__isnull=True
                ).values_list("args", flat=True)
                if not waiting:  # a hand-over still waiting for Redis need not be doubled
                    outbox.enqueue("risks.build_export_job", job.pk)
                requeued += 1
    return {"requeued": requeued, "failed": failed}


def _build_zip(job: ExportJob, partial: Path) -> int:
    forms = _forms_of(job)
    total = 2 * len(forms) + 1
    _set(job.pk, total=total, done=0)
    job.total = total
    partial.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    done = 0
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for form in forms:
            export = export_content(form)
            folder = "附表1" if form.kind == FormKind.UNIT else "附表2"
            for fmt in FORMATS:
                name = _unique(f"{folder}/{file_name(export.data, fmt)}", used)
                archive.writestr(name, render_file(export, fmt))
                done += 1
                _set(job.pk, done=done)
        title = f"{job.campaign.year}年度{job.campaign.name}风险点汇总表"
        register = register_data(job.campaign, unit=job.unit)
        archive.writestr(
            _unique(f"风险点汇总表_{job.campaign.year}.xlsx", used),
            register_xlsx(register["rows"], title=title, subtitle=register["subtitle"], as_of=register["as_of"]),
        )
        done += 1
        _set(job.pk, done=min(done, total - 1))  # "done" becomes total with the state, so 100% means downloadable
    return partial.stat().st_size


def export_job_file(job: ExportJob) -> Path | None:
    if job.state != ExportJobState.DONE or not job.file_path:
        return None
    path = Path(job.file_path)
    # Only files inside DATA_DIR/exports are ever served.
    if path.resolve().parent != exports_dir().resolve() or not path.is_file():
        return None
    return path


def cleanup_old_exports(*, now=None) -> int:
    """Delete export files older than ``LIANZHENG_EXPORT_KEEP_DAYS`` (default 7); the jobs stay, marked as cleaned."""
    keep_days = int(getattr(settings, "LIANZHENG_EXPORT_KEEP_DAYS", 7))
    now = now or timezone.now()
    cutoff = now - timedelta(days=keep_days)
    directory = exports_dir()
    removed = 0
    if directory.is_dir():
        for path in directory.iterdir():
            if not path.is_file() or not (path.suffix == ".zip" or path.name.endswith(".zip.part")):
                continue
            if path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
                removed += 1
    # Jobs whose file is gone (cleaned up here or removed by hand) no longer offer a download.
    stale = [
        job.pk
        for job in ExportJob.objects.filter(state=ExportJobState.DONE).exclude(file_path="").only("pk", "file_path")
        if not Path(job.file_path).is_file()
    ]
    if stale:
        ExportJob.objects.filter(pk__in=stale).update(file_path="", file_size=0)
    if removed:
        log_access(action=AccessAction.CLEANUP, fmt="zip", detail={"removed": removed, "keep_days": keep_days})
    return removed
