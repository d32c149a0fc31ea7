"""Services of supervision: R9 (yellow card), R10 (assessment cap), R11 (low satisfaction → 谈话提醒), complaint
transitions, warnings, and the reporter-identity rule in audit rows and notifications."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from lianzheng.models import AuditEvent, Notification
from reviews import services
from reviews.models import (
    Assessment,
    Complaint,
    ComplaintConclusion,
    ComplaintState,
    Grade,
    KeySupervision,
    KeySupervisionState,
    ViolationCase,
    Warning,
    WarningKind,
    WarningSource,
    WarningState,
    WarningTarget,
    YellowCard,
    YellowCardState,
)
from tests.factories import AssignmentFactory, PostFactory, UserFactory
from tests.reviews.conftest import REPORTER_CONTACT, REPORTER_NAME, make_complaint, unfound, verify
from units.models import Role

pytestmark = pytest.mark.django_db


# --- R9 -------------------------------------------------------------------------------------------------------
def test_r9_two_verified_complaints_on_a_key_post_propose_a_yellow_card_and_notify_reviewers(unit, key_post, reviewer):
    first, second = make_complaint(unit=unit, post=key_post), make_complaint(unit=unit, post=key_post)
    verify(first, reviewer)
    assert not YellowCard.objects.exists()

    verify(second, reviewer)

    card = YellowCard.objects.get()
    assert (card.post, card.year, card.state) == (key_post, 2011, YellowCardState.PROPOSED)
    assert set(card.complaints.all()) == {first, second}
    assert Notification.objects.filter(recipient=reviewer, url=f"/reviews/yellow-cards/{card.pk}/").exists()
    assert AuditEvent.objects.filter(action="yellowcard.propose", object_id=str(card.pk)).exists()


def test_r9_one_verified_and_one_unfounded_complaint_give_no_yellow_card(unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    unfound(make_complaint(unit=unit, post=key_post), reviewer)
    assert not YellowCard.objects.exists()


def test_r9_two_verified_complaints_on_a_non_key_post_never_give_a_yellow_card(unit, plain_post, reviewer):
    for _ in range(3):
        verify(make_complaint(unit=unit, post=plain_post), reviewer)
    assert not YellowCard.objects.exists()


def test_r9_two_verified_complaints_in_different_years_give_no_yellow_card(unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post, year=2010), reviewer)
    verify(make_complaint(unit=unit, post=key_post, year=2011), reviewer)
    assert not YellowCard.objects.exists()


def test_r9_a_card_already_issued_gets_no_second_proposal(unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    card = YellowCard.objects.get()
    services.yellow_card_issue(card=card, version=card.version, actor=reviewer, document_no="校纪监发〔2011〕1号")
    # Primary keys, not counts: on PostgreSQL sequences are not reset between tests.
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    verify(make_complaint(unit=unit, post=key_post), reviewer)

    assert YellowCard.objects.count() == 1
    assert YellowCard.objects.get().state == YellowCardState.ISSUED
    assert not Notification.objects.filter(pk__gt=before, title__contains="建议给予").exists()


def test_r9_proposal_happens_exactly_once_under_repeated_verification(unit, key_post, reviewer):
    complaints = [make_complaint(unit=unit, post=key_post) for _ in range(4)]
    for complaint in complaints:
        verify(complaint, reviewer)
    for _ in range(3):  # the rule re-evaluated again and again (e.g. by a retried request)
        assert services.yellow_card_propose_if_due(post=key_post, year=2011) is None
    # closing verified complaints keeps them counted, still no second card
    for complaint in complaints:
        complaint.refresh_from_db()  # the version the complaint's page shows now
        services.complaint_transition(
            complaint=complaint,
            version=complaint.version,
            actor=reviewer,
            action="close",
            disposition="诫勉谈话。",
            public_reply="已处理。",
        )
    assert services.yellow_card_propose_if_due(post=key_post, year=2011) is None
    assert YellowCard.objects.count() == 1
    assert Notification.objects.filter(recipient=reviewer, title__contains="建议给予").count() == 1


def test_r9_unique_constraint_refuses_a_second_card_for_the_same_post_and_year(key_post):
    from django.db import IntegrityError, transaction

    YellowCard.objects.create(post=key_post, year=2011)
    with pytest.raises(IntegrityError), transaction.atomic():
        YellowCard.objects.create(post=key_post, year=2011)


def test_r9_issuing_puts_the_head_of_the_post_under_key_supervision_and_notifies_unit_leaders(
    unit, key_post, head_post, reviewer, unit_leader
):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    card = YellowCard.objects.get()

    services.yellow_card_issue(
        card=card,
        version=card.version,
        actor=reviewer,
        document_no="校纪监发〔2011〕9号",
        issued_on=datetime.date(2011, 10, 10),
    )

    card.refresh_from_db()
    assert (card.state, card.document_no, card.issued_by) == (YellowCardState.ISSUED, "校纪监发〔2011〕9号", reviewer)
    supervision = KeySupervision.objects.get(yellow_card=card)
    assert supervision.head_post == head_post
    assert supervision.person.username == "caiwu_head"
    assert supervision.start == datetime.date(2011, 10, 10)
    assert supervision.state == KeySupervisionState.ACTIVE
    assert Notification.objects.filter(recipient=unit_leader, url=f"/reviews/yellow-cards/{card.pk}/").exists()
    assert Notification.objects.filter(recipient=supervision.person).exists()


def test_r9_head_falls_back_to_the_posts_own_holder_without_reports_to(unit, office, reviewer):
    post = PostFactory(unit=unit, office=office, name="出纳员", is_key=True)
    holder = UserFactory(username="cashier", role=Role.STAFF, unit=unit)
    AssignmentFactory(post=post, user=holder)
    verify(make_complaint(unit=unit, post=post), reviewer)
    verify(make_complaint(unit=unit, post=post), reviewer)

    services.yellow_card_issue(
        card=YellowCard.objects.get(), version=YellowCard.objects.get().version, actor=reviewer, document_no="X-1"
    )

    supervision = KeySupervision.objects.get()
    assert (supervision.head_post, supervision.person) == (post, holder)


def test_r9_issue_needs_a_document_number_and_changes_nothing_without_it(unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    card = YellowCard.objects.get()
    with pytest.raises(ValidationError):
        services.yellow_card_issue(card=card, version=card.version, actor=reviewer, document_no="  ")
    card.refresh_from_db()
    assert card.state == YellowCardState.PROPOSED
    assert not KeySupervision.objects.exists()


def test_r9_lifting_is_recorded(unit, key_post, reviewer, unit_leader):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    card = services.yellow_card_issue(
        card=YellowCard.objects.get(), version=YellowCard.objects.get().version, actor=reviewer, document_no="X-2"
    )

    services.yellow_card_lift(card=card, actor=reviewer, reason="已完成整改，采购全部公开比选。", version=card.version)

    card.refresh_from_db()
    assert (card.state, card.lifted_by, card.lift_reason) == (
        YellowCardState.LIFTED,
        reviewer,
        "已完成整改，采购全部公开比选。",
    )
    assert card.lifted_on is not None
    assert AuditEvent.objects.filter(action="yellowcard.lift", object_id=str(card.pk)).exists()


WHO = ["admin_user", "reviewer", "school_leader", "unit_leader", "unit_contact", "staff", "other_staff"]
OFFICE = {"admin_user", "reviewer"}


@pytest.mark.parametrize("who", WHO)
def test_r9_who_may_issue_a_yellow_card(request, who, unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    card = YellowCard.objects.get()
    actor = request.getfixturevalue(who)
    if who in OFFICE:
        services.yellow_card_issue(card=card, version=card.version, actor=actor, document_no="X-3")
        assert YellowCard.objects.get().state == YellowCardState.ISSUED
    else:
        with pytest.raises(PermissionDenied):
            services.yellow_card_issue(card=card, version=card.version, actor=actor, document_no="X-3")
        card.refresh_from_db()
        assert (card.state, card.document_no, card.version) == (YellowCardState.PROPOSED, "", 1)
        assert not KeySupervision.objects.exists()


# --- complaint transitions ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("start", "action", "extra"),
    [
        (ComplaintState.RECEIVED, "check", {}),
        (ComplaintState.CHECKING, "verify", {"findings": "属实。"}),
        (ComplaintState.CHECKING, "unfound", {"findings": "不实。"}),
        (ComplaintState.VERIFIED, "close", {"disposition": "诫勉。", "public_reply": "已处理。"}),
    ],
)
def test_who_may_move_a_complaint(request, who, start, action, extra, unit):
    complaint = make_complaint(unit=unit, state=start)
    actor = request.getfixturevalue(who)
    if who in OFFICE:
        moved = services.complaint_transition(
            complaint=complaint, actor=actor, action=action, version=complaint.version, **extra
        )
        assert moved.state != start
        assert AuditEvent.objects.filter(action=f"complaint.{action}").exists()
    else:
        with pytest.raises(PermissionDenied):
            services.complaint_transition(
                complaint=complaint, actor=actor, action=action, version=complaint.version, **extra
            )
        complaint.refresh_from_db()
        assert (complaint.state, complaint.version, complaint.findings) == (start, 1, "")
        assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (ComplaintState.RECEIVED, "verify"),
        (ComplaintState.RECEIVED, "close"),
        (ComplaintState.CHECKING, "close"),
        (ComplaintState.CLOSED, "check"),
        (ComplaintState.UNFOUNDED, "verify"),
    ],
)
def test_complaint_refuses_a_step_from_the_wrong_state(start, action, unit, reviewer):
    complaint = make_complaint(unit=unit, state=start)
    with pytest.raises(ValidationError):
        services.complaint_transition(
            complaint=complaint,
            version=complaint.version,
            actor=reviewer,
            action=action,
            findings="x",
            disposition="x",
            public_reply="x",
        )
    complaint.refresh_from_db()
    assert complaint.state == start


def test_complaint_verify_needs_findings_and_close_needs_a_public_reply(unit, reviewer):
    complaint = make_complaint(unit=unit, state=ComplaintState.CHECKING)
    with pytest.raises(ValidationError, match="核查情况"):
        services.complaint_transition(complaint=complaint, version=complaint.version, actor=reviewer, action="verify")
    complaint = services.complaint_transition(
        complaint=complaint, version=complaint.version, actor=reviewer, action="verify", findings="属实"
    )
    with pytest.raises(ValidationError, match="答复举报人"):
        services.complaint_transition(
            complaint=complaint, version=complaint.version, actor=reviewer, action="close", disposition="诫勉"
        )
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.VERIFIED
    assert complaint.conclusion == ComplaintConclusion.VERIFIED


def test_complaint_stale_edit_is_refused(unit, reviewer):
    complaint = make_complaint(unit=unit)
    services.complaint_transition(complaint=complaint, actor=reviewer, action="check", version=1)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.complaint_transition(complaint=complaint, actor=reviewer, action="verify", version=1, findings="x")
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.CHECKING


# --- query codes and reporter identity --------------------------------------------------------------------------------
def _all_database_text() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — table names come from the schema
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_query_code_is_stored_only_as_a_keyed_hash(unit):
    complaint, code = services.complaint_submit(unit=unit, content="反映某岗位收受供货商礼品的问题。", anonymous=True)

    assert len(code) >= 16
    assert complaint.query_code_hash == services.hash_query_code(code) != code
    everything = _all_database_text()
    assert code not in everything
    assert services.format_query_code(code) not in everything
    assert code.lower() not in everything.lower()


def test_query_codes_are_random_and_long():
    codes = {services.new_query_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) >= 16 for c in codes)


def test_query_code_matches_regardless_of_dashes_and_case(unit):
    from reviews.selectors import complaint_by_code

    complaint, code = services.complaint_submit(unit=unit, content="反映某岗位收受供货商礼品的问题。", anonymous=True)
    assert complaint_by_code(services.format_query_code(code).lower()) == complaint
    assert complaint_by_code(code[:-1] + ("A" if code[-1] != "A" else "B")) is None
    assert complaint_by_code(code[:12]) is None


def test_reporter_identity_never_reaches_audit_summaries_or_notifications(unit, key_post, reviewer, unit_leader, staff):
    complaint, _ = services.complaint_submit(
        unit=unit,
        post=key_post,
        content="实名反映报销审核会计放行不合规票据。",
        anonymous=False,
        reporter_name=REPORTER_NAME,
        reporter_contact=REPORTER_CONTACT,
    )
    verify(complaint, reviewer)
    verify(make_complaint(unit=unit, post=key_post, year=complaint.year), reviewer)
    card = services.yellow_card_issue(
        card=YellowCard.objects.get(), version=YellowCard.objects.get().version, actor=reviewer, document_no="X-4"
    )
    services.yellow_card_lift(card=card, version=card.version, actor=reviewer, reason="整改完成。")
    services.warning_create(
        actor=reviewer,
        kind=WarningKind.TALK,
        target=WarningTarget.PERSON,
        unit=unit,
        person=staff,
        reason="经核查存在苗头性问题。",
        complaints=[complaint],
    )

    assert AuditEvent.objects.count() > 5
    for event in AuditEvent.objects.all():
        text = f"{event.object_repr} {event.summary}"
        assert REPORTER_NAME not in text and REPORTER_CONTACT not in text
    assert Notification.objects.filter(recipient=unit_leader).exists()
    for note in Notification.objects.all():
        text = f"{note.title} {note.body} {note.url}"
        assert REPORTER_NAME not in text and REPORTER_CONTACT not in text


def test_anonymous_complaint_keeps_no_identity_even_if_sent(unit):
    complaint, _ = services.complaint_submit(
        unit=unit,
        content="反映某岗位收受供货商礼品的问题。",
        anonymous=True,
        reporter_name="张三",
        reporter_contact="1",
    )
    assert (complaint.reporter_name, complaint.reporter_contact) == ("", "")


def test_named_complaint_needs_a_name(unit):
    with pytest.raises(ValidationError, match="实名举报"):
        services.complaint_submit(unit=unit, content="反映某岗位收受供货商礼品的问题。", anonymous=False)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("who", WHO)
def test_who_may_register_a_complaint_from_another_channel(request, who, unit):
    actor = request.getfixturevalue(who)
    call = dict(unit=unit, content="来信反映某岗位收受供货商礼品。", anonymous=True, channel="letter", actor=actor)
    if who in OFFICE:
        complaint, code = services.complaint_submit(**call)
        assert complaint.channel == "letter" and complaint.registered_by == actor and code
    else:
        with pytest.raises(PermissionDenied):
            services.complaint_submit(**call)
        assert not Complaint.objects.exists()


# --- R10 -------------------------------------------------------------------------------------------------------------
def _assess(actor, unit, score=92, **ballots):
    shown = unit.assessments.filter(year=2011).first()  # the version the assessment page showed (None: no row yet)
    return services.assessment_save(
        actor=actor, unit=unit, year=2011, raw_score=score, version=shown.version if shown else None, **ballots
    )


def test_r10_a_yellow_card_caps_the_assessment_at_fairly_good_with_the_reason(unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    services.yellow_card_issue(
        card=YellowCard.objects.get(),
        version=YellowCard.objects.get().version,
        actor=reviewer,
        document_no="校纪监发〔2011〕9号",
    )

    assessment = _assess(reviewer, unit, 95)

    assert assessment.band_grade == Grade.GOOD
    assert assessment.capped is True
    assert assessment.final_grade == Grade.FAIRLY_GOOD
    assert "黄牌警告" in assessment.cap_reason and "校纪监发〔2011〕9号" in assessment.cap_reason
    assert "≥ 90" in assessment.band_reason


def test_r10_a_violation_case_recorded_later_regrades_the_assessment(unit, reviewer):
    assessment = _assess(reviewer, unit, 93)
    assert (assessment.final_grade, assessment.capped) == (Grade.GOOD, False)

    services.violation_case_record(actor=reviewer, unit=unit, year=2011, title="违规发放津贴")

    assessment.refresh_from_db()
    assert (assessment.final_grade, assessment.capped) == (Grade.FAIRLY_GOOD, True)
    assert "违规发放津贴" in assessment.cap_reason
    assert AuditEvent.objects.filter(action="assessment.regrade", object_id=str(assessment.pk)).exists()


def test_r10_a_card_issued_after_the_assessment_regrades_it(unit, key_post, reviewer):
    assessment = _assess(reviewer, unit, 91)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    assessment.refresh_from_db()
    assert assessment.final_grade == Grade.GOOD  # a mere proposal does not count

    services.yellow_card_issue(
        card=YellowCard.objects.get(), version=YellowCard.objects.get().version, actor=reviewer, document_no="X-5"
    )

    assessment.refresh_from_db()
    assert assessment.final_grade == Grade.FAIRLY_GOOD


def test_r10_a_lifted_card_still_counts_in_its_year(unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    card = services.yellow_card_issue(
        card=YellowCard.objects.get(), version=YellowCard.objects.get().version, actor=reviewer, document_no="X-6"
    )
    services.yellow_card_lift(card=card, version=card.version, actor=reviewer, reason="整改完成。")
    assert _assess(reviewer, unit, 96).final_grade == Grade.FAIRLY_GOOD


def test_r10_cases_in_another_year_or_unit_do_not_cap(unit, other_unit, reviewer):
    ViolationCase.objects.create(unit=unit, year=2010, title="往年案件", recorded_by=reviewer)
    ViolationCase.objects.create(unit=other_unit, year=2011, title="他单位案件", recorded_by=reviewer)
    assert _assess(reviewer, unit, 90).final_grade == Grade.GOOD


def test_r10_a_grade_already_below_good_is_not_changed(unit, reviewer):
    services.violation_case_record(actor=reviewer, unit=unit, year=2011, title="违规收费")
    assessment = _assess(reviewer, unit, 72)
    assert (assessment.band_grade, assessment.final_grade, assessment.capped) == (Grade.AVERAGE, Grade.AVERAGE, False)
    assert "违规收费" in assessment.cap_reason


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, Grade.GOOD),
        (90, Grade.GOOD),
        (89.99, Grade.FAIRLY_GOOD),
        (80, Grade.FAIRLY_GOOD),
        (79.5, Grade.AVERAGE),
        (60, Grade.AVERAGE),
        (59.99, Grade.POOR),
        (0, Grade.POOR),
    ],
)
def test_grade_bands(score, grade):
    assert services.band_for(score)[0] == grade


def test_grade_bands_are_configurable_at_call_time(settings):
    settings.LIANZHENG_ASSESSMENT = {"BANDS": [(95, Grade.GOOD), (85, Grade.FAIRLY_GOOD), (70, Grade.AVERAGE)]}
    assert services.band_for(92)[0] == Grade.FAIRLY_GOOD
    assert services.band_for(69)[0] == Grade.POOR


# --- satisfaction and R11 --------------------------------------------------------------------------------------------
DEMO_BALLOTS = {
    "ballots_good": 32,
    "ballots_fairly_good": 14,
    "ballots_average": 8,
    "ballots_poor": 2,
    "ballots_invalid": 2,
}


def test_satisfaction_rate_of_the_demo_ballots_is_46_of_56(unit, reviewer):
    assessment = _assess(reviewer, unit, 88, ballots_issued=60, **DEMO_BALLOTS)
    assert assessment.ballots_valid == 56
    assert assessment.ballots_returned == 58
    assert assessment.satisfaction_rate == Decimal("82.1")
    assert assessment.weighted_score == Decimal("85.7")
    assert "32" in assessment.satisfaction_note and "56" in assessment.satisfaction_note
    assert not Warning.objects.exists()  # 82.1% is above the 70% threshold


def test_satisfaction_rate_maths():
    assert services.satisfaction_rate(good=32, fairly_good=14, average=8, poor=2) == Decimal("82.1")
    assert services.satisfaction_rate(good=0, fairly_good=0, average=0, poor=0) is None
    assert services.satisfaction_rate(good=7, fairly_good=0, average=3, poor=0) == Decimal("70.0")


def test_r11_low_satisfaction_proposes_a_talk_warning_to_the_unit_leader(unit, reviewer, unit_leader):
    assessment = _assess(
        reviewer, unit, 85, ballots_good=10, ballots_fairly_good=16, ballots_average=12, ballots_poor=2
    )

    assert assessment.satisfaction_rate == Decimal("65.0")
    warning = Warning.objects.get()
    assert (warning.kind, warning.state, warning.source) == (
        WarningKind.TALK,
        WarningState.PROPOSED,
        WarningSource.SATISFACTION,
    )
    assert (warning.target, warning.person, warning.assessment) == (WarningTarget.PERSON, unit_leader, assessment)
    assert "65.0%" in warning.reason
    assert Notification.objects.filter(recipient=reviewer, url=f"/reviews/warnings/{warning.pk}/").exists()

    # saved again: still one proposal
    services.assessment_save(
        actor=reviewer,
        unit=unit,
        year=2011,
        raw_score=86,
        ballots_good=10,
        ballots_fairly_good=16,
        ballots_average=12,
        ballots_poor=3,
        version=assessment.version,
    )
    assert Warning.objects.count() == 1


def test_r11_at_the_threshold_nothing_is_proposed(unit, reviewer):
    _assess(reviewer, unit, 85, ballots_good=7, ballots_average=3)
    assert not Warning.objects.exists()


def test_r11_threshold_is_configurable(settings, unit, reviewer, unit_leader):
    settings.LIANZHENG_ASSESSMENT = {"SATISFACTION_THRESHOLD": 90}
    _assess(reviewer, unit, 85, **DEMO_BALLOTS)
    assert Warning.objects.get().kind == WarningKind.TALK


def test_r11_proposal_is_adopted_or_dismissed_by_a_reviewer(unit, reviewer, unit_leader):
    _assess(reviewer, unit, 85, ballots_good=1, ballots_poor=3)
    warning = Warning.objects.get()
    services.warning_issue(warning=warning, actor=reviewer, version=warning.version)
    warning.refresh_from_db()
    assert (warning.state, warning.issuer) == (WarningState.ISSUED, reviewer)
    assert Notification.objects.filter(recipient=unit_leader, url=f"/reviews/warnings/{warning.pk}/").exists()
    with pytest.raises(PermissionDenied):  # no longer a proposal
        services.warning_dismiss(warning=warning, version=warning.version, actor=reviewer, reason="x")


@pytest.mark.parametrize("who", WHO)
def test_who_may_enter_an_assessment(request, who, unit):
    actor = request.getfixturevalue(who)
    if who in OFFICE:
        assert _assess(actor, unit, 80).final_grade == Grade.FAIRLY_GOOD
    else:
        with pytest.raises(PermissionDenied):
            _assess(actor, unit, 80)
        assert not Assessment.objects.exists()


def test_assessment_refuses_more_ballots_than_issued_and_stale_edits(unit, reviewer):
    with pytest.raises(ValidationError):
        _assess(reviewer, unit, 80, ballots_issued=10, ballots_good=11)
    assessment = _assess(reviewer, unit, 80)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.assessment_save(actor=reviewer, unit=unit, year=2011, raw_score=85, version=assessment.version - 1)
    assessment.refresh_from_db()
    assert assessment.raw_score == Decimal("80.00")


# --- warnings -----------------------------------------------------------------------------------------------------------
def _issued_warning(reviewer, unit, staff, **kw):
    return services.warning_create(
        actor=reviewer, kind=kw.pop("kind", WarningKind.TALK), unit=unit, reason="存在苗头性问题。", **kw
    )


@pytest.mark.parametrize("who", WHO)
def test_who_may_answer_a_warning_on_a_person(request, who, unit, reviewer, staff):
    warning = _issued_warning(reviewer, unit, staff, target=WarningTarget.PERSON, person=staff)
    actor = request.getfixturevalue(who)
    if who == "staff":
        services.warning_answer(
            warning=warning, version=warning.version, actor=actor, response="已认真反思，立即整改。"
        )
        warning.refresh_from_db()
        assert warning.state == WarningState.ANSWERED
    else:
        with pytest.raises(PermissionDenied):
            services.warning_answer(
                warning=warning, version=warning.version, actor=actor, response="已认真反思，立即整改。"
            )
        warning.refresh_from_db()
        assert (warning.state, warning.response, warning.version) == (WarningState.ISSUED, "", 1)


@pytest.mark.parametrize("who", WHO)
def test_who_may_answer_a_warning_on_a_unit(request, who, unit, reviewer, staff):
    warning = _issued_warning(reviewer, unit, staff, target=WarningTarget.UNIT)
    actor = request.getfixturevalue(who)
    if who == "unit_leader":
        services.warning_answer(
            warning=warning, version=warning.version, actor=actor, response="单位已召开专题会议整改。"
        )
        assert Warning.objects.get(pk=warning.pk).state == WarningState.ANSWERED
    else:
        with pytest.raises(PermissionDenied):
            services.warning_answer(
                warning=warning, version=warning.version, actor=actor, response="单位已召开专题会议整改。"
            )
        assert Warning.objects.get(pk=warning.pk).state == WarningState.ISSUED


@pytest.mark.parametrize("who", WHO)
def test_who_may_issue_a_warning(request, who, unit, staff):
    actor = request.getfixturevalue(who)
    if who in OFFICE:
        warning = _issued_warning(actor, unit, staff, target=WarningTarget.PERSON, person=staff)
        assert warning.state == WarningState.ISSUED
    else:
        with pytest.raises(PermissionDenied):
            _issued_warning(actor, unit, staff, target=WarningTarget.PERSON, person=staff)
        assert not Warning.objects.exists()


def test_warning_kinds_are_exactly_the_four_of_the_plan():
    assert [(k.value, str(k.label)) for k in WarningKind] == [
        ("talk", "谈话提醒"),
        ("caution", "警示提醒"),
        ("admonish", "诫勉纠错"),
        ("accountability", "责任追究"),
    ]


def test_r11_escalation_goes_only_to_heavier_measures(unit, reviewer, staff):
    warning = _issued_warning(reviewer, unit, staff, target=WarningTarget.PERSON, person=staff)
    with pytest.raises(ValidationError):
        services.warning_escalate(warning=warning, actor=reviewer, kind=WarningKind.TALK, reason="整改不力")
    heavier = services.warning_escalate(
        warning=warning, actor=reviewer, kind=WarningKind.ADMONISH, reason="整改不力，群众仍有反映。"
    )
    assert (heavier.kind, heavier.escalated_from, heavier.person) == (WarningKind.ADMONISH, warning, staff)
    assert heavier.source == WarningSource.ESCALATION


def test_warning_target_must_belong_to_the_unit(unit, reviewer, other_staff):
    with pytest.raises(ValidationError):
        services.warning_create(
            actor=reviewer,
            kind=WarningKind.TALK,
            target=WarningTarget.PERSON,
            unit=unit,
            person=other_staff,
            reason="x",
        )
    assert not Warning.objects.exists()


# --- key supervision ------------------------------------------------------------------------------------------------------
@pytest.fixture
def supervision(unit, key_post, reviewer):
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    verify(make_complaint(unit=unit, post=key_post), reviewer)
    services.yellow_card_issue(
        card=YellowCard.objects.get(), version=YellowCard.objects.get().version, actor=reviewer, document_no="X-7"
    )
    return KeySupervision.objects.get()


@pytest.mark.parametrize("who", [*WHO, "head"])
def test_who_may_add_a_periodic_report(request, who, supervision):
    actor = supervision.person if who == "head" else request.getfixturevalue(who)
    if who in OFFICE | {"unit_leader", "head"}:
        services.supervision_add_report(
            supervision=supervision, actor=actor, period="2011年第四季度", content="按期报告。"
        )
        assert supervision.reports.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.supervision_add_report(supervision=supervision, actor=actor, period="Q4", content="按期报告。")
        assert supervision.reports.count() == 0


def test_ending_key_supervision_is_recorded(supervision, reviewer):
    services.supervision_end(
        supervision=supervision,
        version=supervision.version,
        actor=reviewer,
        note="监管期满，表现良好。",
        end=supervision.start,
    )
    supervision.refresh_from_db()
    assert (supervision.state, supervision.ended_by) == (KeySupervisionState.ENDED, reviewer)
    with pytest.raises(PermissionDenied):
        services.supervision_add_report(supervision=supervision, actor=reviewer, period="Q1", content="x")


def test_overdue_supervision_reports_are_reminded_once_per_quarter(supervision, unit_leader):
    from reviews.tasks import remind_supervision_reports

    due = supervision.start + datetime.timedelta(days=95)
    assert remind_supervision_reports(due.isoformat()) == 1
    assert remind_supervision_reports(due.isoformat()) == 0  # same quarter: nothing new
    assert Notification.objects.filter(recipient=unit_leader, title__contains="重点监管定期报告").count() == 1
    assert services.supervision_remind_overdue_reports(today=supervision.start + datetime.timedelta(days=10)) == 0
