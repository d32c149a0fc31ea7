"""In real headless Chromium: a unit staff member logs in, sees the unit page, switches language."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username, password="demo12345"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("login-submit").click()


def test_staff_logs_in_sees_unit_page_and_switches_language(page, live_server, staff, post, unit_leader):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    login(page, live_server, staff.username)
    expect(page.get_by_test_id("current-user")).to_contain_text("张某")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.goto(f"{live_server.url}/units/{post.unit.code}/")
    expect(page.get_by_test_id("unit-name")).to_contain_text("财务处")
    expect(page.locator("main")).to_contain_text(post.name)
    expect(page.locator("main")).to_contain_text(unit_leader.full_name)
    assert "登录" not in page.title()
    assert "廉政风险防范管理系统" in page.title()

    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/units/{post.unit.code}/")
    expect(page.get_by_test_id("lang-switch")).to_have_text("中文")
    expect(page.locator("nav")).to_contain_text("Log out")
    assert "Integrity Risk" in page.title()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_wrong_password_gives_a_clear_chinese_message(page, live_server, staff):
    login(page, live_server, staff.username, password="wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")


def test_other_units_page_is_not_found_in_the_browser(page, live_server, other_staff, unit):
    login(page, live_server, other_staff.username)
    response = page.goto(f"{live_server.url}/units/{unit.code}/")
    assert response.status == 404
