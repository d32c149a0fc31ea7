"""Reads shaped for pages, already scoped to what the user may see.

Every page here issues a fixed number of queries whatever the number of risk points: rows come with their posts
and measures prefetched, counts come from annotations, never from loops in templates.
"""

from itertools import groupby

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Assignment, Post, Unit
from units.rules import is_unit_manager, sees_all_units

from .models import (
    RISK_LEVEL_MEANING,
    FormKind,
    FormSnapshot,
    FormState,
    PowerItem,
    RiskForm,
    RiskLevel,
    RiskPoint,
    RiskScope,
    SpecialMeeting,
)

STAGES = ("pre", "mid", "post")
#: FormEvent.action → what the timeline says.
EVENT_LABELS = {
    "submit": _("提交"),
    "confirm": _("单位确认"),
    "return": _("退回"),
    "approve": _("审核通过"),
    "reopen": _("开始新版本"),
}
SCOPE_RANK = {RiskScope.UNIT: 0, RiskScope.OFFICE: 1, RiskScope.POST: 2}


# --- scoping ----------------------------------------------------------------------------------------------
def _held_post_ids(user):
    return Assignment.objects.current().filter(user_id=user.pk).values("post_id")


def forms_visible_to(user):
    """The forms the user may read (the same people as ``rules.can_view_form``)."""
    qs = RiskForm.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_all_units(user):
        return qs
    visible = Q(kind=FormKind.PERSONAL, post_id__in=_held_post_ids(user))
    if is_unit_manager(user) and user.unit_id:
        visible |= Q(unit_id=user.unit_id)
    return qs.filter(visible)


def form_for(user, pk: int) -> RiskForm:
    """The form if the user may read it; 404 otherwise (never reveal that it exists)."""
    return get_object_or_404(
        forms_visible_to(user).select_related(
            "unit", "campaign", "post", "post__office", "meeting", "filled_by", "confirmed_by", "approved_by"
        ),
        pk=pk,
    )


def points_visible_to(user):
    qs = RiskPoint.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_all_units(user):
        return qs
    visible = Q(pk__in=RiskPoint.posts.through.objects.filter(post_id__in=_held_post_ids(user)).values("riskpoint_id"))
    if is_unit_manager(user) and user.unit_id:
        visible |= Q(unit_id=user.unit_id)
    return qs.filter(visible)


def units_with_records_visible_to(user):
    if sees_all_units(user):
        return Unit.objects.all()
    if is_unit_manager(user) and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


# --- one form -----------------------------------------------------------------------------------------------
def form_points(form: RiskForm):
    """The live risk points of a form: all of the unit's (附表1) or those of the post (附表2), rows unordered."""
    qs = RiskPoint.objects.filter(campaign_id=form.campaign_id, unit_id=form.unit_id)
    if form.kind == FormKind.PERSONAL:
        qs = qs.filter(posts=form.post_id)
    return qs.select_related("office", "power_item").prefetch_related(
        Prefetch("posts", queryset=Post.objects.select_related("office").order_by("sort_order", "id")),
        "measures",
    )


def _appendix_key(point):
    """APPENDIX.md order: unit-level rows first, then each office, then each post (R1)."""
    if point.scope == RiskScope.POST and point.post_list:
        first = point.post_list[0]
        office = first.office
        where = (office.sort_order if office else 0, office.pk if office else 0, first.sort_order, first.pk)
    elif point.office_id:
        where = (point.office.sort_order, point.office_id, 0, 0)
    else:
        where = (0, 0, 0, 0)
    return (SCOPE_RANK.get(point.scope, 3), *where, point.sort_order, point.pk)


def form_rows(form: RiskForm) -> list[RiskPoint]:
    """The rows in APPENDIX order, numbered, each with its measures split by stage (R7).

    A personal form shows the points' common measures plus the holder's own (``personal_form``); the unit
    form shows the common ones only.
    """
    points = list(form_points(form))
    for point in points:
        point.post_list = sorted(point.posts.all(), key=lambda p: (p.sort_order, p.pk))
    points.sort(key=_appendix_key)
    for number, point in enumerate(points, start=1):
        point.row_no = number
        point.post_names = "、".join(p.name for p in point.post_list)
        point.other_posts = "、".join(p.name for p in point.post_list if p.pk != form.post_id) if form.post_id else ""
        point.office_name = (
            point.office.name
            if point.office_id
            else (point.post_list[0].office.name if point.post_list and point.post_list[0].office_id else "")
        )
        stages = {stage: [] for stage in STAGES}
        for measure in point.measures.all():
            if measure.personal_form_id not in (None, form.pk):
                continue
            stages.setdefault(measure.stage, []).append(measure)
        for stage in stages.values():
            stage.sort(key=lambda m: (m.sort_order, m.pk))
        point.stage_measures = stages
        point.stage_pre, point.stage_mid, point.stage_post = stages["pre"], stages["mid"], stages["post"]
    return points


def current_holders(post_id) -> list:
    if post_id is None:
        return []
    return [a.user for a in Assignment.objects.current().filter(post_id=post_id).select_related("user")]


