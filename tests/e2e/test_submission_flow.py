"""In headless Chromium: a contact uploads the work plan, a reviewer returns it with a comment, the contact uploads
again, the reviewer accepts; the campaign matrix cell changes colour (class) and label each time."""

import datetime

import pytest
from playwright.sync_api import expect

from reviews.schedule import services as services
from reviews.schedule.models import Deliverable, Submission
from tests.factories import CampaignFactory
from units.models import Phase

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.get_by_test_id("login-submit").click()


@pytest.fixture
def schedule(unit, reviewer, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    today = datetime.date.today()
    campaign = CampaignFactory(name="本年度", year=today.year, batch=1)
    campaign.units.set([unit])
    # Dates are data: a campaign around today, so the work plan is due in a few days.
    start = today - datetime.timedelta(days=2)
    for i, kind in enumerate(["prepare", "identify", "measures", "inspect"]):
        Phase.objects.create(
            campaign=campaign,
            kind=kind,
            start=start + datetime.timedelta(days=10 * i),
            end=start + datetime.timedelta(days=10 * i + 9),
        )
    services.deliverables_create_defaults(actor=reviewer, campaign=campaign)
    return campaign


def _cell(page, live_server, unit, deliverable, campaign):
    page.goto(f"{live_server.url}/reviews/progress/?campaign={campaign.pk}")
    return page.get_by_test_id(f"cell-{unit.code}-{deliverable.pk}").locator("a")


def test_work_plan_upload_return_resubmit_accept(page, live_server, schedule, unit, unit_contact, reviewer, tmp_path):
    plan = Deliverable.objects.get(phase__campaign=schedule, name="工作方案")
    pdf = tmp_path / "工作方案.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% work plan\n%%EOF\n")

    login(page, live_server, unit_contact.username)
    page.goto(f"{live_server.url}/reviews/progress/{unit.code}/")
    row = page.get_by_test_id(f"row-{plan.pk}")
    expect(row).to_contain_text("还剩")
    row.get_by_role("link", name="报送").click()
    page.set_input_files("input[type=file]", str(pdf))
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("state")).to_have_text("已提交")

    login(page, live_server, reviewer.username)
    cell = _cell(page, live_server, unit, plan, schedule)
    expect(cell).to_have_class("badge lz-state lz-state-submitted text-decoration-none")
    cell.click()
    page.get_by_test_id("return-button").click()
    expect(page.locator("main")).to_contain_text("必须填写退回意见")
    page.fill("textarea[name=comment]", "请补充各阶段的时间安排")
    page.get_by_test_id("return-button").click()
    expect(page.get_by_test_id("state")).to_have_text("已退回")
    expect(_cell(page, live_server, unit, plan, schedule)).to_have_attribute("data-state", "returned")

    login(page, live_server, unit_contact.username)
    page.goto(f"{live_server.url}/reviews/progress/{unit.code}/d/{plan.pk}/")
    expect(page.get_by_test_id("review-comment")).to_have_text("请补充各阶段的时间安排")
    page.set_input_files("input[type=file]", str(pdf))
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("state")).to_have_text("已提交")

    login(page, live_server, reviewer.username)
    cell = _cell(page, live_server, unit, plan, schedule)
    expect(cell).to_have_attribute("data-state", "submitted")
    cell.click()
    page.get_by_test_id("accept-button").click()
    expect(page.get_by_test_id("state")).to_have_text("已通过")
    cell = _cell(page, live_server, unit, plan, schedule)
    expect(cell).to_have_class("badge lz-state lz-state-accepted text-decoration-none")
    expect(cell).to_have_text("已通过")
    assert Submission.objects.get(deliverable=plan).events.count() == 4
