from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
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
