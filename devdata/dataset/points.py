"""The power inventory (职权事项 and the posts that exercise them), three to seven risk points per post, and the
measures of each point's three stages, with a few gaps for the coverage pages (R7, R13).
"""

import datetime

from measures.models import Measure, MeasureStage, MeasureState
from risks.models import PowerItem, PowerKind, RiskPoint, RiskScope
from units.models import KeyArea

from .build import Build
from .words import CATEGORY_WEIGHTS, LEVEL_WEIGHTS, MEASURES, RISKS, pick

_LEADERS = ["分管副处长", "分管副院长", "单位负责人"]
_MEASURE_STATES = [(MeasureState.PLANNED, 50), (MeasureState.IN_EFFECT, 40), (MeasureState.CHECKED, 10)]


# --- power items and risk points ---------------------------------------------------------------------------------
def risk_points(build: Build):
    _power_items(build)
    points = []
    for unit in build.units:
        order = 0
        for post in unit.post_list:
            if build.rng.random() < 0.03:
                continue  # coverage gaps (R13): a few posts without any risk point
            for _ in range(build.rng.randint(3, 7)):
                order += 1
                points.append(_risk_point(build, unit, post, order))
    build.bulk(RiskPoint, points)
    through = RiskPoint.posts.through
    links = [through(riskpoint_id=p.pk, post_id=post.pk) for p in points for post in p.on_posts]
    build.bulk(through, links)
    build.points = points


def _power_items(build: Build):
    """Four to eight power items per unit (``unit.items``), each exercised by up to three of its posts."""
    rng = build.rng
    items, item_posts = [], []
    for unit in build.units:
        unit.items = []
        for j in range(rng.randint(4, 8)):
            area = unit.main_area if j % 2 == 0 else rng.choice(list(KeyArea))
            step, _name, _text = rng.choice(RISKS[area])
            item = PowerItem(
                unit=unit,
                name=f"{step}({j + 1})",
                kind=rng.choice(list(PowerKind)),
                basis="《江西农业大学有关管理办法》",
                process="申请→审核→审批→办理→归档",
                sort_order=j + 1,
            )
            items.append(item)
            unit.items.append(item)
    build.bulk(PowerItem, items)
    item_through = PowerItem.posts.through
    for unit in build.units:
        for item in unit.items:
            for post in rng.sample(unit.post_list, min(3, len(unit.post_list))):
                item_posts.append(item_through(poweritem_id=item.pk, post_id=post.pk))
    build.bulk(item_through, item_posts)


def _risk_point(build: Build, unit, post, order: int) -> RiskPoint:
    """One point found on ``post``: mostly on the post itself (now and then shared with a colleague's), some on
    its office or on the whole unit. ``point.on_posts`` holds the posts to link."""
    rng = build.rng
    roll = rng.random()
    if roll < 0.05 or (roll < 0.2 and post.office is None):
        scope, office, on_posts = RiskScope.UNIT, None, []
    elif roll < 0.2:
        scope, office, on_posts = RiskScope.OFFICE, post.office, []
    else:
        scope, office, on_posts = RiskScope.POST, post.office, [post]
        if rng.random() < 0.1:
            other = rng.choice(unit.post_list)
            if other is not post:
                on_posts.append(other)
    area = post.key_area or unit.main_area
    step, name, text = rng.choice(RISKS[area])
    # The keyword arguments are evaluated in order: keep the draws below in this order.
    point = RiskPoint(
        campaign=build.campaign,
        unit=unit,
        office=office,
        scope=scope,
        code=f"{unit.code}-{order:04d}",
        power_item=rng.choice(unit.items) if rng.random() < 0.5 else None,
        business_step=step,
        name=f"{name}({post.name})" if scope == RiskScope.POST else name,
        manifestation=text,
        category=pick(rng, CATEGORY_WEIGHTS),
        level=pick(rng, LEVEL_WEIGHTS),
        responsible_leader=rng.choice(_LEADERS),
        responsible_person=post.name if scope == RiskScope.POST else "科长",
        supervisor="纪委监察室",
        sort_order=order,
    )
    point.on_posts = on_posts
    return point


# --- measures ----------------------------------------------------------------------------------------------------
def measures(build: Build):
    rng = build.rng
    rows = []
    for point in build.points:
        for stage in (MeasureStage.PRE, MeasureStage.MID, MeasureStage.POST):
            if rng.random() < 0.07:
                continue  # a stage without measures (R7 gap, shown on the coverage page)
            for n in range(rng.randint(1, 2)):
                state = pick(rng, _MEASURE_STATES)
                rows.append(
                    Measure(
                        risk_point=point,
                        stage=stage,
                        content=rng.choice(MEASURES[stage]),
                        responsible=point.responsible_person,
                        due_date=build.today + datetime.timedelta(days=rng.randint(-20, 60)),
                        state=state,
                        evidence_note="已按要求落实。" if state == MeasureState.CHECKED else "",
                        sort_order=n + 1,
                    )
                )
                if len(rows) >= 50_000:
                    build.bulk(Measure, rows)
                    rows = []
    build.bulk(Measure, rows)
    del build.points  # the largest lists; free them before the forms
