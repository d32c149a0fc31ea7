"""Reads shaped for pages, already scoped to what the user may see.

Every page here issues a fixed number of queries whatever the number of risk points: rows come with their posts
and measures prefetched, counts come from annotations, never from loops in templates.
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianzheng.reverse import url_maker
from units.models import Assignment, Campaign, Office, Post, Unit, User
from units.rules import is_unit_manager, sees_all_units

from .models import (
    RISK_LEVEL_MEANING,
    FormKind,
    FormSnapshot,
    FormState,
    PowerItem,
    RiskCategory,
    RiskForm,
    RiskLevel,
    RiskPoint,
    RiskScope,
    SpecialMeeting,
    UnitRiskFigures,
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
    # The people named on the form (filler, confirmer) are read when shown: each join to the user table cost
    # PostgreSQL milliseconds of planning, more than the two small queries it saved.
    return get_object_or_404(
        forms_visible_to(user).select_related("unit", "campaign", "post", "post__office", "meeting"), pk=pk
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


#: Rows of a form shown per page; the exports always hold every row.
FORM_PAGE_ROWS = 50


def _order_key(scope, office, first_post, sort_order, pk) -> tuple:
    """APPENDIX.md order: unit-level rows first, then each office, then each post (R1).

    ``office`` is ``(sort_order, pk)`` of the point's own office or None; ``first_post`` is ``(office sort_order,
    office pk, post sort_order, post pk)`` of its first post or None.
    """
    if scope == RiskScope.POST and first_post:
        where = first_post
    elif office:
        where = (*office, 0, 0)
    else:
        where = (0, 0, 0, 0)
    return (SCOPE_RANK.get(scope, 3), *where, sort_order, pk)


def _unit_offices(form: RiskForm) -> dict[int, tuple[int, str]]:
    """The unit's offices, ``{id: (sort_order, name)}``: a handful of rows, read apart so that the queries over the
    form's points join no office table (PostgreSQL hashed every office of the campus to join them)."""
    offices = Office.objects.filter(unit_id=form.unit_id).values_list("pk", "sort_order", "name")
    return {pk: (sort_order, name) for pk, sort_order, name in offices}


def _order_and_posts(form: RiskForm, offices: dict) -> tuple[list[int], dict]:
    """The ids of the form's points in APPENDIX order, and each point's posts ``(id, name, office name)`` in post
    order, from one narrow query (no model instances): paging a form of hundreds of rows needs the order of all of
    them and the full rows of one page only."""
    points = RiskPoint.objects.filter(campaign_id=form.campaign_id, unit_id=form.unit_id)
    if form.kind == FormKind.PERSONAL:  # by subquery, so that the join below still reaches every post of a point
        points = points.filter(pk__in=RiskPoint.posts.through.objects.filter(post_id=form.post_id).values("riskpoint"))
    rows = points.order_by().values_list(
        "pk", "scope", "office_id", "sort_order", "posts__id", "posts__name", "posts__sort_order", "posts__office_id"
    )
    keys, links = {}, {}
    for pk, scope, office_id, sort_order, post_id, name, post_sort, post_office in rows:
        keys[pk] = (scope, (offices[office_id][0], office_id) if office_id in offices else None, sort_order)
        if post_id is not None:
            office_sort, office_name = offices.get(post_office, (0, ""))
            place = (office_sort, post_office or 0, post_sort, post_id)  # as _order_key wants it
            links.setdefault(pk, []).append((place, name, office_name))
    for point_links in links.values():
        point_links.sort(key=lambda link: link[0][2:])  # by post order
    keyed = sorted(
        (_order_key(scope, office, links[pk][0][0] if pk in links else None, sort_order, pk), pk)
        for pk, (scope, office, sort_order) in keys.items()
    )
    posts = {pk: [(place[3], name, office) for place, name, office in ls] for pk, ls in links.items()}
    return [pk for _key, pk in keyed], posts


def form_row_order(form: RiskForm) -> list[int]:
    """The ids of the form's points in APPENDIX order (R1)."""
    return _order_and_posts(form, _unit_offices(form))[0]


class _Row:
    """A table row as plain values (a slotted dataclass)."""

    __slots__ = ()


