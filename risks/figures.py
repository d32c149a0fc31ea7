"""The kept risk figures (``UnitRiskFigures``): one row per campaign and unit.

Design: after a write, the service calls ``refresh(campaign_id=..., unit_id=...)`` inside its transaction, which
recomputes that one row from the unit's own rows (six queries bounded by the size of the unit, not the campus).
``rebuild`` computes every row from scratch with the same code and five grouped queries for the whole database;
``differences`` compares without writing. The measures app (above this one) calls ``refresh`` after a measure is
added or removed; measures are counted here through the points' reverse relation, as the coverage page counted them.
"""

from collections import defaultdict

from django.db.models import Count, Q

from units.models import Campaign, Post, Unit

from .models import FormKind, FormState, RiskForm, RiskPoint, UnitRiskFigures

STAGES = ("pre", "mid", "post")
FIELDS = (
    "posts",
    "points",
    "complete",
    "covered_posts",
    "posts_with_incomplete",
    "by_level_category",
    "by_key_area",
    "by_scope",
    "forms",
)


def _empty() -> dict:
    return {
        "posts": 0,
        "points": 0,
        "complete": 0,
        "covered_posts": 0,
        "posts_with_incomplete": 0,
        "by_level_category": {},
        "by_key_area": {},
        "by_scope": {},
        "forms": {},
    }


def _compute(*, campaign_id=None, unit_id=None) -> dict[tuple[int, int], dict]:
    """Every (campaign, unit) figure row from the source rows, narrowed to one campaign and unit when given."""
    where = {}
    if campaign_id is not None:
        where["campaign_id"] = campaign_id
    if unit_id is not None:
        where["unit_id"] = unit_id
    rows: dict = defaultdict(_empty)
    for campaign, unit in Campaign.units.through.objects.filter(**where).values_list("campaign_id", "unit_id"):
        rows[(campaign, unit)]  # a unit of the campaign has a row even with nothing in it
    post_where = {"unit_id": unit_id} if unit_id is not None else {}
    post_totals = dict(
        Post.objects.filter(**post_where)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    stage_counts = {f"n_{s}": Count("measures", filter=Q(measures__stage=s)) for s in STAGES}
    complete_of = {}
    for pk, campaign, unit, category, level, scope, *stages in (
        RiskPoint.objects.filter(**where)
        .order_by()
        .annotate(**stage_counts)
        .values_list("pk", "campaign_id", "unit_id", "category", "level", "scope", *stage_counts)
    ):
        row = rows[(campaign, unit)]
        complete = all(stages)
        complete_of[pk] = complete
        row["points"] += 1
        row["complete"] += complete
        key = f"{category}:{level}"
        row["by_level_category"][key] = row["by_level_category"].get(key, 0) + 1
        row["by_scope"][scope] = row["by_scope"].get(scope, 0) + 1
    covered, incomplete, areas = defaultdict(set), defaultdict(set), defaultdict(set)
    link_where = {f"riskpoint__{k}": v for k, v in where.items()}
    for point, post, campaign, unit, area in (
        RiskPoint.posts.through.objects.filter(**link_where)
        .order_by()
        .values_list("riskpoint_id", "post_id", "riskpoint__campaign_id", "riskpoint__unit_id", "post__key_area")
    ):
        covered[(campaign, unit)].add(post)
        if not complete_of.get(point, True):
            incomplete[(campaign, unit)].add(post)
        if area:
            areas[(campaign, unit, area)].add(point)
    for key, posts in covered.items():
        rows[key]["covered_posts"] = len(posts)
    for key, posts in incomplete.items():
        rows[key]["posts_with_incomplete"] = len(posts)
    for (campaign, unit, area), points in areas.items():
        rows[(campaign, unit)]["by_key_area"][area] = len(points)
    for (_campaign, unit), row in rows.items():
        row["posts"] = post_totals.get(unit, 0)
    for campaign, unit, kind, state, n in (
        RiskForm.objects.filter(**where)
        .order_by()
        .values_list("campaign_id", "unit_id", "kind", "state")
        .annotate(n=Count("pk"))
    ):
        forms = rows[(campaign, unit)]["forms"]
        forms["total"] = forms.get("total", 0) + n
        if kind == FormKind.UNIT:
            forms["unit_forms"] = forms.get("unit_forms", 0) + n
        forms[state] = forms.get(state, 0) + n
    return dict(rows)


def _kept(**where) -> dict[tuple[int, int], dict]:
    return {
        (row["campaign_id"], row["unit_id"]): {f: row[f] for f in FIELDS}
        for row in UnitRiskFigures.objects.filter(**where).values("campaign_id", "unit_id", *FIELDS)
    }


def refresh(*, campaign_id: int, unit_id: int) -> None:
    """Recompute the kept row of one unit in one campaign; call inside the transaction of the write."""
    values = _compute(campaign_id=campaign_id, unit_id=unit_id).get((campaign_id, unit_id), _empty())
    UnitRiskFigures.objects.update_or_create(campaign_id=campaign_id, unit_id=unit_id, defaults=values)


def refresh_units(*, unit_ids) -> None:
    """Recompute the rows of some units in every campaign they have rows or points in (a roster import)."""
    for campaign_id, unit_id in set(
        UnitRiskFigures.objects.filter(unit_id__in=unit_ids).values_list("campaign_id", "unit_id")
    ) | set(RiskPoint.objects.filter(unit_id__in=unit_ids).values_list("campaign_id", "unit_id").distinct()):
        refresh(campaign_id=campaign_id, unit_id=unit_id)


def on_roster_applied(sender, *, unit_ids, **kwargs) -> None:
    """``units.signals.roster_applied``: a post's key area may have changed."""
    refresh_units(unit_ids=unit_ids)


def rebuild() -> int:
    computed = _compute()
    UnitRiskFigures.objects.all().delete()
    UnitRiskFigures.objects.bulk_create(
        [UnitRiskFigures(campaign_id=c, unit_id=u, **values) for (c, u), values in computed.items()], batch_size=1000
    )
    return len(computed)


def _describe(value) -> str:
    return repr(value) if not isinstance(value, int) else str(value)


def differences() -> list[str]:
    computed, kept = _compute(), _kept()
    names = dict(Unit.objects.values_list("pk", "code"))
    lines = []
    for key in sorted(set(computed) | set(kept)):
        want, have = computed.get(key, _empty()), kept.get(key, _empty())
        label = f"{names.get(key[1], key[1])} campaign {key[0]}"
        for field in FIELDS:
            a, b = have[field], want[field]
            if isinstance(b, dict):
                for part in sorted(set(a) | set(b)):
                    if a.get(part, 0) != b.get(part, 0):
                        lines.append(f"{label}: {field} {part} kept {a.get(part, 0)}, rows {b.get(part, 0)}")
            elif a != b:
                lines.append(f"{label}: {field} kept {_describe(a)}, rows {_describe(b)}")
    return lines


def kept_rows(*, campaign) -> dict[int, UnitRiskFigures]:
    """The kept rows of a campaign by unit id: one query."""
    return {row.unit_id: row for row in UnitRiskFigures.objects.filter(campaign=campaign)}


def form_state_counts(*, campaign) -> dict[int, dict]:
    """Forms of the campaign per unit: ``total``, ``unit_forms`` and a count per state (zeros filled in)."""
    result = {}
    for unit_id, forms in UnitRiskFigures.objects.filter(campaign=campaign).values_list("unit_id", "forms"):
        counts = {"total": 0, "unit_forms": 0, **{state.value: 0 for state in FormState}}
        counts.update(forms)
        result[unit_id] = counts
    return result
