"""The campus's progress in counts: per unit and phase, how many deliverables are accepted, submitted, returned,
missing or overdue, without one object per (unit, deliverable) cell.

Four hundred units × fourteen deliverables are five thousand cells; the dashboard's progress block and the progress
matrix's totals, filters and sort need only counts. They come from grouped reads of the kept figures (stored
deliverables: ``DeliverableFigure`` grouped by unit, phase and state; 附表: the kept form counts per unit; 实施细则:
one state per unit), and overdue is derived from the due dates and ``today`` as everywhere else
(``reviews.schedule.selectors``). Five queries whatever the size; per unit a few additions per phase.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from measures.models import ImplementationRules
from risks.models import FormState, UnitRiskFigures
from units.models import Campaign

from .models import Deliverable, DeliverableFigure, DeliverableKind, SubmissionState
from .selectors import derive_rules_state

#: The states a cell shows (``Status.css``): overdue replaces missing and returned once the due date has passed.
SHOWN_STATES = ("accepted", "submitted", "returned", "missing", "overdue")
DERIVED_KINDS = (DeliverableKind.FORM, DeliverableKind.RULES)


@dataclass(frozen=True, slots=True)
class UnitRef:
    """What a campus table shows of a unit (rows of four hundred units need no model instances)."""

    pk: int
    code: str
    name: str

    def __str__(self):
        return self.name


@dataclass(slots=True)
class PhaseDemand:
    """What one phase asks of every unit: deliverables in all, stored ones past due, and per derived kind how many
    and how many past due."""

    total: int = 0
    stored_past_due: int = 0
    derived: dict = field(default_factory=lambda: {kind: [0, 0] for kind in DERIVED_KINDS})


@dataclass(slots=True)
class UnitTally:
    """One unit's counts: ``cells`` is [accepted, overdue] per phase (in phase order), ``shown`` the count per
    shown state over every deliverable of the campaign."""

    unit: UnitRef
    cells: list
    shown: dict

    @property
    def accepted(self) -> int:
        return self.shown["accepted"]

    @property
    def overdue(self) -> int:
        return self.shown["overdue"]


def form_state_from_counts(row: dict | None) -> str:
    """The derived state of a unit's form deliverable (``selectors.derive_form_state``), from the kept
    per-unit form counts (``risks.figures``) instead of every form row."""
    if not row:
        return SubmissionState.MISSING
    if row.get(FormState.RETURNED):
        return SubmissionState.RETURNED
    if not row.get("unit_forms"):
        return SubmissionState.MISSING
    total = row.get("total", 0)
    approved = row.get(FormState.APPROVED, 0)
    if approved == total:
        return SubmissionState.ACCEPTED
    if row.get(FormState.CONFIRMED, 0) + approved == total:
        return SubmissionState.SUBMITTED
    return SubmissionState.MISSING


def campaign_unit_refs(campaign: Campaign) -> list[UnitRef]:
    return [UnitRef(*row) for row in campaign.units.order_by("sort_order", "code").values_list("pk", "code", "name")]


def phase_demands(*, campaign: Campaign, phases, today: datetime.date) -> dict[int, PhaseDemand]:
    demands = {phase.pk: PhaseDemand() for phase in phases}
    for phase_id, kind, due_date in Deliverable.objects.filter(phase__campaign=campaign).values_list(
        "phase_id", "kind", "due_date"
    ):
        demand = demands.setdefault(phase_id, PhaseDemand())
        demand.total += 1
        if kind in DERIVED_KINDS:
            demand.derived[kind][0] += 1
            demand.derived[kind][1] += due_date < today
        else:
            demand.stored_past_due += due_date < today
    return demands


def _stored(campaign, today) -> dict:
    """{(unit_id, phase_id): {state: (count, past due)}} of the stored deliverables handed in (kept figures)."""
    stored: dict = defaultdict(dict)
    for unit_id, phase_id, state, n, past in (
        DeliverableFigure.objects.filter(campaign=campaign)
        .order_by()
        .values("unit_id", "phase_id", "state")
        .annotate(n=Count("pk"), past=Count("pk", filter=Q(deliverable__due_date__lt=today)))
        .values_list("unit_id", "phase_id", "state", "n", "past")
    ):
        stored[(unit_id, phase_id)][state] = (n, past)
    return stored


@dataclass(slots=True)
class CampusProgress:
    """``demands`` per phase id, ``tallies`` per unit in unit order, ``shown`` the campus's count per shown state."""

    demands: dict
    tallies: list
    shown: dict


