"""Celery tasks of supervision: each takes plain values, calls one service, and is safe to run twice."""

import datetime

from celery import shared_task

from . import services


@shared_task
def remind_supervision_reports(today: str | None = None) -> int:
    """Daily (beat): remind those under key supervision whose quarterly report is due."""
    day = datetime.date.fromisoformat(today) if today else None
    return services.supervision_remind_overdue_reports(today=day)


@shared_task
def purge_complaint_rate_limits() -> int:
    """Daily (beat): forget old rate-limit counts of the public complaint pages."""
    return services.purge_complaint_rate_limits()
