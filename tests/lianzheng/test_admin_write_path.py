"""No side doors (issue 12, point 4): in the Django admin, models owned by a workflow are read-only, changes go
through admin actions that call the services, and reference data deleted there leaves one audit event per object."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from lianzheng.models import AuditEvent
from risks import services
from risks.models import FormEvent, FormSnapshot, FormState, RiskForm, RiskPoint, SpecialMeeting
from tests.factories import CampaignFactory, OfficeFactory
from units.models import Office

pytestmark = pytest.mark.django_db

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

#: Every model the admin shows that a service owns: read-only there, no "delete selected".
WORKFLOW_MODELS = [
    "risks.riskform", "risks.riskpoint", "risks.formsnapshot", "risks.poweritem", "risks.specialmeeting",
    "measures.measure", "measures.implementationrules",
    "reviews.complaint", "reviews.yellowcard", "reviews.keysupervision", "reviews.warning", "reviews.violationcase",
    "reviews.assessment", "reviews.deliverable", "reviews.submission", "reviews.selfinspection",
    "reviews.inspection", "reviews.reminder",
    "units.campaign", "units.phase",
]  # fmt: skip


@pytest.fixture
def campaign(unit, other_unit):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit, other_unit])
    return campaign


def _confirmed(campaign, post, staff, leader):
    form = services.form_for_post(campaign=campaign, post=post)
    point = services.risk_point_create(form=form, actor=staff, **POINT)
    services.form_submit(form=form, actor=staff, pledge=True, version=form.version)
    meeting = SpecialMeeting.objects.create(
        campaign=campaign, unit=form.unit, date=datetime.date(2010, 6, 3), attendees="处长", minutes="评估",
        recorded_by=leader,
    )  # fmt: skip
    services.form_confirm(form=form, actor=leader, meeting=meeting, confirmation_text="同意。", version=form.version)
    return form, point


@pytest.fixture
def approved(campaign, post, staff, unit_leader, reviewer):
    form, point = _confirmed(campaign, post, staff, unit_leader)
    services.form_approve(form=form, actor=reviewer, version=form.version)
    return form, point


def _url(label, view, *args):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def test_the_change_page_of_an_approved_forms_point_is_read_only(as_user, admin_user, approved):
    _form, point = approved
    client = as_user(admin_user)
    url = _url("risks.riskpoint", "change", point.pk)

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # shown, not editable

    response = client.post(url, {**POINT, "name": "管理员改的名称", "campaign": point.campaign_id})
    assert response.status_code == 403
    point.refresh_from_db()
    assert (point.name, point.version) == (POINT["name"], 1)


def test_deleting_an_approved_forms_point_in_the_admin_is_refused(as_user, admin_user, approved):
    _form, point = approved
    client = as_user(admin_user)

    assert client.post(_url("risks.riskpoint", "delete", point.pk), {"post": "yes"}).status_code == 403
    assert RiskPoint.objects.filter(pk=point.pk).exists()


@pytest.mark.parametrize("label", WORKFLOW_MODELS)
def test_workflow_models_offer_no_add_and_no_delete_selected(as_user, admin_user, label):
    client = as_user(admin_user)

    page = client.get(_url(label, "changelist"))
    assert page.status_code == 200
    assert 'value="delete_selected"' not in page.content.decode()
    assert client.get(_url(label, "add")).status_code == 403


def test_every_registered_workflow_model_is_read_only_for_a_superuser(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    editable = {
        model._meta.label_lower
        for model, model_admin in site._registry.items()
        if model._meta.app_label in {"units", "risks", "measures", "reviews", "lianzheng"}
        and (model_admin.has_change_permission(request) or model_admin.has_delete_permission(request))
    }
    # Reference data only: the organisation and its people, and the pledge text (saved through its service).
    assert editable == {
        "units.user", "units.unit", "units.office", "units.post", "units.assignment", "measures.pledgetext"
    }  # fmt: skip


def test_bulk_delete_of_reference_data_writes_one_audit_event_per_object(as_user, admin_user, unit):
    offices = [OfficeFactory(unit=unit, name=f"科室{n}") for n in range(3)]
    client = as_user(admin_user)

    response = client.post(
        _url("units.office", "changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in offices], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Office.objects.filter(pk__in=[o.pk for o in offices]).exists()
    deleted = AuditEvent.objects.filter(action="admin.delete", object_type="units.Office")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(o.pk) for o in offices)


def test_deleting_one_reference_object_writes_its_audit_event(as_user, admin_user, unit):
    office = OfficeFactory(unit=unit, name="待撤销科室")
    client = as_user(admin_user)

    assert client.post(_url("units.office", "delete", office.pk), {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.filter(action="admin.delete", object_id=str(office.pk)).count() == 1


def _run_action(client, action, form, **extra):
    return client.post(
        _url("risks.riskform", "changelist"),
        {"action": action, "_selected_action": [form.pk], "index": 0, **extra},
        follow=True,
    )


def test_admin_return_action_calls_the_service(as_user, admin_user, campaign, post, staff, unit_leader):
    form, _point = _confirmed(campaign, post, staff, unit_leader)
    version = form.version

    _run_action(as_user(admin_user), "return_forms", form, comment="请补充中期监控措施。")

    form.refresh_from_db()
    assert (form.state, form.version) == (FormState.RETURNED, version + 1)
    last = AuditEvent.objects.filter(object_type="risks.RiskForm", object_id=str(form.pk)).order_by("-id").first()
    assert last.action == "riskform.return" and last.summary["comment"] == "请补充中期监控措施。"
    assert FormEvent.objects.filter(form=form, action="return", actor=admin_user).exists()


def test_admin_return_action_without_a_comment_is_refused(as_user, admin_user, campaign, post, staff, unit_leader):
    form, _point = _confirmed(campaign, post, staff, unit_leader)
    version = form.version

    page = _run_action(as_user(admin_user), "return_forms", form, comment="").content.decode()

    assert "退回时必须填写退回意见" in page
    form.refresh_from_db()
    assert (form.state, form.version) == (FormState.CONFIRMED, version)


def test_admin_new_version_action_calls_the_service(as_user, admin_user, approved):
    form, _point = approved
    version, revision = form.version, form.revision

    _run_action(as_user(admin_user), "reopen_forms", form, comment="更正岗位名称")

    form.refresh_from_db()
    assert (form.state, form.version, form.revision) == (FormState.DRAFT, version + 1, revision + 1)
    last = AuditEvent.objects.filter(object_type="risks.RiskForm", object_id=str(form.pk)).order_by("-id").first()
    assert last.action == "riskform.reopen"
    assert FormSnapshot.objects.filter(form=form, revision=revision).exists()  # the approved one stays


def test_admin_approve_action_calls_the_service(as_user, admin_user, campaign, post, staff, unit_leader):
    form, _point = _confirmed(campaign, post, staff, unit_leader)

    _run_action(as_user(admin_user), "approve_forms", form)

    form.refresh_from_db()
    assert form.state == FormState.APPROVED
    assert AuditEvent.objects.filter(action="riskform.approve", object_id=str(form.pk)).exists()
    assert FormSnapshot.objects.filter(form=form).count() == 1
    assert RiskForm.objects.get(pk=form.pk).version == 4


def test_a_complaints_reporter_stays_hidden_in_the_read_only_admin(as_user, admin_user, unit):
    from tests.reviews.conftest import REPORTER_CONTACT, REPORTER_NAME, make_complaint

    complaint = make_complaint(unit=unit)
    page = as_user(admin_user).get(_url("reviews.complaint", "change", complaint.pk)).content.decode()

    assert complaint.content in page
    assert REPORTER_NAME not in page and REPORTER_CONTACT not in page and complaint.query_code_hash not in page


@pytest.mark.parametrize(
    "lookup",
    [
        "reporter_name__startswith",
        "reporter_name",
        "reporter_contact__contains",
        "reporter_contact__regex",
        "query_code_hash__startswith",
        "reporter_name__isnull",
    ],
)
def test_the_admin_refuses_every_lookup_on_a_reporter_field(as_user, admin_user, unit, lookup):
    """Issue 14 (1): the changelist's query string cannot probe the reporter a character at a time — a matching and
    a non-matching prefix get the same refusal, and nothing of the complaint is listed."""
    from tests.reviews.conftest import REPORTER_NAME, make_complaint

    complaint = make_complaint(unit=unit)
    client = as_user(admin_user)
    url = _url("reviews.complaint", "changelist")
    answers = {client.get(url, {lookup: value}).status_code for value in (REPORTER_NAME[:1], "不可能的前缀", "1")}
    assert answers == {400}
    assert complaint.content not in client.get(url, {lookup: REPORTER_NAME[:1]}).content.decode()
    listed = client.get(url, {"state": complaint.state})  # the office's own filters still work
    assert listed.status_code == 200 and str(complaint.number) in listed.content.decode()


def test_admin_start_checking_action_moves_a_complaint_through_its_service(as_user, admin_user, unit):
    from tests.reviews.conftest import make_complaint

    complaint = make_complaint(unit=unit)
    as_user(admin_user).post(
        _url("reviews.complaint", "changelist"),
        {"action": "start_checking", "_selected_action": [complaint.pk], "index": 0},
    )

    complaint.refresh_from_db()
    assert (complaint.state, complaint.version) == ("checking", 2)
    assert AuditEvent.objects.filter(action="complaint.check", object_id=str(complaint.pk)).exists()
