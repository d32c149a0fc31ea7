"""In-app notifications (the bell) and their e-mails.

``notify`` writes one row per recipient inside the caller's transaction; the e-mail goes out through a Celery
task queued through the outbox (``lianzheng.outbox``), so a rolled-back action sends nothing and a broker
outage delays the e-mail instead of failing the action. A ``dedupe_key`` makes a notification happen at
most once per recipient: the database's unique constraint, not a check in Python, decides.
"""

from django.db import IntegrityError, transaction

from . import outbox
from .models import Notification


def notify(*, recipients, title: str, body: str = "", url: str = "", dedupe_key: str | None = None, email: bool = True):
    """Notify each distinct recipient once; return the notifications actually created."""
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, title=str(title)[:200], body=str(body), url=url, dedupe_key=dedupe_key
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
            continue  # already notified under this key
        created.append(note)
    if email and created:
        ids = [note.pk for note in created if note.recipient.email]
        if ids:
            outbox.enqueue("lianzheng.send_notification_emails", ids)  # waits in the database if Redis is down
    return created


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