class _RowLabels(_Row):
    """Display labels of a plain-values row (what ``get_FOO_display`` gives a model instance)."""

    __slots__ = ()

    @property
    def category_label(self) -> str:
        return RiskCategory(self.category).label

    @property
    def level_label(self) -> str:
        return RiskLevel(self.level).label

    @property
    def level_meaning(self) -> str:
        return RISK_LEVEL_MEANING.get(self.level, "")

    @property
    def scope_label(self) -> str:
        return RiskScope(self.scope).label


@dataclass(slots=True)
class FormRow(_RowLabels):
    """One row of a form page, as plain values: what the table shows and nothing else (no model instances)."""

    pk: int
    row_no: int
    version: int
    scope: str
    office_name: str
    post_names: str
    other_posts: str
    matter: str
    name: str
    manifestation: str
    category: str
    level: int
    responsible_leader: str
    responsible_person: str
    supervisor: str
    stage_pre: list = field(default_factory=list)
    stage_mid: list = field(default_factory=list)
    stage_post: list = field(default_factory=list)


def _form_rows_of(form: RiskForm, ids: list[int], first_number: int, posts: dict, offices: dict) -> list[FormRow]:
    """The rows of the points ``ids`` (in that order, numbered from ``first_number``), in two narrow queries."""
    stages = {}
    measures = RiskPoint._meta.get_field("measures").related_model  # the measures app sits above this one
    for point_id, stage, content in (
        measures.objects.filter(risk_point_id__in=ids)
        .filter(Q(personal_form__isnull=True) | Q(personal_form_id=form.pk))
        .order_by("sort_order", "pk")
        .values_list("risk_point_id", "stage", "content")
    ):
        stages.setdefault((point_id, stage), []).append(content)
    position = {pk: index for index, pk in enumerate(ids)}
    rows = []
    for values in RiskPoint.objects.filter(pk__in=ids).order_by().values_list(
        "pk", "version", "scope", "office_id", "power_item__name", "business_step", "name", "manifestation",
        "category", "level", "responsible_leader", "responsible_person", "supervisor",
    ):  # fmt: skip
        pk, version, scope, office_id, power_item, business_step, *rest = values
        own = posts.get(pk, [])
        rows.append(
            FormRow(
                pk,
                first_number + position[pk],
                version,
                scope,
                offices[office_id][1] if office_id in offices else (own[0][2] if own else ""),
                "、".join(name for _id, name, _office in own),
                "、".join(name for post_id, name, _office in own if post_id != form.post_id) if form.post_id else "",
                power_item or business_step,
                *rest,
                stages.get((pk, "pre"), []),
                stages.get((pk, "mid"), []),
                stages.get((pk, "post"), []),
            )
        )
    rows.sort(key=lambda row: row.row_no)
    return rows


def form_rows(form: RiskForm, *, page=1):
    """One page of the form's rows (``FORM_PAGE_ROWS``), in APPENDIX order and numbered in the whole form, each
    with its measures split by stage (R7), as a ``Page`` of ``FormRow``. The queries are the same whatever the
    size of the form. A personal form shows the points' common measures plus the holder's own (``personal_form``);
    the unit form shows the common ones only. Read from the rows on every request: no cache, so a page is never
    older than the database."""
    offices = _unit_offices(form)
    order, posts = _order_and_posts(form, offices)
    page_obj = Paginator(order, FORM_PAGE_ROWS).get_page(page)
    ids = list(page_obj.object_list)
    page_obj.object_list = _form_rows_of(form, ids, page_obj.start_index(), posts, offices) if ids else []
    return page_obj


def page_of_point(form: RiskForm, point_pk: int) -> int:
    """The page of the form on which a point's row stands (1 when it is not on the form)."""
    order = form_row_order(form)
    return order.index(point_pk) // FORM_PAGE_ROWS + 1 if point_pk in order else 1


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


def _read_people(form: RiskForm) -> None:
    """The filler and the confirmer named on the form, in one query (``form_for`` joins no user rows)."""
    wanted = {form.filled_by_id, form.confirmed_by_id} - {None}
    people = User.objects.in_bulk(wanted) if wanted else {}
    if form.filled_by_id:
        form.filled_by = people.get(form.filled_by_id)
    if form.confirmed_by_id:
        form.confirmed_by = people.get(form.confirmed_by_id)


