"""Celery tasks of the risks app: the bulk export and the daily clean-up of old export files.

Tasks take ids and call ``risks.export_tasks``; the job's state lives in the database, so a task that runs again
(retry, re-delivery after a worker restart with ``acks_late``) rebuilds the same ZIP.
"""

from celery import shared_task
from celery.schedules import crontab

from lianzheng.celery import app

from .export_tasks import cleanup_old_exports, export_job_run, sweep_stalled_jobs


@shared_task(name="risks.build_export_job", acks_late=True)
def build_export_job(job_id: int) -> str:
    job = export_job_run(job_id)
    return job.state if job is not None else "missing"


@shared_task(name="risks.cleanup_exports")
def cleanup_exports() -> int:
    return cleanup_old_exports()


@shared_task(name="risks.sweep_export_jobs")
def sweep_export_jobs() -> dict:
    """Queue again, or mark failed, the export jobs lost with their worker."""
    return sweep_stalled_jobs()


def _schedule_cleanup(sender, **kwargs):
    # Beat (django-celery-beat's DatabaseScheduler) installs these entries from the app's schedule on start.
    sender.add_periodic_task(crontab(hour=3, minute=17), cleanup_exports.s(), name="risks.cleanup_exports daily")
    sender.add_periodic_task(300.0, sweep_export_jobs.s(), name="risks.sweep_export_jobs every 5 minutes")


# This module is imported by autodiscovery, which may run before or after the app is finalized.
if app.finalized:
    _schedule_cleanup(app)
else:
    app.on_after_finalize.connect(_schedule_cleanup, weak=False)
