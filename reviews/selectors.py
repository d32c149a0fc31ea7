"""Reads for supervision pages, scoped to what the user may see (404 rather than reveal what exists)."""

from collections import defaultdict

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from lianzheng.models import AuditEvent
from units.models import Post, Role, Unit
from units.rules import sees_all_units

from .models import (
    Assessment,
    Complaint,
    ComplaintState,
    KeySupervision,
    SupervisionFigure,
    SupervisionFigureKind,
    ViolationCase,
    Warning,
    WarningState,
    YellowCard,
    YellowCardState,
)
from .rules import is_office
from .services import normalise_query_code, query_code_hashes

# --- complaints (office only) ------------------------------------------------------------------------------
COMPLAINT_SORTS = {
    "received_on",
    "-received_on",
    "state",
    "-state",
    "unit",
    "-unit",
    "channel",
    "-channel",
    "id",
    "-id",
}


def complaints_for(user):
    if not is_office(user):
        return Complaint.objects.none()
    return Complaint.objects.select_related("unit", "post")


def complaint_list(user, *, filters: dict, sort: str = ""):
    qs = complaints_for(user).annotate(attachment_count=Count("attachments"))
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("unit"):
        qs = qs.filter(unit__code=filters["unit"])
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    if filters.get("q"):
        qs = qs.filter(Q(content__icontains=filters["q"]) | Q(post__name__icontains=filters["q"]))
    sort = sort if sort in COMPLAINT_SORTS else "-received_on"
    sort_field = sort.replace("unit", "unit__sort_order")
    return qs.order_by(sort_field, "-id")


def complaint_for(user, pk: int) -> Complaint:
    return get_object_or_404(
        complaints_for(user).select_related("person", "handler", "registered_by").prefetch_related("attachments"),
        pk=pk,
    )


def complaint_by_code(code: str) -> Complaint | None:
    """The complaint a query code belongs to, or None. The same single query whatever the code, found or not."""
    code = normalise_query_code(code)
    if len(code) < 16:
        return None
    return Complaint.objects.filter(query_code_hash__in=query_code_hashes(code)).only("state", "public_reply").first()


def complaint_years():
    return list(Complaint.objects.order_by("-year").values_list("year", flat=True).distinct())


def history_of(obj, *, limit: int = 100):
    """The audit events of one object, oldest first, for the history timeline."""
    return list(AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by("id")[:limit])


# --- warnings -----------------------------------------------------------------------------------------------
def warnings_for(user):
    """Reviewers, admins and school leaders see all; a unit leader their unit's; anyone the warnings on themselves."""
    qs = Warning.objects.select_related("unit", "post", "person", "issuer")
    if not user.is_authenticated:
        return qs.none()
    if sees_all_units(user):
        return qs
    if user.role == Role.UNIT_LEADER and user.unit_id:
        return qs.filter(Q(unit_id=user.unit_id) | Q(person=user))
    return qs.filter(person=user)


