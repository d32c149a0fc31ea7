"""The dashboards (issue 8): every block issues the same number of queries at two campus sizes, the numbers it shows
equal counts computed independently here by walking the objects, every figure links to its filtered list, and each
role sees its own scope (a unit's people never see another unit's numbers)."""

import datetime
import itertools
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianzheng import figures
from measures.models import ImplementationRules, Measure, RulesState
from portal import dashboards, unit_dashboard
from reviews.models import (
    Assessment,
    Complaint,
    ComplaintState,
    Grade,
    KeySupervision,
    KeySupervisionState,
    YellowCard,
    YellowCardState,
)
from reviews.schedule import services as schedule_services
from reviews.schedule.models import Deliverable, DeliverableKind, Submission, SubmissionState
from reviews.schedule.selectors import progress_matrix
from risks.models import FormKind, FormState, RiskCategory, RiskForm, RiskLevel, RiskPoint
from tests.factories import CampaignFactory, OfficeFactory, PostFactory, UnitFactory
from units.models import KeyArea, Phase, Post

pytestmark = pytest.mark.django_db

PLAN = {
    "prepare": (datetime.date(2010, 5, 20), datetime.date(2010, 5, 28)),
    "identify": (datetime.date(2010, 5, 29), datetime.date(2010, 6, 6)),
    "measures": (datetime.date(2010, 6, 7), datetime.date(2010, 6, 18)),
    "inspect": (datetime.date(2010, 6, 19), datetime.date(2010, 6, 30)),
}
#: Inside 制定措施: the prepare and identify deadlines have passed, so some items are overdue.
TODAY = datetime.date(2010, 6, 10)
CATEGORIES = list(RiskCategory.values)
LEVELS = list(RiskLevel.values)
AREAS = [*KeyArea.values, ""]
STAGE_SETS = [("pre", "mid", "post"), ("pre",), ("pre", "mid"), (), ("pre", "mid", "post", "post")]
FORM_STATES = list(FormState.values)
SUB_STATES = list(SubmissionState.values)
RULE_STATES = [RulesState.APPROVED, RulesState.SUBMITTED, RulesState.RETURNED, RulesState.DRAFT, None]


@pytest.fixture
def campaign(reviewer):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010, batch=1)
    for kind, (start, end) in PLAN.items():
        Phase.objects.create(campaign=campaign, kind=kind, start=start, end=end)
    schedule_services.deliverables_create_defaults(actor=reviewer, campaign=campaign)
    return campaign


_seq = itertools.count()


