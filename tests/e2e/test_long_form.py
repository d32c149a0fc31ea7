"""In headless Chromium: a unit's 附表1 of 60 rows shows 50 a page; on the second page the contact deletes a row and
edits another in place (htmx), and the table stays on that page with its numbers of the whole form."""

import pytest
from playwright.sync_api import expect

from risks import services
from risks.models import RiskPoint
from tests.factories import CampaignFactory
from tests.risks.test_views import _fill

from .test_risk_form_flow import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_long_form_pages_and_its_rows_change_in_place_on_the_second_page(page, live_server, unit, unit_contact):
    page.on("dialog", lambda dialog: dialog.accept())
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit])
    _fill(campaign, unit, 60)
    form = services.unit_form(campaign=campaign, unit=unit)

    login(page, live_server, unit_contact.username)
    page.goto(f"{live_server.url}/risks/forms/{form.pk}/")
    rows = page.get_by_test_id("point-row")
    expect(rows).to_have_count(50)
    expect(page.get_by_test_id("row-range")).to_have_text("第 1–50 行，共 60 行")
    page.get_by_role("link", name="下一页").click()
    expect(rows).to_have_count(10)
    expect(rows.first.locator("td").first).to_have_text("51")

    # Delete row 51 in place: the table comes back on page 2, renumbered.
    first = rows.first
    doomed = int(first.get_attribute("data-point"))
    first.get_by_test_id("delete-point").click()
    expect(page.get_by_test_id("row-range")).to_have_text("第 51–59 行，共 59 行")
    expect(page.locator(f"#point-{doomed}")).to_have_count(0)
    assert not RiskPoint.objects.filter(pk=doomed).exists()
    assert "page=2" in page.url  # no full page load happened

    # Edit the (new) row 51 in place.
    row = rows.first
    target = row.get_attribute("data-point")
    row.get_by_test_id("edit-point").click()
    editor = page.locator(f"#point-{target}-form [data-testid=point-form]")
    expect(editor).to_be_visible()
    editor.locator("[name=name]").fill("第二页上改过的风险点")
    editor.get_by_test_id("save-point").click()
    expect(page.locator(f"#point-{target}")).to_contain_text("第二页上改过的风险点")
    expect(page.get_by_test_id("row-range")).to_have_text("第 51–59 行，共 59 行")
    assert RiskPoint.objects.get(pk=target).name == "第二页上改过的风险点"
    assert console_errors == []
