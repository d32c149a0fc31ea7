"""In real headless Chromium, the measures phase end to end (R7, R8):

a unit contact adds a measure in each of the three stages on the unit measures page (htmx, in place), generates
the draft 实施细则, opens publicity; an anonymous reader comments on the public page; the contact answers; the
window's end is moved into the past through the ORM (the design keeps the window binding: a contact cannot
cut publicity short, only withdraw it); the contact submits and a reviewer approves.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from measures.models import ImplementationRules, Measure, RulesComment, RulesState
from risks.models import RiskPoint, RiskScope
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


DEMO_PASSWORD = "demo12345"  # the factories' password


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()


@pytest.fixture
def point(unit, post):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit])
    point = RiskPoint.objects.create(
        campaign=campaign,
        unit=unit,
        office=post.office,
        scope=RiskScope.POST,
        name="资金支付与账户印鉴",
        manifestation="印鉴由一人掌握，大额资金未经审批即支付。",
        category="system",
        level=1,
    )
    point.posts.set([post])
    return point


STAGE_TEXT = {
    "pre": "印章分人保管，网银制单与复核分设",
    "mid": "银行对账由非出纳人员每月完成",
    "post": "发现挪用公款立即停职并移送司法机关",
}


def test_contact_adds_measures_publicises_rules_reader_comments_reviewer_approves(
    page, browser, live_server, point, unit_contact, reviewer
):
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The contact adds one measure in each stage, in place (R7).
    login(page, live_server, unit_contact.username)
    page.goto(f"{live_server.url}/measures/unit/{point.unit.code}/")
    expect(page.get_by_test_id("blocking-gaps")).to_contain_text("资金支付与账户印鉴")
    card = page.get_by_test_id(f"point-measures-{point.pk}")
    for stage, text in STAGE_TEXT.items():
        section = card.get_by_test_id(f"stage-{stage}")
        section.locator("summary").click()
        form = section.get_by_test_id(f"add-{stage}")
        form.locator("textarea[name=content]").fill(text)
        form.locator("input[name=responsible]").fill("会计核算科")
        form.get_by_role("button", name="添加").click()
        expect(card.get_by_test_id(f"stage-{stage}").get_by_test_id("measure")).to_contain_text(text)
    assert Measure.objects.filter(risk_point=point).count() == 3
    page.reload()
    expect(page.get_by_test_id("completeness")).to_contain_text("三个阶段均已制定措施")

    # 2. The draft is generated from the points and measures, saved, and publicised (R8).
    page.goto(f"{live_server.url}/measures/rules/")
    page.get_by_test_id("rules-create").click()
    expect(page.locator("#rules-body")).to_have_value(
        re.compile("资金支付与账户印鉴[\\s\\S]*银行对账由非出纳人员每月完成")
    )
    page.get_by_test_id("rules-save").click()
    expect(page.get_by_test_id("rules-state")).to_have_text("草稿")
    page.get_by_test_id("publicise-form").locator("input[name=publicity_scope]").fill("处务公开栏+校园网")
    page.get_by_test_id("publicise-submit").click()
    expect(page.get_by_test_id("rules-state")).to_have_text("公示中")
    expect(page.get_by_test_id("submit-problems")).to_contain_text("公示期尚未结束")
    public_url = page.get_by_test_id("public-link").get_attribute("href")

    # 3. An anonymous reader comments while the window is open.
    reader = browser.new_context(locale="zh-CN")
    public = reader.new_page()
    public.goto(f"{live_server.url}{public_url}")
    expect(public.get_by_test_id("public-body")).to_contain_text("发现挪用公款立即停职并移送司法机关")
    public.fill("#c-content", "建议写明银行对账的具体时限。")
    public.get_by_test_id("comment-submit").click()
    expect(public.get_by_role("alert")).to_contain_text("您的意见已提交")
    reader.close()
    assert RulesComment.objects.filter(author_name="").count() == 1

    # 4. The contact answers the comment in place.
    page.reload()
    comments = page.get_by_test_id("rules-comments")
    expect(comments).to_contain_text("建议写明银行对账的具体时限。")
    comments.locator("textarea[name=answer]").fill("已采纳，第二章写明每月5日前完成对账。")
    comments.get_by_test_id("answer-submit").click()
    expect(page.get_by_test_id("rules-comments")).to_contain_text("已采纳，第二章写明每月5日前完成对账。")

    # 5. The window runs out (moved into the past here), then the contact submits.
    rules_doc = ImplementationRules.objects.get()
    now = timezone.now()
    ImplementationRules.objects.filter(pk=rules_doc.pk).update(
        publicity_start=now - timedelta(days=5), publicity_end=now - timedelta(minutes=1)
    )
    page.reload()
    expect(page.get_by_test_id("submit-problems")).to_have_count(0)
    page.get_by_test_id("rules-submit").click()
    expect(page.get_by_test_id("rules-state")).to_have_text("已提交")

    # 6. A reviewer approves.
    page.get_by_role("button", name="退出").click()
    login(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/measures/rules/{rules_doc.pk}/")
    page.get_by_test_id("rules-approve").click()
    expect(page.get_by_test_id("rules-state")).to_have_text("已通过")
    expect(page.get_by_test_id("rules-timeline")).to_contain_text("审核通过")
    rules_doc.refresh_from_db()
    assert rules_doc.state == RulesState.APPROVED and rules_doc.approved_by == reviewer
    assert not csp_errors, csp_errors