def approved_content(form: RiskForm) -> dict | None:
    """What an approved form shows: the content frozen at its approval (the newest ``FormSnapshot.content``, exactly
    what its PDF prints, as ``export_tasks.export_content`` picks it), never the live rows, which may have moved on.
    None for a form that is not approved (or whose snapshot is not appendix data: then the live rows, as the PDF)."""
    if form.state != FormState.APPROVED:
        return None
    content = form.snapshots.order_by("-revision").values_list("content", flat=True).first()
    return content if isinstance(content, dict) and "groups" in content else None


def form_detail(form: RiskForm, *, page=1) -> dict:
    _read_people(form)
    holders = current_holders(form.post_id) if form.kind == FormKind.PERSONAL else []
    frozen = approved_content(form)
    rows = form_rows(form, page=page) if frozen is None else Paginator([], FORM_PAGE_ROWS).get_page(1)
    return {
        "form": form,
        "frozen": frozen,
        "header": form_header(form, holders=holders),
        "holders": holders,
        "rows": rows,
        "page_obj": rows,
        "events": _labelled(form.events.select_related("actor")),
        # Only an approved form, or a later version of one, has snapshots.
        "snapshots": (
            list(form.snapshots.select_related("approved_by").defer("content"))
            if form.revision > 1 or form.state == FormState.APPROVED
            else []
        ),
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
        .annotate(kind_order=_kind_order())
        .order_by("unit__sort_order", "unit__code", "kind_order", "post__sort_order", "id")
    )


def review_queue_order(user, *, campaign):
    """The ids of the queue in order (units, then each unit's form and its posts in their order), as a query: the
    paginator counts it and reads one page of ids; the rows of that page are read by ``queue_groups``."""
    return review_queue_forms(user, campaign=campaign).values_list("pk", flat=True)


#: The columns of the reviewer's queue read with the page itself.
QUEUE_ROW_FIELDS = (
    "pk", "kind", "revision", "version", "unit__code", "unit__name", "post__name", "post__office__name",
    "point_count", "meeting__date", "confirmed_by__full_name", "confirmed_by__username", "confirmed_at",
)  # fmt: skip


@dataclass(slots=True)
class QueueRow(_Row):
    """One form of the reviewer's queue, as plain values."""

    pk: int
    kind: str
    revision: int
    version: int
    unit_code: str
    unit_name: str
    post_name: str | None
    office_name: str | None
    point_count: int
    meeting_date: object
    confirmer: str
    confirmed_at: object
    detail_url: str = ""
    approve_url: str = ""


def queue_groups(ids: list[int]) -> list[dict]:
    """One page of the queue (the forms' ids in queue order) → one group per unit. The page's ids come from a
    narrow ordered query; the columns shown, and the point counts, are read for those forms only."""
    position = {pk: index for index, pk in enumerate(ids)}
    values = sorted(
        RiskForm.objects.filter(pk__in=ids, state=FormState.CONFIRMED)  # still waiting, whatever the order's age
        .annotate(point_count=_point_count())
        .order_by()
        .values_list(*QUEUE_ROW_FIELDS),
        key=lambda row: position[row[0]],
    )
    detail_url, approve_url = url_maker("risks:form-detail"), url_maker("risks:form-approve")
    rows = [
        QueueRow(*head, full_name or username or "", confirmed_at, detail_url(head[0]), approve_url(head[0]))
        for *head, full_name, username, confirmed_at in values
    ]
    return [
        {"unit_code": code, "unit_name": rows[0].unit_name, "forms": rows}
        for code, group in groupby(rows, key=lambda row: row.unit_code)
        for rows in [list(group)]
    ]


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
    """Risk points of the campaign the user may see, ordered by a whitelisted key (``-key`` = descending). A page
    of them becomes rows with ``point_rows``."""
    key = sort.lstrip("-")
    fields = POINT_SORTS.get(key, POINT_SORTS["unit"])
    if sort.startswith("-") and key in POINT_SORTS:
        fields = tuple(f"-{f}" for f in fields)
    return points_visible_to(user).filter(campaign=campaign).order_by(*fields)