def grow(campaign, reviewer, *, units: int, posts_per_unit: int, unit=None):
    """Add ``units`` units to the campaign (or more posts to ``unit``) with points, measures, forms, submissions,
    rules, complaints, yellow cards and assessments in every state. Deterministic (states cycle by counter)."""
    deliverables = list(Deliverable.objects.filter(phase__campaign=campaign))
    targets = [unit] if unit is not None else []
    for _ in range(units if unit is None else 0):
        n = next(_seq)
        targets.append(UnitFactory(code=f"u{n}", name=f"单位{n}"))
    for target in targets:
        n = next(_seq)
        campaign.units.add(target)
        office = OfficeFactory(unit=target, name=f"科室{n}")
        posts = [
            PostFactory(
                unit=target,
                office=office,
                name=f"岗位{n}-{i}",
                is_key=i % 2 == 0,
                key_area=AREAS[(n + i) % len(AREAS)],
            )
            for i in range(posts_per_unit)
        ]
        # Points: some on one post, some on two posts, some at unit level; the last post stays uncovered.
        for i, post in enumerate(posts[:-1]):
            k = n + i
            point = RiskPoint.objects.create(
                campaign=campaign,
                unit=target,
                office=office,
                scope="post",
                name=f"风险点{n}-{i}",
                manifestation="表现",
                category=CATEGORIES[k % 4],
                level=LEVELS[k % 3],
            )
            point.posts.add(post, *([posts[i + 1]] if i % 3 == 0 else []))
            for stage in STAGE_SETS[k % len(STAGE_SETS)]:
                Measure.objects.create(risk_point=point, stage=stage, content="措施")
        RiskPoint.objects.create(
            campaign=campaign,
            unit=target,
            scope="unit",
            name=f"单位风险点{n}",
            manifestation="表现",
            category=CATEGORIES[n % 4],
            level=LEVELS[(n + 1) % 3],
        )
        RiskForm.objects.get_or_create(
            campaign=campaign, unit=target, kind=FormKind.UNIT, defaults={"state": FORM_STATES[n % 5]}
        )
        for i, post in enumerate(posts):
            RiskForm.objects.create(
                campaign=campaign, unit=target, kind=FormKind.PERSONAL, post=post, state=FORM_STATES[(n + i) % 5]
            )
        for i, d in enumerate(deliverables):
            state = SUB_STATES[(n + i) % 5] if (n + i) % 5 < 4 else None
            if state and d.kind not in (DeliverableKind.FORM, DeliverableKind.RULES):
                Submission.objects.get_or_create(unit=target, deliverable=d, defaults={"state": state})
        rules_state = RULE_STATES[n % 5]
        if rules_state and not ImplementationRules.objects.filter(unit=target, campaign=campaign).exists():
            ImplementationRules.objects.create(unit=target, campaign=campaign, title="实施细则", state=rules_state)
        for i, state in enumerate(ComplaintState.values[: 1 + n % 5]):
            Complaint.objects.create(
                year=campaign.year if i % 4 else campaign.year - 1 + (n % 2),
                unit=target,
                post=posts[0],
                content="举报内容",
                state=state,
                query_code_hash=f"h{n}-{i}",
            )
        card = YellowCard.objects.create(post=posts[0], year=campaign.year, state=YellowCardState.values[n % 3])
        if card.state != YellowCardState.PROPOSED:
            KeySupervision.objects.create(
                yellow_card=card,
                head_post=posts[0],
                start=TODAY,
                state=KeySupervisionState.ACTIVE if card.state == YellowCardState.ISSUED else KeySupervisionState.ENDED,
            )
        for year in (campaign.year - 1, campaign.year):
            grade = Grade.values[(n + year) % 4]
            Assessment.objects.get_or_create(
                unit=target,
                year=year,
                defaults={
                    "raw_score": 70,
                    "band_grade": grade,
                    "band_reason": "按得分",
                    "final_grade": grade,
                    "entered_by": reviewer,
                },
            )
    figures.rebuild_all()  # the rows above bypass the services that keep the figures
    return targets


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


# --- independent counts (walking the objects) ----------------------------------------------------------------------
def expected_heatmap(campaign, unit=None):
    counts = Counter()
    for p in RiskPoint.objects.filter(campaign=campaign):
        if unit is None or p.unit_id == unit.pk:
            counts[(p.category, p.level)] += 1
    return counts


def expected_key_areas(campaign):
    counts = Counter()
    for point in RiskPoint.objects.filter(campaign=campaign).prefetch_related("posts"):
        for area in {post.key_area for post in point.posts.all() if post.key_area}:
            counts[area] += 1
    return counts


def expected_coverage(campaign):
    result = {}
    for unit in campaign.units.all():
        posts = list(Post.objects.filter(unit=unit))
        covered = [p for p in posts if any(rp.campaign_id == campaign.pk for rp in p.risk_points.all())]
        points = list(RiskPoint.objects.filter(campaign=campaign, unit=unit))
        complete = [p for p in points if {m.stage for m in p.measures.all()} >= {"pre", "mid", "post"}]
        result[unit.pk] = (len(posts), len(covered), len(points), len(complete))
    return result


def expected_progress(campaign, today):
    """Per (unit, phase): accepted and overdue, from the schedule's own matrix (every status one by one)."""
    matrix = progress_matrix(campaign=campaign, today=today)
    result = defaultdict(lambda: {"total": 0, "accepted": 0, "overdue": 0})
    for unit, statuses in matrix["rows"]:
        for s in statuses:
            cell = result[(unit.pk, s.deliverable.phase_id)]
            cell["total"] += 1
            cell["accepted"] += s.state == SubmissionState.ACCEPTED
            cell["overdue"] += s.overdue
    return result


# --- query counts do not grow with the campus -------------------------------------------------------------------
def campus_blocks(campaign):
    return {
        "progress": lambda: dashboards.progress_block(campaign=campaign, today=TODAY),
        "heatmap": lambda: dashboards.heatmap_block(campaign=campaign),
        "key_areas": lambda: dashboards.key_area_block(campaign=campaign),
        "unit_levels": lambda: dashboards.unit_level_block(campaign=campaign),
        "coverage": lambda: dashboards.coverage_block(campaign=campaign),
        "complaints": lambda: dashboards.complaints_block(year=campaign.year, can_open=True),
        "supervision": lambda: dashboards.supervision_block(can_open=True),
        "assessments": lambda: dashboards.assessment_block(can_open=True),
    }


