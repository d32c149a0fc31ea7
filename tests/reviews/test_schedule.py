# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""Phase schedule: campaigns and phases (R5, R6), deliverables, submissions, self-inspections (R12), progress pages."""

import datetime
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianzheng.models import AuditEvent, Notification
from measures.models import ImplementationRules
from reviews.schedule import selectors as selectors
from reviews.schedule import services as services
from reviews.schedule.models import (
    Deliverable,
    DeliverableKind,
    GroupRole,
    Inspection,
    SelfInspection,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from risks.models import RiskForm
from tests.factories import PostFactory, UnitFactory, UserFactory
from tests.reviews._schedule import PLAN, campaign, docx_upload, media, pdf_upload, stored_files, work_plan  # noqa: F401
from units import campaign_services
from units.models import Campaign, Role

pytestmark = pytest.mark.django_db


# --- R6: phases and deadlines are data -------------------------------------------------------------------------
def test_r6_default_deliverables_follow_the_plan_and_are_due_at_the_end_of_their_phase(campaign):
    by_phase = {}
    for d in Deliverable.objects.filter(phase__campaign=campaign).select_related("phase"):
        by_phase.setdefault(d.phase.kind, {})[d.name] = d
        assert d.due_date == d.phase.end
    assert set(by_phase["prepare"]) == {"工作方案", "领导小组/组织机构名单", "具体负责人", "权力清理", "阶段自查"}
    assert by_phase["prepare"]["工作方案"].due_date == datetime.date(2010, 5, 28)
    assert by_phase["identify"]["附表1及全部附表2"].kind == DeliverableKind.FORM
    assert by_phase["identify"]["附表1及全部附表2"].due_date == datetime.date(2010, 6, 6)
    assert by_phase["measures"]["实施细则"].kind == DeliverableKind.RULES
    assert by_phase["measures"]["实施细则"].due_date == datetime.date(2010, 6, 18)
    assert {"自查报告", "工作总结"} <= set(by_phase["inspect"])


def test_r6_creating_defaults_twice_adds_nothing(campaign, reviewer):
    before = Deliverable.objects.count()
    assert services.deliverables_create_defaults(actor=reviewer, campaign=campaign) == []
    assert Deliverable.objects.count() == before


def test_r12_every_phase_requires_a_self_inspection(campaign):
    kinds = Deliverable.objects.filter(phase__campaign=campaign, kind=DeliverableKind.SELF_INSPECTION)
    assert sorted(kinds.values_list("phase__kind", flat=True)) == sorted(PLAN)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"identify": (datetime.date(2010, 5, 25), datetime.date(2010, 6, 6))}, "重叠"),
        ({"inspect": (datetime.date(2010, 6, 19), datetime.date(2011, 1, 5))}, "2010 年之内"),
        ({"measures": (datetime.date(2010, 6, 18), datetime.date(2010, 6, 7))}, "早于开始日期"),
        ({"prepare": (datetime.date(2010, 6, 20), datetime.date(2010, 6, 21))}, "重叠"),
    ],
)
def test_r6_phase_dates_must_be_in_one_year_in_order_and_not_overlap(change, message, reviewer, unit):
    unit.is_pilot, unit.batch = True, 1
    unit.save()
    with pytest.raises(ValidationError) as exc:
        campaign_services.campaign_create(
            actor=reviewer, name="测试", year=2010, batch=1, units=[unit], phases={**PLAN, **change}
        )
    assert message in " ".join(exc.value.messages)
    assert not Campaign.objects.filter(name="测试").exists()


def test_r5_first_batch_takes_only_the_pilot_units(reviewer, unit):
    second = UnitFactory(code="renshi", name="人事处", batch=2, is_pilot=False)
    with pytest.raises(ValidationError) as exc:
        campaign_services.campaign_create(
            actor=reviewer, name="第一批", year=2010, batch=1, units=[unit, second], phases=PLAN
        )
    assert "人事处" in " ".join(exc.value.messages)
    campaign = campaign_services.campaign_create(
        actor=reviewer, name="第二批", year=2010, batch=2, units=[second], phases=PLAN
    )
    assert list(campaign.units.all()) == [second]