def warning_list(user, *, filters: dict):
    qs = warnings_for(user)
    for key in ("state", "kind", "year"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("unit"):
        qs = qs.filter(unit__code=filters["unit"])
    return qs


def warning_for(user, pk: int) -> Warning:
    return get_object_or_404(
        warnings_for(user).select_related("assessment", "escalated_from", "responded_by"),
        pk=pk,
    )


# --- yellow cards and key supervision ---------------------------------------------------------------------------
def yellow_cards_for(user):
    qs = YellowCard.objects.select_related("post__unit", "issued_by", "supervision__person", "supervision__head_post")
    if not user.is_authenticated:
        return qs.none()
    if sees_all_units(user):
        return qs
    if user.role == Role.UNIT_LEADER and user.unit_id:
        return qs.filter(post__unit_id=user.unit_id)
    return qs.none()


def yellow_card_for(user, pk: int) -> YellowCard:
    return get_object_or_404(yellow_cards_for(user), pk=pk)


def card_complaints(card: YellowCard):
    """What the unit side may see of the complaints behind a card: dates and findings, never the reporter."""
    return list(card.complaints.order_by("received_on").values("id", "year", "received_on", "findings"))


def supervisions_for(user):
    qs = KeySupervision.objects.select_related("head_post__unit", "person", "yellow_card__post")
    if not user.is_authenticated:
        return qs.none()
    if sees_all_units(user):
        return qs
    if user.role == Role.UNIT_LEADER and user.unit_id:
        return qs.filter(Q(head_post__unit_id=user.unit_id) | Q(person=user))
    return qs.filter(person=user)


def supervision_for(user, pk: int) -> KeySupervision:
    return get_object_or_404(supervisions_for(user).prefetch_related("reports__author"), pk=pk)


# --- violation cases and assessments -------------------------------------------------------------------------------
def violation_cases_for(user):
    if not sees_all_units(user):
        return ViolationCase.objects.none()
    return ViolationCase.objects.select_related("unit", "recorded_by")


def assessments_for(user):
    qs = Assessment.objects.select_related("unit", "entered_by")
    if not user.is_authenticated:
        return qs.none()
    if sees_all_units(user):
        return qs
    if user.role == Role.UNIT_LEADER and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def assessment_for(user, pk: int) -> Assessment:
    return get_object_or_404(assessments_for(user).prefetch_related("warnings"), pk=pk)


# --- the supervision panel on the unit and post pages ---------------------------------------------------------------
def unit_supervision(user, unit: Unit, *, post: Post | None = None) -> dict:
    """Warnings, yellow cards, key supervision and assessments of a unit (or one post), as far as the user may see."""
    if not user.is_authenticated:
        raise Http404
    warnings = warnings_for(user).filter(unit=unit).exclude(state=WarningState.DISMISSED)
    cards = yellow_cards_for(user).filter(post__unit=unit).exclude(state=YellowCardState.PROPOSED)
    supervisions = supervisions_for(user).filter(head_post__unit=unit)
    assessments = assessments_for(user).filter(unit=unit)
    if post is not None:
        warnings = warnings.filter(post=post)
        cards = cards.filter(post=post)
        supervisions = supervisions.filter(head_post=post)
        assessments = assessments.none()
    return {
        "unit": unit,
        "post": post,
        "sv_warnings": list(warnings[:20]),
        "sv_cards": list(cards[:20]),
        "sv_supervisions": list(supervisions.prefetch_related(Prefetch("reports"))[:20]),
        "sv_assessments": list(assessments[:10]),
        "sv_open_complaints": (
            Complaint.objects.filter(unit=unit).exclude(state=ComplaintState.CLOSED).count()
            if is_office(user)
            else None
        ),
    }


# --- kept figures (reviews.figures) ---------------------------------------------------------------------------
def supervision_counts(*, figures: list[str], year: int | None = None) -> dict:
    """{figure: {value: count}} summed over units (and over years unless one is given): one query."""
    qs = SupervisionFigure.objects.filter(figure__in=figures)
    if year is not None:
        qs = qs.filter(year=year)
    result = defaultdict(lambda: defaultdict(int))
    for figure, value, n in qs.values_list("figure", "value", "count"):
        result[figure][value] += n
    return result


def latest_grade_counts() -> tuple[int | None, dict]:
    """The latest year with assessments and its units' final grades counted: one query on the kept figures."""
    latest = SupervisionFigure.objects.filter(figure=SupervisionFigureKind.GRADE).order_by("-year").values("year")[:1]
    rows = list(
        SupervisionFigure.objects.filter(figure=SupervisionFigureKind.GRADE, year__in=latest).values_list(
            "year", "value", "count"
        )
    )
    counts = defaultdict(int)
    for _year, value, n in rows:
        counts[value] += n
    return (rows[0][0] if rows else None), dict(counts)