def test_each_campus_block_issues_the_same_number_of_queries_at_two_sizes(campaign, reviewer):
    grow(campaign, reviewer, units=2, posts_per_unit=3)
    small = {name: queries(fn)[0] for name, fn in campus_blocks(campaign).items()}
    grow(campaign, reviewer, units=6, posts_per_unit=9)
    large = {name: queries(fn)[0] for name, fn in campus_blocks(campaign).items()}
    assert large == small
    # And they are few: aggregates, not rows.
    assert small == {
        "progress": 6,
        "heatmap": 1,
        "key_areas": 1,
        "unit_levels": 2,
        "coverage": 2,
        "complaints": 1,
        "supervision": 1,
        "assessments": 2,
    }


def test_each_unit_block_issues_the_same_number_of_queries_at_two_sizes(campaign, reviewer, unit, unit_leader):
    grow(campaign, reviewer, units=1, posts_per_unit=2, unit=unit)

    def blocks():
        return {
            "due": queries(
                lambda: unit_dashboard.unit_due_block(unit=unit, campaign=campaign, today=TODAY, can_open=True)
            )[0],
            "coverage": queries(lambda: unit_dashboard.unit_coverage_block(unit=unit, campaign=campaign))[0],
            "returned": queries(
                lambda: unit_dashboard.returned_forms_block(user=unit_leader, campaign=campaign, unit=unit)
            )[0],
            "heatmap": queries(lambda: dashboards.heatmap_block(campaign=campaign, unit=unit))[0],
        }

    small = blocks()
    grow(campaign, reviewer, units=1, posts_per_unit=15, unit=unit)
    grow(campaign, reviewer, units=4, posts_per_unit=5)
    assert blocks() == small


@pytest.mark.parametrize("role", ["school_leader", "reviewer", "unit_leader", "staff"])
def test_the_dashboard_page_issues_the_same_number_of_queries_at_two_sizes(
    request, role, campaign, reviewer, unit, as_user
):
    user = request.getfixturevalue(role)
    grow(campaign, reviewer, units=1, posts_per_unit=2, unit=unit)
    grow(campaign, reviewer, units=1, posts_per_unit=2)
    client = as_user(user)
    url = reverse("dashboard")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    grow(campaign, reviewer, units=1, posts_per_unit=12, unit=unit)
    grow(campaign, reviewer, units=5, posts_per_unit=6)
    assert count() == small


def test_the_risk_distribution_page_issues_the_same_number_of_queries_at_two_sizes(
    campaign, reviewer, school_leader, as_user
):
    grow(campaign, reviewer, units=2, posts_per_unit=2)
    client = as_user(school_leader)
    url = reverse("dashboard-risks")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(campaign, reviewer, units=5, posts_per_unit=8)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the numbers equal counts computed independently -----------------------------------------------------------------
@pytest.fixture
def campus(campaign, reviewer):
    grow(campaign, reviewer, units=7, posts_per_unit=6)
    return campaign


def test_heatmap_counts_every_point_once_by_category_and_level(campus):
    block = dashboards.heatmap_block(campaign=campus)
    expected = expected_heatmap(campus)
    shown = {
        (row["category"].value, cell["level"].value): cell["count"] for row in block["rows"] for cell in row["cells"]
    }
    assert len(shown) == 12  # 4 categories × 3 levels (R2)
    assert shown == {key: expected.get(key, 0) for key in shown}
    assert block["total"] == RiskPoint.objects.filter(campaign=campus).count()
    chart = {(c["y"], c["x"]): c["value"] for c in block["chart"]["cells"]}
    assert chart[(1, 0)] == expected[("process", 1)]


def test_heatmap_cell_links_to_the_list_filtered_to_exactly_those_points(campus, school_leader, as_user):
    block = dashboards.heatmap_block(campaign=campus)
    cell = block["rows"][1]["cells"][0]  # 业务流程风险 × 一级
    assert cell["url"] == reverse("risks:point-list") + "?category=process&level=1"
    response = as_user(school_leader).get(cell["url"])
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == cell["count"] == expected_heatmap(campus)[("process", 1)]
    assert {p.category for p in response.context["page_obj"]} == {"process"}
    assert {p.level for p in response.context["page_obj"]} == {1}


