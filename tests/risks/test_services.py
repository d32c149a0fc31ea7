"""Risk points, power items and the form workflow: rules R1–R4, who may do each step, stale edits, snapshots."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianzheng.models import AuditEvent, Notification
from risks import services
from risks.models import FormEvent, FormSnapshot, FormState, PowerItem, RiskPoint, RiskScope, SpecialMeeting
from tests.factories import AssignmentFactory, OfficeFactory, PostFactory, UserFactory
from units.models import Assignment, Role

from .conftest import make_point

pytestmark = pytest.mark.django_db


def _meeting(form, leader):
    return SpecialMeeting.objects.create(
        campaign=form.campaign,
        unit=form.unit,
        date=datetime.date(2010, 6, 3),
        attendees="处长、副处长",
        minutes="评估",
        recorded_by=leader,
    )


def _submitted(form, staff, point_data):
    services.risk_point_create(form=form, actor=staff, **point_data)
    return services.form_submit(form=form, version=form.version, actor=staff, pledge=True)


def _confirmed(form, staff, leader, point_data):
    _submitted(form, staff, point_data)
    return services.form_confirm(
        form=form,
        version=form.version,
        actor=leader,
        meeting=_meeting(form, leader),
        confirmation_text="经班子研究，同意。",
    )


def _state(form):
    form.refresh_from_db()
    return form.state, form.version


# --- R1 -------------------------------------------------------------------------------------------------------
def test_r1_scope_is_derived_from_office_and_posts(the_unit_form, unit_contact, office, post, point_data):
    unit_level = services.risk_point_create(form=the_unit_form, actor=unit_contact, **point_data)
    office_level = services.risk_point_create(form=the_unit_form, actor=unit_contact, office=office, **point_data)
    post_level = services.risk_point_create(
        form=the_unit_form, actor=unit_contact, office=office, posts=[post], **point_data
    )
    assert (unit_level.scope, office_level.scope, post_level.scope) == (
        RiskScope.UNIT,
        RiskScope.OFFICE,
        RiskScope.POST,
    )


@pytest.mark.parametrize(
    ("scope", "use_office", "use_post", "field"),
    [
        ("post", True, False, "posts"),
        ("office", False, False, "office"),
        ("office", True, True, "posts"),
        ("unit", True, False, "scope"),
        ("region", False, False, "scope"),
    ],
)
def test_r1_inconsistent_scope_is_refused(
    the_unit_form, unit_contact, office, post, point_data, scope, use_office, use_post, field
):
    with pytest.raises(ValidationError) as error:
        services.risk_point_create(
            form=the_unit_form,
            actor=unit_contact,
            scope=scope,
            office=office if use_office else None,
            posts=[post] if use_post else [],
            **point_data,
        )
    assert field in error.value.message_dict
    assert not RiskPoint.objects.exists()


def test_r1_personal_form_points_sit_at_the_post(personal_form, staff, post, point_data):
    point = services.risk_point_create(form=personal_form, actor=staff, **point_data)
    assert point.scope == RiskScope.POST
    assert list(point.posts.all()) == [post]
    with pytest.raises(ValidationError):
        services.risk_point_create(form=personal_form, actor=staff, scope="unit", **point_data)


def test_r1_office_or_post_of_another_unit_is_refused(the_unit_form, unit_contact, other_unit, point_data):
    foreign_office = OfficeFactory(unit=other_unit)
    foreign_post = PostFactory(unit=other_unit, office=foreign_office)
    with pytest.raises(ValidationError) as error:
        services.risk_point_create(
            form=the_unit_form, actor=unit_contact, office=foreign_office, posts=[foreign_post], **point_data
        )
    assert {"office", "posts"} <= set(error.value.message_dict)


# --- R2 -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"), [("category", "moral"), ("category", ""), ("level", 4), ("level", 0), ("level", "x")]
)
def test_r2_category_and_level_must_be_the_plans(personal_form, staff, point_data, field, value):
    point_data[field] = value
    with pytest.raises(ValidationError) as error:
        services.risk_point_create(form=personal_form, actor=staff, **point_data)
    assert field in error.value.message_dict
    assert not RiskPoint.objects.exists()


def test_r2_each_of_four_categories_and_three_levels_is_accepted(personal_form, staff, point_data):
    for category in ("duty", "process", "system", "external"):
        for level in (1, 2, 3):
            services.risk_point_create(
                form=personal_form, actor=staff, **{**point_data, "category": category, "level": level}
            )
    assert RiskPoint.objects.count() == 12


def test_a_point_needs_a_power_item_or_business_step(personal_form, staff, point_data):
    point_data["business_step"] = ""
    with pytest.raises(ValidationError) as error:
        services.risk_point_create(form=personal_form, actor=staff, **point_data)
    assert "business_step" in error.value.message_dict


# --- R3 -------------------------------------------------------------------------------------------------------
def test_r3_new_holder_inherits_the_posts_points_and_form(personal_form, staff, post, point_data):
    point = services.risk_point_create(form=personal_form, actor=staff, **point_data)
    Assignment.objects.filter(user=staff, post=post).update(
        start=timezone.localdate() - datetime.timedelta(days=30), end=timezone.localdate() - datetime.timedelta(days=1)
    )
    successor = UserFactory(username="caiwu_new", role=Role.STAFF, unit=post.unit)
    AssignmentFactory(post=post, user=successor)

    from risks import rules, selectors

    assert rules.can_edit_form(successor, personal_form)
    assert point in selectors.points_visible_to(successor)
    assert personal_form in selectors.forms_visible_to(successor)
    updated = services.risk_point_update(
        point=point,
        form=personal_form,
        actor=successor,
        version=point.version,
        **{**point_data, "name": "新名称"},
    )
    assert updated.name == "新名称"

    assert not rules.can_view_form(staff, personal_form)
    assert personal_form not in selectors.forms_visible_to(staff)
    with pytest.raises(PermissionDenied):
        services.risk_point_update(point=point, form=personal_form, actor=staff, version=updated.version, **point_data)
    point.refresh_from_db()
    assert point.name == "新名称"


# --- stale edits ------------------------------------------------------------------------------------------------
def test_stale_edit_is_refused_and_nothing_is_overwritten(personal_form, staff, point_data):
    point = services.risk_point_create(form=personal_form, actor=staff, **point_data)
    read_version = point.version
    services.risk_point_update(
        point=point, form=personal_form, actor=staff, version=read_version, **{**point_data, "name": "第一次"}
    )
    with pytest.raises(services.StaleEdit) as error:
        services.risk_point_update(
            point=point,
            form=personal_form,
            actor=staff,
            version=read_version,
            **{**point_data, "name": "第二次"},
        )
    assert "该记录已被他人修改" in error.value.messages[0]
    point.refresh_from_db()
    assert point.name == "第一次"
    with pytest.raises(services.StaleEdit):
        services.risk_point_delete(point=point, form=personal_form, actor=staff, version=read_version)
    assert RiskPoint.objects.filter(pk=point.pk).exists()


def test_stale_transition_is_refused(personal_form, staff, point_data):
    services.risk_point_create(form=personal_form, actor=staff, **point_data)
    old = personal_form.version
    personal_form.refresh_from_db()
    with pytest.raises(services.StaleEdit):
        services.form_submit(form=personal_form, actor=staff, pledge=True, version=old - 1)
    assert _state(personal_form)[0] == FormState.DRAFT


def test_deleting_a_shared_point_from_a_personal_form_only_detaches_the_post(
    personal_form, staff, post, unit, point_data
):
    colleague_post = PostFactory(unit=unit, office=post.office)
    point = services.risk_point_create(form=personal_form, actor=staff, **point_data)
    point.posts.add(colleague_post)
    assert services.risk_point_delete(point=point, form=personal_form, actor=staff, version=point.version) is False
    assert list(RiskPoint.objects.get(pk=point.pk).posts.all()) == [colleague_post]


# --- R4 and the workflow --------------------------------------------------------------------------------------
def test_r4_no_confirmation_without_a_meeting(personal_form, staff, unit_leader, point_data):
    _submitted(personal_form, staff, point_data)
    before = _state(personal_form)
    with pytest.raises(ValidationError) as error:
        services.form_confirm(
            form=personal_form, version=personal_form.version, actor=unit_leader, confirmation_text="同意"
        )
    assert "meeting" in error.value.message_dict
    assert _state(personal_form) == before


def test_r4_no_confirmation_without_the_leaderships_text(personal_form, staff, unit_leader, point_data):
    _submitted(personal_form, staff, point_data)
    with pytest.raises(ValidationError) as error:
        services.form_confirm(
            form=personal_form,
            version=personal_form.version,
            actor=unit_leader,
            meeting=_meeting(personal_form, unit_leader),
            confirmation_text="  ",
        )
    assert "confirmation_text" in error.value.message_dict
    assert _state(personal_form)[0] == FormState.SUBMITTED


def test_r4_meeting_of_another_unit_does_not_count(
    personal_form, staff, unit_leader, other_unit, other_unit_leader, point_data
):
    _submitted(personal_form, staff, point_data)
    foreign = SpecialMeeting.objects.create(
        campaign=personal_form.campaign,
        unit=other_unit,
        date=datetime.date(2010, 6, 3),
        attendees="a",
        minutes="b",
        recorded_by=other_unit_leader,
    )
    with pytest.raises(ValidationError):
        services.form_confirm(
            form=personal_form,
            version=personal_form.version,
            actor=unit_leader,
            meeting=foreign,
            confirmation_text="同意",
        )
    assert _state(personal_form)[0] == FormState.SUBMITTED


def test_r4_confirm_can_record_the_meeting_in_the_same_step(personal_form, staff, unit_leader, point_data):
    _submitted(personal_form, staff, point_data)
    form = services.form_confirm(
        form=personal_form,
        version=personal_form.version,
        actor=unit_leader,
        confirmation_text="同意上报",
        new_meeting={"date": datetime.date(2010, 6, 3), "attendees": "班子成员", "minutes": "逐条评估"},
    )
    assert form.state == FormState.CONFIRMED
    assert form.meeting.attendees == "班子成员"


def test_r4_approval_needs_confirmation_first(personal_form, staff, reviewer, point_data):
    _submitted(personal_form, staff, point_data)
    with pytest.raises(ValidationError):
        services.form_approve(form=personal_form, version=personal_form.version, actor=reviewer)
    assert _state(personal_form)[0] == FormState.SUBMITTED


def test_submit_needs_a_point_and_the_pledge(personal_form, staff, point_data):
    with pytest.raises(ValidationError):
        services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    services.risk_point_create(form=personal_form, actor=staff, **point_data)
    with pytest.raises(ValidationError) as error:
        services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=False)
    assert "pledge" in error.value.message_dict
    assert _state(personal_form)[0] == FormState.DRAFT


def test_return_needs_a_comment(personal_form, staff, unit_leader, point_data):
    _submitted(personal_form, staff, point_data)
    with pytest.raises(ValidationError) as error:
        services.form_return(form=personal_form, version=personal_form.version, actor=unit_leader, comment=" ")
    assert "comment" in error.value.message_dict
    assert _state(personal_form)[0] == FormState.SUBMITTED


def test_full_workflow_writes_events_audit_and_notifies_the_next_actor(
    personal_form, staff, unit_leader, unit_contact, reviewer, point_data
):
    services.risk_point_create(form=personal_form, actor=staff, **point_data)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    assert Notification.objects.filter(recipient=unit_leader).count() == 1
    assert Notification.objects.filter(recipient=unit_contact).count() == 1

    services.form_confirm(
        form=personal_form,
        version=personal_form.version,
        actor=unit_leader,
        meeting=_meeting(personal_form, unit_leader),
        confirmation_text="同意",
    )
    assert Notification.objects.filter(recipient=reviewer).count() == 1

    services.form_return(form=personal_form, version=personal_form.version, actor=reviewer, comment="请补充表现形式")
    note = Notification.objects.filter(recipient=staff).get()
    assert "退回" in note.title and "请补充表现形式" in note.body

    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    services.form_confirm(
        form=personal_form,
        version=personal_form.version,
        actor=unit_leader,
        meeting=personal_form.meeting or _meeting(personal_form, unit_leader),
        confirmation_text="同意",
    )
    form = services.form_approve(form=personal_form, version=personal_form.version, actor=reviewer)
    assert form.state == FormState.APPROVED
    assert Notification.objects.filter(recipient=staff, title__contains="已审核通过").exists()
    assert Notification.objects.filter(recipient=unit_contact, title__contains="已审核通过").exists()

    actions = list(FormEvent.objects.filter(form=form).values_list("action", flat=True))
    assert actions == ["submit", "confirm", "return", "submit", "confirm", "approve"]
    assert AuditEvent.objects.filter(action__startswith="riskform.").count() == 6
    assert AuditEvent.objects.filter(action="riskpoint.create").count() == 1


def test_approval_freezes_a_snapshot_and_edits_wait_for_a_new_version(
    personal_form, staff, unit_leader, reviewer, point_data
):
    _confirmed(personal_form, staff, unit_leader, point_data)
    services.form_approve(form=personal_form, version=personal_form.version, actor=reviewer)
    snapshot = FormSnapshot.objects.get(form=personal_form)
    assert snapshot.revision == 1
    frozen = snapshot.content
    point = RiskPoint.objects.get()

    with pytest.raises(ValidationError):
        services.risk_point_update(point=point, form=personal_form, actor=staff, version=point.version, **point_data)

    services.form_reopen(form=personal_form, version=personal_form.version, actor=staff)
    personal_form.refresh_from_db()
    assert (personal_form.state, personal_form.revision) == (FormState.DRAFT, 2)
    services.risk_point_update(
        point=point,
        form=personal_form,
        actor=staff,
        version=point.version,
        **{**point_data, "name": "改过的名称"},
    )
    snapshot.refresh_from_db()
    assert snapshot.content == frozen
    assert "改过的名称" not in str(snapshot.content)
    assert point_data["name"] in str(snapshot.content)


def test_batch_approval_approves_every_confirmed_form_of_the_unit(
    campaign, unit, personal_form, the_unit_form, staff, unit_contact, unit_leader, reviewer, point_data
):
    _confirmed(personal_form, staff, unit_leader, point_data)
    services.form_submit(form=the_unit_form, version=the_unit_form.version, actor=unit_contact)
    services.form_confirm(
        form=the_unit_form,
        version=the_unit_form.version,
        actor=unit_leader,
        meeting=SpecialMeeting.objects.get(),
        confirmation_text="同意",
    )
    shown = {f.pk: f.version for f in (personal_form, the_unit_form)}
    approved = services.form_approve_unit_batch(unit=unit, campaign=campaign, actor=reviewer, versions=shown)
    assert {f.pk for f in approved} == {personal_form.pk, the_unit_form.pk}
    assert FormSnapshot.objects.count() == 2


def test_batch_approval_of_a_form_changed_since_the_page_was_shown_approves_nothing(
    campaign, unit, personal_form, the_unit_form, staff, unit_contact, unit_leader, reviewer, point_data
):
    _confirmed(personal_form, staff, unit_leader, point_data)
    services.form_submit(form=the_unit_form, version=the_unit_form.version, actor=unit_contact)
    services.form_confirm(
        form=the_unit_form, version=the_unit_form.version, actor=unit_leader, meeting=SpecialMeeting.objects.get(),
        confirmation_text="同意",
    )  # fmt: skip
    shown = {personal_form.pk: personal_form.version, the_unit_form.pk: the_unit_form.version - 1}
    with pytest.raises(services.StaleEdit):
        services.form_approve_unit_batch(unit=unit, campaign=campaign, actor=reviewer, versions=shown)
    assert _state(personal_form)[0] == FormState.CONFIRMED
    assert not FormSnapshot.objects.exists()


def test_batch_approval_by_a_non_reviewer_changes_nothing(
    campaign, unit, personal_form, staff, unit_leader, point_data
):
    _confirmed(personal_form, staff, unit_leader, point_data)
    with pytest.raises(PermissionDenied):
        services.form_approve_unit_batch(
            unit=unit, campaign=campaign, actor=unit_leader, versions={personal_form.pk: personal_form.version}
        )
    assert _state(personal_form)[0] == FormState.CONFIRMED
    assert not FormSnapshot.objects.exists()


# --- who may / who may not, per transition --------------------------------------------------------------------------
ALL = [
    "admin_user",
    "reviewer",
    "school_leader",
    "unit_leader",
    "unit_contact",
    "staff",
    "other_staff",
    "other_unit_leader",
]


def _prepare(state, request):
    """A personal form of ``post`` in the given state, and the actors fixture objects."""
    form = request.getfixturevalue("personal_form")
    staff = request.getfixturevalue("staff")
    leader = request.getfixturevalue("unit_leader")
    reviewer = request.getfixturevalue("reviewer")
    data = request.getfixturevalue("point_data")
    if state == "draft":
        services.risk_point_create(form=form, actor=staff, **data)
    elif state == "submitted":
        _submitted(form, staff, data)
    elif state == "confirmed":
        _confirmed(form, staff, leader, data)
    elif state == "approved":
        _confirmed(form, staff, leader, data)
        services.form_approve(form=form, version=form.version, actor=reviewer)
    form.refresh_from_db()
    return form


def _attempt(action, form, actor):
    meeting = SpecialMeeting.objects.filter(unit=form.unit).first()
    if meeting is None:
        meeting = SpecialMeeting.objects.create(
            campaign=form.campaign,
            unit=form.unit,
            date=datetime.date(2010, 6, 3),
            attendees="a",
            minutes="b",
            recorded_by=actor,
        )
    calls = {
        "submit": lambda: services.form_submit(form=form, version=form.version, actor=actor, pledge=True),
        "confirm": lambda: services.form_confirm(
            form=form, version=form.version, actor=actor, meeting=meeting, confirmation_text="同意"
        ),
        "return_submitted": lambda: services.form_return(
            form=form, version=form.version, actor=actor, comment="请修改"
        ),
        "return_confirmed": lambda: services.form_return(
            form=form, version=form.version, actor=actor, comment="请修改"
        ),
        "approve": lambda: services.form_approve(form=form, version=form.version, actor=actor),
        "reopen": lambda: services.form_reopen(form=form, version=form.version, actor=actor),
    }
    calls[action]()


WHO_MAY = {
    # action: (state the form is in, roles that may)
    "submit": ("draft", {"staff"}),
    "confirm": ("submitted", {"unit_leader"}),
    "return_submitted": ("submitted", {"unit_leader"}),
    "return_confirmed": ("confirmed", {"reviewer", "admin_user"}),
    "approve": ("confirmed", {"reviewer", "admin_user"}),
    "reopen": ("approved", {"staff", "admin_user"}),
}


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("action", list(WHO_MAY))
def test_who_may_move_a_personal_form(request, action, role):
    state, allowed = WHO_MAY[action]
    form = _prepare(state, request)
    actor = request.getfixturevalue(role)
    before = (
        form.state,
        form.version,
        FormEvent.objects.count(),
        FormSnapshot.objects.count(),
        Notification.objects.count(),
    )
    if role in allowed:
        _attempt(action, form, actor)
        form.refresh_from_db()
        assert form.state != state
        assert FormEvent.objects.count() == before[2] + 1
    else:
        with pytest.raises(PermissionDenied):
            _attempt(action, form, actor)
        form.refresh_from_db()
        after = (
            form.state,
            form.version,
            FormEvent.objects.count(),
            FormSnapshot.objects.count(),
            Notification.objects.count(),
        )
        assert after == before


@pytest.mark.parametrize("role", ALL)
def test_who_may_add_a_point_to_a_personal_form(request, role, personal_form, point_data):
    actor = request.getfixturevalue(role)
    if role == "staff":
        services.risk_point_create(form=personal_form, actor=actor, **point_data)
        assert RiskPoint.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.risk_point_create(form=personal_form, actor=actor, **point_data)
        assert not RiskPoint.objects.exists()
        assert not AuditEvent.objects.filter(action="riskpoint.create").exists()


@pytest.mark.parametrize("role", ALL)
def test_who_may_edit_the_unit_form(request, role, the_unit_form, point_data):
    actor = request.getfixturevalue(role)
    if role in {"unit_contact", "unit_leader"}:
        services.risk_point_create(form=the_unit_form, actor=actor, **point_data)
        assert RiskPoint.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.risk_point_create(form=the_unit_form, actor=actor, **point_data)
        assert not RiskPoint.objects.exists()


@pytest.mark.parametrize("role", ALL)
def test_who_may_record_a_meeting(request, role, campaign, unit):
    actor = request.getfixturevalue(role)
    call = lambda: services.meeting_record(  # noqa: E731
        unit=unit, campaign=campaign, actor=actor, date=datetime.date(2010, 6, 3), attendees="班子", minutes="评估"
    )
    if role in {"unit_contact", "unit_leader"}:
        call()
        assert SpecialMeeting.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not SpecialMeeting.objects.exists()


# --- power inventory ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ALL)
def test_who_may_edit_the_power_inventory(request, role, unit, post):
    actor = request.getfixturevalue(role)
    call = lambda: services.power_item_create(unit=unit, actor=actor, name="报销审核", kind="finance", posts=[post])  # noqa: E731
    if role in {"unit_contact", "unit_leader"}:
        item = call()
        assert list(item.posts.all()) == [post]
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not PowerItem.objects.exists()


def test_power_item_names_are_unique_in_a_unit_and_stale_updates_refused(unit, unit_contact):
    item = services.power_item_create(unit=unit, actor=unit_contact, name="报销审核")
    with pytest.raises(ValidationError) as error:
        services.power_item_create(unit=unit, actor=unit_contact, name="报销审核")
    assert "name" in error.value.message_dict
    services.power_item_update(item=item, actor=unit_contact, version=1, name="报销审核(日常)")
    with pytest.raises(services.StaleEdit):
        services.power_item_update(item=item, actor=unit_contact, version=1, name="又改")
    item.refresh_from_db()
    assert item.name == "报销审核(日常)"


def test_deleting_a_power_item_keeps_the_matter_on_its_points(campaign, unit, unit_contact):
    item = services.power_item_create(unit=unit, actor=unit_contact, name="资金支付")
    point = make_point(campaign, unit, power_item=item, business_step="")
    services.power_item_delete(item=item, actor=unit_contact, version=item.version)
    point.refresh_from_db()
    assert point.power_item is None and point.matter == "资金支付"
