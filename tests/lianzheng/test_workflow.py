"""One write path (issue 12, point 4): every service that takes a ``version`` goes through lianzheng.workflow — a
stale version is refused and the row stays as it was, a missing version is a TypeError (no None that skips the
check), a transition from a state it does not allow is refused naming the current state."""

import datetime
import inspect

import pytest
from django.core.exceptions import ValidationError

from lianzheng import workflow
from lianzheng.models import AuditEvent
from measures import services as measure_services
from measures.models import Measure
from reviews import services as review_services
from reviews.models import Complaint, ComplaintChannel
from reviews.schedule import services as schedule_services
from risks import services
from risks.models import FormEvent, FormState, RiskForm, RiskPoint, SpecialMeeting
from tests.factories import CampaignFactory
from units import campaign_services
from units.models import Campaign

pytestmark = pytest.mark.django_db

PLAN = {
    "prepare": (datetime.date(2010, 5, 20), datetime.date(2010, 5, 28)),
    "identify": (datetime.date(2010, 5, 29), datetime.date(2010, 6, 6)),
    "measures": (datetime.date(2010, 6, 7), datetime.date(2010, 6, 18)),
    "inspect": (datetime.date(2010, 6, 19), datetime.date(2010, 6, 30)),
}
POINT = {
    "name": "现金收付",
    "manifestation": "坐支现金、白条抵库。",
    "category": "system",
    "level": 1,
    "business_step": "现金收付与银行存取",
    "responsible_leader": "分管副处长",
    "responsible_person": "科长",
    "supervisor": "审计处",
}


@pytest.fixture
def campaign(unit, other_unit):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit, other_unit])
    return campaign


@pytest.fixture
def form(campaign, post):
    return services.form_for_post(campaign=campaign, post=post)


def _meeting(form, leader):
    return SpecialMeeting.objects.create(
        campaign=form.campaign, unit=form.unit, date=datetime.date(2010, 6, 3), attendees="处长", minutes="评估",
        recorded_by=leader,
    )  # fmt: skip


def _to(state, form, *, staff, leader, reviewer, **_others):
    """Drive the form with the services to ``state``."""
    if not RiskPoint.objects.filter(posts=form.post).exists():
        services.risk_point_create(form=form, actor=staff, **POINT)
    services.form_submit(form=form, actor=staff, pledge=True, version=form.version)
    if state == FormState.SUBMITTED:
        return form
    services.form_confirm(
        form=form, actor=leader, meeting=_meeting(form, leader), confirmation_text="同意。", version=form.version
    )
    if state == FormState.CONFIRMED:
        return form
    services.form_approve(form=form, actor=reviewer, version=form.version)
    return form


# --- the helper itself --------------------------------------------------------------------------------------------
def test_stale_version_is_one_error_with_a_clear_chinese_message(form):
    with pytest.raises(workflow.StaleEdit) as error:
        workflow.locked_for_edit(RiskForm, form.pk, version=form.version + 1)
    assert error.value.messages == ["该记录已被他人修改，请刷新后重试。"]
    assert isinstance(error.value, ValidationError)


@pytest.mark.parametrize("seen", [None, "", "abc"])
def test_a_missing_or_garbled_version_is_stale_never_a_skip(form, seen):
    with pytest.raises(workflow.StaleEdit):
        workflow.locked_for_edit(RiskForm, form.pk, version=seen)


def test_locked_for_edit_without_version_is_a_type_error(form):
    with pytest.raises(TypeError, match="version"):
        workflow.locked_for_edit(RiskForm, form.pk)


# --- every versioned service refuses a stale version, and leaves the row as it was -------------------------------
def _row(model, pk):
    return model.objects.filter(pk=pk).values().first()