def test_key_areas_count_points_through_their_posts_as_the_list_filter_does(campus, school_leader, as_user):
    block = dashboards.key_area_block(campaign=campus)
    expected = expected_key_areas(campus)
    assert {r["area"].value: r["count"] for r in block["rows"]} == {a: expected.get(a, 0) for a in KeyArea.values}
    client = as_user(school_leader)
    for row in block["rows"][:3]:
        assert row["url"].endswith(f"?key_area={row['area'].value}")
        assert client.get(row["url"]).context["page_obj"].paginator.count == row["count"]


def test_r13_coverage_counts_posts_with_a_point_and_points_with_measures_in_all_three_stages(campus, school_leader):
    block = dashboards.coverage_block(campaign=campus)
    expected = expected_coverage(campus)
    shown = {r["unit"].pk: (r["posts"], r["covered"], r["points"], r["complete"]) for r in block["rows"]}
    assert shown == expected
    assert block["posts"] == sum(v[0] for v in expected.values())
    assert block["covered"] == sum(v[1] for v in expected.values())
    assert block["complete"] == sum(v[3] for v in expected.values())
    assert 0 < block["covered"] < block["posts"]  # the data has gaps, so the test can fail
    assert 0 < block["complete"] < block["points"]
    # The coverage page (the list behind the figure) agrees.
    from risks.selectors import coverage_units

    page = {r.unit_id: (r.posts, r.covered_posts, r.points) for r in coverage_units(school_leader, campaign=campus)}
    assert page == {k: (v[0], v[1], v[2]) for k, v in expected.items()}


def test_progress_tallies_count_each_cell_in_the_state_the_matrix_shows(campus):
    """The counts behind the dashboard and the matrix's totals, filters and sort (no object per cell) agree with
    the matrix's cells one by one: accepted, submitted, returned, missing and overdue, unit by unit."""
    from reviews.schedule.progress import progress_tallies

    phases = list(campus.phases.order_by("start"))
    counted = progress_tallies(campaign=campus, phases=phases, today=TODAY)
    matrix = progress_matrix(campaign=campus, today=TODAY)
    per_unit = {unit.pk: Counter(s.css for s in statuses) for unit, statuses in matrix["rows"]}
    for tally in counted.tallies:
        assert {k: v for k, v in tally.shown.items() if v} == dict(per_unit[tally.unit.pk]), tally.unit.code
    assert {k: v for k, v in counted.shown.items() if v} == matrix["totals"]
    assert len(matrix["totals"]) >= 3  # the data has cells in several states, so the test can fail


def test_progress_matches_the_schedule_matrix_unit_by_unit_and_phase_by_phase(campus):
    block = dashboards.progress_block(campaign=campus, today=TODAY)
    expected = expected_progress(campus, TODAY)
    for row in block["rows"]:
        for cell in row["cells"]:
            want = expected[(row["unit"].pk, cell["phase"].pk)]
            got = {k: cell[k] for k in ("total", "accepted", "overdue")}
            assert got == want, (row["unit"].code, cell["phase"].kind)
    assert block["overdue"] == sum(v["overdue"] for v in expected.values()) > 0
    assert block["accepted"] == sum(v["accepted"] for v in expected.values()) > 0
    assert block["url"] == reverse("reviews:progress") + f"?campaign={campus.pk}"


def test_progress_from_kept_figures_equals_progress_from_the_submission_rows(campus):
    """Issue 12: the matrix, the unit pages and the dashboard read each unit's deliverable states from the kept
    figures; every state equals the one the Submission rows give, and after a change made around the services the
    rebuilt figures agree again."""
    from reviews.schedule.selectors import campaign_deliverables, statuses_for

    units, deliverables = list(campus.units.all()), list(campaign_deliverables(campus))

    def states(kept):
        found = statuses_for(campaign=campus, units=units, deliverables=deliverables, today=TODAY, kept=kept)
        return {key: (s.state, s.overdue) for key, s in found.items()}

    assert states(kept=True) == states(kept=False)
    changed = Submission.objects.filter(unit__in=units, state=SubmissionState.SUBMITTED).first()
    Submission.objects.filter(pk=changed.pk).update(state=SubmissionState.ACCEPTED)
    assert states(kept=True) != states(kept=False)
    figures.rebuild_all()
    assert states(kept=True) == states(kept=False)


