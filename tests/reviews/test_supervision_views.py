"""Pages of supervision: public intake and status (rate limits, attachments, generic answers), the office's complaint
pages (who sees them, bounded queries), yellow cards, warnings, assessments and the unit panel — and, on every page
where a complaint shows, the reporter's identity stays hidden from everyone but the office."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from lianzheng.models import RateLimitHit
from reviews import services
from reviews.models import Complaint, ComplaintAttachment, ComplaintState, Grade, WarningKind, WarningTarget, YellowCard
from tests.reviews.conftest import REPORTER_CONTACT, REPORTER_NAME, make_complaint, verify

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def _post_complaint(client, unit, **extra):
    data = {"unit": unit.pk, "content": "反映某岗位在采购中收受供货商购物卡。", "anonymous": "1", **extra}
    return client.post(reverse("reviews:complaint-new"), data)


# --- public intake --------------------------------------------------------------------------------------------------
def test_anonymous_visitor_files_a_complaint_and_sees_the_code_once(client, unit, reviewer):
    page = client.get(reverse("reviews:complaint-new"))
    assert page.status_code == 200
    assert "网上信访举报" in page.content.decode()

    response = _post_complaint(client, unit, attachments=[_upload("证据.pdf", PDF)])

    assert response.status_code == 200
    code = response.context["code"]
    assert len(code.replace("-", "")) >= 16
    assert code in response.content.decode()
    assert "只显示这一次" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    complaint = Complaint.objects.get()
    assert (complaint.state, complaint.channel, complaint.anonymous) == ("received", "online", True)
    attachment = ComplaintAttachment.objects.get()
    assert attachment.original_name == "证据.pdf" and "证据" not in attachment.file.name
    assert default_storage.exists(attachment.file.name)
    # the next page never shows the code again
    assert code not in client.get(reverse("reviews:complaint-status")).content.decode()


def test_the_same_form_sent_twice_files_one_complaint_and_shows_the_same_code(client, unit, reviewer):
    """Issue 14 (14): a double click (the same form, with its one-time key, sent twice) files one complaint; the
    second answer shows the same query code, which finds the complaint on the status page."""
    import re

    page = client.get(reverse("reviews:complaint-new")).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    other_key = re.search(
        r'name="submission_key" value="([^"]+)"', client.get(reverse("reviews:complaint-new")).content.decode()
    ).group(1)
    assert len(key) >= 24 and key != other_key  # a new key with every blank form
    first = _post_complaint(client, unit, submission_key=key)
    second = _post_complaint(client, unit, submission_key=key)
    assert first.status_code == second.status_code == 200
    assert first.context["code"] == second.context["code"]
    assert Complaint.objects.count() == 1
    assert "已受理" in _status(client, second.context["code"]).content.decode()
    assert "已受理" not in _status(client, services.format_query_code(services.new_query_code())).content.decode()
    _post_complaint(client, unit, submission_key=other_key)
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.exe", b"MZ\x90\x00"),
        ("page.html", b"<html></html>"),
        ("fake.pdf", b"MZ not a pdf"),
        ("photo.png", b"GIF89a but called png"),
    ],
)
def test_attachment_of_a_wrong_type_is_refused_and_nothing_is_stored(client, unit, _media, name, content):
    response = _post_complaint(client, unit, attachments=[_upload(name, content)])
    assert response.status_code == 200
    assert "code" not in response.context
    assert "附件" in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()
    assert not any(Path(_media).rglob("*.*")) if Path(_media).exists() else True


def test_attachment_over_the_size_limit_is_refused_and_nothing_is_stored(client, unit, settings, _media):
    settings.UPLOAD_MAX_BYTES = 1024
    response = _post_complaint(client, unit, attachments=[_upload("big.pdf", PDF + b"0" * 2048)])
    assert "超过大小上限" in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()
    assert not any(Path(_media).rglob("*.*")) if Path(_media).exists() else True


def test_intake_is_rate_limited_per_client(client, unit, settings):
    settings.LIANZHENG_COMPLAINTS = {"INTAKE_LIMIT": 2, "INTAKE_WINDOW_SECONDS": 3600}
    assert _post_complaint(client, unit).status_code == 200
    assert _post_complaint(client, unit).status_code == 200
    refused = _post_complaint(client, unit)
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.content.decode()
    assert Complaint.objects.count() == 2


def test_named_complaint_without_a_name_is_refused(client, unit):
    response = _post_complaint(client, unit, anonymous="0")
    assert "实名举报请填写姓名" in response.content.decode()
    assert not Complaint.objects.exists()


# --- public status ----------------------------------------------------------------------------------------------------
def _status(client, code, **meta):
    return client.post(reverse("reviews:complaint-status"), {"code": code}, **meta)


def test_status_shows_only_the_stage_and_the_public_reply(client, unit, reviewer):
    complaint = make_complaint(unit=unit, state=ComplaintState.CHECKING)
    complaint.findings = "内部核查情况：涉及金额较大"
    complaint.public_reply = "正在核查，请耐心等待。"
    complaint.save()
    response = _status(client, services.format_query_code(complaint.plain_code).lower())
    body = response.content.decode()
    assert response.status_code == 200
    assert "初核中" in body and "正在核查，请耐心等待。" in body
    for hidden in ("内部核查情况", complaint.content, REPORTER_NAME, REPORTER_CONTACT, unit.name, complaint.plain_code):
        assert hidden not in body


def test_status_code_is_never_taken_from_the_url(client, unit):
    complaint = make_complaint(unit=unit)
    response = client.get(reverse("reviews:complaint-status") + f"?code={complaint.plain_code}")
    assert "status-result" not in response.content.decode()


def test_wrong_code_gets_the_same_generic_answer_whatever_exists(client, unit):
    def answer():
        response = _status(client, "ABCD-EFGH-JKLM-NPQR-STUV")
        return response.status_code, response.content.decode().replace(response.wsgi_request.META["CSRF_COOKIE"], "")

    empty_status, empty_body = answer()
    for _ in range(3):
        make_complaint(unit=unit)
    status, body = answer()
    assert status == empty_status == 200
    assert "未查到与该查询码对应的办理信息" in body
    assert body.count("未查到") == empty_body.count("未查到")
    assert "status-result" not in body
    # a too-short code gets the very same message
    assert "未查到与该查询码对应的办理信息" in _status(client, "123").content.decode()


def test_status_lookups_are_rate_limited_the_11th_is_refused(client, unit):
    complaint = make_complaint(unit=unit)
    for i in range(10):
        assert _status(client, f"WRONG-CODE-{i:04d}-XXXXXX").status_code == 200
    refused = _status(client, complaint.plain_code)  # even the right code, once the budget is spent
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "操作过于频繁" in body and "status-result" not in body
    assert refused["Retry-After"] == "600"
    # another client is not affected
    assert _status(client, complaint.plain_code, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_rate_limit_counts_per_client_address_in_the_database(client, unit):
    _status(client, "X" * 20, REMOTE_ADDR="10.1.1.1")
    assert RateLimitHit.objects.filter(key="complaint-status:ip:10.1.1.1").count() == 1


# --- the office's complaint pages ------------------------------------------------------------------------------------------
ROLES = ["admin_user", "reviewer", "school_leader", "unit_leader", "unit_contact", "staff", "other_staff"]
OFFICE = {"admin_user", "reviewer"}


@pytest.mark.parametrize("who", ROLES)
def test_complaint_pages_and_the_reporter_are_for_the_office_only(request, as_user, who, unit):
    complaint = make_complaint(unit=unit, anonymous=False)
    client = as_user(request.getfixturevalue(who))
    pages = [
        reverse("reviews:complaint-list"),
        reverse("reviews:complaint-detail", args=[complaint.pk]),
        reverse("reviews:complaint-export"),
    ]
    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        if who in OFFICE:
            assert response.status_code == 200
        else:
            assert response.status_code in (403, 404)
            assert REPORTER_NAME not in body and REPORTER_CONTACT not in body
    detail = client.get(pages[1]).content.decode()
    assert (REPORTER_NAME in detail) == (who == "reviewer")  # the identity: reviewers alone, not even admins


def test_export_leaves_the_reporter_out(as_user, reviewer, unit):
    make_complaint(unit=unit, anonymous=False)
    response = as_user(reviewer).get(reverse("reviews:complaint-export"))
    body = response.content.decode("utf-8-sig")
    assert "被举报单位" in body and unit.name in body
    assert REPORTER_NAME not in body and REPORTER_CONTACT not in body


def test_export_writes_formula_like_text_as_text(as_user, reviewer, unit):
    """Issue 14 (7): a CSV cell beginning with = + - @ gets a leading apostrophe, so a spreadsheet shows it as text."""
    import csv
    import io

    complaint = make_complaint(unit=unit, anonymous=False)
    type(complaint).objects.filter(pk=complaint.pk).update(disposition='=HYPERLINK("http://evil.example/","x")')
    body = as_user(reviewer).get(reverse("reviews:complaint-export")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][-1] == '\'=HYPERLINK("http://evil.example/","x")'
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_complaint_list_filters_and_sorts(as_user, reviewer, unit, other_unit):
    make_complaint(unit=unit, state=ComplaintState.CHECKING)
    make_complaint(unit=other_unit)
    client = as_user(reviewer)
    response = client.get(reverse("reviews:complaint-list"), {"unit": unit.code, "state": "checking", "sort": "-unit"})
    assert response.context["page_obj"].paginator.count == 1
    assert client.get(reverse("reviews:complaint-list"), {"channel": "letter"}).context["page_obj"].paginator.count == 0
    partial = client.get(reverse("reviews:complaint-list"), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "complaint-row" in partial.content.decode()


def test_complaint_list_queries_are_bounded(as_user, reviewer, unit, office, django_assert_num_queries):
    from tests.factories import PostFactory

    client = as_user(reviewer)
    url = reverse("reviews:complaint-list")

    def make(n):
        for _ in range(n):
            make_complaint(unit=unit, post=PostFactory(unit=unit, office=office))

    make(2)
    client.get(url)  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make(30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 32


@pytest.mark.parametrize("who", ROLES)
def test_who_may_move_a_complaint_through_the_page(request, as_user, who, unit):
    complaint = make_complaint(unit=unit)
    client = as_user(request.getfixturevalue(who))
    response = client.post(
        reverse("reviews:complaint-transition", args=[complaint.pk]), {"action": "check", "version": 1}
    )
    complaint.refresh_from_db()
    if who in OFFICE:
        assert response.status_code == 302
        assert complaint.state == ComplaintState.CHECKING
    else:
        assert response.status_code in (403, 404)
        assert (complaint.state, complaint.version) == (ComplaintState.RECEIVED, 1)


def test_reviewer_registers_a_letter_and_gets_a_code_to_pass_on(as_user, reviewer, unit):
    response = as_user(reviewer).post(
        reverse("reviews:complaint-register"),
        {
            "channel": "letter",
            "received_on": "2011-03-02",
            "unit": unit.pk,
            "content": "来信反映某岗位收受供货商购物卡。",
            "anonymous": "0",
            "reporter_name": "来信人",
        },
    )
    assert response.status_code == 200
    assert response.context["code"]
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.year, complaint.registered_by) == ("letter", 2011, reviewer)


@pytest.mark.parametrize("who", ROLES)
def test_attachments_are_served_only_to_the_office(request, as_user, who, unit):
    complaint, _ = services.complaint_submit(
        unit=unit, content="反映某岗位收受供货商购物卡。", anonymous=True, files=[_upload("a.pdf", PDF)]
    )
    attachment = complaint.attachments.get()
    response = as_user(request.getfixturevalue(who)).get(
        reverse("reviews:complaint-attachment", args=[complaint.pk, attachment.pk])
    )
    if who in OFFICE:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
    else:
        assert response.status_code in (403, 404)


# --- yellow cards, warnings, the unit panel: reporter identity stays hidden ------------------------------------------------
@pytest.fixture
def issued_card(unit, key_post, reviewer):
    for _ in range(2):
        verify(make_complaint(unit=unit, post=key_post, anonymous=False), reviewer)
    return services.yellow_card_issue(
        card=YellowCard.objects.get(),
        version=YellowCard.objects.get().version,
        actor=reviewer,
        document_no="校纪监发〔2011〕9号",
    )


@pytest.mark.parametrize("who", ROLES)
def test_yellow_card_page_never_shows_the_reporter(request, as_user, who, issued_card):
    response = as_user(request.getfixturevalue(who)).get(reverse("reviews:yellowcard-detail", args=[issued_card.pk]))
    body = response.content.decode()
    assert REPORTER_NAME not in body and REPORTER_CONTACT not in body
    if who in {"admin_user", "reviewer", "school_leader", "unit_leader"}:
        assert response.status_code == 200
        assert "校纪监发〔2011〕9号" in body
    else:
        assert response.status_code == 404


def test_yellow_card_proposal_page_lets_a_reviewer_issue(as_user, reviewer, unit, key_post, unit_leader):
    for _ in range(2):
        verify(make_complaint(unit=unit, post=key_post), reviewer)
    card = YellowCard.objects.get()
    client = as_user(reviewer)
    listing = client.get(reverse("reviews:yellowcard-list")).content.decode()
    assert key_post.name in listing and "系统建议" in listing
    response = client.post(
        reverse("reviews:yellowcard-issue", args=[card.pk]),
        {
            "version": card.version,
            "document_no": "校纪监发〔2011〕9号",
            "issued_on": "2011-10-10",
            "plan": "按季度报告。",
        },
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == "issued"
    assert client.get(reverse("reviews:supervision-detail", args=[card.supervision.pk])).status_code == 200


@pytest.mark.parametrize("who", ROLES)
def test_warning_page_shows_to_those_allowed_and_never_the_reporter(request, as_user, who, unit, reviewer, staff):
    complaint = verify(make_complaint(unit=unit, anonymous=False), reviewer)
    warning = services.warning_create(
        actor=reviewer,
        kind=WarningKind.TALK,
        target=WarningTarget.PERSON,
        unit=unit,
        person=staff,
        reason="存在苗头性问题。",
        complaints=[complaint],
    )
    response = as_user(request.getfixturevalue(who)).get(reverse("reviews:warning-detail", args=[warning.pk]))
    body = response.content.decode()
    assert REPORTER_NAME not in body and REPORTER_CONTACT not in body
    allowed = {"admin_user", "reviewer", "school_leader", "unit_leader", "staff"}
    assert response.status_code == (200 if who in allowed else 404)


def test_warning_list_is_scoped(as_user, unit, reviewer, staff, unit_contact, unit_leader, other_staff):
    services.warning_create(
        actor=reviewer, kind=WarningKind.TALK, target=WarningTarget.PERSON, unit=unit, person=staff, reason="x"
    )
    counts = {
        user.username: as_user(user).get(reverse("reviews:warning-list")).context["page_obj"].paginator.count
        for user in (reviewer, staff, unit_contact, unit_leader, other_staff)
    }
    assert counts == {"reviewer": 1, "caiwu_staff": 1, "caiwu_contact": 0, "caiwu_leader": 1, "shebei_staff": 0}


def _panel(user, unit):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load reviews_supervision %}{% unit_supervision unit %}").render(
        Context({"request": request, "unit": unit, "user": user})
    )


def test_unit_panel_shows_cards_and_warnings_to_those_allowed(
    issued_card, unit, reviewer, school_leader, unit_leader, unit_contact, other_staff, staff
):
    services.warning_create(
        actor=reviewer, kind=WarningKind.CAUTION, target=WarningTarget.PERSON, unit=unit, person=staff, reason="警示。"
    )
    for user in (reviewer, school_leader, unit_leader):
        html = _panel(user, unit)
        assert "校纪监发〔2011〕9号" in html and "警示提醒" in html
        assert REPORTER_NAME not in html and REPORTER_CONTACT not in html
    assert "警示提醒" in _panel(staff, unit) and "校纪监发" not in _panel(staff, unit)
    assert _panel(unit_contact, unit).strip() == ""
    assert _panel(other_staff, unit).strip() == ""


# --- assessments -------------------------------------------------------------------------------------------------------------
def test_assessment_page_says_why_the_grade_is_capped(as_user, issued_card, unit, reviewer, school_leader):
    response = as_user(reviewer).post(
        reverse("reviews:assessment-new"),
        {
            "unit": unit.pk,
            "year": 2011,
            "raw_score": "92",
            "ballots_issued": 60,
            "ballots_good": 32,
            "ballots_fairly_good": 14,
            "ballots_average": 8,
            "ballots_poor": 2,
            "ballots_invalid": 2,
        },
    )
    assert response.status_code == 302
    assessment = unit.assessments.get()
    assert assessment.final_grade == Grade.FAIRLY_GOOD
    body = as_user(school_leader).get(reverse("reviews:assessment-detail", args=[assessment.pk])).content.decode()
    assert "受限(R10)" in body and "黄牌警告" in body and "82.1%" in body


@pytest.mark.parametrize("who", ROLES)
def test_who_may_read_and_enter_assessments(request, as_user, who, unit, reviewer):
    assessment = services.assessment_save(actor=reviewer, unit=unit, year=2011, raw_score=85, version=None)
    client = as_user(request.getfixturevalue(who))
    read = client.get(reverse("reviews:assessment-detail", args=[assessment.pk])).status_code
    enter = client.post(reverse("reviews:assessment-new"), {"unit": unit.pk, "year": 2012, "raw_score": "90"})
    assert read == (200 if who in {"admin_user", "reviewer", "school_leader", "unit_leader"} else 404)
    if who in OFFICE:
        assert enter.status_code == 302
    else:
        assert enter.status_code == 403
        assert not unit.assessments.filter(year=2012).exists()


def test_reporter_identity_is_for_reviewers_not_for_system_admins(client, reviewer, admin_user, unit):
    """System administrators (IT staff) handle accounts, not whistle-blowers: they never see who reported."""
    from reviews import services as review_services

    complaint, _code = review_services.complaint_submit(
        unit=unit,
        content="反映报销审核中收受好处。",
        anonymous=False,
        reporter_name="王举报",
        reporter_contact="13900000000",
    )
    url = reverse("reviews:complaint-detail", args=[complaint.pk])
    client.force_login(reviewer)
    assert "王举报" in client.get(url).content.decode()
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert "王举报" not in page and "13900000000" not in page
    admin_page = client.get(reverse("admin:reviews_complaint_change", args=[complaint.pk])).content.decode()
    assert "王举报" not in admin_page and "13900000000" not in admin_page
