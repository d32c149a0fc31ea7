"""Writes for the phase schedule: deliverables, submissions (missing → submitted → accepted/returned),
self-inspections (R12), inspections, the leading group, and copying a campaign with its dates shifted.

Each action: permission check → one transaction with the row locked (select_for_update) and its ``version``
compared (stale edits refused) → audit event → notifications to the next actor (e-mail queued on commit).
"""

import datetime
import os
from decimal import Decimal
from types import SimpleNamespace

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzheng import workflow
from lianzheng.audit import record
from lianzheng.notifications import notify
from lianzheng.uploads import check_upload, delete_on_commit
from risks.models import PowerItem
from units.campaign_services import campaign_create
from units.models import Campaign, Phase, PhaseKind, Role, Unit, User

from ..figures import keep_deliverable, keep_submission
from .models import (
    Deliverable,
    DeliverableKind,
    GroupRole,
    Inspection,
    LeadingGroupMember,
    SelfInspection,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from .selectors import GROUP_ROLES_REQUIRED, group_has_role

# --- the default deliverables of each phase (the plan's 二、1–4) ---------------------------------------------------
#: (phase kind, deliverable kind, name, description). Due dates are the phase's end date: data, not constants (R6).
DEFAULT_DELIVERABLES = [
    (PhaseKind.PREPARE, DeliverableKind.DOCUMENT, "工作方案", "本单位廉政风险防范管理工作具体方案。"),
    (
        PhaseKind.PREPARE,
        DeliverableKind.ORG_LIST,
        "领导小组/组织机构名单",
        "以党委(总支、支部)主要负责人为组长的领导小组及其办公室成员。",
    ),
    (PhaseKind.PREPARE, DeliverableKind.PERSON_IN_CHARGE, "具体负责人", "指定专人具体负责此项工作。"),
    (PhaseKind.PREPARE, DeliverableKind.POWER_INVENTORY, "权力清理", "对权力项目重新清理，分项梳理，明确权责。"),
    (
        PhaseKind.IDENTIFY,
        DeliverableKind.FORM,
        "附表1及全部附表2",
        "部门、个人廉政风险识别防控表，经专题会议评估、单位班子确认后报送。",
    ),
    (PhaseKind.MEASURES, DeliverableKind.RULES, "实施细则", "《廉政风险防范管理实施细则》，经公示后报送。"),
    (PhaseKind.INSPECT, DeliverableKind.DOCUMENT, "自查报告", "检查总结阶段的自查报告。"),
    (PhaseKind.INSPECT, DeliverableKind.DOCUMENT, "工作总结", "廉政风险防范管理工作经验和做法总结。"),
]
SELF_INSPECTION_NAME = "阶段自查"


def default_deliverables(campaign: Campaign) -> list[dict]:
    """The default set for a campaign: the plan's materials plus a self-inspection in every phase (R12)."""
    phases = {p.kind: p for p in campaign.phases.all()}
    specs = []
    for order, (phase_kind, kind, name, description) in enumerate(DEFAULT_DELIVERABLES, start=1):
        if phase_kind in phases:
            specs.append({"phase": phases[phase_kind], "kind": kind, "name": name, "description": description})
            specs[-1]["order"] = order * 10
    for phase in phases.values():
        specs.append(
            {
                "phase": phase,
                "kind": DeliverableKind.SELF_INSPECTION,
                "name": SELF_INSPECTION_NAME,
                "description": "各单位领导小组每阶段开展一次自查。",
                "order": 900,
            }
        )
    for spec in specs:
        spec["due_date"] = spec["phase"].end
    return specs


def _require(perm: str, actor, obj=None) -> None:
    if not rules.has_perm(perm, actor, obj):
        raise PermissionDenied(_("您没有权限进行此操作。"))


def _check_version(current: int, version) -> None:
    """The shared check (lianzheng.workflow) against a version number: 0 stands for "no row yet"."""
    workflow.check_version(SimpleNamespace(version=current), version)


@transaction.atomic
def deliverables_create_defaults(*, actor, campaign: Campaign) -> list[Deliverable]:
    """Create the default deliverables that the campaign does not have yet (by phase and name)."""
    _require("reviews.manage_deliverables", actor)
    created = []
    for spec in default_deliverables(campaign):
        deliverable, was_created = Deliverable.objects.get_or_create(
            phase=spec["phase"],
            name=spec["name"],
            defaults={k: v for k, v in spec.items() if k not in ("phase", "name")},
        )
        if was_created:
            created.append(deliverable)
    if created:
        record(actor=actor, action="deliverable.create_defaults", obj=campaign, summary={"count": len(created)})
    return created


def _validate_due_date(phase: Phase, due_date: datetime.date) -> None:
    if not (phase.start <= due_date <= phase.end):
        raise ValidationError(
            _("截止日期必须在本阶段的起止日期（%(start)s 至 %(end)s）之内。(Due date must lie inside the phase.)")
            % {"start": phase.start, "end": phase.end}
        )


@transaction.atomic
def deliverable_save(
    *,
    actor,
    phase: Phase,
    kind: str,
    name: str,
    due_date: datetime.date,
    required: bool = True,
    order: int = 100,
    description: str = "",
    deliverable: Deliverable | None = None,
) -> Deliverable:
    _require("reviews.manage_deliverables", actor)
    _validate_due_date(phase, due_date)
    duplicate = Deliverable.objects.filter(phase=phase, name=name)
    if deliverable is not None:
        duplicate = duplicate.exclude(pk=deliverable.pk)
    if duplicate.exists():
        raise ValidationError(_("本阶段已有名为“%(name)s”的材料。") % {"name": name})
    values = {
        "phase": phase,
        "kind": kind,
        "name": name,
        "due_date": due_date,
        "required": required,
        "order": order,
        "description": description,
    }
    if deliverable is None:
        deliverable = Deliverable.objects.create(**values)
        action = "deliverable.create"
    else:
        deliverable = Deliverable.objects.select_for_update(of=("self",)).get(pk=deliverable.pk)
        if deliverable.kind != kind and deliverable.submissions.exists():
            raise ValidationError(_("已有单位报送此材料，不能再更改其类型。"))
        for field, value in values.items():
            setattr(deliverable, field, value)
        deliverable.save()
        keep_deliverable(deliverable)
        action = "deliverable.update"
    record(actor=actor, action=action, obj=deliverable, summary={"due_date": due_date, "kind": kind})
    return deliverable


@transaction.atomic
def deliverable_delete(*, actor, deliverable: Deliverable) -> None:
    _require("reviews.manage_deliverables", actor)
    deliverable = Deliverable.objects.select_for_update(of=("self",)).get(pk=deliverable.pk)
    if deliverable.submissions.exclude(state=SubmissionState.MISSING).exists():
        raise ValidationError(_("已有单位报送此材料，不能删除；如不再要求，可改为非必报。"))
    record(actor=actor, action="deliverable.delete", obj=deliverable)
    deliverable.delete()


@transaction.atomic
def campaign_copy(*, actor, source: Campaign, name: str, year: int, shift_days: int, units=None) -> Campaign:
    """A new campaign with the source's units (unless others are given), phases and deliverables, every date moved
    by ``shift_days`` (R6: the dates are data and travel with the copy)."""
    _require("reviews.manage_deliverables", actor)
    delta = datetime.timedelta(days=shift_days)
    phases = {p.kind: (p.start + delta, p.end + delta) for p in source.phases.all()}
    units = list(units) if units is not None else list(source.units.all())
    campaign = campaign_create(actor=actor, name=name, year=year, batch=source.batch, units=units, phases=phases)
    new_phases = {p.kind: p for p in campaign.phases.all()}
    for d in Deliverable.objects.filter(phase__campaign=source).select_related("phase"):
        Deliverable.objects.create(
            phase=new_phases[d.phase.kind],
            kind=d.kind,
            name=d.name,
            description=d.description,
            due_date=d.due_date + delta,
            required=d.required,
            order=d.order,
        )
    record(actor=actor, action="campaign.copy", obj=campaign, summary={"source": source.pk, "shift_days": shift_days})
    return campaign


# --- uploads -----------------------------------------------------------------------------------------------------
def validate_submission_file(upload) -> tuple[str, str]:
    """PDF, Word or Excel only, checked by extension and content, within UPLOAD_MAX_BYTES (lianzheng.uploads).
    Returns (content type, extension)."""
    return check_upload(upload, images=False)


# --- submissions -------------------------------------------------------------------------------------------------
def _unit_people(unit_id: int):
    return User.objects.filter(unit_id=unit_id, role__in=[Role.UNIT_CONTACT, Role.UNIT_LEADER], is_active=True)


def _reviewers():
    return User.objects.filter(role=Role.REVIEWER, is_active=True)


def _submission_url(unit: Unit, deliverable: Deliverable) -> str:
    return reverse("reviews:submission-detail", args=[unit.code, deliverable.pk])


def _event(submission, actor, action, from_state, comment="", file_name=""):
    SubmissionEvent.objects.create(
        submission=submission,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=submission.state,
        comment=comment,
        file_name=file_name,
    )


def _locked_submission(unit: Unit, deliverable: Deliverable) -> Submission:
    submission = Submission.objects.select_for_update(of=("self",)).filter(unit=unit, deliverable=deliverable).first()
    if submission is None:
        # version 0 stands for "no row yet": the page that showed a missing deliverable posts version=0.
        submission = Submission(unit=unit, deliverable=deliverable, state=SubmissionState.MISSING, version=0)
    return submission


#: Allowed source states per transition (a submitted file may be replaced until the office reviews it).
SUBMIT_FROM = (SubmissionState.MISSING, SubmissionState.RETURNED, SubmissionState.SUBMITTED)
REVIEW_FROM = (SubmissionState.SUBMITTED,)


def _check_prerequisites(*, unit: Unit, deliverable: Deliverable, upload) -> None:
    kind = deliverable.kind
    campaign = deliverable.phase.campaign
    if kind == DeliverableKind.DOCUMENT and upload is None:
        raise ValidationError(_("请选择要上传的文件(PDF、Word 或 Excel)。"))
    if kind in GROUP_ROLES_REQUIRED:
        role = GROUP_ROLES_REQUIRED[kind]
        if not group_has_role(unit=unit, campaign=campaign, role=role):
            raise ValidationError(_("请先在“领导小组”页面登记%(role)s，再报送。") % {"role": GroupRole(role).label})
    if kind == DeliverableKind.POWER_INVENTORY and not PowerItem.objects.filter(unit=unit).exists():
        raise ValidationError(_("本单位尚未登记权力事项，请先在“权力清理”页面录入，再报送。"))
    if (
        kind == DeliverableKind.SELF_INSPECTION
        and not SelfInspection.objects.filter(unit=unit, phase=deliverable.phase).exists()
    ):
        raise ValidationError(_("请先填写本阶段的自查情况。"))


@transaction.atomic
def submission_submit(
    *, actor, unit: Unit, deliverable: Deliverable, version, upload=None, note: str = ""
) -> Submission:
    """Hand in (or hand in again) a deliverable for the unit; the reviewers are notified."""
    _require("reviews.submit_deliverable", actor, unit)
    if not unit.campaigns.filter(pk=deliverable.phase.campaign_id).exists():
        raise ValidationError(_("本单位不在该批次之内。"))
    if deliverable.is_derived:
        raise ValidationError(_("此项材料随防控表或实施细则的流程自动报送，请在相应页面办理。"))
    submission = _locked_submission(unit, deliverable)
    _check_version(submission.version, version)
    if submission.state not in SUBMIT_FROM:
        raise ValidationError(_("该材料已审核通过，不能再修改。"))
    if upload is not None and not deliverable.takes_file:
        raise ValidationError(_("此项材料不需要上传文件。"))
    _check_prerequisites(unit=unit, deliverable=deliverable, upload=upload)
    file_name = ""
    if upload is not None:
        content_type, _ext = validate_submission_file(upload)
        file_name = os.path.basename(upload.name)[:200]
    from_state = submission.state
    if upload is not None:
        delete_on_commit(submission.file.name or None)  # the replaced file: only its name stays, in the timeline
        submission.original_name = file_name
        submission.content_type = content_type
        submission.size = upload.size
        submission.file = upload  # stored on save under a random name (submission_file_path)
    submission.state = SubmissionState.SUBMITTED
    submission.note = note
    submission.submitted_by = actor
    submission.submitted_at = timezone.now()
    submission.version += 1
    submission.save()
    keep_submission(submission)
    _event(submission, actor, "submit", from_state, comment=note, file_name=file_name)
    record(
        actor=actor,
        action="submission.submit",
        obj=submission,
        summary={"from": from_state, "to": submission.state, "file": file_name},
    )
    notify(
        recipients=_reviewers(),
        title=_("%(unit)s 报送了“%(name)s”") % {"unit": unit.name, "name": deliverable.name},
        body=_("%(unit)s 报送了“%(name)s”，请审核。") % {"unit": unit.name, "name": deliverable.name},
        url=_submission_url(unit, deliverable),
    )
    return submission


def _review(*, actor, submission: Submission, version, to_state: str, comment: str) -> Submission:
    _require("reviews.review_submission", actor, submission)
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("unit", "deliverable").get(pk=submission.pk)
    )
    _check_version(submission.version, version)
    if submission.state not in REVIEW_FROM:
        raise ValidationError(_("只有已提交的材料可以审核。"))
    from_state = submission.state
    submission.state = to_state
    submission.comment = comment
    submission.reviewed_by = actor
    submission.reviewed_at = timezone.now()
    submission.version += 1
    submission.save(update_fields=["state", "comment", "reviewed_by", "reviewed_at", "version"])
    keep_submission(submission)
    action = "accept" if to_state == SubmissionState.ACCEPTED else "return"
    _event(submission, actor, action, from_state, comment=comment)
    record(actor=actor, action=f"submission.{action}", obj=submission, summary={"comment": comment})
    unit, deliverable = submission.unit, submission.deliverable
    if to_state == SubmissionState.ACCEPTED:
        title = _("“%(name)s”已审核通过") % {"name": deliverable.name}
        body = _("贵单位报送的“%(name)s”已审核通过。") % {"name": deliverable.name}
    else:
        title = _("“%(name)s”被退回，请修改后重新报送") % {"name": deliverable.name}
        body = _("贵单位报送的“%(name)s”被退回。退回意见：%(comment)s") % {"name": deliverable.name, "comment": comment}
    notify(recipients=_unit_people(unit.pk), title=title, body=body, url=_submission_url(unit, deliverable))
    return submission


