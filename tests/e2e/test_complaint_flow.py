"""In real headless Chromium, a complaint end to end (DESIGN §5 Complaint, R9):

an anonymous visitor files a complaint against a key post and keeps the query code; a reviewer takes it in hand and
verifies it; the visitor sees the new stage with the code; a second verified complaint on the same key post makes a
yellow-card proposal appear for the reviewer.
"""

import pytest
from playwright.sync_api import expect

from reviews import services
from reviews.models import Complaint, ComplaintState, YellowCard
from tests.factories import AssignmentFactory, PostFactory, UserFactory
from units.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo12345"  # what tests.factories.UserFactory sets


def login(page, live_server, username, password=DEMO_PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("login-submit").click()


def reviewer_verifies(page, live_server, complaint):
    page.goto(f"{live_server.url}/reviews/complaints/{complaint.pk}/")
    if complaint.state == ComplaintState.RECEIVED:
        page.get_by_test_id("action-check").click()
        expect(page.get_by_test_id("complaint-state")).to_have_text("初核中")
    page.get_by_label("核查情况").fill("经初步核实，反映问题属实。")
    page.get_by_label("答复举报人(举报人凭查询码可见)").fill("您反映的问题经核查属实，正在处理。")
    page.get_by_test_id("action-verify").click()  # asks for confirmation (accepted below)
    expect(page.get_by_test_id("complaint-state")).to_have_text("已查实")


def test_anonymous_complaint_is_verified_followed_by_code_and_leads_to_a_yellow_card(
    page, browser, live_server, unit, office, reviewer
):
    head = PostFactory(unit=unit, office=office, name="核算科科长", is_key=True)
    AssignmentFactory(post=head, user=UserFactory(username="head", role=Role.STAFF, unit=unit))
    key_post = PostFactory(unit=unit, office=office, name="报销审核会计", is_key=True, reports_to=head)
    errors = []

    # 1. an anonymous visitor files a complaint and keeps the code
    visitor = browser.new_context(locale="zh-CN")
    public = visitor.new_page()
    public.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    public.goto(f"{live_server.url}/reviews/complaints/new/")
    public.get_by_label("被举报单位").select_option(label=unit.name)
    expect(public.locator("#id_post option")).to_have_count(3)  # htmx narrowed the list: 不确定 + two posts
    public.get_by_label("被举报岗位(可选)").select_option(label=key_post.name)
    public.get_by_label("举报内容").fill("反映报销审核会计对熟人的不合规票据予以放行，并收受好处。")
    public.get_by_role("button", name="提交举报").click()
    code = public.get_by_test_id("query-code").inner_text().strip()
    assert len(code.replace("-", "")) >= 16
    assert code not in public.url

    # 2. a reviewer verifies it
    complaint = Complaint.objects.get()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, reviewer.username)
    reviewer_verifies(page, live_server, complaint)

    # 3. the visitor sees the new stage with the code
    public.goto(f"{live_server.url}/reviews/complaints/status/")
    public.get_by_label("查询码").fill(code)
    public.get_by_role("button", name="查询").click()
    expect(public.get_by_test_id("status-stage")).to_have_text("已查实")
    expect(public.get_by_test_id("status-reply")).to_contain_text("经核查属实")
    expect(public.locator("main")).not_to_contain_text("收受好处")
    public.get_by_label("查询码").fill("WRONG-CODE-0000-0000")
    public.get_by_role("button", name="查询").click()
    expect(public.get_by_test_id("not-found")).to_be_visible()

    # 4. a second verified complaint on the same key post: the yellow-card proposal appears
    second, _ = services.complaint_submit(
        unit=unit, post=key_post, content="来信反映报销审核会计拖延审核并索要好处。", anonymous=True
    )
    reviewer_verifies(page, live_server, second)
    expect(page.locator(".alert-success")).to_contain_text("黄牌警告建议")
    page.goto(f"{live_server.url}/reviews/yellow-cards/")
    row = page.get_by_test_id("card-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(key_post.name)
    expect(row.get_by_test_id("card-state")).to_have_text("系统建议")
    assert YellowCard.objects.get().post == key_post
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("main")).to_contain_text("建议给予廉政风险黄牌警告")

    assert not [e for e in errors if "Content Security Policy" in e], errors
    visitor.close()