def test_progress_form_deliverable_follows_every_form_of_the_unit(campaign, reviewer, unit):
    """附表1 and all 附表2 approved → accepted; one returned → returned (and overdue once its deadline passed)."""
    grow(campaign, reviewer, units=1, posts_per_unit=2, unit=unit)
    RiskForm.objects.filter(unit=unit).update(state=FormState.APPROVED)
    figures.rebuild_all()  # states set around the services: the kept form counts are recomputed
    identify = campaign.phases.get(kind="identify")

    def cell():
        block = dashboards.progress_block(campaign=campaign, today=TODAY)
        row = next(r for r in block["rows"] if r["unit"].pk == unit.pk)
        return next(c for c in row["cells"] if c["phase"] == identify)

    before = cell()
    one = RiskForm.objects.filter(unit=unit, kind=FormKind.PERSONAL).first()
    RiskForm.objects.filter(pk=one.pk).update(state=FormState.RETURNED)
    figures.rebuild_all()
    after = cell()
    assert after["accepted"] == before["accepted"] - 1
    assert after["overdue"] == before["overdue"] + 1
    assert expected_progress(campaign, TODAY)[(unit.pk, identify.pk)]["overdue"] == after["overdue"]


def test_complaints_by_stage_count_the_campaign_year_and_link_with_the_filter(campus, reviewer, as_user):
    block = dashboards.complaints_block(year=campus.year, can_open=True)
    expected = Counter(c.state for c in Complaint.objects.all() if c.year == campus.year)
    assert {r["state"].value: r["count"] for r in block["rows"]} == {
        s: expected.get(s, 0) for s in ComplaintState.values
    }
    assert block["total"] == sum(expected.values()) < Complaint.objects.count()  # other years are left out
    client = as_user(reviewer)
    for row in block["rows"]:
        assert row["url"] == reverse("reviews:complaint-list") + f"?state={row['state'].value}&year={campus.year}"
        assert client.get(row["url"]).context["page_obj"].paginator.count == row["count"]


def test_yellow_cards_and_key_supervisions_in_force(campus, school_leader, as_user):
    block = dashboards.supervision_block(can_open=True)
    cards = list(YellowCard.objects.all())
    assert block["cards_in_force"] == sum(1 for c in cards if c.state == "issued") > 0
    assert block["cards_proposed"] == sum(1 for c in cards if c.state == "proposed") > 0
    assert block["supervisions_in_force"] == sum(1 for s in KeySupervision.objects.all() if s.state == "active") > 0
    response = as_user(school_leader).get(block["cards_url"])
    assert response.context["page_obj"].paginator.count == block["cards_in_force"]


def test_latest_assessment_grades(campus, school_leader, as_user):
    block = dashboards.assessment_block(can_open=True)
    assert block["year"] == campus.year
    expected = Counter(a.final_grade for a in Assessment.objects.all() if a.year == campus.year)
    assert {g["grade"].value: g["count"] for g in block["grades"]} == {g: expected.get(g, 0) for g in Grade.values}
    response = as_user(school_leader).get(block["url"])
    assert response.context["page_obj"].paginator.count == sum(expected.values())


# --- roles and scope -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["school_leader", "reviewer", "admin_user"])
def test_office_side_sees_the_campus_dashboard(request, role, campus, as_user):
    response = as_user(request.getfixturevalue(role)).get(reverse("dashboard"))
    html = response.content.decode()
    assert response.context["scope"] == "campus"
    for block in ["dash-progress", "dash-heatmap", "dash-keyareas", "dash-coverage", "dash-complaints",
                  "dash-supervision", "dash-assessments"]:  # fmt: skip
        assert f'data-testid="{block}"' in html
    for name in ["chart-heatmap", "chart-keyareas", "chart-progress", "chart-complaints"]:
        assert f'id="{name}" type="application/json"' in html
    assert "js/charts.js" in html and "echarts.min.js" in html
    # Every unit of the campaign appears in the progress table.
    for unit in campus.units.all():
        assert f'data-unit="{unit.code}"' in html


