"""Demo data for the phase schedule: the default deliverables of both demo campaigns, submissions in every state for
the current campaign (so that reminders have something to send), the 2010 pilot's submissions all accepted,
self-inspections, and each pilot unit's leading group. Idempotent: rows are found by their natural keys and
created only when missing. Dates come from the campaigns' phases (fixtures/demo/other_records.json, R6).
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from devdata.demo.units import current_campaign, pilot_campaign
from lianzheng.figures import rebuild_all
from reviews.schedule.models import (
    Deliverable,
    DeliverableKind,
    GroupRole,
    LeadingGroupMember,
    SelfInspection,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from reviews.schedule.services import default_deliverables
from units.models import Role, Unit, User

REMINDER_TASK = "reviews.send_daily_reminders"

#: The current campaign's prepare-phase deliverables, per pilot unit: which state each is left in.
_CURRENT_STATES = {
    "houqin": {
        "工作方案": "accepted",
        "领导小组/组织机构名单": "accepted",
        "具体负责人": "accepted",
        "权力清理": "accepted",
    },
    "xiaojian": {"工作方案": "submitted", "领导小组/组织机构名单": "submitted", "具体负责人": "accepted"},
    "shebei": {"工作方案": "returned", "领导小组/组织机构名单": "accepted"},
    "caiwu": {},  # nothing handed in: overdue, reminders go out
    "zhaojiu": {"工作方案": "accepted", "具体负责人": "returned"},
}
_RETURN_COMMENT = "工作方案未明确分阶段的时间安排和责任分工，请补充后重新报送。"


def _pdf(title: str) -> bytes:
    """A minimal valid PDF standing in for the unit's document."""
    text = title.encode("ascii", "ignore") or b"document"
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + text + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def ensure_daily_reminder_schedule() -> PeriodicTask:
    """Beat's daily 08:00 (Asia/Shanghai) run of the reminders; the data migration creates it too."""
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    task = PeriodicTask.objects.filter(task=REMINDER_TASK).first()
    if task is None:
        task = PeriodicTask.objects.create(
            name="每日截止提醒 (reviews.send_daily_reminders)", task=REMINDER_TASK, crontab=crontab, enabled=True
        )
    return task


def _ensure_deliverables(campaign) -> dict[tuple[str, str], Deliverable]:
    found = {}
    for spec in default_deliverables(campaign):
        deliverable, _ = Deliverable.objects.get_or_create(
            phase=spec["phase"],
            name=spec["name"],
            defaults={k: v for k, v in spec.items() if k not in ("phase", "name")},
        )
        found[(spec["phase"].kind, spec["name"])] = deliverable
    return found


def _people(unit: Unit) -> tuple[User | None, User | None]:
    users = {u.role: u for u in User.objects.filter(unit=unit, role__in=[Role.UNIT_CONTACT, Role.UNIT_LEADER])}
    return users.get(Role.UNIT_CONTACT), users.get(Role.UNIT_LEADER)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _ensure_submission(*, unit, deliverable, state, contact, reviewer) -> int:
    if state == SubmissionState.MISSING or deliverable.is_derived:
        return 0
    if Submission.objects.filter(unit=unit, deliverable=deliverable).exists():
        return 0
    submitted_at = _at(deliverable.due_date - datetime.timedelta(days=1), 10)
    submission = Submission(
        unit=unit,
        deliverable=deliverable,
        state=SubmissionState.SUBMITTED,
        submitted_by=contact,
        submitted_at=submitted_at,
        note="",
        version=1,
    )
    if deliverable.takes_file:
        name = f"{unit.name}{deliverable.name}.pdf"
        submission.original_name = name
        submission.content_type = "application/pdf"
        content = _pdf(f"{unit.code} {deliverable.pk}")
        submission.size = len(content)
        submission.file.save(
            name.encode("ascii", "ignore").decode() or "document.pdf", ContentFile(content), save=False
        )
    submission.save()
    SubmissionEvent.objects.create(
        submission=submission,
        actor=contact,
        action="submit",
        from_state="missing",
        to_state="submitted",
        at=submitted_at,
    )
    if state in (SubmissionState.ACCEPTED, SubmissionState.RETURNED):
        reviewed_at = _at(deliverable.due_date, 16)
        submission.state = state
        submission.reviewed_by, submission.reviewed_at = reviewer, reviewed_at
        submission.comment = _RETURN_COMMENT if state == SubmissionState.RETURNED else ""
        submission.version = 2
        submission.save()
        SubmissionEvent.objects.create(
            submission=submission,
            actor=reviewer,
            action="accept" if state == SubmissionState.ACCEPTED else "return",
            from_state="submitted",
            to_state=state,
            comment=submission.comment,
            at=reviewed_at,
        )
    return 1


