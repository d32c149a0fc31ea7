"""Kept figures of the reviews app (``lianzheng.figures``).

- ``DeliverableFigure``: the state of each unit's stored (document-like) deliverable. The schedule's services call
  ``keep_submission`` at the end of each write that changes a submission's state, inside the same transaction.
  Overdue is never kept: pages derive it from the deliverable's due date and today.
- ``SupervisionFigure``: per unit and year, complaints by stage, yellow cards and key supervisions by state, warnings
  by kind and state, assessment grades. The supervision services call ``keep_unit_year`` at the end of each write; it
  recomputes that unit's rows of that year from the source rows (five small grouped queries) under a lock on the
  unit, so two writes of one unit never race on the same figures.

``rebuild`` and ``differences`` of each keeper recompute every row with grouped queries (a bulk load, a restore).
"""

from django.db.models import Count

from lianzheng.figures import Keeper
from units.models import Unit

from .models import (
    Assessment,
    Complaint,
    KeySupervision,
    SupervisionFigure,
    SupervisionFigureKind,
    Warning,
    YellowCard,
)
from .schedule.models import DERIVED_KINDS, DeliverableFigure, Submission, SubmissionState


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


def keep_deliverable(deliverable) -> None:
    """A deliverable moved to another phase: its kept rows follow (call inside the service's transaction)."""
    DeliverableFigure.objects.filter(deliverable_id=deliverable.pk).update(
        phase_id=deliverable.phase_id, campaign_id=deliverable.phase.campaign_id
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


DELIVERABLES = Keeper(name="reviews.deliverables", rebuild=rebuild, differences=differences)


# --- supervision figures per unit and year ----------------------------------------------------------------------------
#: figure → (queryset, unit field, year field, value fields joined by ":").
def _sources():
    F = SupervisionFigureKind
    return [
        (F.COMPLAINT, Complaint.objects.all(), "unit_id", "year", ("state",)),
        (F.CARD, YellowCard.objects.all(), "post__unit_id", "year", ("state",)),
        (F.SUPERVISION, KeySupervision.objects.all(), "yellow_card__post__unit_id", "yellow_card__year", ("state",)),
        (F.WARNING, Warning.objects.all(), "unit_id", "year", ("kind", "state")),
        (F.GRADE, Assessment.objects.all(), "unit_id", "year", ("final_grade",)),
    ]


def _supervision_source(*, unit_id: int | None = None, year: int | None = None) -> dict:
    """{(unit_id, year, figure, value): count} from the source rows: one grouped query per figure."""
    counts = {}
    for figure, qs, unit_field, year_field, value_fields in _sources():
        if unit_id is not None:
            qs = qs.filter(**{unit_field: unit_id, year_field: year})
        rows = qs.order_by().values_list(unit_field, year_field, *value_fields).annotate(n=Count("pk"))
        for unit, row_year, *values, n in rows:
            counts[(unit, row_year, str(figure), ":".join(values))] = n
    return counts


def _supervision_kept() -> dict:
    return {
        (u, y, f, v): n
        for u, y, f, v, n in SupervisionFigure.objects.values_list("unit_id", "year", "figure", "value", "count")
    }


def keep_unit_year(*pairs: tuple[int, int]) -> None:
    """Recompute the kept supervision figures of each (unit_id, year) from the rows; call inside the service's
    transaction, at its end."""
    pairs = sorted(set(pairs))
    list(Unit.objects.select_for_update().filter(pk__in=[u for u, _y in pairs]).order_by("pk").values_list("pk"))
    for unit_id, year in pairs:
        counts = _supervision_source(unit_id=unit_id, year=year)
        SupervisionFigure.objects.filter(unit_id=unit_id, year=year).delete()
        SupervisionFigure.objects.bulk_create(
            [SupervisionFigure(unit_id=u, year=y, figure=f, value=v, count=n) for (u, y, f, v), n in counts.items()]
        )


def rebuild_supervision() -> int:
    counts = _supervision_source()
    SupervisionFigure.objects.all().delete()
    SupervisionFigure.objects.bulk_create(
        [SupervisionFigure(unit_id=u, year=y, figure=f, value=v, count=n) for (u, y, f, v), n in counts.items()],
        batch_size=1000,
    )
    return len(counts)


def supervision_differences() -> list[str]:
    source, kept = _supervision_source(), _supervision_kept()
    lines = []
    for key in sorted(set(source) | set(kept)):
        if source.get(key, 0) != kept.get(key, 0):
            unit_id, year, figure, value = key
            lines.append(
                f"{figure} unit={unit_id} year={year} {value}: kept {kept.get(key, 0)}, rows say {source.get(key, 0)}"
            )
    return lines


SUPERVISION = Keeper(name="reviews.supervision", rebuild=rebuild_supervision, differences=supervision_differences)
