"""实施细则: draft → publicising → submitted → approved/returned (DESIGN §5), publicity before submission (R8),
completeness of measures (R7)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianzheng.models import AuditEvent, Notification
from measures import services
from measures.models import ImplementationRules, RulesComment, RulesEvent, RulesState
from risks.models import FormKind, FormState, RiskForm
from tests.measures.conftest import complete, make_measure, make_point, publicising

pytestmark = pytest.mark.django_db


def ended(rules_doc):
    """A publicity window that has run its course."""
    return publicising(rules_doc, start_delta=timedelta(days=-6), end_delta=timedelta(minutes=-1))


def close_window(rules_doc):
    """Move an open window into the past, as if its days had run (the test does not wait for them)."""
    now = timezone.now()
    ImplementationRules.objects.filter(pk=rules_doc.pk).update(
        publicity_start=now - timedelta(days=5), publicity_end=now - timedelta(seconds=1)
    )
    rules_doc.refresh_from_db()


def snapshot(rules_doc):
    rules_doc.refresh_from_db()
    return (rules_doc.state, rules_doc.version, rules_doc.body, rules_doc.publicity_end, rules_doc.events.count())


# --- creating the first draft ---------------------------------------------------------------------------
def test_first_draft_is_generated_from_points_and_their_measures(campaign, unit, point, unit_contact):
    make_measure(point, "pre", content="不相容岗位分离")
    make_measure(point, "post", content="移送司法机关")
    rules_doc = services.rules_create(unit=unit, campaign=campaign, actor=unit_contact)
    assert rules_doc.state == RulesState.DRAFT
    assert rules_doc.title == "财务处廉政风险防范管理实施细则"
    body = rules_doc.body
    assert "资金支付与账户印鉴" in body and "不相容岗位分离" in body and "移送司法机关" in body
    assert "中期监控：" in body and "(待补充)" in body
    assert "尚无已审核通过的防控表" in body  # nothing approved: says it used all points
    assert RulesEvent.objects.filter(rules=rules_doc, action="create").exists()
    assert AuditEvent.objects.filter(action="rules.create").exists()


def test_first_draft_uses_only_points_of_approved_forms_when_there_are_some(campaign, unit, post, point, unit_contact):
    unapproved = make_point(campaign, unit, n=5, name="未审核岗位的风险点")
    RiskForm.objects.create(kind=FormKind.PERSONAL, campaign=campaign, unit=unit, post=post, state=FormState.APPROVED)
    body = services.rules_create(unit=unit, campaign=campaign, actor=unit_contact).body
    assert point.name in body and unapproved.name not in body
    assert "尚无已审核通过" not in body


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("unit_contact", True), ("unit_leader", True), ("staff", False), ("reviewer", False), ("other_contact", False)],
)
def test_who_may_create_the_rules(request, campaign, unit, role, allowed):
    actor = request.getfixturevalue(role)
    if allowed:
        assert services.rules_create(unit=unit, campaign=campaign, actor=actor).unit == unit
    else:
        with pytest.raises(PermissionDenied):
            services.rules_create(unit=unit, campaign=campaign, actor=actor)
        assert not ImplementationRules.objects.exists()


def test_one_rules_per_unit_and_campaign(campaign, unit, unit_contact):
    services.rules_create(unit=unit, campaign=campaign, actor=unit_contact)
    with pytest.raises(ValidationError):
        services.rules_create(unit=unit, campaign=campaign, actor=unit_contact)
    assert ImplementationRules.objects.count() == 1


# --- who may do each transition ---------------------------------------------------------------------------
WRITERS = [
    ("unit_contact", True),
    ("unit_leader", True),
    ("staff", False),
    ("reviewer", False),
    ("school_leader", False),
    ("other_contact", False),
]
REVIEWERS = [
    ("reviewer", True),
    ("admin_user", True),
    ("unit_contact", False),
    ("unit_leader", False),
    ("school_leader", False),
]


@pytest.mark.parametrize(("role", "allowed"), WRITERS)
def test_who_may_edit(request, rules_doc, role, allowed):
    actor = request.getfixturevalue(role)
    call = lambda: services.rules_update(rules_doc=rules_doc, actor=actor, version=1, title="新标题", body="正文")  # noqa: E731
    if allowed:
        assert call().body == "正文"
    else:
        before = snapshot(rules_doc)
        with pytest.raises(PermissionDenied):
            call()
        assert snapshot(rules_doc) == before


@pytest.mark.parametrize(("role", "allowed"), WRITERS)
def test_r8_who_may_open_publicity(request, rules_doc, role, allowed):
    actor = request.getfixturevalue(role)
    now = timezone.now()
    call = lambda: services.rules_publicise(  # noqa: E731
        rules_doc=rules_doc, actor=actor, version=1, start=now, end=now + timedelta(days=5), scope="处务公开栏"
    )
    if allowed:
        assert call().state == RulesState.PUBLICISING
    else:
        before = snapshot(rules_doc)
        with pytest.raises(PermissionDenied):
            call()
        assert snapshot(rules_doc) == before


@pytest.mark.parametrize(("role", "allowed"), WRITERS)
def test_r8_who_may_submit(request, rules_doc, role, allowed):
    ended(rules_doc)
    actor = request.getfixturevalue(role)
    if allowed:
        submitted = services.rules_submit(rules_doc=rules_doc, actor=actor, version=rules_doc.version)
        assert submitted.state == RulesState.SUBMITTED and submitted.submitted_at
    else:
        before = snapshot(rules_doc)
        with pytest.raises(PermissionDenied):
            services.rules_submit(rules_doc=rules_doc, actor=actor, version=rules_doc.version)
        assert snapshot(rules_doc) == before


@pytest.mark.parametrize(("role", "allowed"), REVIEWERS)
def test_who_may_approve(request, rules_doc, role, allowed):
    ImplementationRules.objects.filter(pk=rules_doc.pk).update(state=RulesState.SUBMITTED)
    rules_doc.refresh_from_db()
    actor = request.getfixturevalue(role)
    if allowed:
        approved = services.rules_approve(rules_doc=rules_doc, actor=actor, version=1)
        assert approved.state == RulesState.APPROVED and approved.approved_by == actor
    else:
        before = snapshot(rules_doc)
        with pytest.raises(PermissionDenied):
            services.rules_approve(rules_doc=rules_doc, actor=actor, version=1)
        assert snapshot(rules_doc) == before


@pytest.mark.parametrize(("role", "allowed"), REVIEWERS)
def test_who_may_return(request, rules_doc, role, allowed):
    ImplementationRules.objects.filter(pk=rules_doc.pk).update(state=RulesState.SUBMITTED)
    rules_doc.refresh_from_db()
    actor = request.getfixturevalue(role)
    if allowed:
        returned = services.rules_return(rules_doc=rules_doc, actor=actor, version=1, comment="请补充后期处置措施")
        assert returned.state == RulesState.RETURNED
        assert returned.events.get(action="return").comment == "请补充后期处置措施"
    else:
        before = snapshot(rules_doc)
        with pytest.raises(PermissionDenied):
            services.rules_return(rules_doc=rules_doc, actor=actor, version=1, comment="x")
        assert snapshot(rules_doc) == before


@pytest.mark.parametrize(("role", "allowed"), WRITERS)
def test_who_may_answer_a_comment(request, rules_doc, role, allowed):
    publicising(rules_doc)
    comment = RulesComment.objects.create(rules=rules_doc, content="建议补充")
    actor = request.getfixturevalue(role)
    if allowed:
        assert services.rules_comment_answer(comment=comment, actor=actor, answer="已采纳").answered_by == actor
    else:
        with pytest.raises(PermissionDenied):
            services.rules_comment_answer(comment=comment, actor=actor, answer="已采纳")
        comment.refresh_from_db()
        assert comment.answer == "" and comment.answered_by is None


def test_return_needs_a_comment(rules_doc, reviewer):
    ImplementationRules.objects.filter(pk=rules_doc.pk).update(state=RulesState.SUBMITTED)
    rules_doc.refresh_from_db()
    with pytest.raises(ValidationError, match="必须填写意见"):
        services.rules_return(rules_doc=rules_doc, actor=reviewer, version=1, comment="  ")
    assert snapshot(rules_doc)[0] == RulesState.SUBMITTED


def test_wrong_source_state_is_refused(rules_doc, reviewer, unit_contact):
    with pytest.raises(ValidationError):
        services.rules_approve(rules_doc=rules_doc, actor=reviewer, version=1)
    with pytest.raises(ValidationError):
        services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=1)
    assert snapshot(rules_doc)[:2] == (RulesState.DRAFT, 1)


def test_stale_version_is_refused(rules_doc, unit_contact, unit_leader):
    services.rules_update(rules_doc=rules_doc, actor=unit_leader, version=1, title="t", body="负责人的版本")
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.rules_update(rules_doc=rules_doc, actor=unit_contact, version=1, title="t", body="联络员的版本")
    assert snapshot(rules_doc)[2] == "负责人的版本"


def test_text_is_frozen_while_publicised(rules_doc, unit_contact):
    publicising(rules_doc)
    with pytest.raises(ValidationError, match="草稿或退回"):
        services.rules_update(rules_doc=rules_doc, actor=unit_contact, version=1, title="t", body="偷偷改")
    assert snapshot(rules_doc)[2] == "# 细则"


# --- R8: publicity before submission --------------------------------------------------------------------
def test_r8_publicity_window_must_end_after_it_starts_and_in_the_future(rules_doc, unit_contact):
    now = timezone.now()
    for start, end in [(now, now - timedelta(hours=1)), (now - timedelta(days=3), now - timedelta(days=1))]:
        with pytest.raises(ValidationError):
            services.rules_publicise(
                rules_doc=rules_doc, actor=unit_contact, version=1, start=start, end=end, scope="校园网"
            )
    with pytest.raises(ValidationError):
        services.rules_publicise(
            rules_doc=rules_doc, actor=unit_contact, version=1, start=now, end=now + timedelta(days=1), scope=" "
        )
    assert snapshot(rules_doc)[:2] == (RulesState.DRAFT, 1)


def test_r8_submit_is_refused_before_publicity(rules_doc, unit_contact):
    assert services.submission_problems(rules_doc)
    with pytest.raises(ValidationError):
        services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=1)


def test_r8_submit_is_refused_while_the_window_is_open(rules_doc, unit_contact):
    publicising(rules_doc)
    with pytest.raises(ValidationError, match="公示期尚未结束"):
        services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=1)
    assert snapshot(rules_doc)[0] == RulesState.PUBLICISING


def test_r8_submit_is_refused_while_a_comment_is_unanswered(rules_doc, unit_contact):
    ended(rules_doc)
    comment = RulesComment.objects.create(rules=rules_doc, content="第三条不清楚")
    with pytest.raises(ValidationError, match="1 条公示意见未答复"):
        services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=1)
    services.rules_comment_answer(comment=comment, actor=unit_contact, answer="已修改表述")
    assert services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=1).state == RulesState.SUBMITTED


def test_r8_comments_are_accepted_only_inside_the_window(rules_doc):
    with pytest.raises(ValidationError):  # draft
        services.rules_comment_add(rules_doc=rules_doc, content="意见")
    publicising(rules_doc, start_delta=timedelta(hours=1), end_delta=timedelta(days=2))
    with pytest.raises(ValidationError):  # before the window
        services.rules_comment_add(rules_doc=rules_doc, content="意见")
    publicising(rules_doc, start_delta=timedelta(days=-3), end_delta=timedelta(seconds=-1))
    with pytest.raises(ValidationError):  # after the window
        services.rules_comment_add(rules_doc=rules_doc, content="意见")
    assert not RulesComment.objects.exists()
    publicising(rules_doc)
    comment = services.rules_comment_add(rules_doc=rules_doc, content="意见", author_name="")
    assert comment.author_name == "" and comment.rules == rules_doc


def test_comment_length_is_limited(rules_doc):
    publicising(rules_doc)
    with pytest.raises(ValidationError, match="1000"):
        services.rules_comment_add(rules_doc=rules_doc, content="长" * 1001)
    services.rules_comment_add(rules_doc=rules_doc, content="长" * 1000)
    assert RulesComment.objects.count() == 1


def test_new_comment_notifies_the_unit(rules_doc, unit_contact, unit_leader, other_contact):
    publicising(rules_doc)
    services.rules_comment_add(rules_doc=rules_doc, content="意见")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"caiwu_contact", "caiwu_leader"}


# --- R7: completeness blocks submission -----------------------------------------------------------------
def test_r7_submit_is_refused_while_a_level_one_or_two_point_lacks_a_stage_and_lists_them(
    campaign, unit, rules_doc, unit_contact
):
    level1 = make_point(campaign, unit, n=1, name="资金支付", level=1)
    make_measure(level1, "pre")
    level2 = make_point(campaign, unit, n=2, name="报销审核", level=2)
    complete(level2)
    level3 = make_point(campaign, unit, n=3, name="窗口服务", level=3)  # a gap here is flagged but does not block
    ended(rules_doc)
    with pytest.raises(ValidationError) as info:
        services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=rules_doc.version)
    message = " ".join(info.value.messages)
    assert "资金支付(一级)缺少中期监控、后期处置" in message
    assert "报销审核" not in message and level3.name not in message
    assert snapshot(rules_doc)[0] == RulesState.PUBLICISING

    make_measure(level1, "mid")
    make_measure(level1, "post")
    assert (
        services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=rules_doc.version).state == "submitted"
    )


def test_r7_completeness_flags_every_point_lacking_a_stage(campaign, unit):
    from measures.selectors import blocking_gaps, completeness_gaps

    full = make_point(campaign, unit, n=1, level=1)
    complete(full)
    partial = make_point(campaign, unit, n=2, level=3)
    make_measure(partial, "mid")
    gaps = completeness_gaps(unit=unit, campaign=campaign)
    assert [(g.point, [s.value for s in g.stages]) for g in gaps] == [(partial, ["pre", "post"])]
    assert blocking_gaps(unit=unit, campaign=campaign) == []


def test_personal_measures_do_not_count_for_completeness(campaign, unit, point, personal_form):
    from measures.selectors import blocking_gaps

    for stage in ("pre", "mid", "post"):
        make_measure(point, stage, personal_form=personal_form)
    assert [g.point for g in blocking_gaps(unit=unit, campaign=campaign)] == [point]


# --- the full path with its notifications and timeline --------------------------------------------------
def test_full_workflow_with_notifications_and_timeline(
    campaign, unit, point, unit_contact, unit_leader, reviewer, django_capture_on_commit_callbacks
):
    complete(point)
    rules_doc = services.rules_create(unit=unit, campaign=campaign, actor=unit_contact)
    now = timezone.now()
    rules_doc = services.rules_publicise(
        rules_doc=rules_doc, actor=unit_contact, version=1, start=now, end=now + timedelta(days=5), scope="校园网"
    )
    close_window(rules_doc)
    rules_doc = services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=rules_doc.version)
    assert Notification.objects.filter(recipient=reviewer, url__contains=f"/rules/{rules_doc.pk}/").exists()
    rules_doc = services.rules_return(rules_doc=rules_doc, actor=reviewer, version=rules_doc.version, comment="补充")
    assert Notification.objects.filter(recipient=unit_leader, title__contains="退回").exists()
    assert Notification.objects.filter(recipient=unit_contact, title__contains="退回").exists()
    # Returned text must be publicised again before it can be submitted again (R8).
    with pytest.raises(ValidationError):
        services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=rules_doc.version)
    rules_doc = services.rules_update(
        rules_doc=rules_doc, actor=unit_contact, version=rules_doc.version, title="t", body="改后"
    )
    rules_doc = services.rules_publicise(
        rules_doc=rules_doc,
        actor=unit_contact,
        version=rules_doc.version,
        start=timezone.now(),
        end=timezone.now() + timedelta(days=5),
        scope="校园网",
    )
    close_window(rules_doc)
    rules_doc = services.rules_submit(rules_doc=rules_doc, actor=unit_contact, version=rules_doc.version)
    rules_doc = services.rules_approve(rules_doc=rules_doc, actor=reviewer, version=rules_doc.version)
    assert Notification.objects.filter(recipient=unit_contact, title__contains="通过").exists()
    actions = list(rules_doc.events.values_list("action", flat=True))
    assert actions == ["create", "publicise", "submit", "return", "publicise", "submit", "approve"]
    assert AuditEvent.objects.filter(action__startswith="rules.").count() == 8  # 7 above + one update


def test_withdraw_takes_the_text_off_publicity(rules_doc, unit_contact):
    publicising(rules_doc)
    withdrawn = services.rules_withdraw(rules_doc=rules_doc, actor=unit_contact, version=1)
    assert withdrawn.state == RulesState.DRAFT and withdrawn.publicity_end is None
