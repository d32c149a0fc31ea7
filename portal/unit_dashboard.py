"""A unit's own dashboard (its contact, leader and staff): what is due, its coverage gaps (R13), its returned
forms and its risk points by category and level."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse

from measures.models import Measure, MeasureStage
from reviews.schedule.models import SubmissionState
from reviews.schedule.selectors import OPEN_FOR_UNIT, unit_progress
from risks.models import (
    FormEvent,
    FormState,
    RiskPoint,
    UnitRiskFigures,
)
from risks.selectors import forms_visible_to, my_forms
from units.models import Post, Role, Unit
from units.rules import is_unit_manager

from .dashboards import (
    GAP_LIMIT,
    STAGES,
    complete_condition,
    heatmap_block,
    list_url,
    percent_of,
    post_links,
)


# --- a unit's own dashboard -------------------------------------------------------------------------------------------
def unit_due_block(*, unit: Unit, campaign, today=None, can_open: bool) -> dict:
    """The unit's deliverables still to hand in (or returned), soonest first, with days left; and its progress.
    Five queries (``reviews.schedule.selectors.unit_progress``)."""
    progress = unit_progress(unit=unit, campaign=campaign, today=today)
    due = sorted(
        (s for phase in progress["phases"] for s in phase["statuses"] if s.state in OPEN_FOR_UNIT),
        key=lambda s: (s.deliverable.due_date, s.deliverable.pk),
    )
    phases = [
        {
            "phase": p["phase"],
            "total": len(p["statuses"]),
            "accepted": sum(1 for s in p["statuses"] if s.state == SubmissionState.ACCEPTED),
            "overdue": sum(1 for s in p["statuses"] if s.overdue),
        }
        for p in progress["phases"]
    ]
    for p in phases:
        p["share"] = percent_of(p["accepted"], p["total"])
    return {
        "due": due,
        "phases": phases,
        "done": progress["done"],
        "total": progress["total"],
        "share": percent_of(progress["done"], progress["total"]),
        "overdue": progress["overdue"],
        "can_open": can_open,
        "url": list_url("reviews:unit-progress", args=[unit.code], campaign=campaign.pk) if can_open else "",
    }


def unit_coverage_block(*, unit: Unit, campaign, posts=None) -> dict:
    """The unit's coverage gaps (R13): counts, and the first posts without a point and points lacking a stage.
    Five queries. ``posts`` narrows it to some posts (a staff member's own)."""
    post_qs = Post.objects.filter(unit=unit)
    point_qs = RiskPoint.objects.filter(campaign=campaign, unit=unit)
    if posts is not None:
        post_qs = post_qs.filter(pk__in=posts)
        point_qs = point_qs.filter(
            Exists(RiskPoint.posts.through.objects.filter(riskpoint_id=OuterRef("pk"), post_id__in=posts))
        )
    links = post_links(campaign, unit)
    if posts is not None:
        links = links.filter(post_id__in=posts)
    stage_flags = {
        f"has_{stage}": Exists(Measure.objects.filter(risk_point_id=OuterRef("pk"), stage=stage)) for stage in STAGES
    }
    if posts is None:
        # The whole unit: its figures are kept (risks.figures).
        kept = UnitRiskFigures.objects.filter(campaign=campaign, unit=unit).values_list(
            "covered_posts", "points", "complete"
        )
        covered, total_points, complete = kept.first() or (0, 0, 0)
        post_counts = {"total": post_qs.count(), "covered": covered}
        point_counts = {"total": total_points, "complete": complete}
    else:
        post_counts = {
            "total": post_qs.count(),
            "covered": links.aggregate(n=Count("post_id", distinct=True))["n"],
        }
        point_counts = point_qs.aggregate(total=Count("pk"), complete=Count("pk", filter=complete_condition()))
    uncovered = list(
        post_qs.exclude(pk__in=links.values("post_id"))
        .select_related("office")
        .order_by("office__sort_order", "sort_order", "id")[:GAP_LIMIT]
    )
    incomplete = list(
        point_qs.annotate(**stage_flags)
        .exclude(complete_condition())
        .order_by("sort_order", "id")
        .only("pk", "name", "level", "unit_id", "sort_order")[:GAP_LIMIT]
    )
    labels = dict(MeasureStage.choices)
    for point in incomplete:
        point.missing = "、".join(str(labels[s]) for s in STAGES if not getattr(point, f"has_{s}"))
    return {
        "posts": post_counts["total"],
        "covered": post_counts["covered"],
        "post_share": percent_of(post_counts["covered"], post_counts["total"]),
        "uncovered": uncovered,
        "uncovered_count": post_counts["total"] - post_counts["covered"],
        "points": point_counts["total"],
        "complete": point_counts["complete"],
        "point_share": percent_of(point_counts["complete"], point_counts["total"]),
        "incomplete": incomplete,
        "incomplete_count": point_counts["total"] - point_counts["complete"],
    }


def returned_forms_block(*, user, campaign, unit: Unit) -> dict:
    """Forms sent back (by the unit's leader or the office) that the user may read, newest first, with the comment
    that came with them. Two queries."""
    last_return = FormEvent.objects.filter(form_id=OuterRef("pk"), action="return").order_by("-at", "-id")
    qs = forms_visible_to(user).filter(campaign=campaign, unit=unit, state=FormState.RETURNED)
    forms = list(
        qs.select_related("post", "unit")
        .annotate(return_comment=Subquery(last_return.values("comment")[:1]))
        .order_by("-updated_at", "-id")[:GAP_LIMIT]
    )
    count = qs.count()
    manager = is_unit_manager(user)
    return {
        "forms": forms,
        "count": count,
        "url": list_url("risks:form-list", state=FormState.RETURNED) if manager else reverse("risks:my-forms"),
    }


def unit_dashboard(*, user, campaign, held_posts=(), today=None) -> dict:
    """A unit's people: its progress and due items, its coverage gaps (staff: those of the posts they hold), the
    returned forms they may read, and for staff their own forms."""
    unit = user.unit
    context = {"scope": "unit", "unit": unit}
    if campaign is None or unit is None:
        return context
    in_campaign = campaign.units.filter(pk=unit.pk).exists()
    context["in_campaign"] = in_campaign
    manager = is_unit_manager(user)
    if user.role == Role.STAFF:
        context["my_forms"] = list(my_forms(user, campaign=campaign))
    if not in_campaign:
        return context
    context["due"] = unit_due_block(unit=unit, campaign=campaign, today=today, can_open=manager)
    if manager:
        context["unit_coverage"] = unit_coverage_block(unit=unit, campaign=campaign)
        context["heatmap"] = heatmap_block(campaign=campaign, unit=unit)
    else:
        held = [post.pk for post in held_posts]
        context["unit_coverage"] = unit_coverage_block(unit=unit, campaign=campaign, posts=held)
    context["returned"] = returned_forms_block(user=user, campaign=campaign, unit=unit)
    return context
