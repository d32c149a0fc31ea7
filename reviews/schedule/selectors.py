"""Reads for the phase schedule: the state of every (unit, deliverable) pair, derived where it must be.

- Document-like deliverables take their state from the Submission row (none yet = missing).
- Form deliverables (附表1 and all 附表2) and rules deliverables (实施细则) take it from those objects' states:
  derived, never duplicated.
- Overdue is derived from the due date and today; it is never stored.

Every function issues a fixed number of queries whatever the number of units and deliverables.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianzheng.reverse import url_maker
from measures.models import ImplementationRules, RulesState
from risks.models import FormKind, FormState, RiskForm
from units.models import Campaign, Phase, Unit
from units.rules import sees_all_units

from .models import (
    Deliverable,
    DeliverableFigure,
    DeliverableKind,
    GroupRole,
    Inspection,
    LeadingGroupMember,
    SelfInspection,
    Submission,
    SubmissionEvent,
    SubmissionState,
)

#: States in which the unit still has to act (reminders go out for these).
OPEN_FOR_UNIT = (SubmissionState.MISSING, SubmissionState.RETURNED)


def derive_form_state(forms: list[tuple[str, str]]) -> str:
    """附表1 and every 附表2 of the unit: accepted when all are approved, submitted when all have reached the office
    (confirmed by the unit's leadership, R4), returned when any came back, missing otherwise."""
    if any(state == FormState.RETURNED for _kind, state in forms):
        return SubmissionState.RETURNED
    if not any(kind == FormKind.UNIT for kind, _state in forms):
        return SubmissionState.MISSING
    states = {state for _kind, state in forms}
    if states == {FormState.APPROVED}:
        return SubmissionState.ACCEPTED
    if states <= {FormState.CONFIRMED, FormState.APPROVED}:
        return SubmissionState.SUBMITTED
    return SubmissionState.MISSING


_RULES_TO_SUBMISSION = {
    RulesState.APPROVED: SubmissionState.ACCEPTED,
    RulesState.SUBMITTED: SubmissionState.SUBMITTED,
    RulesState.RETURNED: SubmissionState.RETURNED,
}


def derive_rules_state(state: str | None) -> str:
    return _RULES_TO_SUBMISSION.get(state, SubmissionState.MISSING)


@dataclass
class Status:
    unit: Unit
    deliverable: Deliverable
    state: str
    today: datetime.date
    submission: Submission | None = None
    object_url: str = ""
    #: The submission page, filled in by ``statuses_for`` (one reverse for every cell of a matrix).
    page_url: str = ""

    @property
    def overdue(self) -> bool:
        return self.state in OPEN_FOR_UNIT and self.deliverable.due_date < self.today

    @property
    def days_left(self) -> int:
        return (self.deliverable.due_date - self.today).days

    @property
    def css(self) -> str:
        return "overdue" if self.overdue else self.state

    @property
    def label(self) -> str:
        label = SubmissionState(self.state).label
        return _("%(state)s·逾期") % {"state": label} if self.overdue else str(label)

    @property
    def deadline_text(self) -> str:
        """还剩 3 天 / 今天截止 / 已逾期 2 天 (only while the unit still has to act)."""
        if self.state not in OPEN_FOR_UNIT:
            return ""
        days = self.days_left
        if days > 0:
            return ngettext("还剩 %(n)s 天", "还剩 %(n)s 天", days) % {"n": days}
        if days == 0:
            return _("今天截止")
        return ngettext("已逾期 %(n)s 天", "已逾期 %(n)s 天", -days) % {"n": -days}

    @property
    def url(self) -> str:
        return self.page_url or reverse("reviews:submission-detail", args=[self.unit.code, self.deliverable.pk])


def statuses_for(
    *, campaign: Campaign, units, deliverables, today: datetime.date | None = None, kept: bool = False
) -> dict:
    """{(unit_id, deliverable_id): Status} for every pair; four queries whatever the sizes.

    With ``kept`` the stored deliverables' states come from the kept figures (``reviews.figures``) and the statuses
    carry no Submission (the progress pages show states only); without it, from the Submission rows themselves."""
    today = today or timezone.localdate()
    units = list(units)
    deliverables = list(deliverables)
    unit_ids = [u.pk for u in units]
    deliverable_ids = [d.pk for d in deliverables]
    if kept:
        submissions = {}
        stored_states = {
            (unit_id, deliverable_id): state
            for unit_id, deliverable_id, state in DeliverableFigure.objects.filter(
                unit_id__in=unit_ids, deliverable_id__in=deliverable_ids
            ).values_list("unit_id", "deliverable_id", "state")
        }
    else:
        submissions = {
            (s.unit_id, s.deliverable_id): s
            for s in Submission.objects.filter(unit_id__in=unit_ids, deliverable__in=deliverable_ids)
        }
        stored_states = {key: s.state for key, s in submissions.items()}
    forms = defaultdict(list)
    unit_form_ids = {}
    for unit_id, kind, state, pk in RiskForm.objects.filter(campaign=campaign, unit_id__in=unit_ids).values_list(
        "unit_id", "kind", "state", "pk"
    ):
        forms[unit_id].append((kind, state))
        if kind == FormKind.UNIT:
            unit_form_ids[unit_id] = pk
    rules = {
        unit_id: (state, pk)
        for unit_id, state, pk in ImplementationRules.objects.filter(
            campaign=campaign, unit_id__in=unit_ids
        ).values_list("unit_id", "state", "pk")
    }
    page_url = url_maker("reviews:submission-detail", nargs=2)
    form_url, rules_url = url_maker("risks:form-detail"), url_maker("measures:rules-detail")
    result = {}
    for unit in units:
        for deliverable in deliverables:
            submission = submissions.get((unit.pk, deliverable.pk))
            object_url = ""
            if deliverable.kind == DeliverableKind.FORM:
                state = derive_form_state(forms.get(unit.pk, []))
                if unit.pk in unit_form_ids:
                    object_url = form_url(unit_form_ids[unit.pk])
            elif deliverable.kind == DeliverableKind.RULES:
                rules_state, rules_pk = rules.get(unit.pk, (None, None))
                state = derive_rules_state(rules_state)
                if rules_pk:
                    object_url = rules_url(rules_pk)
            else:
                state = stored_states.get((unit.pk, deliverable.pk), SubmissionState.MISSING)
            result[(unit.pk, deliverable.pk)] = Status(
                unit=unit,
                deliverable=deliverable,
                state=state,
                today=today,
                submission=submission,
                object_url=object_url,
                page_url=page_url(unit.code, deliverable.pk),
            )
    return result


def campaign_deliverables(campaign: Campaign):
    return (
        Deliverable.objects.filter(phase__campaign=campaign)
        .select_related("phase")
        .order_by("phase__start", "order", "id")
    )


def progress_matrix(*, campaign: Campaign, today: datetime.date | None = None, units=None) -> dict:
    """Units × deliverables of the campaign (every unit, or ``units``), with per-state totals of those cells: six
    queries whatever the sizes."""
    today = today or timezone.localdate()
    units = list(campaign.units.order_by("sort_order", "code") if units is None else units)
    deliverables = list(campaign_deliverables(campaign))
    statuses = statuses_for(campaign=campaign, units=units, deliverables=deliverables, today=today, kept=True)
    rows = [(unit, [statuses[(unit.pk, d.pk)] for d in deliverables]) for unit in units]
    totals = defaultdict(int)
    for status in statuses.values():
        totals[status.css] += 1
    return {"units": units, "deliverables": deliverables, "rows": rows, "totals": dict(totals), "today": today}


def campaigns_of_unit(unit: Unit):
    return Campaign.objects.filter(units=unit).order_by("-year", "-id")


def campaign_for(*, user, session, unit: Unit | None = None, requested: str | None = None) -> Campaign | None:
    """The campaign a page shows: the one asked for in the URL, else the one chosen in the top bar, else the newest;
    for a unit, only campaigns that unit takes part in."""
    from units.selectors import current_campaign

    qs = campaigns_of_unit(unit) if unit is not None else Campaign.objects.all()
    if requested and str(requested).isdigit():
        found = qs.filter(pk=int(requested)).first()
        if found:
            return found
    chosen = current_campaign(session=session)
    if chosen is not None and (unit is None or qs.filter(pk=chosen.pk).exists()):
        return chosen
    return qs.first()


def unit_progress(*, unit: Unit, campaign: Campaign, today: datetime.date | None = None) -> dict:
    """The unit's deliverables grouped by phase, each with its status and days left."""
    today = today or timezone.localdate()
    deliverables = list(campaign_deliverables(campaign))
    statuses = statuses_for(campaign=campaign, units=[unit], deliverables=deliverables, today=today, kept=True)
    phases = []
    by_phase = defaultdict(list)
    for d in deliverables:
        by_phase[d.phase_id].append(statuses[(unit.pk, d.pk)])
    for phase in campaign.phases.order_by("start"):
        phases.append({"phase": phase, "statuses": by_phase.get(phase.pk, [])})
    all_statuses = list(statuses.values())
    return {
        "phases": phases,
        "done": sum(1 for s in all_statuses if s.state == SubmissionState.ACCEPTED),
        "total": len(all_statuses),
        "overdue": sum(1 for s in all_statuses if s.overdue),
        "today": today,
    }


def deliverable_for(*, campaign_ids, pk: int) -> Deliverable:
    return get_object_or_404(
        Deliverable.objects.select_related("phase__campaign"), pk=pk, phase__campaign__in=campaign_ids
    )


def submission_status(*, unit: Unit, deliverable: Deliverable, today=None) -> Status:
    campaign = deliverable.phase.campaign
    return statuses_for(campaign=campaign, units=[unit], deliverables=[deliverable], today=today)[
        (unit.pk, deliverable.pk)
    ]


def submission_events(submission: Submission | None):
    if submission is None:
        return SubmissionEvent.objects.none()
    return submission.events.select_related("actor").order_by("at", "id")


def leading_group(*, unit: Unit, campaign: Campaign):
    return (
        LeadingGroupMember.objects.filter(unit=unit, campaign=campaign).select_related("user").order_by("order", "id")
    )


def group_has_role(*, unit: Unit, campaign: Campaign, role: str) -> bool:
    return LeadingGroupMember.objects.filter(unit=unit, campaign=campaign, role=role).exists()


def self_inspection_overview(*, user, campaign: Campaign) -> dict:
    """Every unit the user may see × every phase: the self-inspection if written (R12), and the office's inspection."""
    units = campaign.units.order_by("sort_order", "code")
    if not sees_all_units(user):
        units = units.filter(pk=user.unit_id)
    units = list(units)
    phases = list(campaign.phases.order_by("start"))
    selfs = {
        (s.unit_id, s.phase_id): s
        for s in SelfInspection.objects.filter(phase__in=phases, unit__in=units).select_related("submitted_by")
    }
    inspections = {
        (i.unit_id, i.phase_id): i
        for i in Inspection.objects.filter(phase__in=phases, unit__in=units).select_related("inspected_by")
    }
    rows = [
        (unit, [(phase, selfs.get((unit.pk, phase.pk)), inspections.get((unit.pk, phase.pk))) for phase in phases])
        for unit in units
    ]
    return {"units": units, "phases": phases, "rows": rows}


def phase_for(*, campaign_ids, pk: int) -> Phase:
    return get_object_or_404(Phase.objects.select_related("campaign"), pk=pk, campaign__in=campaign_ids)


def campaigns_with_phases():
    return Campaign.objects.prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("start"))).annotate()


GROUP_ROLES_REQUIRED = {
    DeliverableKind.ORG_LIST: GroupRole.LEADER,
    DeliverableKind.PERSON_IN_CHARGE: GroupRole.IN_CHARGE,
}