def _stale_form_call(name):
    def call(ctx):
        form = ctx["form"]
        if name in ("confirm", "return"):
            _to(FormState.SUBMITTED, form, **ctx["people"])
        if name == "approve":
            _to(FormState.CONFIRMED, form, **ctx["people"])
        if name == "reopen":
            _to(FormState.APPROVED, form, **ctx["people"])
        if name == "submit":
            services.risk_point_create(form=form, actor=ctx["people"]["staff"], **POINT)
            form.refresh_from_db()
        people = ctx["people"]
        stale = form.version - 1
        calls = {
            "submit": lambda: services.form_submit(form=form, actor=people["staff"], pledge=True, version=stale),
            "confirm": lambda: services.form_confirm(
                form=form,
                actor=people["leader"],
                confirmation_text="同意。",
                version=stale,
                meeting=_meeting(form, people["leader"]),
            ),  # fmt: skip
            "return": lambda: services.form_return(form=form, actor=people["leader"], comment="改", version=stale),
            "approve": lambda: services.form_approve(form=form, actor=people["reviewer"], version=stale),
            "reopen": lambda: services.form_reopen(form=form, actor=people["staff"], version=stale),
        }
        return RiskForm, form.pk, calls[name]

    return call


def _stale_point_update(ctx):
    point = services.risk_point_create(form=ctx["form"], actor=ctx["people"]["staff"], **POINT)
    services.risk_point_update(
        point=point, form=ctx["form"], actor=ctx["people"]["staff"], version=point.version, **{**POINT, "name": "甲"}
    )
    return (
        RiskPoint,
        point.pk,
        lambda: services.risk_point_update(
            point=point, form=ctx["form"], actor=ctx["people"]["staff"], version=1, **{**POINT, "name": "乙"}
        ),
    )


def _stale_point_delete(ctx):
    point = services.risk_point_create(form=ctx["form"], actor=ctx["people"]["staff"], **POINT)
    services.risk_point_update(
        point=point, form=ctx["form"], actor=ctx["people"]["staff"], version=point.version, **{**POINT, "name": "甲"}
    )
    return (
        RiskPoint,
        point.pk,
        lambda: services.risk_point_delete(point=point, form=ctx["form"], actor=ctx["people"]["staff"], version=1),
    )


def _power_item(ctx):
    contact = ctx["people"]["contact"]
    item = services.power_item_create(unit=ctx["form"].unit, actor=contact, name="资金支付", kind="approval")
    services.power_item_update(item=item, actor=contact, version=item.version, name="资金支付审批", kind="approval")
    return item, contact


def _stale_power_update(ctx):
    item, contact = _power_item(ctx)
    return (
        type(item),
        item.pk,
        lambda: services.power_item_update(item=item, actor=contact, version=1, name="乙", kind="approval"),
    )


def _stale_power_delete(ctx):
    item, contact = _power_item(ctx)
    return type(item), item.pk, lambda: services.power_item_delete(item=item, actor=contact, version=1)


def _stale_measure(verb):
    def call(ctx):
        contact = ctx["people"]["contact"]
        point = services.risk_point_create(form=ctx["form"], actor=ctx["people"]["staff"], **POINT)
        measure = Measure.objects.create(risk_point=point, stage="pre", content="原文", responsible="财务处")
        measure_services.measure_update(measure=measure, actor=contact, version=measure.version, content="改过")
        calls = {
            "update": lambda: measure_services.measure_update(measure=measure, actor=contact, version=1, content="乙"),
            "delete": lambda: measure_services.measure_delete(measure=measure, actor=contact, version=1),
        }
        return Measure, measure.pk, calls[verb]

    return call


def _stale_campaign(ctx):
    campaign = ctx["form"].campaign
    admin = ctx["people"]["admin"]
    phases = PLAN
    units = list(campaign.units.all())
    args = {"actor": admin, "campaign": campaign, "year": campaign.year, "batch": 1, "units": units}
    campaign_services.campaign_update(**args, name="改名一", phases=phases, version=campaign.version)
    return (
        Campaign,
        campaign.pk,
        lambda: campaign_services.campaign_update(**args, name="改名二", phases=phases, version=campaign.version - 1),
    )


def _stale_complaint(ctx):
    complaint = Complaint.objects.create(
        year=2011, received_on=datetime.date(2011, 3, 1), channel=ComplaintChannel.ONLINE, unit=ctx["form"].unit,
        content="反映问题。", query_code_hash=review_services.hash_query_code(review_services.new_query_code()),
    )  # fmt: skip
    reviewer = ctx["people"]["reviewer"]
    review_services.complaint_transition(complaint=complaint, actor=reviewer, action="check", version=complaint.version)
    return (
        Complaint,
        complaint.pk,
        lambda: review_services.complaint_transition(
            complaint=complaint, actor=reviewer, action="verify", findings="查实", version=complaint.version - 1
        ),
    )