def test_complaint_figures_link_only_for_the_office(campus, school_leader, reviewer, as_user):
    """School leaders see the counts; only the office may open the complaint files (the reporter is protected)."""
    leader_html = as_user(school_leader).get(reverse("dashboard")).content.decode()
    assert reverse("reviews:complaint-list") not in leader_html
    assert 'data-testid="complaints-received"' in leader_html
    reviewer_html = as_user(reviewer).get(reverse("dashboard")).content.decode()
    assert reverse("reviews:complaint-list") + "?state=received" in reviewer_html


@pytest.mark.parametrize("role", ["unit_leader", "unit_contact", "staff"])
def test_unit_people_see_only_their_unit(request, role, campaign, reviewer, unit, other_unit, as_user):
    user = request.getfixturevalue(role)
    grow(campaign, reviewer, units=1, posts_per_unit=3, unit=unit)
    grow(campaign, reviewer, units=1, posts_per_unit=4, unit=other_unit)
    response = as_user(user).get(reverse("dashboard"))
    html = response.content.decode()
    assert response.context["scope"] == "unit"
    for key in ("progress", "coverage", "complaints", "supervision", "assessments", "key_areas"):
        assert key not in response.context
    assert other_unit.name not in html
    assert "dash-progress" not in html and "dash-complaints" not in html
    # Their own unit's numbers, equal to counts over that unit only.
    due = response.context["due"]
    expected = expected_progress(campaign, None)
    assert due["total"] == sum(v["total"] for (u, _p), v in expected.items() if u == unit.pk)
    assert all(s.unit == unit for s in due["due"])
    coverage = response.context["unit_coverage"]
    if role == "staff":
        held = {a.post_id for a in user.assignments.all()}
        assert coverage["posts"] == len(held)
    else:
        posts, covered, points, complete = expected_coverage(campaign)[unit.pk]
        assert (coverage["posts"], coverage["covered"], coverage["points"], coverage["complete"]) == (
            posts,
            covered,
            points,
            complete,
        )
        heat = response.context["heatmap"]
        assert heat["total"] == RiskPoint.objects.filter(campaign=campaign, unit=unit).count()
        assert heat["total"] != RiskPoint.objects.filter(campaign=campaign).count()
        assert f"unit={unit.pk}&amp;category=" in html


def test_staff_sees_their_own_forms_and_the_days_left(campaign, reviewer, unit, post, staff, as_user):
    grow(campaign, reviewer, units=1, posts_per_unit=2, unit=unit)
    form = RiskForm.objects.create(campaign=campaign, unit=unit, kind=FormKind.PERSONAL, post=post, state="returned")
    others = RiskForm.objects.filter(unit=unit, kind=FormKind.PERSONAL).exclude(post=post)
    others.update(state=FormState.RETURNED)  # other posts' returned forms are not the staff member's business
    response = as_user(staff).get(reverse("dashboard"))
    html = response.content.decode()
    assert [f.pk for f in response.context["my_forms"]] == [form.pk]
    assert [f.pk for f in response.context["returned"]["forms"]] == [form.pk]  # not the other posts' returned forms
    assert others.filter(state="returned").exists()
    assert reverse("risks:form-detail", args=[form.pk]) in html
    # Deadlines read 还剩 N 天 / 已逾期 N 天 (the demo dates lie in 2010, so everything still open is overdue).
    assert "已逾期" in html


def test_unit_manager_sees_returned_forms_of_the_unit_with_the_comment(campaign, reviewer, unit, unit_contact, as_user):
    grow(campaign, reviewer, units=1, posts_per_unit=5, unit=unit)
    returned = RiskForm.objects.filter(unit=unit, state=FormState.RETURNED)
    form = returned.first()
    form.events.create(action="return", from_state="confirmed", to_state="returned", comment="请补充中期监控措施")
    response = as_user(unit_contact).get(reverse("dashboard"))
    block = response.context["returned"]
    assert block["count"] == returned.count() > 0
    assert block["url"] == reverse("risks:form-list") + "?state=returned"
    assert "请补充中期监控措施" in response.content.decode()


def test_unit_not_in_the_current_campaign_gets_a_clear_message(campaign, unit_leader, as_user):
    response = as_user(unit_leader).get(reverse("dashboard"))
    assert response.status_code == 200
    assert 'data-testid="dash-not-in-campaign"' in response.content.decode()