def form_header(form: RiskForm, *, holders=None) -> dict:
    """The header and footer blocks of APPENDIX.md (附表1 one line, 附表2 a grid), as plain strings."""
    if holders is None:
        holders = current_holders(form.post_id) if form.kind == FormKind.PERSONAL else []
    filler = form.filled_by or (holders[0] if holders else None)
    meeting = form.meeting
    header = {
        "appendix": form.appendix_number,
        "kind": form.kind,
        "unit": form.unit.name,
        "year": form.campaign.year,
        "campaign": form.campaign.name,
        "revision": form.revision,
        "state": form.state,
        "filler": filler.display_name if filler else "",
        "phone": filler.phone if filler else "",
        "date": (timezone.localdate(form.submitted_at) if form.submitted_at else timezone.localdate()).isoformat(),
        "meeting_date": meeting.date.isoformat() if meeting else "",
        "meeting_attendees": meeting.attendees if meeting else "",
        "confirmation_text": form.confirmation_text,
        "confirmed_by": form.confirmed_by.display_name if form.confirmed_by_id else "",
        "confirmed_at": form.confirmed_at.isoformat() if form.confirmed_at else "",
    }
    if form.kind == FormKind.PERSONAL:
        post = form.post
        holder = holders[0] if holders else filler
        header.update(
            {
                "office": post.office.name if post.office_id else "",
                "holder": (
                    "、".join(u.display_name for u in holders) if holders else (holder.display_name if holder else "")
                ),
                "title": (holder.title if holder and holder.title else post.rank),
                "post": post.name,
                "is_key": post.is_key,
                "duties": post.duties,
            }
        )
    return header


def form_detail(form: RiskForm) -> dict:
    holders = current_holders(form.post_id) if form.kind == FormKind.PERSONAL else []
    return {
        "form": form,
        "header": form_header(form, holders=holders),
        "holders": holders,
        "rows": form_rows(form),
        "events": _labelled(form.events.select_related("actor")),
        "snapshots": list(form.snapshots.select_related("approved_by").defer("content")),
        "meetings": list(SpecialMeeting.objects.filter(unit_id=form.unit_id, campaign_id=form.campaign_id)),
        "level_meanings": [(level, RISK_LEVEL_MEANING[level]) for level in RiskLevel],
    }


def _labelled(events) -> list:
    events = list(events)
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    return events


def snapshot_for(form: RiskForm, revision: int) -> FormSnapshot:
    return get_object_or_404(FormSnapshot.objects.select_related("approved_by"), form=form, revision=revision)


def snapshot_in_force(form: RiskForm, on):
    """The approved version in force at moment ``on`` (the newest snapshot approved at or before it)."""
    return form.snapshots.filter(approved_at__lte=on).order_by("-approved_at", "-revision").first()


