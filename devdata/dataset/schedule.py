"""The current campaign with all units, its four phases placed so that today falls inside 查找风险点, the default
deliverables, and the units' submissions and self-inspections of the phases begun so far.
"""

import datetime

from reviews.models import Deliverable, DeliverableKind, SelfInspection, Submission, SubmissionState
from reviews.schedule.services import default_deliverables
from units.models import Campaign, Phase, PhaseKind

from .build import Build

#: The submission states a deliverable is left in, in the order of the weights below.
_SUBMISSION_STATES = [
    SubmissionState.MISSING,
    SubmissionState.SUBMITTED,
    SubmissionState.ACCEPTED,
    SubmissionState.RETURNED,
]


def campaign_and_schedule(build: Build):
    build.campaign = _campaign_and_phases(build)
    deliverables = build.bulk(Deliverable, [Deliverable(**spec) for spec in default_deliverables(build.campaign)])
    _submissions_and_inspections(build, deliverables)


def _campaign_and_phases(build: Build) -> Campaign:
    today = build.today
    campaign = Campaign.objects.create(name=f"{today.year}年度廉政风险防范管理(合成数据)", year=today.year, batch=1)
    through = Campaign.units.through
    build.bulk(through, [through(campaign_id=campaign.pk, unit_id=u.pk) for u in build.units])
    days = lambda n: today + datetime.timedelta(days=n)  # noqa: E731
    spans = {
        PhaseKind.PREPARE: (days(-12), days(-4)),
        PhaseKind.IDENTIFY: (days(-3), days(5)),  # today inside 查找风险点
        PhaseKind.MEASURES: (days(6), days(17)),
        PhaseKind.INSPECT: (days(18), days(29)),
    }
    build.bulk(Phase, [Phase(campaign=campaign, kind=k, start=s, end=e) for k, (s, e) in spans.items()])
    return campaign


def _submissions_and_inspections(build: Build, deliverables: list[Deliverable]):
    """What the units handed in for the phases begun so far (筹备启动, 查找风险点), derived deliverables aside."""
    rng = build.rng
    submissions, inspections = [], []
    for u, unit in enumerate(build.units):
        for deliverable in deliverables:
            if deliverable.is_derived or deliverable.phase.kind not in (PhaseKind.PREPARE, PhaseKind.IDENTIFY):
                continue
            if deliverable.kind == DeliverableKind.SELF_INSPECTION:
                if deliverable.phase.kind == PhaseKind.PREPARE and rng.random() < 0.7:
                    inspections.append(
                        SelfInspection(
                            unit=unit,
                            phase=deliverable.phase,
                            findings="领导小组对筹备启动阶段工作进行了自查，动员部署到位。",
                            rectification="进一步明确分工，按时报送材料。",
                            submitted_by=unit.contact,
                        )
                    )
                continue
            weights = [15, 20, 55, 10] if deliverable.phase.kind == PhaseKind.PREPARE else [60, 25, 10, 5]
            state = rng.choices(_SUBMISSION_STATES, weights)[0]
            if u == 0:  # the first unit shows every state, whatever the size
                state = _SUBMISSION_STATES[deliverables.index(deliverable) % len(_SUBMISSION_STATES)]
            if state == SubmissionState.MISSING:
                continue
            submissions.append(_submission(build, unit, deliverable, state))
    build.bulk(Submission, submissions)
    build.bulk(SelfInspection, inspections)


def _submission(build: Build, unit, deliverable: Deliverable, state: str) -> Submission:
    rng = build.rng
    handed_in = build.at(rng.uniform(1, 8))
    reviewed = state in (SubmissionState.ACCEPTED, SubmissionState.RETURNED)
    return Submission(
        unit=unit,
        deliverable=deliverable,
        state=state,
        original_name=f"{unit.name}{deliverable.name}.pdf",
        content_type="application/pdf",
        size=rng.randint(20_000, 900_000),
        note="按要求报送。",
        comment="内容不完整，请补充后重新报送。" if state == SubmissionState.RETURNED else "",
        submitted_by=unit.contact,
        submitted_at=handed_in,
        reviewed_by=build.reviewer if reviewed else None,
        reviewed_at=handed_in + datetime.timedelta(days=1) if reviewed else None,
    )
