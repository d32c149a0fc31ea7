"""Queued work that survives a broker outage (ground floor).

``enqueue(task_name, *args)`` writes an ``OutboxMessage`` in the caller's transaction, so a rolled-back action queues
nothing, and hands it to Celery after the commit. Handing over never breaks the response: if Redis is down the
error is logged, the row stays pending, and ``flush`` (the ``lianzheng.flush_outbox`` task on beat every minute, or
``manage.py flush_outbox``) hands it over once the broker is back. Without ``REDIS_URL`` (demo, tests) tasks run
in-process at the hand-over, as before.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

#: Rows younger than this are left to the hand-over after their own commit (no double hand-over in normal times).
FLUSH_AFTER = timedelta(seconds=30)


def enqueue(task_name: str, *args) -> OutboxMessage:
    message = OutboxMessage.objects.create(task=task_name, args=list(args))
    transaction.on_commit(lambda: dispatch([message.pk]))
    return message


def _hand_over(message: OutboxMessage) -> None:
    from .celery import app

    app.tasks[message.task].apply_async(args=message.args)


def dispatch(ids) -> int:
    """Hand the pending messages among ``ids`` to the broker; return how many were handed over. Never raises."""
    handed = 0
    for message in OutboxMessage.objects.filter(pk__in=list(ids), dispatched_at__isnull=True).order_by("id"):
        try:
            _hand_over(message)
        except Exception as error:  # the broker is down, or an in-process task failed: keep the row, log it
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=message.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
            logger.warning("outbox: %s not handed over (%s); it waits for flush_outbox", message, error)
            continue
        OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=timezone.now(), attempts=message.attempts + 1)
        handed += 1
    return handed


def pending(*, older_than: timedelta = FLUSH_AFTER):
    return OutboxMessage.objects.filter(dispatched_at__isnull=True, created_at__lte=timezone.now() - older_than)


def flush(*, older_than: timedelta = FLUSH_AFTER, limit: int = 500) -> int:
    """Hand over what is still pending (oldest first, at most ``limit``)."""
    return dispatch(pending(older_than=older_than).order_by("id").values_list("pk", flat=True)[:limit])