@transaction.atomic
def submission_accept(*, actor, submission: Submission, version, comment: str = "") -> Submission:
    return _review(
        actor=actor,
        submission=submission,
        version=version,
        to_state=SubmissionState.ACCEPTED,
        comment=comment.strip(),
    )


@transaction.atomic
def submission_return(*, actor, submission: Submission, version, comment: str) -> Submission:
    if not (comment or "").strip():
        raise ValidationError(_("退回时必须填写退回意见。(A comment is required to return.)"))
    return _review(
        actor=actor,
        submission=submission,
        version=version,
        to_state=SubmissionState.RETURNED,
        comment=comment.strip(),
    )


# --- self-inspections (R12) and inspections --------------------------------------------------------------------
@transaction.atomic
def self_inspection_save(
    *, actor, unit: Unit, phase: Phase, findings: str, rectification: str, version
) -> SelfInspection:
    """Write (or revise) the unit's self-inspection of a phase and hand in the phase's self-inspection deliverable."""
    _require("reviews.submit_self_inspection", actor, unit)
    if not unit.campaigns.filter(pk=phase.campaign_id).exists():
        raise ValidationError(_("本单位不在该批次之内。"))
    if not (findings or "").strip():
        raise ValidationError(_("请填写自查发现的问题(没有问题也请写明“未发现问题”)。"))
    existing = SelfInspection.objects.select_for_update(of=("self",)).filter(unit=unit, phase=phase).first()
    _check_version(existing.version if existing else 0, version)
    deliverables = list(
        Deliverable.objects.filter(phase=phase, kind=DeliverableKind.SELF_INSPECTION).select_related("phase")
    )
    locked = {d.pk: _locked_submission(unit, d) for d in deliverables}
    if any(s.state == SubmissionState.ACCEPTED for s in locked.values()):
        raise ValidationError(_("本阶段的自查已审核通过，不能再修改。"))
    if existing is None:
        inspection = SelfInspection.objects.create(
            unit=unit, phase=phase, findings=findings.strip(), rectification=rectification.strip(), submitted_by=actor
        )
    else:
        inspection = existing
        inspection.findings, inspection.rectification = findings.strip(), rectification.strip()
        inspection.submitted_by, inspection.submitted_at = actor, timezone.now()
        inspection.version += 1
        inspection.save()
    record(actor=actor, action="self_inspection.save", obj=inspection, summary={"phase": phase.kind})
    for deliverable in deliverables:
        submission = locked[deliverable.pk]
        from_state = submission.state
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_by, submission.submitted_at = actor, timezone.now()
        submission.version += 1
        submission.save()
        keep_submission(submission)
        _event(submission, actor, "submit", from_state)
        notify(
            recipients=_reviewers(),
            title=_("%(unit)s 报送了%(phase)s阶段自查") % {"unit": unit.name, "phase": phase.get_kind_display()},
            body=_("%(unit)s 报送了%(phase)s阶段的自查情况，请审核。")
            % {"unit": unit.name, "phase": phase.get_kind_display()},
            url=_submission_url(unit, deliverable),
        )
    return inspection


