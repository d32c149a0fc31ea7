"""Reads shaped for pages, scoped to what the user may see (404 for anything else)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from risks.models import FormKind, FormState, RiskForm, RiskLevel, RiskPoint
from units.models import Assignment, Role, Unit, User
from units.rules import manages_unit, sees_all_units

from .models import ImplementationRules, Measure, MeasureStage, MeasureState, PledgeText, RulesState
from .rules import (
    can_accept_pledge,
    can_edit_point_measures,
    can_view_measure,
    can_view_point_measures,
    can_view_rules,
    held_post_ids,
    holds_form_post,
)

STAGES = list(MeasureStage)
#: Levels whose points must have a measure in every stage before the 实施细则 may be submitted (R7).
BLOCKING_LEVELS = (RiskLevel.ONE, RiskLevel.TWO)


# --- measures -----------------------------------------------------------------------------------------
def _unit_measures():
    return Measure.objects.filter(personal_form__isnull=True).order_by("stage", "sort_order", "id")


def points_with_measures(*, unit: Unit, campaign):
    """The unit's points in the campaign with their posts and (unit, not personal) measures prefetched."""
    return (
        RiskPoint.objects.filter(unit=unit, campaign=campaign)
        .select_related("office", "power_item", "unit")
        .prefetch_related("posts", Prefetch("measures", queryset=_unit_measures(), to_attr="unit_measures"))
        .order_by("sort_order", "id")
    )


def stage_lists(measures) -> list[dict]:
    """Split a point's measures into the three separate lists (R7), in stage order."""
    by_stage = {stage.value: [] for stage in STAGES}
    for measure in measures:
        by_stage.setdefault(measure.stage, []).append(measure)
    return [{"code": stage.value, "label": stage.label, "measures": by_stage[stage.value]} for stage in STAGES]


def missing_stages(measures) -> list:
    present = {m.stage for m in measures}
    return [stage for stage in STAGES if stage.value not in present]


@dataclass
class PointGap:
    point: RiskPoint
    stages: list = field(default_factory=list)

    @property
    def blocks_submission(self) -> bool:
        return self.point.level in BLOCKING_LEVELS

    @property
    def stage_labels(self) -> str:
        return "、".join(str(stage.label) for stage in self.stages)


def completeness_gaps(*, unit: Unit, campaign, points=None) -> list[PointGap]:
    """Every point of the unit lacking a measure in some stage (R7), with the stages it lacks.

    Only the unit's measures count; a holder's personal measures on 附表2 come on top of them.
    """
    if points is None:
        points = points_with_measures(unit=unit, campaign=campaign)
    gaps = []
    for point in points:
        measures = getattr(point, "unit_measures", None)
        if measures is None:
            measures = [m for m in point.measures.all() if m.personal_form_id is None]
        lacking = missing_stages(measures)
        if lacking:
            gaps.append(PointGap(point=point, stages=lacking))
    return gaps


def blocking_gaps(*, unit: Unit, campaign) -> list[PointGap]:
    """The gaps that refuse submission: a level-一级 or 二级 point lacking a measure in any stage."""
    return [gap for gap in completeness_gaps(unit=unit, campaign=campaign) if gap.blocks_submission]


def unit_measures_page(*, user, unit: Unit, campaign) -> dict:
    """Everything the per-unit measures page shows, in a fixed number of queries whatever the unit's size."""
    points = list(points_with_measures(unit=unit, campaign=campaign)) if campaign else []
    held_post_ids(user)  # one query, cached for the permission checks below
    today = timezone.localdate()
    rows = []
    overdue_count = 0
    for point in points:
        overdue_count += sum(
            1 for m in point.unit_measures if m.state == MeasureState.PLANNED and m.due_date and m.due_date < today
        )
        rows.append(
            {
                "point": point,
                "stages": stage_lists(point.unit_measures),
                "missing": missing_stages(point.unit_measures),
                "can_edit": can_edit_point_measures(user, point),
            }
        )
    gaps = completeness_gaps(unit=unit, campaign=campaign, points=points) if campaign else []
    return {
        "rows": rows,
        "gaps": gaps,
        "blocking": [gap for gap in gaps if gap.blocks_submission],
        "overdue_count": overdue_count,
    }