def test_r5_pilot_preset_on_the_campaign_page_picks_the_five_pilot_units(client, reviewer):
    pilots = [
        UnitFactory(code=code, name=name, batch=1, is_pilot=True)
        for code, name in [
            ("houqin", "后勤集团"),
            ("xiaojian", "校建办"),
            ("shebei", "设备处"),
            ("caiwu", "财务处"),
            ("zhaojiu", "招就处"),
        ]
    ]
    UnitFactory(code="renshi", name="人事处", batch=2)
    client.force_login(reviewer)
    data = {"name": "2010年第一批试点", "year": 2010, "batch": 1, "pilot_preset": "on"}
    for kind, (start, end) in PLAN.items():
        data[f"{kind}_start"], data[f"{kind}_end"] = start.isoformat(), end.isoformat()
    response = client.post(reverse("units:campaign-new"), data)
    campaign = Campaign.objects.get(name="2010年第一批试点")
    assert response.status_code == 302
    assert response.url == reverse("reviews:campaign-schedule", args=[campaign.pk])
    assert set(campaign.units.all()) == set(pilots)
    assert {p.kind: (p.start, p.end) for p in campaign.phases.all()} == PLAN
    assert AuditEvent.objects.filter(action="campaign.create").exists()


def test_a_replaced_submission_file_is_removed_once_the_new_one_is_saved(
    campaign, work_plan, unit, unit_contact, reviewer, media, django_capture_on_commit_callbacks
):
    """Issue 14 (11): six uploads used to leave six files with one referenced; a replaced file goes after the
    commit, its name stays in the timeline, and a refused replacement keeps the current file."""
    version = 0
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            s = services.submission_submit(
                actor=unit_contact, unit=unit, deliverable=work_plan, version=version, upload=pdf_upload()
            )
        s = services.submission_return(actor=reviewer, submission=s, version=s.version, comment=f"第{n}次退回")
        version = s.version
        files = stored_files(media)
        assert [f.name for f in files] == [os.path.basename(s.file.name)]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.submission_submit(
            actor=unit_contact, unit=unit, deliverable=work_plan, version=version - 1, upload=docx_upload()
        )
    assert [f.name for f in stored_files(media)] == [os.path.basename(s.file.name)]
    assert (
        list(SubmissionEvent.objects.filter(action="submit").values_list("file_name", flat=True))
        == ["工作方案.pdf"] * 3
    )


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin_user", True),
        ("reviewer", True),
        ("school_leader", False),
        ("unit_leader", False),
        ("unit_contact", False),
        ("staff", False),
    ],
)
def test_campaign_pages_are_for_reviewers_and_admins(role, allowed, request, client):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("units:campaign-list")).status_code == (200 if allowed else 403)
    assert client.get(reverse("units:campaign-new")).status_code == (200 if allowed else 403)


def test_r6_copy_shifts_every_date_by_n_days(campaign, reviewer):
    copy = services.campaign_copy(actor=reviewer, source=campaign, name="2011年", year=2011, shift_days=365)
    assert {p.kind: p.start for p in copy.phases.all()}["prepare"] == datetime.date(2011, 5, 20)
    originals = {(d.phase.kind, d.name): d.due_date for d in Deliverable.objects.filter(phase__campaign=campaign)}
    copies = {(d.phase.kind, d.name): d.due_date for d in Deliverable.objects.filter(phase__campaign=copy)}
    assert copies == {k: v + datetime.timedelta(days=365) for k, v in originals.items()}
    assert set(copy.units.all()) == set(campaign.units.all())


def test_copy_into_a_year_the_shifted_dates_do_not_fit_is_refused(campaign, reviewer):
    with pytest.raises(ValidationError):
        services.campaign_copy(actor=reviewer, source=campaign, name="错", year=2011, shift_days=30)
    assert Campaign.objects.count() == 1