@transaction.atomic
def inspection_save(*, actor, unit: Unit, phase: Phase, findings: str, score: Decimal | None, version) -> Inspection:
    """The office's inspection record of a unit for a phase (阶段性检查): findings and a score out of 100."""
    _require("reviews.record_inspection", actor, unit)
    if not (findings or "").strip():
        raise ValidationError(_("请填写检查发现。"))
    if score is not None and not (Decimal(0) <= Decimal(score) <= Decimal(100)):
        raise ValidationError(_("得分必须在 0 到 100 之间。"))
    existing = Inspection.objects.select_for_update(of=("self",)).filter(unit=unit, phase=phase).first()
    _check_version(existing.version if existing else 0, version)
    if existing is None:
        inspection = Inspection.objects.create(
            unit=unit, phase=phase, findings=findings.strip(), score=score, inspected_by=actor
        )
    else:
        inspection = existing
        inspection.findings, inspection.score = findings.strip(), score
        inspection.inspected_by, inspection.inspected_at = actor, timezone.now()
        inspection.version += 1
        inspection.save()
    record(actor=actor, action="inspection.save", obj=inspection, summary={"phase": phase.kind, "score": score})
    notify(
        recipients=_unit_people(unit.pk),
        title=_("纪委监察室已记录%(phase)s阶段检查结果") % {"phase": phase.get_kind_display()},
        body=_("贵单位%(phase)s阶段的检查结果已登记，请查看并及时整改。") % {"phase": phase.get_kind_display()},
        url=reverse("reviews:self-inspections"),
    )
    return inspection


