"""Deadline reminders (催报): what the daily beat task and ``manage.py send_reminders`` run.

For each unit of a campaign and each deliverable still open for the unit (missing or returned; form and rules
deliverables judged by their derived state), the unit's contacts and leaders are reminded 3 days and 1 day before the
due date and every day once it is overdue; overdue items are escalated to the reviewers too. A submitted item that
is overdue waits for the office, so only the reviewers are reminded of it. Accepted items send nothing.

A missed run is made up: a "before" reminder is dated the day it fell due, and the next run sends it if it was not
sent (once; the 1-day reminder supersedes a 3-day one not yet sent).

Exactly once: every reminder is its own small transaction that first inserts a ``Reminder`` row (unique on
deliverable, unit, recipient, kind and day) and notifies only when that insert succeeded. Two runs on the same day, or
two workers racing, cannot both insert; a worker killed mid-run has committed what it sent and the next run sends
the rest.
"""

import datetime
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzheng.notifications import notify
from units.models import Campaign, Role, User

from .models import Deliverable, Reminder, ReminderKind, SubmissionState
from .selectors import OPEN_FOR_UNIT, statuses_for

logger = logging.getLogger("lianzheng.reminders")

BEFORE_DAYS = {3: ReminderKind.BEFORE_3, 1: ReminderKind.BEFORE_1}


def _overdue_window_days() -> int:
    """How long overdue items keep being chased daily; after that the matrix still shows them red."""
    return int(getattr(settings, "REMINDER_OVERDUE_DAYS", 30))


def _due_deliverables(today: datetime.date):
    """Deliverables a reminder may be due for today: due within the next 3 days (today included), or overdue
    (within the window)."""
    latest = today + datetime.timedelta(days=max(BEFORE_DAYS))
    oldest = today - datetime.timedelta(days=_overdue_window_days())
    qs = Deliverable.objects.filter(required=True).select_related("phase__campaign")
    return list(qs.filter(due_date__gte=oldest, due_date__lte=latest))


def _kind_for(due: datetime.date, today: datetime.date) -> tuple[str, datetime.date] | None:
    """The reminder due for a deadline, and the day it fell due (what makes it "exactly once").

    Overdue: every day, today. Before the deadline: the latest of "3 days before" and "1 day before" whose day has
    come, dated that day; a run that was missed is made up by the next one (a run two days before the deadline sends
    the 3-day reminder it did not get yesterday, once), and the 1-day reminder supersedes a 3-day one not yet sent.
    """
    days = (due - today).days
    if days < 0:
        return ReminderKind.OVERDUE, today
    for ahead in sorted(BEFORE_DAYS):
        if days <= ahead:
            return BEFORE_DAYS[ahead], due - datetime.timedelta(days=ahead)
    return None


def _message(*, status, kind: str, for_reviewer: bool) -> tuple[str, str]:
    d, unit = status.deliverable, status.unit
    params = {
        "unit": unit.name,
        "name": d.name,
        "phase": d.phase.get_kind_display(),
        "due": f"{d.due_date.year}年{d.due_date.month}月{d.due_date.day}日",
        "days": abs(status.days_left),
        "state": SubmissionState(status.state).label,
    }
    if kind == ReminderKind.OVERDUE and for_reviewer:
        if status.state == SubmissionState.SUBMITTED:
            title = _("【待审核】%(unit)s的“%(name)s”已逾期 %(days)s 天仍未审核") % params
            body = _("%(unit)s已报送“%(name)s”(%(phase)s阶段，截止 %(due)s)，尚待审核，请及时处理。") % params
        else:
            title = _("【逾期】%(unit)s的“%(name)s”已逾期 %(days)s 天") % params
            body = (
                _("%(unit)s应于 %(due)s 前报送“%(name)s”(%(phase)s阶段)，目前状态：%(state)s，已逾期 %(days)s 天。")
                % params
            )
    elif kind == ReminderKind.OVERDUE:
        title = _("【逾期提醒】“%(name)s”已逾期 %(days)s 天") % params
        body = (
            _(
                "贵单位应于 %(due)s 前报送“%(name)s”(%(phase)s阶段)，目前状态：%(state)s，已逾期 %(days)s 天，"
                "请尽快报送。逾期情况已同时告知纪委监察室。"
            )
            % params
        )
    elif status.days_left == 0:
        title = _("【截止提醒】“%(name)s”今天截止") % params
        body = _("贵单位应于今天(%(due)s)报送“%(name)s”(%(phase)s阶段)，目前状态：%(state)s，请今天内报送。") % params
    else:
        title = _("【截止提醒】“%(name)s”还剩 %(days)s 天截止") % params
        body = (
            _("贵单位应于 %(due)s 前报送“%(name)s”(%(phase)s阶段)，目前状态：%(state)s，还剩 %(days)s 天，请按时报送。")
            % params
        )
    return title, body


def _send_one(*, status, recipient, kind: str, on_date: datetime.date, for_reviewer: bool) -> bool:
    """Insert the Reminder row (dated the day it fell due) and notify, in one transaction; False when it was
    already sent."""
    unit, deliverable = status.unit, status.deliverable
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    unit=unit, deliverable=deliverable, recipient=recipient, kind=kind, on_date=on_date
                )
        except IntegrityError:
            return False
        title, body = _message(status=status, kind=kind, for_reviewer=for_reviewer)
        notify(
            recipients=[recipient],
            title=title,
            body=body,
            url=reverse("reviews:unit-progress", args=[unit.code]),
            dedupe_key=f"reminder:{reminder.pk}",
        )
    return True


def send_reminders(today: datetime.date | None = None) -> dict:
    """Send today's reminders; returns counts: sent (by kind), skipped (already sent earlier)."""
    today = today or timezone.localdate()
    counts = Counter()
    by_campaign = defaultdict(list)
    for deliverable in _due_deliverables(today):
        by_campaign[deliverable.phase.campaign_id].append(deliverable)
    if not by_campaign:
        return {"sent": 0, "skipped": 0}
    reviewers = list(User.objects.filter(role=Role.REVIEWER, is_active=True))
    for campaign in Campaign.objects.filter(pk__in=by_campaign):
        units = list(campaign.units.all())
        people = defaultdict(list)
        for user in User.objects.filter(
            unit__in=units, role__in=[Role.UNIT_CONTACT, Role.UNIT_LEADER], is_active=True
        ).order_by("pk"):
            people[user.unit_id].append(user)
        statuses = statuses_for(campaign=campaign, units=units, deliverables=by_campaign[campaign.pk], today=today)
        for status in statuses.values():
            due = _kind_for(status.deliverable.due_date, today)
            if due is None or status.state == SubmissionState.ACCEPTED:
                continue
            kind, on_date = due
            targets = []
            if status.state in OPEN_FOR_UNIT:
                targets += [(user, False) for user in people[status.unit.pk]]
            elif kind != ReminderKind.OVERDUE:
                continue  # submitted before the deadline: nothing to chase yet
            if kind == ReminderKind.OVERDUE:
                targets += [(user, True) for user in reviewers]
            for user, for_reviewer in targets:
                if _send_one(status=status, recipient=user, kind=kind, on_date=on_date, for_reviewer=for_reviewer):
                    counts[kind] += 1
                    counts["sent"] += 1
                else:
                    counts["skipped"] += 1
    logger.info("reminders for %s: %s", today, dict(counts))
    return {"sent": counts["sent"], "skipped": counts["skipped"], **{k: counts[k] for k in ReminderKind.values}}