#: Filters whose counts the kept figures hold (``UnitRiskFigures.by_level_category`` per unit).
KEPT_COUNT_FILTERS = frozenset({"unit", "category", "level"})


def kept_point_count(user, *, campaign, filters: dict) -> int | None:
    """How many points the campus list holds, from the kept figures (one small query instead of counting a hundred
    thousand rows), when the user sees every unit and the active filters are among unit, category and level;
    ``None`` otherwise (the list counts its rows). ``filters``: the filter form's cleaned data."""
    active = {name: value for name, value in filters.items() if value not in (None, "")}
    if not sees_all_units(user) or not set(active) <= KEPT_COUNT_FILTERS:
        return None
    kept = UnitRiskFigures.objects.filter(campaign=campaign)
    if "unit" in active:
        kept = kept.filter(unit_id=active["unit"])
    if "category" not in active and "level" not in active:
        return kept.aggregate(n=Coalesce(Sum("points"), 0))["n"]
    total = 0
    for by_level_category in kept.values_list("by_level_category", flat=True):
        for key, n in by_level_category.items():
            category, level = key.split(":")
            if active.get("category", category) == category and str(active.get("level", level)) == level:
                total += n
    return total


#: The columns of the point list read with the page itself (``Paginator(qs.values_list(*POINT_ROW_FIELDS))``).
POINT_ROW_FIELDS = (
    "pk", "unit_id", "unit__name", "scope", "office__name", "power_item__name", "business_step", "name", "category", "level",
)  # fmt: skip


@dataclass(slots=True)
class PointRow(_RowLabels):
    """One row of the risk-point list, as plain values."""

    pk: int
    unit_id: int
    unit_name: str
    scope: str
    office_name: str
    matter: str
    name: str
    category: str
    level: int
    post_names: str = ""
    measure_count: int = 0


def _posts_and_measure_counts(ids: list[int]) -> tuple[dict, dict]:
    posts = {}
    for point_id, name in (
        RiskPoint.posts.through.objects.filter(riskpoint_id__in=ids)
        .order_by("post__sort_order", "post_id")
        .values_list("riskpoint_id", "post__name")
    ):
        posts.setdefault(point_id, []).append(name)
    counts = dict(RiskPoint.objects.filter(pk__in=ids).order_by().annotate(n=Count("measures")).values_list("pk", "n"))
    return posts, counts


def point_rows(values) -> list[PointRow]:
    """The rows of one page (tuples of ``POINT_ROW_FIELDS``) with their posts and measure counts, in two queries
    whatever the number of rows, read fresh. No aggregate runs over the whole campaign: that made the page grow
    with the campus."""
    values = list(values)
    posts, counts = _posts_and_measure_counts([v[0] for v in values])
    return [
        PointRow(
            pk,
            unit_id,
            unit_name,
            scope,
            office_name or "",
            power_item or business_step,
            name,
            category,
            level,
            "、".join(posts.get(pk, [])),
            counts.get(pk, 0),
        )
        for pk, unit_id, unit_name, scope, office_name, power_item, business_step, name, category, level in values
    ]


#: Sort keys of the coverage table (``?sort=``): the unit order, sizes, or the largest gaps first (``-`` in front
#: reverses each).
COVERAGE_SORTS = {
    "unit": ("unit__sort_order", "unit__code"),
    "uncovered": ("-uncovered", "unit__sort_order", "unit__code"),
    "incomplete": ("-incomplete", "unit__sort_order", "unit__code"),
    "posts": ("posts", "unit__sort_order", "unit__code"),
    "points": ("points", "unit__sort_order", "unit__code"),
}