# --- leading group -----------------------------------------------------------------------------------------------
@transaction.atomic
def group_member_add(
    *, actor, unit: Unit, campaign: Campaign, name: str, role: str, title: str = "", user=None, order: int = 100
) -> LeadingGroupMember:
    _require("reviews.manage_leading_group", actor, unit)
    if not (name or "").strip():
        raise ValidationError(_("请填写姓名。"))
    if role not in GroupRole.values:
        raise ValidationError(_("小组职务不正确。"))
    if user is not None and user.unit_id != unit.pk:
        raise ValidationError(_("只能选择本单位的人员。"))
    if LeadingGroupMember.objects.filter(unit=unit, campaign=campaign, name=name.strip(), role=role).exists():
        raise ValidationError(_("%(name)s 已登记为%(role)s。") % {"name": name, "role": GroupRole(role).label})
    member = LeadingGroupMember.objects.create(
        unit=unit, campaign=campaign, name=name.strip(), role=role, title=title.strip(), user=user, order=order
    )
    record(actor=actor, action="group_member.add", obj=member, summary={"role": role})
    return member


@transaction.atomic
def group_member_remove(*, actor, member: LeadingGroupMember) -> None:
    _require("reviews.manage_leading_group", actor, member.unit)
    record(actor=actor, action="group_member.remove", obj=member, summary={"role": member.role})
    member.delete()
