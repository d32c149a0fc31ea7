"""In real headless Chromium: a school leader opens the dashboard, every chart renders (SVG from the vendored ECharts,
no CSP or script errors), and clicking the heat-map cell 一级 × 业务流程风险 opens the risk-point list filtered to
exactly those points."""

import datetime

import pytest
from playwright.sync_api import expect

from lianzheng import figures
from reviews.models import Complaint, ComplaintState
from reviews.schedule import services as schedule_services
from risks.models import RiskPoint
from tests.factories import CampaignFactory, PostFactory
from units.models import Phase

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-progress", "chart-heatmap", "chart-keyareas", "chart-complaints"]


def login(page, live_server, username, password="demo12345"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("login-submit").click()


@pytest.fixture
def campus(unit, other_unit, reviewer):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010, batch=1)
    campaign.units.set([unit, other_unit])
    start = datetime.date(2010, 5, 20)
    for i, kind in enumerate(["prepare", "identify", "measures", "inspect"]):
        Phase.objects.create(
            campaign=campaign,
            kind=kind,
            start=start + datetime.timedelta(days=10 * i),
            end=start + datetime.timedelta(days=10 * i + 9),
        )
    schedule_services.deliverables_create_defaults(actor=reviewer, campaign=campaign)
    posts = [
        PostFactory(unit=u, name=f"岗位{i}", key_area=area)
        for i, (u, area) in enumerate([(unit, "finance"), (unit, "personnel"), (other_unit, "equipment")])
    ]
    # 3 points 业务流程风险 × 一级 in two units, and others around them in the same row and column.
    specs = [("process", 1)] * 3 + [("process", 2), ("duty", 1), ("duty", 3), ("external", 2)]
    for i, (category, level) in enumerate(specs):
        point = RiskPoint.objects.create(
            campaign=campaign,
            unit=unit if i % 2 == 0 else other_unit,
            name=f"风险点{i}",
            manifestation="表现",
            category=category,
            level=level,
        )
        point.posts.add(posts[i % 3])
    for i, state in enumerate([ComplaintState.RECEIVED, ComplaintState.CHECKING, ComplaintState.CLOSED]):
        Complaint.objects.create(year=2010, unit=unit, content="举报", state=state, query_code_hash=f"e2e{i}")
    figures.rebuild_all()  # the rows above bypass the services that keep the dashboard's figures
    return campaign


def test_leader_sees_the_charts_and_clicks_the_heatmap_cell_to_the_filtered_list(
    page, live_server, campus, school_leader
):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"JS error: {error}"))
    login(page, live_server, school_leader.username)
    expect(page.get_by_test_id("dash-heatmap")).to_be_visible()

    for name in CHARTS:
        chart = page.get_by_test_id(name)
        expect(chart).to_have_attribute("data-rendered", "true")
        expect(chart.locator("svg").first).to_be_visible()
        assert chart.locator("svg path").count() > 0, name
    # The labels are Chinese text in the SVG (the font stack renders them; no boxes in the screenshots).
    expect(page.get_by_test_id("chart-heatmap").locator("svg")).to_contain_text("业务流程风险")
    expect(page.get_by_test_id("chart-heatmap").locator("svg")).to_contain_text("一级")

    # The cell's centre in page coordinates, from the chart's own axes: x = 一级 (0), y = 业务流程风险 (1).
    x, y = page.evaluate(
        """() => {
            const el = document.querySelector('[data-testid="chart-heatmap"]');
            const [cx, cy] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [0, 1]);
            const box = el.getBoundingClientRect();
            return [box.left + cx, box.top + cy];
        }"""
    )
    # What sits there is the cell itself: an SVG shape of the chart, carrying the number 3.
    hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('svg') !== null", [x, y])
    assert hit
    page.mouse.click(x, y)

    page.wait_for_url("**/risks/points/?category=process&level=1")
    expected = RiskPoint.objects.filter(campaign=campus, category="process", level=1)
    expect(page.get_by_test_id("point-count")).to_have_text(f"({expected.count()})")
    rows = page.get_by_test_id("point-list-row")
    expect(rows).to_have_count(3)
    assert sorted(rows.locator("td.fw-semibold").all_inner_texts()) == sorted(p.name for p in expected)
    expect(page.locator("#id_category")).to_have_value("process")
    expect(page.locator("#id_level")).to_have_value("1")

    assert not [p for p in problems if "Content Security Policy" in p or "JS error" in p], problems
    assert not problems, problems


def test_key_area_bar_opens_the_filtered_list(page, live_server, campus, school_leader):
    login(page, live_server, school_leader.username)
    chart = page.get_by_test_id("chart-keyareas")
    expect(chart).to_have_attribute("data-rendered", "true")
    # 财务管理 is the fourth key area (index 3); the bar's far end is at its value.
    x, y = page.evaluate(
        """() => {
            const el = document.querySelector('[data-testid="chart-keyareas"]');
            const chart = echarts.getInstanceByDom(el);
            const [x0, y0] = chart.convertToPixel({seriesIndex: 0}, [0, 3]);
            const [x1] = chart.convertToPixel({seriesIndex: 0}, [2, 3]);
            const box = el.getBoundingClientRect();
            return [box.left + (x0 + x1) / 2, box.top + y0];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/risks/points/?key_area=finance")
    expect(page.get_by_test_id("point-count")).to_have_text("(3)")


def test_data_tables_are_there_for_screen_readers_and_print(page, live_server, campus, school_leader):
    login(page, live_server, school_leader.username)
    page.get_by_text("查看数据表").nth(1).click()
    cell = page.get_by_test_id("heatmap-cell-process-1")
    expect(cell).to_have_text("3")
    # Printing opens every data table.
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("() => [...document.querySelectorAll('details.lz-chart-data')].every(d => d.open)")