def point_for(user, pk: int) -> RiskPoint:
    """A risk point the user may see the measures of; 404 otherwise."""
    point = get_object_or_404(RiskPoint.objects.select_related("unit", "office").prefetch_related("posts"), pk=pk)
    if not can_view_point_measures(user, point):
        raise Http404
    return point


def personal_form_for(user, pk: int) -> RiskForm:
    """A personal form (附表2) whose holder's measures the user may see: its holder, the unit, the office."""
    form = get_object_or_404(RiskForm.objects.select_related("unit", "post"), pk=pk, kind=FormKind.PERSONAL)
    if not (sees_all_units(user) or manages_unit(user, form.unit) or holds_form_post(user, form)):
        raise Http404
    return form


def point_of_form(form: RiskForm, point_pk: int) -> RiskPoint:
    """One of the points on a personal form: the points of its post in its campaign (R3)."""
    return get_object_or_404(
        RiskPoint.objects.select_related("unit", "office").prefetch_related("posts"),
        pk=point_pk,
        campaign_id=form.campaign_id,
        posts=form.post_id,
    )


def point_measures(*, point: RiskPoint, personal_form: RiskForm | None = None) -> list[Measure]:
    qs = Measure.objects.filter(risk_point=point).order_by("stage", "sort_order", "id")
    if personal_form is None:
        return list(qs.filter(personal_form__isnull=True))
    return list(qs.filter(personal_form=personal_form))


def measure_for(user, pk: int) -> Measure:
    measure = get_object_or_404(
        Measure.objects.select_related("risk_point__unit", "personal_form").prefetch_related("risk_point__posts"), pk=pk
    )
    if not can_view_measure(user, measure):
        raise Http404
    return measure


def overdue_measures(user):
    """Planned measures past their due date: the office sees every unit's, a unit's people their own."""
    qs = (
        Measure.objects.filter(state=MeasureState.PLANNED, due_date__lt=timezone.localdate())
        .select_related("risk_point__unit", "risk_point__campaign", "personal_form__post")
        .order_by("due_date", "risk_point__unit__sort_order", "id")
    )
    if sees_all_units(user):
        return qs
    if user.is_authenticated and user.unit_id:
        return qs.filter(risk_point__unit_id=user.unit_id)
    return qs.none()


# --- the pledge ---------------------------------------------------------------------------------------
def pledge_context(*, user, form: RiskForm) -> dict:
    return {
        "form": form,
        "pledge": PledgeText.current(),
        "can_accept": can_accept_pledge(user, form) and form.pledge_accepted_at is None,
    }


# --- 实施细则 ---------------------------------------------------------------------------------------------
def rules_visible_to(user):
    qs = ImplementationRules.objects.select_related("unit", "campaign")
    if sees_all_units(user):
        return qs
    if user.is_authenticated and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def rules_for(user, pk: int) -> ImplementationRules:
    rules_doc = get_object_or_404(rules_visible_to(user), pk=pk)
    if not can_view_rules(user, rules_doc):
        raise Http404
    return rules_doc


def rules_list(*, user, campaign):
    qs = rules_visible_to(user)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("unit__sort_order", "unit__code")


def rules_detail(*, rules_doc: ImplementationRules) -> dict:
    comments = list(rules_doc.comments.select_related("answered_by"))
    events = list(rules_doc.events.select_related("actor"))
    return {
        "comments": comments,
        "unanswered": [c for c in comments if not c.is_answered],
        "events": events,
        "gaps": blocking_gaps(unit=rules_doc.unit, campaign=rules_doc.campaign),
    }