def progress_tallies(
    *, campaign: Campaign, phases, today: datetime.date | None = None, form_counts: dict | None = None
) -> CampusProgress:
    """One ``UnitTally`` per unit of the campaign, in unit order. ``phases``: the campaign's phases in order;
    ``form_counts``: the kept per-unit form counts when the caller read them already (else one query)."""
    today = today or timezone.localdate()
    units = campaign_unit_refs(campaign)
    by_phase = phase_demands(campaign=campaign, phases=phases, today=today)
    stored = _stored(campaign, today)
    if form_counts is None:
        form_counts = dict(UnitRiskFigures.objects.filter(campaign=campaign).values_list("unit_id", "forms"))
    form_states = {unit_id: form_state_from_counts(forms) for unit_id, forms in form_counts.items()}
    rules_states = dict(ImplementationRules.objects.filter(campaign=campaign).values_list("unit_id", "state"))
    accepted_state, submitted_state, returned_state = (
        SubmissionState.ACCEPTED,
        SubmissionState.SUBMITTED,
        SubmissionState.RETURNED,
    )
    nothing: dict = {}
    # Per phase, what it asks for, with only the derived kinds it has (most phases ask for none).
    plan = [
        (phase.pk, demand.total, demand.stored_past_due, [(k, c, p) for k, (c, p) in demand.derived.items() if c])
        for phase in phases
        for demand in [by_phase[phase.pk]]
    ]
    zero = (0, 0)
    tallies = []
    for unit in units:
        unit_id = unit.pk
        form_state = form_states.get(unit_id, SubmissionState.MISSING)
        rules_state = derive_rules_state(rules_states.get(unit_id))
        total_accepted = total_submitted = total_returned = total_overdue = total_missing = 0
        cells = []
        for phase_id, demand_total, stored_past_due, derived in plan:
            handed_in = stored.get((unit_id, phase_id), nothing)
            accepted, accepted_past = handed_in.get(accepted_state, zero)
            submitted, submitted_past = handed_in.get(submitted_state, zero)
            returned, returned_past = handed_in.get(returned_state, zero)
            # Stored deliverables past due and not handed in (missing or returned) are overdue.
            overdue = stored_past_due - accepted_past - submitted_past
            returned_shown = returned - returned_past
            for kind, count, past_due in derived:
                state = form_state if kind == DeliverableKind.FORM else rules_state
                if state == accepted_state:
                    accepted += count
                elif state == submitted_state:
                    submitted += count
                else:  # missing or returned: open for the unit
                    overdue += past_due
                    if state == returned_state:
                        returned_shown += count - past_due
            cells.append([accepted, overdue])
            total_accepted += accepted
            total_submitted += submitted
            total_returned += returned_shown
            total_overdue += overdue
            total_missing += demand_total - accepted - submitted - returned_shown - overdue
        shown = {
            "accepted": total_accepted,
            "submitted": total_submitted,
            "returned": total_returned,
            "missing": total_missing,
            "overdue": total_overdue,
        }
        tallies.append(UnitTally(unit=unit, cells=cells, shown=shown))
    campus = dict.fromkeys(SHOWN_STATES, 0)
    for tally in tallies:
        for state, n in tally.shown.items():
            campus[state] += n
    return CampusProgress(demands=by_phase, tallies=tallies, shown=campus)


#: The matrix's unit filter (``?state=``): units with at least one cell in that shown state, or all accepted.
UNIT_FILTERS = ("overdue", "returned", "missing", "submitted", "done")
#: The matrix's orders (``?sort=``): unit order, most overdue first, fewest accepted first (``-`` reverses).
UNIT_SORTS = {
    "unit": lambda t: (0,),
    "overdue": lambda t: (-t.overdue, t.accepted),
    "accepted": lambda t: (t.accepted, -t.overdue),
}


def _keeps(tally: UnitTally, state: str) -> bool:
    if state == "done":
        return sum(tally.shown.values()) > 0 and tally.shown["accepted"] == sum(tally.shown.values())
    return tally.shown.get(state, 0) > 0


def matrix_units(progress: CampusProgress, *, state: str = "", sort: str = "") -> list[UnitTally]:
    """The tallies the matrix lists, filtered and sorted (stable: unit order breaks ties)."""
    tallies = progress.tallies
    if state in UNIT_FILTERS:
        tallies = [t for t in tallies if _keeps(t, state)]
    key = sort.lstrip("-")
    if key in UNIT_SORTS and key != "unit":
        tallies = sorted(tallies, key=UNIT_SORTS[key], reverse=sort.startswith("-"))
    elif sort == "-unit":
        tallies = list(reversed(tallies))
    return tallies
