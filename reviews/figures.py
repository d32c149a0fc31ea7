"""Kept figures of the phase schedule (``lianzheng.figures``): the state of each unit's stored deliverables.

The schedule's services call ``keep_submission`` at the end of each write that changes a submission's state, inside
the same transaction; ``rebuild`` and ``differences`` recompute every row from the submissions (a bulk load, a
restore). Overdue is never kept: pages derive it from the deliverable's due date and today.
"""

from lianzheng.figures import Keeper

from .models_schedule import DERIVED_KINDS, DeliverableFigure, Submission, SubmissionState


def _source():
    """{(unit_id, deliverable_id): (campaign_id, phase_id, state)} from the submissions: one query."""
    rows = (
        Submission.objects.exclude(deliverable__kind__in=DERIVED_KINDS)
        .exclude(state=SubmissionState.MISSING)
        .values_list("unit_id", "deliverable_id", "deliverable__phase__campaign_id", "deliverable__phase_id", "state")
    )
    return {(u, d): (c, p, s) for u, d, c, p, s in rows}


def _kept():
    rows = DeliverableFigure.objects.values_list("unit_id", "deliverable_id", "campaign_id", "phase_id", "state")
    return {(u, d): (c, p, s) for u, d, c, p, s in rows}


def keep_submission(submission: Submission) -> None:
    """Mirror one submission's state (call inside the service's transaction, after its save)."""
    deliverable = submission.deliverable
    if deliverable.kind in DERIVED_KINDS or submission.state == SubmissionState.MISSING:
        DeliverableFigure.objects.filter(unit_id=submission.unit_id, deliverable_id=deliverable.pk).delete()
        return
    DeliverableFigure.objects.update_or_create(
        unit_id=submission.unit_id,
        deliverable_id=deliverable.pk,
        defaults={
            "campaign_id": deliverable.phase.campaign_id,
            "phase_id": deliverable.phase_id,
            "state": submission.state,
        },
    )


def rebuild() -> int:
    source = _source()
    DeliverableFigure.objects.all().delete()
    DeliverableFigure.objects.bulk_create(
        [
            DeliverableFigure(unit_id=u, deliverable_id=d, campaign_id=c, phase_id=p, state=s)
            for (u, d), (c, p, s) in source.items()
        ],
        batch_size=1000,
    )
    return len(source)


def differences() -> list[str]:
    source, kept = _source(), _kept()
    lines = []
    for key in sorted(set(source) | set(kept)):
        want, have = source.get(key), kept.get(key)
        if want != have:
            unit_id, deliverable_id = key
            lines.append(
                f"deliverable state unit={unit_id} deliverable={deliverable_id}: "
                f"kept {have[2] if have else 'none'}, rows say {want[2] if want else 'none'}"
                + ("" if not (want and have) or want[:2] == have[:2] else f" (campaign/phase {have[:2]} ≠ {want[:2]})")
            )
    return lines


KEEPER = Keeper(name="reviews.deliverables", rebuild=rebuild, differences=differences)
