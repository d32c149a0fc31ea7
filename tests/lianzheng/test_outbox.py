"""Queued work never breaks the response (issue 14, item 3): with the broker unreachable, filing a public complaint
answers with its query code, the reviewers' e-mails wait in the outbox, and ``flush_outbox`` sends them once the
broker is back; a rolled-back action queues nothing."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from lianzheng import outbox
from lianzheng.celery import app as celery_app
from lianzheng.models import Notification, OutboxMessage
from lianzheng.notifications import notify
from reviews.models import Complaint

pytestmark = pytest.mark.django_db(transaction=True)

DEAD = "redis://127.0.0.1:1/0"


def _forget_connections():
    """Drop the app's pooled broker connections, so the next publish connects to the broker configured now."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_public_complaint_is_filed_and_answered_while_the_broker_is_down(client, unit, reviewer, mailoutbox):
    reviewer.email = "jiwei@example.edu.cn"
    reviewer.save()
    # A broker on a closed port and tasks no longer in-process: publishing fails as it does when Redis is down.
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.task_publish_retry)
    conf.broker_url, conf.task_always_eager, conf.task_publish_retry = DEAD, False, False
    _forget_connections()
    try:
        response = client.post(
            reverse("reviews:complaint-new"),
            {"unit": unit.pk, "content": "反映某岗位在采购中收受供货商购物卡。", "anonymous": "1"},
        )
    finally:
        conf.broker_url, conf.task_always_eager, conf.task_publish_retry = saved
        _forget_connections()
    assert response.status_code == 200 and response.context["code"] in response.content.decode()
    assert Complaint.objects.count() == 1
    waiting = OutboxMessage.objects.get()
    assert waiting.task == "lianzheng.send_notification_emails" and waiting.dispatched_at is None
    assert waiting.attempts == 1 and waiting.last_error
    assert mailoutbox == []
    # The broker is back (tasks run in-process in this test run): the flush sends the e-mail, once.
    call_command("flush_outbox", "--all")
    waiting.refresh_from_db()
    assert waiting.dispatched_at is not None
    assert [m.to for m in mailoutbox] == [[reviewer.email]]
    call_command("flush_outbox", "--all")
    assert len(mailoutbox) == 1


def test_queued_work_is_handed_over_after_the_commit_and_not_on_rollback(reviewer, mailoutbox):
    reviewer.email = "jiwei@example.edu.cn"
    reviewer.save()
    with transaction.atomic():
        notify(recipients=[reviewer], title="退回的防控表")
        assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 1
        assert mailoutbox == []  # nothing leaves before the commit
    assert OutboxMessage.objects.get().dispatched_at is not None and len(mailoutbox) == 1
    try:
        with transaction.atomic():
            notify(recipients=[reviewer], title="不会发出")
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    assert OutboxMessage.objects.count() == 1 and Notification.objects.count() == 1 and len(mailoutbox) == 1


def test_flush_leaves_young_messages_to_their_own_hand_over(reviewer):
    message = OutboxMessage.objects.create(task="lianzheng.send_notification_emails", args=[[]])
    assert outbox.flush() == 0
    assert outbox.flush(older_than=outbox.FLUSH_AFTER * 0) == 1
    message.refresh_from_db()
    assert message.dispatched_at is not None