def coverage_units(user, *, campaign, state: str = "", sort: str = ""):
    """The kept figures of the campaign's units the user may see, one row per unit with ``uncovered`` (posts without
    a risk point) and ``incomplete`` (points lacking a measure in some stage) (R13): a queryset over the kept figures,
    so its count and one page of it cost two queries whatever the size of the campus.

    ``state``: ``gaps`` (some post uncovered or some point incomplete) or ``complete``; ``sort``: a key of
    ``COVERAGE_SORTS``, ``-`` in front for descending."""
    rows = (
        UnitRiskFigures.objects.filter(
            campaign=campaign,
            unit__in=units_with_records_visible_to(user).filter(campaigns=campaign).values("pk"),
        )
        .select_related("unit")
        .annotate(uncovered=F("posts") - F("covered_posts"), incomplete=F("points") - F("complete"))
    )
    gaps = Q(uncovered__gt=0) | Q(incomplete__gt=0)
    if state == "gaps":
        rows = rows.filter(gaps)
    elif state == "complete":
        rows = rows.exclude(gaps).filter(posts__gt=0)
    key = sort.lstrip("-")
    order = COVERAGE_SORTS.get(key, COVERAGE_SORTS["unit"])
    if sort.startswith("-") and key in COVERAGE_SORTS:
        first = order[0]
        order = (first[1:] if first.startswith("-") else f"-{first}", *order[1:])
    return rows.order_by(*order)


def unit_figures(*, campaign, unit) -> UnitRiskFigures:
    """The kept figures of one unit in a campaign (zeros when it has none yet)."""
    return UnitRiskFigures.objects.filter(campaign=campaign, unit=unit).first() or UnitRiskFigures(
        campaign=campaign, unit=unit
    )


def uncovered_posts(*, campaign, unit):
    """Posts of the unit with no risk point in the campaign (R13), in roster order: a queryset to paginate. An
    uncorrelated NOT IN over the unit's post links (EXISTS per post made SQLite scan the campaign per post)."""
    linked = RiskPoint.posts.through.objects.filter(riskpoint__campaign=campaign, riskpoint__unit=unit).values(
        "post_id"
    )
    return (
        Post.objects.filter(unit=unit)
        .exclude(pk__in=linked)
        .select_related("office")
        .order_by("office__sort_order", "sort_order", "id")
    )


def incomplete_points(*, campaign, unit):
    """Points of the unit in the campaign lacking a measure in at least one stage (R7, R13), in form order, each
    with ``n_pre``, ``n_mid`` and ``n_post``: a queryset to paginate; ``missing_stages(point)`` names the gaps."""
    stage_counts = {f"n_{stage}": Count("measures", filter=Q(measures__stage=stage)) for stage in STAGES}
    lacking = Q(n_pre=0) | Q(n_mid=0) | Q(n_post=0)
    return (
        RiskPoint.objects.filter(campaign=campaign, unit=unit)
        .select_related("office")
        .annotate(**stage_counts)
        .filter(lacking)
        .order_by("sort_order", "id")
    )


def missing_stages(point) -> list[str]:
    return [stage for stage in STAGES if getattr(point, f"n_{stage}") == 0]


def power_items_of(unit: Unit):
    return PowerItem.objects.filter(unit=unit).prefetch_related(
        Prefetch("posts", queryset=Post.objects.order_by("sort_order", "id"))
    )


def meetings_of(*, unit: Unit, campaign):
    return SpecialMeeting.objects.filter(unit=unit, campaign=campaign).select_related("recorded_by")


# --- forms not opened yet (the lists only read; services open forms) -----------------------------------------------
def unit_forms_missing(*, campaign: Campaign, unit: Unit) -> int:
    """How many of the unit's forms in the campaign are not open yet (its 附表1 and one 附表2 per post)."""
    forms = RiskForm.objects.filter(campaign=campaign, unit=unit)
    missing = Post.objects.filter(unit=unit).exclude(pk__in=forms.filter(kind=FormKind.PERSONAL).values("post_id"))
    return missing.count() + (0 if forms.filter(kind=FormKind.UNIT).exists() else 1)


def my_posts_without_form(user, *, campaign: Campaign) -> list[Post]:
    """The posts the user holds today, in units of the campaign, whose 附表2 is not open yet."""
    return list(
        Post.objects.filter(assignments__in=Assignment.objects.current().filter(user=user), unit__campaigns=campaign)
        .exclude(pk__in=RiskForm.objects.filter(campaign=campaign, kind=FormKind.PERSONAL).values("post_id"))
        .select_related("unit")
        .distinct()
    )


def form_state_counts(*, campaign) -> dict[int, dict]:
    """Forms of the campaign per unit id, from the kept figures: ``total``, ``unit_forms`` and one count per state."""
    from .figures import form_state_counts as kept_form_state_counts

    return kept_form_state_counts(campaign=campaign)