# --- submissions -----------------------------------------------------------------------------------------------
def test_work_plan_missing_submitted_returned_resubmitted_accepted(
    campaign, work_plan, unit, unit_contact, unit_leader, reviewer, media
):
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    assert s.state == SubmissionState.SUBMITTED and s.original_name == "工作方案.pdf"
    assert Notification.objects.filter(recipient=reviewer, url__contains=f"/d/{work_plan.pk}/").exists()
    assert len(stored_files(media)) == 1
    with pytest.raises(ValidationError):
        services.submission_return(actor=reviewer, submission=s, version=s.version, comment="  ")
    s = services.submission_return(actor=reviewer, submission=s, version=s.version, comment="请补充分工")
    assert s.state == SubmissionState.RETURNED and s.comment == "请补充分工"
    assert Notification.objects.filter(recipient=unit_leader, body__contains="请补充分工").exists()
    s = services.submission_submit(
        actor=unit_leader, unit=unit, deliverable=work_plan, version=s.version, upload=docx_upload()
    )
    assert s.state == SubmissionState.SUBMITTED and s.original_name == "工作方案.docx"
    s = services.submission_accept(actor=reviewer, submission=s, version=s.version)
    assert s.state == SubmissionState.ACCEPTED
    assert list(SubmissionEvent.objects.filter(submission=s).values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "accept",
    ]
    with pytest.raises(ValidationError):
        services.submission_submit(
            actor=unit_contact, unit=unit, deliverable=work_plan, version=s.version, upload=pdf_upload()
        )


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin_user", False),
        ("reviewer", False),
        ("school_leader", False),
        ("unit_leader", True),
        ("unit_contact", True),
        ("staff", False),
        ("other_staff", False),
    ],
)
def test_who_may_submit_a_deliverable(role, allowed, request, campaign, work_plan, unit, media):
    actor = request.getfixturevalue(role)
    if allowed:
        services.submission_submit(actor=actor, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
        assert Submission.objects.get(unit=unit, deliverable=work_plan).state == SubmissionState.SUBMITTED
    else:
        with pytest.raises(PermissionDenied):
            services.submission_submit(actor=actor, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
        assert not Submission.objects.exists()
        assert stored_files(media) == []
        assert not AuditEvent.objects.filter(action__startswith="submission.").exists()


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin_user", True),
        ("reviewer", True),
        ("school_leader", False),
        ("unit_leader", False),
        ("unit_contact", False),
        ("staff", False),
    ],
)
@pytest.mark.parametrize("decision", ["accept", "return"])
def test_who_may_accept_or_return(role, allowed, decision, request, campaign, work_plan, unit, unit_contact, media):
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    actor = request.getfixturevalue(role)
    service = services.submission_accept if decision == "accept" else services.submission_return
    if allowed:
        service(actor=actor, submission=s, version=s.version, comment="意见")
        s.refresh_from_db()
        assert s.state == (SubmissionState.ACCEPTED if decision == "accept" else SubmissionState.RETURNED)
    else:
        with pytest.raises(PermissionDenied):
            service(actor=actor, submission=s, version=s.version, comment="意见")
        s.refresh_from_db()
        assert s.state == SubmissionState.SUBMITTED and s.reviewed_by is None and s.version == 1
        assert SubmissionEvent.objects.filter(submission=s).count() == 1


def test_stale_submission_edits_are_refused(campaign, work_plan, unit, unit_contact, unit_leader, reviewer, media):
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.submission_submit(actor=unit_leader, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    services.submission_accept(actor=reviewer, submission=s, version=s.version)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.submission_return(actor=reviewer, submission=s, version=s.version, comment="晚了")
    s.refresh_from_db()
    assert s.state == SubmissionState.ACCEPTED and len(stored_files(media)) == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("工作方案.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this is a windows program", "不是真正的 .pdf"),
        ("工作方案.exe", b"MZ\x90\x00", "只能上传 PDF、Word"),
        ("工作方案.txt", b"plain text", "只能上传 PDF、Word"),
        ("工作方案.docx", b"PK\x03\x04 not really a zip", "不是真正的 .docx"),
        ("工作方案.xlsx", b"%PDF-1.4 a pdf in disguise", "不是真正的 .xlsx"),
    ],
)
def test_uploads_of_a_wrong_type_are_refused_and_nothing_is_stored(
    name, content, message, campaign, work_plan, unit, unit_contact, media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        services.submission_submit(
            actor=unit_contact,
            unit=unit,
            deliverable=work_plan,
            version=0,
            upload=SimpleUploadedFile(name, content),
        )
    assert message in " ".join(exc.value.messages)
    assert stored_files(media) == [] and not Submission.objects.exists()


def test_uploads_over_the_size_limit_are_refused_and_nothing_is_stored(
    settings, campaign, work_plan, unit, unit_contact, media
):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="超过大小上限"):
        services.submission_submit(
            actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload(size=1001)
        )
    assert stored_files(media) == [] and not Submission.objects.exists()