def test_no_campaign_yet(school_leader, as_user):
    response = as_user(school_leader).get(reverse("dashboard"))
    assert 'data-testid="dash-no-campaign"' in response.content.decode()


@pytest.mark.parametrize(
    "role, status",
    [("school_leader", 200), ("reviewer", 200), ("admin_user", 200), ("unit_leader", 404), ("staff", 404)],
)
def test_risk_distribution_page_is_for_the_office_side(request, role, status, campus, as_user):
    response = as_user(request.getfixturevalue(role)).get(reverse("dashboard-risks"))
    assert response.status_code == status
    if status == 200:
        rows = response.context["unit_levels"]["rows"]
        for row in rows:
            assert row["total"] == RiskPoint.objects.filter(campaign=campus, unit=row["unit"]).count()


def test_navigation_points_leaders_and_reviewers_to_the_risk_distribution(school_leader, reviewer, staff):
    from portal.navigation import nav_for

    url = reverse("dashboard-risks")
    assert url in [i["url"] for i in nav_for(school_leader)]
    assert url in [i["url"] for i in nav_for(reviewer)]
    assert url not in [i["url"] for i in nav_for(staff)]


def test_chart_data_carries_chinese_labels_and_server_side_urls(campus):
    chart = dashboards.heatmap_block(campaign=campus)["chart"]
    assert chart["x"] == ["一级", "二级", "三级"]
    assert chart["y"] == ["岗位职责风险", "业务流程风险", "制度机制风险", "外部环境风险"]
    assert all(c["url"].startswith(reverse("risks:point-list") + "?category=") for c in chart["cells"])
    bars = dashboards.key_area_block(campaign=campus)["chart"]
    assert bars["categories"][0] == "行政管理"
    assert len(bars["urls"]) == len(bars["values"]) == 6


def test_campus_figures_are_read_fresh_without_a_cache_and_a_write_shows_at_once(
    campus, reviewer, school_leader, as_user, settings
):
    """Issue 12: no data-version cache and no cached HTML. A repeat view issues the same queries as the first, and a
    submission accepted through the services shows on the very next view, in the language asked for."""
    from django.core.cache import cache

    cache.clear()
    client = as_user(school_leader)
    first, _ = queries(lambda: client.get(reverse("dashboard")))
    again, response = queries(lambda: client.get(reverse("dashboard")))
    assert again == first
    before = dashboards.progress_block(campaign=campus, today=TODAY)["accepted"]
    submission = Submission.objects.filter(
        deliverable__phase__campaign=campus, state=SubmissionState.SUBMITTED, unit__in=campus.units.all()
    ).first()
    schedule_services.submission_accept(actor=reviewer, submission=submission, version=submission.version)
    response = client.get(reverse("dashboard"))
    assert response.context["progress"]["accepted"] == before + 1
    assert "类别 × 等级" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("dashboard")).content.decode()
    assert "类别 × 等级" not in english and "Category × level" in english


def test_campus_tables_show_the_units_furthest_behind_and_link_to_the_rest(campus, school_leader, as_user, monkeypatch):
    monkeypatch.setattr(dashboards, "FOCUS_UNITS", 3)
    body = as_user(school_leader).get(reverse("dashboard")).content.decode()
    assert body.count('data-testid="progress-row"') == 3
    assert body.count('data-testid="coverage-row"') == 3
    assert "逾期最多的 3 个单位（共 7 个）" in body
    block = dashboards.progress_block(campaign=campus, today=TODAY)
    shown = [r["overdue"] for r in block["focus_rows"]]
    assert shown == sorted(shown, reverse=True)
    assert min(shown) >= max(r["overdue"] for r in block["rows"] if r not in block["focus_rows"])


def test_the_menu_marks_one_item_the_one_whose_page_is_open(reviewer):
    """/units/role-changes/ lies under /units/ too: only 角色变更 is marked, not 单位 as well."""
    from portal.navigation import nav_for

    active = [i["label"] for i in nav_for(reviewer, "/units/role-changes/") if i["active"]]
    assert [str(label) for label in active] == ["角色变更"]
    assert [str(i["label"]) for i in nav_for(reviewer, "/units/") if i["active"]] == ["单位"]
    assert not [i for i in nav_for(reviewer, "/nowhere/") if i["active"]]
