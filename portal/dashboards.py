"""The dashboards: what the school's leaders and the office see of the whole campaign, and what a unit's people see of
their own unit.

This module sits on top of the apps (DESIGN §4) and may import any of them. Every block is one function that issues
a fixed number of aggregate queries whatever the size of the campus (counts come from ``values().annotate()`` with
conditional ``Count(filter=...)``, never from a loop of queries per unit), and returns plain data: the numbers, the
URL of the list behind each number (with the filter in the query string), and the data of its chart.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

import rules
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianzheng.reverse import url_maker
from measures.models import Measure, MeasureStage
from reviews.models import (
    Assessment,
    ComplaintState,
    Grade,
    KeySupervisionState,
    SupervisionFigureKind,
    YellowCardState,
)
from reviews.schedule.progress import campaign_unit_refs, progress_tallies
from reviews.selectors import latest_grade_counts, supervision_counts
from risks.models import (
    RiskCategory,
    RiskLevel,
    RiskPoint,
    UnitRiskFigures,
)
from units.models import KeyArea, Role, Unit

GREETINGS = {
    Role.ADMIN: gettext_lazy("您可以管理用户、导入花名册，并查看全部单位。"),
    Role.REVIEWER: gettext_lazy("您可以审核各单位报送的防控表和材料，受理信访举报，并进行预警处置和考核。"),
    Role.SCHOOL_LEADER: gettext_lazy("您可以查看全校廉政风险防范管理工作的进度和风险分布。"),
    Role.UNIT_LEADER: gettext_lazy("您可以确认本单位的防控表，并查看本单位工作进度。"),
    Role.UNIT_CONTACT: gettext_lazy("您负责汇总本单位的防控表、实施细则和各阶段材料。"),
    Role.STAFF: gettext_lazy("请填写您所在岗位的个人廉政风险识别防控表。"),
}

STAGES = [stage.value for stage in MeasureStage]
#: How many names a "gaps" list shows on the dashboard; the full list is one click away.
GAP_LIMIT = 10
#: How many units the campus tables show: the ones furthest behind. The full matrix is one click away, and a
#: dashboard listing four hundred units would be neither readable nor fast.
FOCUS_UNITS = 15


def list_url(name: str, args=None, **query) -> str:
    query = {k: v for k, v in query.items() if v not in (None, "")}
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def percent_of(part: int, whole: int) -> int | None:
    """A whole-number percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


