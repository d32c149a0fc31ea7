# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""Deadline reminders: the right people, on the right days, exactly once, never for accepted items; the command,
the Celery task, the beat schedule; two concurrent runs on PostgreSQL; a real worker through Redis."""

import datetime
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_celery_beat.models import PeriodicTask

from lianzheng.models import Notification
from reviews.schedule import services as services
from reviews.schedule.models import Deliverable, Reminder
from reviews.schedule.reminders import send_reminders
from reviews.schedule.tasks import send_daily_reminders
from tests.factories import UserFactory
from tests.reviews._schedule import campaign, media, pdf_upload, work_plan  # noqa: F401
from units.models import Role

DUE = datetime.date(2010, 5, 28)  # the work plan's due date in the fixture campaign (the plan's 5/28)
DAY = datetime.timedelta(days=1)


def _only_work_plan(campaign):
    """Keep one deliverable so that counts are easy to read."""
    Deliverable.objects.filter(phase__campaign=campaign).exclude(name="工作方案").delete()


def _recipients(kind, on):
    return set(Reminder.objects.filter(kind=kind, on_date=on).values_list("recipient__username", flat=True))


@pytest.mark.django_db
def test_reminders_go_to_contact_and_leader_3_and_1_days_before(
    campaign, unit, unit_contact, unit_leader, staff, reviewer, other_unit
):
    _only_work_plan(campaign)
    other_contact = UserFactory(username="shebei_contact", role=Role.UNIT_CONTACT, unit=other_unit)
    assert send_reminders(DUE - 4 * DAY)["sent"] == 0
    counts = send_reminders(DUE - 3 * DAY)
    assert _recipients("before_3", DUE - 3 * DAY) == {"caiwu_contact", "caiwu_leader", other_contact.username}
    assert counts["before_3"] == 3
    assert send_reminders(DUE - 2 * DAY)["sent"] == 0
    send_reminders(DUE - DAY)
    assert _recipients("before_1", DUE - DAY) == {"caiwu_contact", "caiwu_leader", other_contact.username}
    assert send_reminders(DUE)["sent"] == 0  # the due day itself: the page says 今天截止
    note = Notification.objects.get(recipient=unit_contact, title__contains="还剩 1 天")
    assert "2010年5月28日" in note.body and note.url == "/reviews/progress/caiwu/"
    assert not Notification.objects.filter(recipient__in=[staff, reviewer]).exists()


@pytest.mark.django_db
def test_a_missed_run_is_made_up_by_the_next_one_once(campaign, unit, unit_contact, unit_leader):
    """Issue 14 (12): beat did not run three days before the deadline; the run two days before sends the 3-day
    reminder (dated the day it fell due), once. The 1-day run is missed too: the due day's run sends it, saying the
    deadline is today, and the 3-day one is not sent again."""
    _only_work_plan(campaign)
    campaign.units.remove(*campaign.units.exclude(pk=unit.pk))
    first = send_reminders(DUE - 2 * DAY)
    assert first["before_3"] == 2 and _recipients("before_3", DUE - 3 * DAY) == {"caiwu_contact", "caiwu_leader"}
    assert send_reminders(DUE - 2 * DAY)["sent"] == 0
    due_day = send_reminders(DUE)
    assert (due_day["before_1"], due_day["before_3"]) == (2, 0)
    assert _recipients("before_1", DUE - DAY) == {"caiwu_contact", "caiwu_leader"}
    assert Notification.objects.filter(recipient=unit_contact, title__contains="今天截止").count() == 1
    assert send_reminders(DUE)["sent"] == 0
    assert Notification.objects.filter(recipient=unit_contact).count() == 2


@pytest.mark.django_db
def test_a_run_that_first_sees_the_one_day_mark_sends_only_that_reminder(campaign, unit, unit_contact):
    _only_work_plan(campaign)
    campaign.units.remove(*campaign.units.exclude(pk=unit.pk))
    counts = send_reminders(DUE - DAY)
    assert (counts["before_1"], counts["before_3"]) == (1, 0)
    assert Notification.objects.get(recipient=unit_contact).title.endswith("还剩 1 天截止")


@pytest.mark.django_db
def test_overdue_items_are_reminded_every_day_and_escalated_to_reviewers(campaign, unit, unit_contact, reviewer):
    _only_work_plan(campaign)
    campaign.units.remove(*campaign.units.exclude(pk=unit.pk))
    for n in (1, 2, 3):
        send_reminders(DUE + n * DAY)
        assert _recipients("overdue", DUE + n * DAY) == {"caiwu_contact", "reviewer"}
    assert Notification.objects.filter(recipient=unit_contact, title__contains="已逾期 2 天").count() == 1
    assert Notification.objects.filter(recipient=reviewer, title__startswith="【逾期】").count() == 3


@pytest.mark.django_db
def test_reminders_are_sent_exactly_once_when_run_twice(
    campaign, unit, unit_contact, unit_leader, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    _only_work_plan(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders(DUE + DAY)
    notes, mails = Notification.objects.count(), len(mailoutbox)
    assert first["sent"] == notes > 0 and mails == notes
    with django_capture_on_commit_callbacks(execute=True):
        second = send_reminders(DUE + DAY)
    assert second["sent"] == 0 and second["skipped"] == first["sent"]
    assert Notification.objects.count() == notes and len(mailoutbox) == mails
    mail = next(m for m in mailoutbox if m.to == [unit_contact.email])
    assert "逾期" in mail.subject and "/reviews/progress/caiwu/" in mail.body


@pytest.mark.django_db
def test_no_reminders_for_accepted_items_and_only_reviewers_for_overdue_submitted_ones(
    campaign, work_plan, unit, unit_contact, unit_leader, reviewer, media
):
    _only_work_plan(campaign)
    campaign.units.remove(*campaign.units.exclude(pk=unit.pk))
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    Notification.objects.all().delete()
    assert send_reminders(DUE - 3 * DAY)["sent"] == 0  # handed in before the deadline: nothing to chase
    send_reminders(DUE + DAY)
    assert _recipients("overdue", DUE + DAY) == {"reviewer"}  # waiting for the office
    services.submission_accept(actor=reviewer, submission=s, version=s.version)
    Notification.objects.all().delete()
    assert send_reminders(DUE + 2 * DAY)["sent"] == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_returned_items_are_open_again(campaign, work_plan, unit, unit_contact, reviewer, media):
    _only_work_plan(campaign)
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    services.submission_return(actor=reviewer, submission=s, version=s.version, comment="重写")
    send_reminders(DUE - DAY)
    assert "caiwu_contact" in _recipients("before_1", DUE - DAY)


@pytest.mark.django_db
def test_form_deliverables_are_judged_by_their_derived_state(campaign, unit, unit_contact):
    from risks.models import RiskForm

    form_due = Deliverable.objects.get(phase__campaign=campaign, kind="form").due_date
    campaign.units.remove(*campaign.units.exclude(pk=unit.pk))
    RiskForm.objects.create(kind="unit", campaign=campaign, unit=unit, state="approved")
    send_reminders(form_due - DAY)
    assert not Reminder.objects.filter(deliverable__kind="form").exists()
    RiskForm.objects.filter(unit=unit).update(state="returned")
    send_reminders(form_due - DAY)
    assert Reminder.objects.filter(deliverable__kind="form", recipient=unit_contact).exists()


@pytest.mark.django_db
def test_a_run_killed_midway_loses_nothing(campaign, unit, unit_contact, unit_leader, reviewer, monkeypatch):
    """Each reminder commits on its own: what was sent stays sent, and the next run sends the rest."""
    from reviews.schedule import reminders

    _only_work_plan(campaign)
    real = reminders._send_one
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(reminders, "_send_one", dying)
    with pytest.raises(SystemExit):
        send_reminders(DUE + DAY)
    assert Reminder.objects.count() == 1
    monkeypatch.setattr(reminders, "_send_one", real)
    counts = send_reminders(DUE + DAY)
    assert counts["skipped"] == 1 and Reminder.objects.count() == 1 + counts["sent"]
    assert Notification.objects.count() == Reminder.objects.count()


@pytest.mark.django_db
def test_command_and_task_do_the_same(campaign, unit, unit_contact, capsys):
    _only_work_plan(campaign)
    call_command("send_reminders", "--today", (DUE + DAY).isoformat())
    out = capsys.readouterr().out
    assert "已发送" in out and "逾期" in out
    result = send_daily_reminders.delay((DUE + DAY).isoformat()).get()
    assert result["sent"] == 0 and result["skipped"] > 0


@pytest.mark.django_db
def test_daily_beat_schedule_exists_at_eight_shanghai():
    task = PeriodicTask.objects.get(task="reviews.send_daily_reminders")
    assert task.enabled and task.crontab.hour == "8" and task.crontab.minute == "0"
    assert str(task.crontab.timezone) == "Asia/Shanghai"


# --- PostgreSQL: two concurrent runs ---------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_nothing_twice(campaign, unit, unit_contact, unit_leader, reviewer, other_unit):
    UserFactory(username="shebei_contact", role=Role.UNIT_CONTACT, unit=other_unit)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(send_reminders(DUE + DAY))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    total = sum(r["sent"] for r in results)
    assert total == Reminder.objects.count() > 0
    assert Notification.objects.count() == total
    keys = list(Reminder.objects.values_list("deliverable", "unit", "recipient", "kind", "on_date"))
    assert len(keys) == len(set(keys))
    assert sum(r["skipped"] for r in results) == total  # the other run found each one already sent


# --- a real Celery worker through Redis --------------------------------------------------------------------------
@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
def test_a_real_worker_sends_the_reminders_enqueued_through_redis(
    transactional_db, campaign, unit, unit_contact, unit_leader, reviewer
):
    from urllib.parse import urlsplit, urlunsplit

    _only_work_plan(campaign)
    db_name = connection.settings_dict["NAME"]
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path=f"/{db_name}")), "DJANGO_DEBUG": "1"}
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen(
        [
            str(root / ".venv/bin/celery"),
            "-A",
            "lianzheng",
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        send_daily_reminders.delay((DUE + DAY).isoformat())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Notification.objects.count() < 4:
            time.sleep(0.5)
        assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
            "caiwu_contact",
            "caiwu_leader",
            "reviewer",
        }
        assert (
            Reminder.objects.filter(kind="overdue").count() == 4
        )  # caiwu: contact, leader, reviewer; shebei: reviewer
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output = worker.communicate(timeout=30)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode(errors="replace")
    assert worker.returncode == 0, output[-3000:]
