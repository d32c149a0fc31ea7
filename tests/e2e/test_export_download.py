"""In real headless Chromium: the unit contact opens 附表1 and downloads it as Excel and as PDF; a reviewer runs a
bulk export and watches the progress bar reach the download link."""

import io
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.risks.test_exports import build_forms

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username, password="demo12345"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def test_contact_downloads_the_unit_form_in_both_formats(page, live_server, unit, post, staff, unit_contact, tmp_path):
    _campaign, unit_form, _personal = build_forms(unit, post=post)
    login(page, live_server, unit_contact.username)
    page.goto(f"{live_server.url}/risks/forms/{unit_form.pk}/")

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert download.suggested_filename == "附表1_财务处_2010.xlsx"
    xlsx = tmp_path / "a1.xlsx"
    download.save_as(xlsx)
    ws = load_workbook(xlsx).active
    assert ws["A2"].value == "财务处部门廉政风险识别防控表"

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 PDF").click()
    download = info.value
    assert download.suggested_filename == "附表1_财务处_2010.pdf"
    pdf = tmp_path / "a1.pdf"
    download.save_as(pdf)
    text = "".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "财务处部门廉政风险识别防控表" in text and "票据审核不严" in text


def test_reviewer_runs_a_bulk_export_and_downloads_the_zip(
    page, live_server, unit, post, staff, reviewer, data_dir, tmp_path
):
    campaign, _unit_form, _personal = build_forms(unit, post=post)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/risks/exports/")
    page.select_option("#id_campaign", str(campaign.pk))
    page.get_by_role("button", name="开始导出").click()
    job = page.get_by_test_id("export-job")
    expect(job).to_have_attribute("data-state", "done", timeout=30_000)
    expect(page.locator(".progress")).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as info:
        page.get_by_test_id("export-download").click()
    path = tmp_path / "all.zip"
    info.value.save_as(path)
    assert info.value.suggested_filename.endswith(".zip") and "防控表导出" in info.value.suggested_filename
    names = zipfile.ZipFile(path).namelist()
    assert "附表1/附表1_财务处_2010.pdf" in names and "风险点汇总表_2010.xlsx" in names
    register = load_workbook(io.BytesIO(zipfile.ZipFile(path).read("风险点汇总表_2010.xlsx"))).active
    assert register["A3"].value == "单位"
    assert not [e for e in errors if "Content Security Policy" in e], errors