# --- lists -----------------------------------------------------------------------------------------------------
def _point_count():
    unit_points = (
        RiskPoint.objects.filter(campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id"))
        .order_by()
        .values("unit_id")
        .annotate(c=Count("pk"))
        .values("c")
    )
    post_points = (
        RiskPoint.posts.through.objects.filter(
            post_id=OuterRef("post_id"), riskpoint__campaign_id=OuterRef("campaign_id")
        )
        .order_by()
        .values("post_id")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Case(
        When(kind=FormKind.UNIT, then=Coalesce(Subquery(unit_points, output_field=IntegerField()), Value(0))),
        default=Coalesce(Subquery(post_points, output_field=IntegerField()), Value(0)),
        output_field=IntegerField(),
    )


def _kind_order():
    return Case(When(kind=FormKind.UNIT, then=Value(0)), default=Value(1), output_field=IntegerField())


def form_list(user, *, campaign, unit=None, state=None):
    """Forms of the campaign the user may read: the unit form first, then the personal forms by office and post."""
    qs = forms_visible_to(user).filter(campaign=campaign)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if state:
        qs = qs.filter(state=state)
    current = Assignment.objects.current().select_related("user")
    return (
        qs.select_related("unit", "post", "post__office", "filled_by")
        .prefetch_related(Prefetch("post__assignments", queryset=current, to_attr="holders"))
        .annotate(point_count=_point_count(), kind_order=_kind_order())
        .order_by("unit__sort_order", "unit__code", "kind_order", "post__office__sort_order", "post__sort_order", "id")
    )


def my_forms(user, *, campaign):
    """The personal forms of the posts the user holds today (R3)."""
    return form_list(user, campaign=campaign).filter(kind=FormKind.PERSONAL, post_id__in=_held_post_ids(user))


def review_queue_forms(user, *, campaign):
    """Confirmed forms waiting for the office (only confirmed ones reach it: R4), in unit order, unevaluated."""
    return (
        forms_visible_to(user)
        .filter(campaign=campaign, state=FormState.CONFIRMED)
        .select_related("unit", "post", "post__office", "meeting", "confirmed_by")
        .annotate(point_count=_point_count(), kind_order=_kind_order())
        .order_by("unit__sort_order", "unit__code", "kind_order", "post__sort_order", "id")
    )


def group_by_unit(forms) -> list[dict]:
    """Forms already in unit order → one group per unit."""
    return [{"unit": unit, "forms": list(group)} for unit, group in groupby(forms, key=lambda f: f.unit)]


def review_queue(user, *, campaign) -> list[dict]:
    """The whole queue grouped by unit (the page shows it a page at a time: ``review_queue_forms``)."""
    return group_by_unit(review_queue_forms(user, campaign=campaign))


POINT_SORTS = {
    # By unit id rather than the unit's display order: the index (campaign, unit, sort_order, id) then serves
    # the first page directly instead of sorting every point of the campus through a join (34 ms → <1 ms at 100,000).
    "unit": ("unit_id", "sort_order", "id"),
    "level": ("level", "unit__sort_order", "id"),
    "category": ("category", "unit__sort_order", "id"),
    "name": ("name", "id"),
    "scope": ("scope", "unit__sort_order", "id"),
    "updated": ("updated_at", "id"),
}


def point_list(user, *, campaign, sort: str = ""):
    """Risk points of the campaign the user may see, ordered by a whitelisted key (``-key`` = descending)."""
    key = sort.lstrip("-")
    fields = POINT_SORTS.get(key, POINT_SORTS["unit"])
    if sort.startswith("-") and key in POINT_SORTS:
        fields = tuple(f"-{f}" for f in fields)
    # No aggregate here: counting measures over every point of the campaign before LIMIT made the page (and its
    # paginator's COUNT) grow with the campus; ``with_measure_counts`` counts for the rows of one page only.
    return (
        points_visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit", "office", "power_item")
        .prefetch_related(Prefetch("posts", queryset=Post.objects.order_by("sort_order", "id")))
        .order_by(*fields)
    )


def with_measure_counts(points) -> list[RiskPoint]:
    """The points (one page of them) with ``measure_count`` set, in one query whatever their number."""
    points = list(points)
    counts = dict(
        RiskPoint.objects.filter(pk__in=[p.pk for p in points])
        .order_by()
        .annotate(n=Count("measures"))
        .values_list("pk", "n")
    )
    for point in points:
        point.measure_count = counts.get(point.pk, 0)
    return points


def coverage(user, *, campaign, unit=None) -> list[dict]:
    """Per unit of the campaign: posts without a risk point and points lacking a measure in some stage (R13)."""
    units = units_with_records_visible_to(user).filter(campaigns=campaign)
    if unit is not None:
        units = units.filter(pk=unit.pk)
    units = list(units.order_by("sort_order", "code"))
    unit_ids = [u.pk for u in units]
    # An uncorrelated IN (the campaign's post links, read once) rather than EXISTS per post: without planner
    # statistics SQLite ran that EXISTS as a scan of all the campaign's points for every post (posts × points).
    in_campaign = RiskPoint.posts.through.objects.filter(riskpoint__campaign=campaign).values("post_id")
    posts = list(
        Post.objects.filter(unit_id__in=unit_ids)
        .select_related("office")
        .annotate(covered=ExpressionWrapper(Q(pk__in=in_campaign), output_field=BooleanField()))
        .order_by("unit_id", "office__sort_order", "sort_order", "id")
    )
    stage_counts = {f"n_{stage}": Count("measures", filter=Q(measures__stage=stage)) for stage in STAGES}
    points = list(
        RiskPoint.objects.filter(campaign=campaign, unit_id__in=unit_ids)
        .select_related("office")
        .annotate(**stage_counts)
        .order_by("unit_id", "sort_order", "id")
    )
    # Grouped once (not filtered per unit: that was units × rows, seconds on a large campus).
    posts_of, points_of = {}, {}
    for post in posts:
        posts_of.setdefault(post.unit_id, []).append(post)
    for point in points:
        points_of.setdefault(point.unit_id, []).append(point)
    result = []
    for unit_obj in units:
        unit_posts = posts_of.get(unit_obj.pk, [])
        unit_points = points_of.get(unit_obj.pk, [])
        for point in unit_points:
            point.missing_stages = [stage for stage in STAGES if getattr(point, f"n_{stage}") == 0]
        uncovered = [p for p in unit_posts if not p.covered]
        incomplete = [p for p in unit_points if p.missing_stages]
        result.append(
            {
                "unit": unit_obj,
                "post_count": len(unit_posts),
                "covered_count": len(unit_posts) - len(uncovered),
                "uncovered_posts": uncovered,
                "point_count": len(unit_points),
                "incomplete_points": incomplete,
                "complete": not uncovered and not incomplete and bool(unit_posts),
            }
        )
    return result


def power_items_of(unit: Unit):
    return PowerItem.objects.filter(unit=unit).prefetch_related(
        Prefetch("posts", queryset=Post.objects.order_by("sort_order", "id"))
    )


def meetings_of(*, unit: Unit, campaign):
    return SpecialMeeting.objects.filter(unit=unit, campaign=campaign).select_related("recorded_by")
