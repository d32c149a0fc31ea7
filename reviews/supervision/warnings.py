"""Warnings (预警处置, R11): created by the office or proposed by an assessment, issued, answered, dismissed or escalated."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzheng.audit import record
from lianzheng.notifications import notify
from units.models import Post, Unit

from ..figures import keep_unit_year
from ..models import (
    WARNING_ORDER,
    Warning,
    WarningKind,
    WarningSource,
    WarningState,
    WarningTarget,
)
from .common import (
    _bump,
    _check_version,
    _require,
    reviewers,
    unit_leaders,
)


# --- warnings (R11, 后期处置) ----------------------------------------------------------------------------------
def warning_url(warning) -> str:
    return reverse("reviews:warning-detail", args=[warning.pk])


def _warning_recipients(warning):
    people = list(unit_leaders(warning.unit))
    if warning.person is not None:
        people.append(warning.person)
    return people


def _notify_warning_issued(warning) -> None:
    notify(
        recipients=_warning_recipients(warning),
        title=_("%(kind)s：%(target)s") % {"kind": warning.get_kind_display(), "target": warning.target_label},
        body=_("请阅知并在系统中提交回复或整改报告。"),
        url=warning_url(warning),
    )


def _target_fields(*, target: str, unit: Unit, post: Post | None, person) -> dict:
    if target == WarningTarget.PERSON:
        if person is None:
            raise ValidationError(_("请选择提醒对象(个人)。"))
        if person.unit_id != unit.pk:
            raise ValidationError(_("所选人员不属于该单位。"))
        return {"post": post if post is not None and post.unit_id == unit.pk else None, "person": person}
    if target == WarningTarget.POST:
        if post is None or post.unit_id != unit.pk:
            raise ValidationError(_("请选择该单位的岗位。"))
        return {"post": post, "person": None}
    if target == WarningTarget.UNIT:
        return {"post": None, "person": None}
    raise ValidationError(_("未知的提醒对象类型。"))


@transaction.atomic
def warning_create(
    *,
    actor,
    kind: str,
    target: str,
    unit: Unit,
    reason: str,
    year: int | None = None,
    post: Post | None = None,
    person=None,
    complaints=(),
    issued_on=None,
) -> Warning:
    """A reviewer issues a warning directly (minor issues → 谈话提醒/警示提醒; serious → 诫勉纠错/责任追究)."""
    _require("reviews.add_warning", actor)
    if kind not in WarningKind.values:
        raise ValidationError(_("未知的处置方式。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写事由。"))
    complaints = list(complaints or [])
    if any(c.unit_id != unit.pk for c in complaints):
        raise ValidationError(_("相关信访举报须针对同一单位。"))
    issued_on = issued_on or timezone.localdate()
    warning = Warning.objects.create(
        kind=kind,
        state=WarningState.ISSUED,
        source=WarningSource.MANUAL,
        year=year or issued_on.year,
        target=target,
        unit=unit,
        reason=reason,
        issuer=actor,
        issued_on=issued_on,
        **_target_fields(target=target, unit=unit, post=post, person=person),
    )
    warning.complaints.set(complaints)
    record(
        actor=actor,
        action="warning.issue",
        obj=warning,
        summary={"kind": kind, "target": target, "complaint_ids": [c.pk for c in complaints]},
    )
    _notify_warning_issued(warning)
    keep_unit_year((warning.unit_id, warning.year))
    return warning


@transaction.atomic
def warning_issue(*, warning: Warning, actor, reason: str | None = None, issued_on=None, version: int) -> Warning:
    """Adopt a system proposal (R11): it becomes an issued warning."""
    warning = (
        Warning.objects.select_for_update(of=("self",)).select_related("unit", "person", "post").get(pk=warning.pk)
    )
    _require("reviews.issue_warning", actor, warning)
    _check_version(warning, version)
    if reason is not None and reason.strip():
        warning.reason = reason.strip()
    warning.state = WarningState.ISSUED
    warning.issuer = actor
    warning.issued_on = issued_on or timezone.localdate()
    _bump(warning, ["state", "issuer", "issued_on", "reason"])
    record(actor=actor, action="warning.adopt", obj=warning, summary={"kind": warning.kind, "source": warning.source})
    _notify_warning_issued(warning)
    keep_unit_year((warning.unit_id, warning.year))
    return warning


@transaction.atomic
def warning_dismiss(*, warning: Warning, actor, reason: str, version: int) -> Warning:
    warning = Warning.objects.select_for_update(of=("self",)).get(pk=warning.pk)
    _require("reviews.dismiss_warning", actor, warning)
    _check_version(warning, version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请说明不予采纳的理由。"))
    warning.state = WarningState.DISMISSED
    warning.dismiss_reason = reason
    _bump(warning, ["state", "dismiss_reason"])
    record(actor=actor, action="warning.dismiss", obj=warning, summary={"kind": warning.kind})
    keep_unit_year((warning.unit_id, warning.year))
    return warning


@transaction.atomic
def warning_answer(*, warning: Warning, actor, response: str, version: int) -> Warning:
    """The person warned (or the unit leader for a post or unit) acknowledges it or reports the rectification."""
    warning = Warning.objects.select_for_update(of=("self",)).select_related("unit").get(pk=warning.pk)
    _require("reviews.answer_warning", actor, warning)
    _check_version(warning, version)
    response = (response or "").strip()
    if len(response) < 5:
        raise ValidationError(_("请填写回复或整改报告(至少 5 个字)。"))
    warning.state = WarningState.ANSWERED
    warning.response = response
    warning.responded_by = actor
    warning.responded_at = timezone.now()
    _bump(warning, ["state", "response", "responded_by", "responded_at"])
    record(actor=actor, action="warning.answer", obj=warning, summary={"kind": warning.kind})
    notify(
        recipients=reviewers().exclude(pk=actor.pk) if warning.issuer is None else [warning.issuer],
        title=_("%(target)s 已回复%(kind)s") % {"target": warning.target_label, "kind": warning.get_kind_display()},
        url=warning_url(warning),
    )
    keep_unit_year((warning.unit_id, warning.year))
    return warning


@transaction.atomic
def warning_escalate(*, warning: Warning, actor, kind: str, reason: str) -> Warning:
    """整改不力 → the next, heavier measure (诫勉纠错, 责任追究) on the same target, linked to the earlier one."""
    warning = (
        Warning.objects.select_for_update(of=("self",)).select_related("unit", "post", "person").get(pk=warning.pk)
    )
    _require("reviews.escalate_warning", actor, warning)
    if kind not in WarningKind.values or WARNING_ORDER.index(kind) <= warning.rank:
        raise ValidationError(_("升级处置须选择比“%(kind)s”更重的方式。") % {"kind": warning.get_kind_display()})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写升级处置的事由。"))
    new = Warning.objects.create(
        kind=kind,
        state=WarningState.ISSUED,
        source=WarningSource.ESCALATION,
        year=timezone.localdate().year,
        target=warning.target,
        unit=warning.unit,
        post=warning.post,
        person=warning.person,
        reason=reason,
        escalated_from=warning,
        issuer=actor,
        issued_on=timezone.localdate(),
    )
    new.complaints.set(warning.complaints.all())
    record(actor=actor, action="warning.escalate", obj=new, summary={"from_id": warning.pk, "kind": kind})
    _notify_warning_issued(new)
    keep_unit_year((new.unit_id, new.year))
    return new
