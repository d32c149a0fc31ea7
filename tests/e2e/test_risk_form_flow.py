"""In headless Chromium: a personal form (附表2) goes the whole way — filled with two risk points in place,
submitted, confirmed after the special meeting (R4), returned by the office with a comment, fixed and resubmitted,
confirmed and approved; a later edit (in a new version) leaves the approved snapshot as it was."""

import re

import pytest
from playwright.sync_api import expect

from risks.models import FormSnapshot, FormState, RiskForm
from risks.services import forms_open_for_units
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def add_point(page, *, matter, name, manifestation, category, level):
    page.get_by_test_id("add-point").click()
    form = page.locator("#new-row-slot [data-testid=point-form]")
    expect(form).to_be_visible()
    form.locator("[name=business_step]").fill(matter)
    form.locator("[name=name]").fill(name)
    form.locator("[name=manifestation]").fill(manifestation)
    form.get_by_label(category).check()
    form.get_by_label(re.compile(f"^{level} — ")).check()
    form.get_by_test_id("save-point").click()
    expect(page.locator("#form-rows")).to_contain_text(name)


def state_badge(page):
    return page.get_by_test_id("form-state")


def test_personal_form_from_draft_to_approved_and_snapshot_survives_later_edits(
    page, live_server, unit, post, staff, unit_leader, reviewer
):
    page.on("dialog", lambda dialog: dialog.accept())
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit])
    forms_open_for_units(campaign=campaign, unit_ids=[unit.pk])  # what starting the campaign does

    # The staff member finds the form of the post they hold and fills it in place (htmx).
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/risks/my/")
    page.get_by_test_id("form-link").first.click()
    expect(page.get_by_test_id("form-title")).to_contain_text("个人廉政风险识别防控表")
    expect(state_badge(page)).to_have_text("草稿")
    url = page.url
    add_point(
        page,
        matter="现金收付与银行存取",
        name="现金坐支",
        manifestation="营业款不及时解缴，坐支现金。",
        category="制度机制风险",
        level="一级",
    )
    add_point(
        page,
        matter="网银支付",
        name="网银U盾保管",
        manifestation="U盾与密码由一人掌握。",
        category="岗位职责风险",
        level="二级",
    )
    expect(page.get_by_test_id("point-row")).to_have_count(2)

    # An error comes back next to its field, in Chinese.
    page.get_by_test_id("add-point").click()
    form = page.locator("#new-row-slot [data-testid=point-form]")
    form.locator("[name=name]").fill("不完整")
    form.get_by_test_id("save-point").click()
    expect(page.locator("[data-testid=error-manifestation]")).to_contain_text("必填")
    page.goto(url)
    expect(page.get_by_test_id("point-row")).to_have_count(2)

    page.locator("summary", has_text="提交").click()
    page.get_by_label("我已阅读并作出上述个人廉政承诺").check()
    page.get_by_test_id("submit-form").click()
    expect(state_badge(page)).to_have_text("已提交")
    expect(page.get_by_test_id("add-point")).to_have_count(0)

    # The unit leader records the special meeting and confirms (R4).
    login(page, live_server, unit_leader.username)
    page.goto(url)
    page.locator("summary", has_text="确认并报送").click()
    confirm = page.get_by_test_id("confirm-form")
    confirm.locator("[name=date]").fill("2010-06-03")
    confirm.locator("[name=attendees]").fill("处长、副处长、各科科长")
    confirm.locator("[name=minutes]").fill("逐条评估了出纳岗位的风险点。")
    confirm.locator("[name=confirmation_text]").fill("经班子研究，同意上报。")
    confirm.get_by_test_id("confirm-submit").click()
    expect(state_badge(page)).to_have_text("已确认")

    # The reviewer returns it with a comment.
    login(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/reviews/queue/")
    expect(page.get_by_test_id("queue-form")).to_have_count(1)
    page.goto(url)
    page.locator("summary", has_text="退回").click()
    page.get_by_test_id("return-form").locator("[name=comment]").fill("请写明网银U盾的具体保管风险。")
    page.get_by_test_id("return-submit").click()
    expect(state_badge(page)).to_have_text("已退回")

    # The staff member sees why, fixes the row in place and resubmits.
    login(page, live_server, staff.username)
    page.goto(url)
    expect(page.get_by_test_id("return-comment")).to_contain_text("请写明网银U盾的具体保管风险")
    row = page.get_by_test_id("point-row").filter(has_text="网银U盾保管")
    row.get_by_test_id("edit-point").click()
    edit = page.locator("tr.lz-edit-row [data-testid=point-form]")
    edit.locator("[name=manifestation]").fill("U盾与支付密码由出纳一人保管，可单独完成大额支付。")
    edit.get_by_test_id("save-point").click()
    expect(page.locator("#form-rows")).to_contain_text("可单独完成大额支付")
    page.locator("summary", has_text="提交").click()
    page.get_by_label("我已阅读并作出上述个人廉政承诺").check()
    page.get_by_test_id("submit-form").click()
    expect(state_badge(page)).to_have_text("已提交")

    # Confirmed again (the meeting already on record) and approved from the queue.
    login(page, live_server, unit_leader.username)
    page.goto(url)
    page.locator("summary", has_text="确认并报送").click()
    confirm = page.get_by_test_id("confirm-form")
    confirm.locator("[name=meeting]").select_option(index=1)
    confirm.locator("[name=confirmation_text]").fill("修改后经班子确认，同意上报。")
    confirm.get_by_test_id("confirm-submit").click()
    expect(state_badge(page)).to_have_text("已确认")

    login(page, live_server, reviewer.username)
    page.goto(url)
    page.get_by_test_id("approve").click()
    expect(state_badge(page)).to_have_text("已通过")

    form = RiskForm.objects.get(post=post)
    assert form.state == FormState.APPROVED
    frozen = FormSnapshot.objects.get(form=form, revision=1).content

    # Later: the holder starts a new version and changes the post's point; the approved version stays as it was.
    login(page, live_server, staff.username)
    page.goto(url)
    page.get_by_test_id("reopen").click()
    expect(state_badge(page)).to_have_text("草稿")
    expect(page.get_by_test_id("form-revision")).to_have_text("第 2 版")
    page.get_by_test_id("point-row").filter(has_text="现金坐支").get_by_test_id("edit-point").click()
    edit = page.locator("tr.lz-edit-row [data-testid=point-form]")
    edit.locator("[name=name]").fill("现金坐支与白条抵库")
    edit.get_by_test_id("save-point").click()
    expect(page.locator("#form-rows")).to_contain_text("现金坐支与白条抵库")

    page.get_by_test_id("snapshot-link").first.click()
    expect(page.get_by_test_id("snapshot-table")).to_contain_text("现金坐支")
    expect(page.get_by_test_id("snapshot-table")).not_to_contain_text("白条抵库")
    expect(page.get_by_test_id("snapshot-table")).to_contain_text("可单独完成大额支付")
    assert FormSnapshot.objects.get(form=form, revision=1).content == frozen
    assert not csp_errors, csp_errors
