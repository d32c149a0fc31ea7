from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .celery import app
from .models import Notification


@shared_task(name="lianzheng.send_notification_emails", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Send the e-mail of each notification not yet e-mailed; safe to run twice."""
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if note is None or not note.recipient.email:
                continue
            link = f"{settings.SITE_URL}{note.url}" if note.url.startswith("/") else note.url
            body = note.body + (f"\n\n{link}" if link else "")
            send_mail(f"【{settings.LIANZHENG['SCHOOL_NAME']}】{note.title}", body, None, [note.recipient.email])
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
            sent += 1
    return sent


@shared_task(name="lianzheng.flush_outbox")
def flush_outbox() -> int:
    """Hand queued work that waited out a broker outage to the broker (beat, every minute)."""
    from . import outbox

    return outbox.flush()


def _schedule_flush(sender, **kwargs):
    sender.add_periodic_task(60.0, flush_outbox.s(), name="lianzheng.flush_outbox every minute")


if app.finalized:
    _schedule_flush(app)
else:
    app.on_after_finalize.connect(_schedule_flush, weak=False)