def role_of(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


# --- campaign progress (units × phases) ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KeptRiskRow:
    """One unit's kept risk figures (``risks.UnitRiskFigures``) as the campus blocks read them."""

    unit_id: int
    posts: int
    covered_posts: int
    points: int
    complete: int
    by_level_category: dict
    by_key_area: dict
    forms: dict


def kept_risk_rows(*, campaign) -> list[KeptRiskRow]:
    """Every unit's kept risk figures of the campaign in one query, shared by the campus dashboard's blocks (the
    heat map, key areas, coverage and the form deliverables of the progress block) instead of one read each."""
    return [
        KeptRiskRow(*row)
        for row in UnitRiskFigures.objects.filter(campaign=campaign).values_list(
            "unit_id", "posts", "covered_posts", "points", "complete", "by_level_category", "by_key_area", "forms"
        )
    ]


def progress_block(*, campaign, today: datetime.date | None = None, kept: list[KeptRiskRow] | None = None) -> dict:
    """Units × phases: deliverables accepted out of all, and how many are overdue (derived from the due date).

    Seven queries whatever the number of units (``reviews.schedule.progress``: counts from the kept figures, no
    object per cell); the table shows the units furthest behind.
    """
    today = today or timezone.localdate()
    phases = list(campaign.phases.order_by("start"))
    form_counts = None if kept is None else {row.unit_id: row.forms for row in kept}
    progress = progress_tallies(campaign=campaign, phases=phases, today=today, form_counts=form_counts)
    tallies, demands = progress.tallies, progress.demands
    totals = {phase.pk: {"total": 0, "accepted": 0, "overdue": 0} for phase in phases}
    phase_totals = [(phase, totals[phase.pk]) for phase in phases]
    unit_url = url_maker("reviews:unit-progress", campaign=campaign.pk)
    rows = []
    for tally in tallies:
        cells = []
        for (phase, phase_total), (accepted, overdue) in zip(phase_totals, tally.cells, strict=True):
            total = demands[phase.pk].total
            cells.append({"phase": phase, "total": total, "accepted": accepted, "overdue": overdue})
            phase_total["total"] += total
            phase_total["accepted"] += accepted
            phase_total["overdue"] += overdue
        rows.append({"unit": tally.unit, "cells": cells, "overdue": tally.overdue, "url": unit_url(tally.unit.code)})
    behind = sorted(rows, key=lambda r: (-r["overdue"], sum(c["accepted"] for c in r["cells"])))
    focus_rows = behind[:FOCUS_UNITS]
    for row in focus_rows:  # the shares the page shows (the other rows' are never shown)
        for cell in row["cells"]:
            cell["share"] = percent_of(cell["accepted"], cell["total"])
    matrix_url = list_url("reviews:progress", campaign=campaign.pk)
    phase_rows = [
        {"phase": phase, **phase_total, "share": percent_of(phase_total["accepted"], phase_total["total"])}
        for phase, phase_total in phase_totals
    ]
    total = sum(r["total"] for r in phase_rows)
    accepted = sum(r["accepted"] for r in phase_rows)
    return {
        "units": [t.unit for t in tallies],
        "phases": phases,
        "rows": rows,
        "focus_rows": focus_rows,
        "phase_rows": phase_rows,
        "total": total,
        "accepted": accepted,
        "share": percent_of(accepted, total),
        "overdue": sum(r["overdue"] for r in phase_rows),
        "today": today,
        "url": matrix_url,
        "chart": {
            "kind": "progress",
            "title": _("各阶段材料通过比例"),
            "categories": [str(p.get_kind_display()) for p in phases],
            "series_name": _("已通过比例"),
            "values": [r["share"] or 0 for r in phase_rows],
            "labels": [
                _("%(share)s%%（%(accepted)s/%(total)s，逾期 %(overdue)s）")
                % {"share": r["share"] or 0, "accepted": r["accepted"], "total": r["total"], "overdue": r["overdue"]}
                for r in phase_rows
            ],
            "urls": [matrix_url for _r in phase_rows],
        },
    }


# --- risk points: heat map and key areas -----------------------------------------------------------------------------
def heatmap_block(*, campaign, unit: Unit | None = None, kept: list[KeptRiskRow] | None = None) -> dict:
    """Risk points by category × level (4 × 3, R2), from the kept figures (``risks.figures``): one query, none when
    the campus's ``kept`` rows are given. Each cell links to the filtered risk-point list."""
    if kept is not None:
        tables = [row.by_level_category for row in kept]
    else:
        rows = UnitRiskFigures.objects.filter(campaign=campaign)
        if unit is not None:
            rows = rows.filter(unit=unit)
        tables = list(rows.values_list("by_level_category", flat=True))
    counts = defaultdict(int)
    for by_level_category in tables:
        for key, n in by_level_category.items():
            category, level = key.split(":")
            counts[(category, int(level))] += n
    counts = {key: n for key, n in counts.items() if n}
    unit_filter = unit.pk if unit is not None else None
    rows = []
    for category in RiskCategory:
        cells = [
            {
                "level": level,
                "count": counts.get((category.value, level.value), 0),
                "url": list_url("risks:point-list", unit=unit_filter, category=category.value, level=level.value),
            }
            for level in RiskLevel
        ]
        rows.append(
            {
                "category": category,
                "cells": cells,
                "total": sum(c["count"] for c in cells),
                "url": list_url("risks:point-list", unit=unit_filter, category=category.value),
            }
        )
    level_totals = [
        {
            "level": level,
            "count": sum(counts.get((c.value, level.value), 0) for c in RiskCategory),
            "url": list_url("risks:point-list", unit=unit_filter, level=level.value),
        }
        for level in RiskLevel
    ]
    total = sum(counts.values())
    return {
        "rows": rows,
        "level_totals": level_totals,
        "total": total,
        "url": list_url("risks:point-list", unit=unit_filter),
        "chart": {
            "kind": "heatmap",
            "title": _("风险点分布（类别 × 等级）"),
            "x": [str(level.label) for level in RiskLevel],
            "y": [str(category.label) for category in RiskCategory],
            "cells": [
                {"x": x, "y": y, "value": cell["count"], "url": cell["url"]}
                for y, row in enumerate(rows)
                for x, cell in enumerate(row["cells"])
            ],
            "max": max(counts.values(), default=0),
            "series_name": _("风险点"),
        },
    }


def key_area_block(*, campaign, kept: list[KeptRiskRow] | None = None) -> dict:
    """Risk points by the key area of their posts (一、1), from the kept figures: one query (none with ``kept``). A
    point on posts of two areas counts in both, exactly as the list's ``key_area`` filter finds it."""
    if kept is None:
        kept = kept_risk_rows(campaign=campaign)
    counts = defaultdict(int)
    for by_key_area in (row.by_key_area for row in kept):
        for area, n in by_key_area.items():
            counts[area] += n
    rows = [
        {"area": area, "count": counts.get(area.value, 0), "url": list_url("risks:point-list", key_area=area.value)}
        for area in KeyArea
    ]
    return {
        "rows": rows,
        "chart": {
            "kind": "bar",
            "title": _("重点领域风险点"),
            "categories": [str(r["area"].label) for r in rows],
            "series_name": _("风险点"),
            "values": [r["count"] for r in rows],
            "labels": [str(r["count"]) for r in rows],
            "urls": [r["url"] for r in rows],
        },
    }


def unit_level_block(*, campaign) -> dict:
    """Risk points of each unit of the campaign by level, from the kept figures: one query (plus the units)."""
    units = list(campaign.units.order_by("sort_order", "code").only("pk", "code", "name"))
    counts = defaultdict(dict)
    for unit_id, by_level_category in UnitRiskFigures.objects.filter(campaign=campaign).values_list(
        "unit_id", "by_level_category"
    ):
        for key, n in by_level_category.items():
            level_key = f"l{key.split(':')[1]}"
            counts[unit_id][level_key] = counts[unit_id].get(level_key, 0) + n
    rows = []
    for unit in units:
        found = counts.get(unit.pk, {})
        cells = [
            {
                "level": level,
                "count": found.get(f"l{level.value}", 0),
                "url": list_url("risks:point-list", unit=unit.pk, level=level.value),
            }
            for level in RiskLevel
        ]
        rows.append(
            {
                "unit": unit,
                "cells": cells,
                "total": sum(c["count"] for c in cells),
                "url": list_url("risks:point-list", unit=unit.pk),
            }
        )
    return {"rows": rows, "levels": list(RiskLevel)}


# --- coverage (R13) ----------------------------------------------------------------------------------------------------
def post_links(campaign, unit: Unit | None = None):
    """Rows linking a post to a risk point of the campaign. Counting covered posts from these rows, driven by the
    campaign's points, stays fast at 100,000 points; an EXISTS per post makes SQLite scan the campaign per post.
    A point's posts belong to its unit (``risks.services``), so the unit narrows both sides."""
    links = RiskPoint.posts.through.objects.filter(riskpoint__campaign=campaign)
    if unit is not None:
        links = links.filter(riskpoint__unit=unit, post__unit=unit)
    return links


def complete_condition():
    """The point has a measure in each of the three stages (R7)."""
    condition = Q()
    for stage in STAGES:
        condition &= Q(Exists(Measure.objects.filter(risk_point_id=OuterRef("pk"), stage=stage)))
    return condition


def coverage_block(*, campaign, kept: list[KeptRiskRow] | None = None, units=None) -> dict:
    """Per unit of the campaign and in total: posts with at least one point / all posts, and points with measures in
    all three stages / all points (R13), all from the kept figures. Two queries (none with ``kept`` and ``units``).
    Counted as the coverage page counts them."""
    units = campaign_unit_refs(campaign) if units is None else units
    if kept is None:
        kept = kept_risk_rows(campaign=campaign)
    post_totals = {row.unit_id: row.posts for row in kept}
    covered_posts = {row.unit_id: row.covered_posts for row in kept}
    points = {row.unit_id: {"total": row.points, "complete_n": row.complete} for row in kept}
    rows = []
    for unit in units:
        total, covered = post_totals.get(unit.pk, 0), covered_posts.get(unit.pk, 0)
        r = points.get(unit.pk, {"total": 0, "complete_n": 0})
        rows.append(
            {
                "unit": unit,
                "posts": total,
                "covered": covered,
                "post_share": percent_of(covered, total),
                "points": r["total"],
                "complete": r["complete_n"],
                "point_share": percent_of(r["complete_n"], r["total"]),
            }
        )
    # The units furthest from full coverage first.
    rows.sort(key=lambda r: (r["post_share"] if r["post_share"] is not None else -1, r["point_share"] or 0))
    total_posts = sum(r["posts"] for r in rows)
    covered = sum(r["covered"] for r in rows)
    total_points = sum(r["points"] for r in rows)
    complete = sum(r["complete"] for r in rows)
    return {
        "rows": rows,
        "focus_rows": rows[:FOCUS_UNITS],
        "posts": total_posts,
        "covered": covered,
        "post_share": percent_of(covered, total_posts),
        "points": total_points,
        "complete": complete,
        "point_share": percent_of(complete, total_points),
        "url": reverse("risks:coverage"),
    }


# --- supervision ------------------------------------------------------------------------------------------------------
def complaints_block(*, year: int, can_open: bool) -> dict:
    """Complaints of the year by stage, from the kept figures (``reviews.figures``): one query. Only the office may
    open the list (the reporter is protected)."""
    counts = supervision_counts(figures=[SupervisionFigureKind.COMPLAINT], year=year)[SupervisionFigureKind.COMPLAINT]
    rows = [
        {
            "state": state,
            "count": counts.get(state.value, 0),
            "url": list_url("reviews:complaint-list", state=state.value, year=year) if can_open else "",
        }
        for state in ComplaintState
    ]
    total = sum(r["count"] for r in rows)
    return {
        "year": year,
        "rows": rows,
        "total": total,
        "open": total - counts.get(ComplaintState.CLOSED, 0),
        "url": list_url("reviews:complaint-list", year=year) if can_open else "",
        "chart": {
            "kind": "pie",
            "title": _("%(year)s年度信访举报办理阶段") % {"year": year},
            "series_name": _("信访举报"),
            "items": [
                {"name": str(r["state"].label), "value": r["count"], "url": r["url"]} for r in rows if r["count"]
            ],
        },
    }


def supervision_block(*, can_open: bool) -> dict:
    """Yellow cards in force (issued, not lifted), proposed ones awaiting the office, key supervisions in force, all
    years, from the kept figures: one query."""
    counts = supervision_counts(figures=[SupervisionFigureKind.CARD, SupervisionFigureKind.SUPERVISION])
    cards, supervisions = counts[SupervisionFigureKind.CARD], counts[SupervisionFigureKind.SUPERVISION]

    def link(state):
        return list_url("reviews:yellowcard-list", state=state) if can_open else ""

    return {
        "cards_in_force": cards.get(YellowCardState.ISSUED, 0),
        "cards_proposed": cards.get(YellowCardState.PROPOSED, 0),
        "supervisions_in_force": supervisions.get(KeySupervisionState.ACTIVE, 0),
        "cards_url": link(YellowCardState.ISSUED),
        "proposed_url": link(YellowCardState.PROPOSED),
        "supervisions_url": link(YellowCardState.ISSUED),
    }


def assessment_block(*, can_open: bool) -> dict:
    """The grades of the latest assessment year from the kept figures (one query), and the units with the lowest
    scores (one query, at most ``FOCUS_UNITS`` rows)."""
    year, by_grade = latest_grade_counts()
    lowest = []
    if year is not None:
        lowest = list(
            Assessment.objects.filter(year=year)
            .select_related("unit")
            .only("pk", "year", "final_grade", "raw_score", "capped", "unit__name", "unit__code", "unit__sort_order")
            .order_by("raw_score", "unit__sort_order", "unit__code")[:FOCUS_UNITS]
        )
    url = list_url("reviews:assessment-list", year=year) if can_open and year else ""
    return {
        "year": year,
        "assessments": lowest,
        "focus": lowest,
        "unit_total": sum(by_grade.values()),
        "grades": [{"grade": grade, "count": by_grade.get(grade.value, 0)} for grade in Grade],
        "url": url,
    }


# --- the campus blocks ------------------------------------------------------------------------------------------
def focused(block: dict) -> dict:
    """What the page shows of a per-unit block: the units furthest behind and the count of all. The cache keeps
    this, not four hundred rows of model instances to unpickle on every view."""
    shown = {key: value for key, value in block.items() if key not in ("rows", "units")}
    shown["rows"] = block["focus_rows"]
    shown["unit_total"] = len(block["rows"])
    return shown


def _lowest_grades(block: dict) -> dict:
    """The assessment table shows the lowest scores; the grade counts cover every unit."""
    return {**block, "assessments": block["focus"]}


def campus_dashboard(*, user, campaign, today=None) -> dict:
    today = today or timezone.localdate()
    context = {"scope": "campus"}
    if campaign is None:
        return context
    permissions = (
        rules.has_perm("reviews.view_complaint", user),
        rules.has_perm("reviews.list_yellow_cards", user),
        rules.has_perm("reviews.list_assessments", user),
    )

    can_complaints, can_cards, can_assessments = permissions
    kept = kept_risk_rows(campaign=campaign)  # one read of the kept risk figures for every block below
    # Read fresh on every view: the counts come from kept figures and grouped queries, no cache (issue 12).
    context.update(
        {
            "progress": focused(progress_block(campaign=campaign, today=today, kept=kept)),
            "complaints": complaints_block(year=campaign.year, can_open=can_complaints),
            "supervision": supervision_block(can_open=can_cards),
            "assessments": _lowest_grades(assessment_block(can_open=can_assessments)),
            "heatmap": heatmap_block(campaign=campaign, kept=kept),
            "key_areas": key_area_block(campaign=campaign, kept=kept),
            "coverage": focused(coverage_block(campaign=campaign, kept=kept)),
        }
    )
    return context
