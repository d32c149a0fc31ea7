"""Celery task of the phase schedule. Registered under an explicit name (imported from ReviewsConfig.ready()),
so beat's PeriodicTask ``reviews.send_daily_reminders`` finds it whatever module it lives in."""

import datetime

from celery import shared_task

from .reminders import send_reminders


@shared_task(name="reviews.send_daily_reminders", acks_late=True)
def send_daily_reminders(today: str | None = None) -> dict:
    """Send the day's deadline reminders; safe to run twice (each reminder is sent exactly once)."""
    return send_reminders(datetime.date.fromisoformat(today) if today else None)