STALE_CASES = {
    **{f"form_{name}": _stale_form_call(name) for name in ["submit", "confirm", "return", "approve", "reopen"]},
    "risk_point_update": _stale_point_update,
    "risk_point_delete": _stale_point_delete,
    "power_item_update": _stale_power_update,
    "power_item_delete": _stale_power_delete,
    "measure_update": _stale_measure("update"),
    "measure_delete": _stale_measure("delete"),
    "campaign_update": _stale_campaign,
    "complaint_transition": _stale_complaint,
}


@pytest.mark.parametrize("case", list(STALE_CASES))
def test_every_versioned_service_refuses_a_stale_version_and_changes_nothing(
    case, form, staff, unit_leader, unit_contact, reviewer, admin_user
):
    people = {"staff": staff, "leader": unit_leader, "contact": unit_contact, "reviewer": reviewer, "admin": admin_user}
    model, pk, call = STALE_CASES[case]({"form": form, "people": people})
    before, events = _row(model, pk), AuditEvent.objects.count()

    with pytest.raises(workflow.StaleEdit, match="已被他人修改"):
        call()

    assert _row(model, pk) == before
    assert AuditEvent.objects.count() == events


VERSIONED_SERVICES = [
    services.form_submit, services.form_confirm, services.form_return, services.form_approve, services.form_reopen,
    services.risk_point_update, services.risk_point_delete, services.power_item_update, services.power_item_delete,
    measure_services.measure_update, measure_services.measure_delete, measure_services.measure_advance,
    measure_services.rules_update, measure_services.rules_regenerate, measure_services.rules_publicise,
    measure_services.rules_withdraw, measure_services.rules_submit, measure_services.rules_approve,
    measure_services.rules_return, campaign_services.campaign_update, schedule_services.submission_submit,
    schedule_services.submission_accept, schedule_services.submission_return, schedule_services.self_inspection_save,
    schedule_services.inspection_save, review_services.complaint_transition, review_services.yellow_card_issue,
    review_services.yellow_card_lift, review_services.supervision_end, review_services.warning_issue,
    review_services.warning_dismiss, review_services.warning_answer, review_services.assessment_save,
]  # fmt: skip


@pytest.mark.parametrize("service", VERSIONED_SERVICES, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_every_versioned_service_takes_version_as_a_required_keyword(service):
    parameter = inspect.signature(service).parameters["version"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default is inspect.Parameter.empty
    assert not any(name == "expected_version" for name in inspect.signature(service).parameters)


def test_calling_a_transition_without_version_is_a_type_error(form, staff):
    services.risk_point_create(form=form, actor=staff, **POINT)
    with pytest.raises(TypeError, match="version"):
        services.form_submit(form=form, actor=staff, pledge=True)
    assert RiskForm.objects.get(pk=form.pk).state == FormState.DRAFT


# --- source states -------------------------------------------------------------------------------------------------
def test_a_disallowed_transition_is_refused_naming_the_current_state(form, reviewer):
    with pytest.raises(ValidationError) as error:
        services.form_approve(form=form, actor=reviewer, version=form.version)

    assert "当前状态为“草稿”" in " ".join(error.value.messages)
    assert "审核通过" in " ".join(error.value.messages)
    form.refresh_from_db()
    assert (form.state, form.version) == (FormState.DRAFT, 1)
    assert not FormEvent.objects.filter(form=form).exists()


def test_a_transition_bumps_the_version_and_records_timeline_and_audit(form, staff, unit_leader, reviewer):
    _to(FormState.SUBMITTED, form, staff=staff, leader=unit_leader, reviewer=reviewer)
    form.refresh_from_db()

    assert (form.state, form.version) == (FormState.SUBMITTED, 2)
    assert FormEvent.objects.filter(form=form, action="submit", from_state="draft", to_state="submitted").exists()
    event = AuditEvent.objects.filter(action="riskform.submit", object_id=str(form.pk)).get()
    assert event.summary["from"] == "draft" and event.summary["to"] == "submitted"