def _ensure_group(unit, campaign, contact, leader) -> None:
    members = []
    if leader:
        members.append((leader, GroupRole.LEADER, "党总支书记", 10))
    if contact:
        members.append((contact, GroupRole.IN_CHARGE, "单位联络员", 50))
        members.append((contact, GroupRole.OFFICE_DIRECTOR, "单位联络员", 40))
    for user, role, title, order in members:
        LeadingGroupMember.objects.get_or_create(
            unit=unit,
            campaign=campaign,
            name=user.display_name,
            role=role,
            defaults={"user": user, "title": title, "order": order},
        )


def _ensure_self_inspection(unit, phase, contact) -> int:
    if contact is None or SelfInspection.objects.filter(unit=unit, phase=phase).exists():
        return 0
    SelfInspection.objects.create(
        unit=unit,
        phase=phase,
        findings="已按阶段要求开展自查：组织学习到位，个别科室风险点查找不够细，已督促补充。",
        rectification="各科室对照岗位职责逐项复核风险点，由具体负责人跟踪落实。",
        submitted_by=contact,
        submitted_at=_at(phase.end, 9),
    )
    return 1


@transaction.atomic
def seed(*, stdout) -> None:
    ensure_daily_reminder_schedule()
    reviewer = User.objects.filter(role=Role.REVIEWER).order_by("pk").first()
    created = 0
    today = timezone.localdate()

    # 2010 pilot: historical, everything handed in and accepted.
    pilot = pilot_campaign()
    pilot_deliverables = _ensure_deliverables(pilot)
    for unit in pilot.units.all():
        contact, leader = _people(unit)
        _ensure_group(unit, pilot, contact, leader)
        for phase in pilot.phases.all():
            created += _ensure_self_inspection(unit, phase, contact)
        for deliverable in pilot_deliverables.values():
            created += _ensure_submission(
                unit=unit, deliverable=deliverable, state=SubmissionState.ACCEPTED, contact=contact, reviewer=reviewer
            )

    # Current campaign: the prepare phase is over, in every state; identify is under way.
    current = current_campaign()
    current_deliverables = _ensure_deliverables(current)
    for unit in current.units.filter(is_pilot=True):
        contact, leader = _people(unit)
        _ensure_group(unit, current, contact, leader)
        for (phase_kind, name), deliverable in current_deliverables.items():
            if phase_kind != "prepare" or deliverable.kind == DeliverableKind.SELF_INSPECTION:
                continue
            state = _CURRENT_STATES.get(unit.code, {}).get(name, SubmissionState.MISSING)
            created += _ensure_submission(
                unit=unit, deliverable=deliverable, state=state, contact=contact, reviewer=reviewer
            )
        if unit.code in ("houqin", "xiaojian"):
            prepare = current.phases.get(kind="prepare")
            created += _ensure_self_inspection(unit, prepare, contact)
            self_deliverable = current_deliverables[("prepare", "阶段自查")]
            created += _ensure_submission(
                unit=unit,
                deliverable=self_deliverable,
                state=SubmissionState.ACCEPTED if unit.code == "houqin" else SubmissionState.SUBMITTED,
                contact=contact,
                reviewer=reviewer,
            )
    # The demo writes its submissions directly: keep their figures from the rows.
    rebuild_all(["reviews.deliverables"])
    stdout.write(
        f"schedule: {Deliverable.objects.count()} 项报送材料, {Submission.objects.count()} 份报送, "
        f"{SelfInspection.objects.count()} 份自查 (本次新增 {created}); today {today}"
    )