def test_upload_refusal_is_shown_on_the_page_in_chinese(client, campaign, work_plan, unit, unit_contact, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(unit_contact)
    url = reverse("reviews:submission-submit", args=[unit.code, work_plan.pk])
    response = client.post(url, {"version": 0, "file": SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00rest")})
    assert response.status_code == 422
    assert "不是真正的 .pdf" in response.content.decode()
    assert stored_files(media) == []


def test_org_list_needs_a_group_leader_first(campaign, unit, unit_contact, reviewer):
    org_list = Deliverable.objects.get(phase__campaign=campaign, kind=DeliverableKind.ORG_LIST)
    with pytest.raises(ValidationError, match="组长"):
        services.submission_submit(actor=unit_contact, unit=unit, deliverable=org_list, version=0)
    services.group_member_add(actor=unit_contact, unit=unit, campaign=campaign, name="王书记", role=GroupRole.LEADER)
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=org_list, version=0)
    assert s.state == SubmissionState.SUBMITTED


def test_form_and_rules_deliverables_are_derived_from_those_objects(campaign, unit, unit_contact):
    form_d = Deliverable.objects.get(phase__campaign=campaign, kind=DeliverableKind.FORM)
    rules_d = Deliverable.objects.get(phase__campaign=campaign, kind=DeliverableKind.RULES)
    status = lambda d: selectors.submission_status(unit=unit, deliverable=d).state  # noqa: E731
    assert status(form_d) == status(rules_d) == SubmissionState.MISSING
    unit_form = RiskForm.objects.create(kind="unit", campaign=campaign, unit=unit, state="confirmed")
    personal = RiskForm.objects.create(
        kind="personal", campaign=campaign, unit=unit, post=PostFactory(unit=unit), state="draft"
    )
    assert status(form_d) == SubmissionState.MISSING  # one 附表2 has not reached the office
    personal.state = "confirmed"
    personal.save()
    assert status(form_d) == SubmissionState.SUBMITTED
    RiskForm.objects.filter(pk__in=[unit_form.pk, personal.pk]).update(state="approved")
    assert status(form_d) == SubmissionState.ACCEPTED
    RiskForm.objects.filter(pk=personal.pk).update(state="returned")
    assert status(form_d) == SubmissionState.RETURNED
    rules = ImplementationRules.objects.create(unit=unit, campaign=campaign, title="实施细则", state="publicising")
    assert status(rules_d) == SubmissionState.MISSING
    for rules_state, expected in [("submitted", "submitted"), ("approved", "accepted"), ("returned", "returned")]:
        ImplementationRules.objects.filter(pk=rules.pk).update(state=rules_state)
        assert status(rules_d) == expected
    with pytest.raises(ValidationError):
        services.submission_submit(actor=unit_contact, unit=unit, deliverable=rules_d, version=0)
    assert not Submission.objects.exists()


def test_overdue_is_derived_from_the_due_date(campaign, work_plan, unit):
    on = lambda day: selectors.submission_status(unit=unit, deliverable=work_plan, today=day)  # noqa: E731
    assert on(datetime.date(2010, 5, 25)).deadline_text == "还剩 3 天"
    assert not on(datetime.date(2010, 5, 28)).overdue
    late = on(datetime.date(2010, 5, 30))
    assert late.overdue and late.css == "overdue" and late.deadline_text == "已逾期 2 天"
    assert "逾期" in late.label


# --- R12 self-inspection, inspections -----------------------------------------------------------------------------
def test_r12_self_inspection_hands_in_the_phase_self_inspection(campaign, unit, unit_contact, reviewer):
    prepare = campaign.phases.get(kind="prepare")
    d = Deliverable.objects.get(phase=prepare, kind=DeliverableKind.SELF_INSPECTION)
    services.self_inspection_save(
        actor=unit_contact, unit=unit, phase=prepare, findings="学习不够深入", rectification="补课", version=0
    )
    assert SelfInspection.objects.get(unit=unit, phase=prepare).findings == "学习不够深入"
    assert selectors.submission_status(unit=unit, deliverable=d).state == SubmissionState.SUBMITTED
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.self_inspection_save(
            actor=unit_contact, unit=unit, phase=prepare, findings="x", rectification="", version=0
        )


@pytest.mark.parametrize(
    "role, allowed",
    [("reviewer", True), ("admin_user", True), ("school_leader", False), ("unit_contact", False), ("staff", False)],
)
def test_who_may_record_an_inspection(role, allowed, request, campaign, unit):
    actor = request.getfixturevalue(role)
    phase = campaign.phases.get(kind="identify")
    if allowed:
        services.inspection_save(actor=actor, unit=unit, phase=phase, findings="良好", score=92, version=0)
        assert Inspection.objects.get(unit=unit, phase=phase).score == 92
    else:
        with pytest.raises(PermissionDenied):
            services.inspection_save(actor=actor, unit=unit, phase=phase, findings="良好", score=92, version=0)
        assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    "role, allowed", [("unit_contact", True), ("unit_leader", True), ("staff", False), ("reviewer", False)]
)
def test_r12_who_may_write_the_self_inspection(role, allowed, request, campaign, unit):
    actor = request.getfixturevalue(role)
    phase = campaign.phases.get(kind="prepare")
    call = lambda: services.self_inspection_save(  # noqa: E731
        actor=actor, unit=unit, phase=phase, findings="无", rectification="", version=0
    )
    if allowed:
        call()
        assert SelfInspection.objects.filter(unit=unit, phase=phase).exists()
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not SelfInspection.objects.exists() and not Submission.objects.exists()


# --- pages ---------------------------------------------------------------------------------------------------------
def test_unit_progress_page_shows_what_is_due_and_the_days(client, campaign, unit, unit_contact):
    client.force_login(unit_contact)
    response = client.get(reverse("reviews:unit-progress", args=[unit.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "工作方案" in body and "2010年5月28日" in body and "已逾期" in body and "报送" in body


@pytest.mark.parametrize(
    "role, status",
    [
        ("unit_contact", 200),
        ("unit_leader", 200),
        ("reviewer", 200),
        ("school_leader", 200),
        ("staff", 403),
        ("other_staff", 404),
    ],
)
def test_who_sees_a_units_progress(role, status, request, client, campaign, unit):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("reviews:unit-progress", args=[unit.code])).status_code == status


def test_matrix_colours_each_cell_with_a_text_label(client, campaign, work_plan, unit, unit_contact, reviewer, media):
    services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    client.force_login(reviewer)
    body = client.get(reverse("reviews:progress") + f"?campaign={campaign.pk}").content.decode()
    assert "lz-state-submitted" in body and "已提交" in body
    assert "lz-state-overdue" in body and "未报送·逾期" in body
    assert reverse("reviews:submission-detail", args=[unit.code, work_plan.pk]) in body


@pytest.mark.parametrize("role, status", [("unit_contact", 403), ("staff", 403), ("school_leader", 200)])
def test_matrix_is_for_the_office_side(role, status, request, client, campaign):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("reviews:progress")).status_code == status


def _grow(campaign, n, reviewer):
    for i in range(n):
        u = UnitFactory(code=f"extra{campaign.units.count()}x{i}", batch=1, is_pilot=True)
        campaign.units.add(u)
        contact = UserFactory(role=Role.UNIT_CONTACT, unit=u)
        d = Deliverable.objects.filter(phase__campaign=campaign, kind=DeliverableKind.DOCUMENT).first()
        Submission.objects.create(unit=u, deliverable=d, state="submitted", submitted_by=contact)
        RiskForm.objects.create(kind="unit", campaign=campaign, unit=u, state="confirmed")
    phase = campaign.phases.get(kind="inspect")
    for i in range(n):
        Deliverable.objects.create(
            phase=phase, kind="document", name=f"附加材料{Deliverable.objects.count()}{i}", due_date=phase.end
        )


def test_matrix_queries_do_not_grow_with_units_and_deliverables(client, campaign, reviewer):
    client.force_login(reviewer)
    url = reverse("reviews:progress") + f"?campaign={campaign.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(campaign, 6, reviewer)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_matrix_pages_filters_and_sorts_units_by_their_counts(client, campaign, unit, work_plan, reviewer):
    """A page of units at a time; the totals above cover the whole campus; 有逾期的单位 lists only units with an
    overdue cell and 逾期最多 puts the most overdue first."""
    from lianzheng import figures
    from reviews.schedule.views import PROGRESS_PAGE_UNITS

    _grow(campaign, PROGRESS_PAGE_UNITS, reviewer)  # each grown unit handed in one document and confirmed its form
    figures.rebuild_all()  # _grow writes rows directly, around the services that keep the figures
    client.force_login(reviewer)
    url = reverse("reviews:progress")
    today = datetime.date.today()
    first = client.get(url, {"campaign": campaign.pk})
    assert len(first.context["rows"]) == PROGRESS_PAGE_UNITS
    everything = selectors.progress_matrix(campaign=campaign, today=today)
    assert first.context["totals"] == {**dict.fromkeys(first.context["totals"], 0), **everything["totals"]}
    second = client.get(url, {"campaign": campaign.pk, "page": 2})
    shown = [u.code for u, _s in first.context["rows"]] + [u.code for u, _s in second.context["rows"]]
    assert sorted(shown) == sorted(u.code for u in campaign.units.all())

    overdue_of = {u.code: sum(s.overdue for s in sts) for u, sts in everything["rows"]}
    listed = client.get(url, {"campaign": campaign.pk, "state": "overdue", "sort": "overdue"}).context["rows"]
    assert listed and all(overdue_of[u.code] for u, _s in listed)
    counts = [overdue_of[u.code] for u, _s in listed]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(overdue_of.values()) > min(overdue_of.values())
    submitted = client.get(url, {"campaign": campaign.pk, "state": "submitted"}).context["rows"]
    assert {u.code for u, _s in submitted} == {
        u.code for u, sts in everything["rows"] if any(s.css == "submitted" for s in sts)
    }
    assert unit.code not in {u.code for u, _s in submitted}


def test_unit_progress_queries_do_not_grow_with_deliverables(client, campaign, unit, unit_contact, reviewer):
    client.force_login(unit_contact)
    url = reverse("reviews:unit-progress", args=[unit.code])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(campaign, 5, reviewer)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


@pytest.mark.parametrize(
    "role, status",
    [("unit_contact", 200), ("staff", 200), ("reviewer", 200), ("school_leader", 200), ("other_staff", 404)],
)
def test_submitted_files_are_served_only_to_who_may_see_them(
    role, status, request, client, campaign, work_plan, unit, unit_contact, media
):
    services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("reviews:submission-file", args=[unit.code, work_plan.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["X-Content-Type-Options"] == "nosniff"
    assert not str(media).startswith(str(__import__("django.conf").conf.settings.STATIC_ROOT))


def test_reviewer_returns_through_the_page_with_a_required_comment(
    client, campaign, work_plan, unit, unit_contact, reviewer, media
):
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    client.force_login(reviewer)
    url = reverse("reviews:submission-review", args=[unit.code, work_plan.pk])
    response = client.post(url, {"version": s.version, "decision": "return", "comment": ""})
    assert response.status_code == 422 and "必须填写退回意见" in response.content.decode()
    s.refresh_from_db()
    assert s.state == SubmissionState.SUBMITTED
    response = client.post(url, {"version": s.version, "decision": "return", "comment": "请补充"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.state == SubmissionState.RETURNED


def test_campaign_schedule_and_copy_pages(client, campaign, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("reviews:campaign-schedule", args=[campaign.pk])).content.decode()
    assert "工作方案" in body and "阶段自查" in body
    response = client.post(
        reverse("reviews:campaign-copy", args=[campaign.pk]), {"name": "2011年试点", "year": 2011, "shift_days": 365}
    )
    assert response.status_code == 302
    assert (
        Deliverable.objects.filter(phase__campaign__name="2011年试点").count()
        == Deliverable.objects.filter(phase__campaign=campaign).count()
    )


def test_self_inspection_pages(client, campaign, unit, unit_contact, reviewer):
    prepare = campaign.phases.get(kind="prepare")
    client.force_login(unit_contact)
    assert client.get(reverse("reviews:self-inspections")).status_code == 200
    url = reverse("reviews:self-inspection-edit", args=[unit.code, prepare.pk])
    assert client.post(url, {"version": 0, "findings": "未发现问题", "rectification": ""}).status_code == 302
    client.force_login(reviewer)
    body = client.get(reverse("reviews:self-inspections") + f"?campaign={campaign.pk}").content.decode()
    assert "已自查" in body and "未自查" in body
    url = reverse("reviews:inspection-edit", args=[unit.code, prepare.pk])
    assert client.post(url, {"version": 0, "findings": "材料齐全", "score": "95"}).status_code == 302
    assert Inspection.objects.get(unit=unit, phase=prepare).score == 95


def test_leading_group_page(client, campaign, unit, unit_contact, staff):
    client.force_login(unit_contact)
    url = reverse("reviews:leading-group", args=[unit.code]) + f"?campaign={campaign.pk}"
    assert client.post(url, {"name": "王书记", "title": "党总支书记", "role": "leader"}).status_code == 302
    assert "王书记" in client.get(url).content.decode()
    client.force_login(staff)
    assert client.post(url, {"name": "李某", "role": "member"}).status_code == 403