def window_open(rules_doc: ImplementationRules, now=None) -> bool:
    now = now or timezone.now()
    return (
        rules_doc.state == RulesState.PUBLICISING
        and rules_doc.publicity_start is not None
        and rules_doc.publicity_end is not None
        and rules_doc.publicity_start <= now < rules_doc.publicity_end
    )


def window_ended(rules_doc: ImplementationRules, now=None) -> bool:
    now = now or timezone.now()
    return rules_doc.publicity_end is not None and now >= rules_doc.publicity_end


def public_rules(pk: int, now=None) -> ImplementationRules:
    """The 实施细则 the public may read: only while it is being publicised and now is inside its window (R8)."""
    now = now or timezone.now()
    return get_object_or_404(
        ImplementationRules.objects.select_related("unit", "campaign"),
        pk=pk,
        state=RulesState.PUBLICISING,
        publicity_start__lte=now,
        publicity_end__gt=now,
    )


def points_for_rules_draft(*, unit: Unit, campaign) -> tuple[list[RiskPoint], bool]:
    """The points the first draft is built from, and whether they are approved ones.

    Approved means: every point of the unit when its 附表1 is approved, else the points on the posts whose
    附表2 is approved. When nothing is approved yet, all the unit's points (the draft says so).
    """
    base = points_with_measures(unit=unit, campaign=campaign)
    forms = RiskForm.objects.filter(unit=unit, campaign=campaign, state=FormState.APPROVED)
    if forms.filter(kind=FormKind.UNIT).exists():
        return list(base), True
    approved_posts = forms.filter(kind=FormKind.PERSONAL).values("post_id")
    approved = list(base.filter(Q(posts__in=approved_posts)).distinct())
    if approved:
        return approved, True
    return list(base), False


def unit_managers(unit: Unit):
    return User.objects.filter(unit=unit, role__in=[Role.UNIT_CONTACT, Role.UNIT_LEADER], is_active=True)


def reviewers():
    return User.objects.filter(role=Role.REVIEWER, is_active=True)


def current_holders(post_id: int):
    return [a.user for a in Assignment.objects.current().filter(post_id=post_id).select_related("user")]


def describe_missing(gaps: list[PointGap]) -> str:
    """One sentence listing the points and the stages they lack, for refusal messages."""
    parts = [
        _("%(point)s(%(level)s)缺少%(stages)s")
        % {"point": gap.point.name, "level": gap.point.get_level_display(), "stages": gap.stage_labels}
        for gap in gaps
    ]
    return "；".join(parts)


def point_fragment(*, user, point: RiskPoint, personal_form: RiskForm | None = None, measures=None) -> dict:
    """What ``measures/_point_measures.html`` needs: the three stage lists and what the user may do.

    ``measures`` may be passed in when the page prefetched them (``point.unit_measures``) to save a query.
    """
    if measures is None:
        prefetched = getattr(point, "unit_measures", None)
        if personal_form is None and prefetched is not None:
            measures = prefetched
        elif personal_form is None and "measures" in getattr(point, "_prefetched_objects_cache", {}):
            measures = [m for m in point.measures.all() if m.personal_form_id is None]
        else:
            measures = point_measures(point=point, personal_form=personal_form)
    if personal_form is not None:
        can_edit = holds_form_post(user, personal_form)
        can_check = can_edit
    else:
        can_edit = can_edit_point_measures(user, point)
        can_check = manages_unit(user, point.unit)
    dom_id = f"pm-{point.pk}" if personal_form is None else f"pm-{point.pk}-f{personal_form.pk}"
    return {
        "dom_id": dom_id,
        "point": point,
        "personal_form": personal_form,
        "stages": stage_lists(measures),
        "missing": missing_stages(measures),
        "can_edit": can_edit,
        "can_check": can_check,
        "today": timezone.localdate(),
    }
