"""Every write of the measures app: one function per action, each in one transaction.

Pattern (STYLE.md): check the actor's permission predicate → lock the row and compare its ``version`` (a stale
edit is refused) → write → audit event (lianzheng.audit.record) → notify the next actor (queued on commit).
"""

import os
import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzheng import workflow
from lianzheng.audit import record
from lianzheng.notifications import notify
from lianzheng.uploads import check_upload, delete_on_commit
from risks import figures as risk_figures
from risks.models import FormKind, FormState, RiskForm, RiskPoint
from units.models import Unit
from units.rules import manages_unit

from . import selectors
from .models import (
    ImplementationRules,
    Measure,
    MeasureStage,
    MeasureState,
    PledgeText,
    RulesComment,
    RulesEvent,
    RulesState,
)
from .rules import (
    can_accept_pledge,
    can_check_measure,
    can_edit_measure,
    can_edit_pledge_text,
    can_edit_point_measures,
    can_review_rules,
    can_write_rules,
    holds_form_post,
)

COMMENT_MAX_CHARS = 1000


def _check_version(obj, version):
    workflow.check_version(obj, version)


# --- frozen forms -------------------------------------------------------------------------------------
def _frozen_refusal(form: RiskForm) -> ValidationError:
    if form.state == FormState.APPROVED:
        what_to_do = _("如需修改，请先在该表页面“开始新版本”。")
    else:
        what_to_do = _("如需修改，请联系审核人（单位领导或纪委监察室）将其退回。")
    return ValidationError(
        _("%(form)s 当前为“%(state)s”，其中的风险点和防控措施已冻结，不能修改。%(todo)s")
        % {"form": form, "state": form.get_state_display(), "todo": what_to_do}
    )


def frozen_form_for_point(point: RiskPoint, personal_form: RiskForm | None = None) -> RiskForm | None:
    """The first form whose 附表 shows the point (its unit's 附表1, each of its posts' 附表2, or the given
    personal form) and is no longer editable; None when every such form is a draft or returned."""
    if personal_form is not None:
        return None if personal_form.is_editable else personal_form
    showing = RiskForm.objects.filter(campaign_id=point.campaign_id).filter(
        Q(kind=FormKind.UNIT, unit_id=point.unit_id) | Q(kind=FormKind.PERSONAL, post__risk_points=point)
    )
    return (
        showing.exclude(state__in=(FormState.DRAFT, FormState.RETURNED))
        .select_related("unit", "post", "campaign")
        .order_by("kind", "pk")
        .first()
    )


def frozen_forms_by_point(points) -> dict[int, RiskForm]:
    """For a page of points: point pk → the first form showing it that is not editable (one query; the
    points' ``posts`` should be prefetched). Pages use it to hide the edit buttons of frozen points."""
    points = list(points)
    if not points:
        return {}
    frozen = list(
        RiskForm.objects.filter(
            campaign_id__in={p.campaign_id for p in points}, unit_id__in={p.unit_id for p in points}
        )
        .exclude(state__in=(FormState.DRAFT, FormState.RETURNED))
        .select_related("unit", "post", "campaign")
        .order_by("kind", "pk")
    )
    found = {}
    for point in points:
        post_ids = {post.pk for post in point.posts.all()}
        for form in frozen:
            if form.campaign_id != point.campaign_id or form.unit_id != point.unit_id:
                continue
            if form.kind == FormKind.UNIT or form.post_id in post_ids:
                found[point.pk] = form
                break
    return found


def frozen_notice(form: RiskForm) -> str:
    """Why a point's measures cannot be edited now, in the words of the refusal."""
    return " ".join(_frozen_refusal(form).messages)


def _require_not_frozen(point: RiskPoint, personal_form: RiskForm | None = None) -> None:
    """Frozen is frozen: a submitted or confirmed form changes only by returning it, an approved one only
    through a new version, so a measure printed on it may not change meanwhile."""
    frozen = frozen_form_for_point(point, personal_form)
    if frozen is not None:
        raise _frozen_refusal(frozen)


# --- evidence files -----------------------------------------------------------------------------------
def validate_evidence(upload) -> str:
    """PDF, Word, Excel or an image within the size limit (lianzheng.uploads); return the lower-case extension."""
    return check_upload(upload, images=True)[1]


def _attach_evidence(measure: Measure, upload) -> str | None:
    """Store the upload under a random name; return the name of the file it replaces (deleted on commit)."""
    ext = validate_evidence(upload)
    original = os.path.basename(upload.name)[:200]
    old_name = measure.evidence_file.name or None
    upload.name = f"{uuid.uuid4().hex}{ext}"
    measure.evidence_file = upload
    measure.evidence_name = original
    return old_name


# --- measures -----------------------------------------------------------------------------------------
def _clean_measure_fields(*, content: str, responsible: str, stage: str | None = None):
    if not (content or "").strip():
        raise ValidationError({"content": _("请填写措施内容。(Content is required.)")})
    if len(responsible or "") > 100:
        raise ValidationError({"responsible": _("责任人或部门不能超过 100 个字。")})
    if stage is not None and stage not in MeasureStage.values:
        raise ValidationError({"stage": _("请选择前期预防、中期监控或后期处置。")})


def _measure_summary(measure: Measure) -> dict:
    return {
        "point": measure.risk_point_id,
        "stage": measure.stage,
        "content": measure.content[:200],
        "responsible": measure.responsible,
        "due_date": measure.due_date,
        "state": measure.state,
        "evidence": measure.evidence_name,
        "personal_form": measure.personal_form_id,
    }


@transaction.atomic
def measure_create(
    *,
    point: RiskPoint,
    actor,
    stage: str,
    content: str,
    responsible: str = "",
    due_date=None,
    evidence_note: str = "",
    evidence_file=None,
    personal_form: RiskForm | None = None,
) -> Measure:
    """Add a measure to one of the point's three lists (R7); on 附表2, the holder's own measure."""
    if personal_form is not None:
        if personal_form.kind != FormKind.PERSONAL or not holds_form_post(actor, personal_form):
            raise PermissionDenied(_("只有该岗位的现任人员可以填写个人防控措施。"))
        if personal_form.campaign_id != point.campaign_id or not point.posts.filter(pk=personal_form.post_id).exists():
            raise ValidationError(_("该风险点不属于这张个人防控表的岗位。"))
    elif not can_edit_point_measures(actor, point):
        raise PermissionDenied(_("您无权编辑该风险点的防控措施。"))
    _clean_measure_fields(content=content, responsible=responsible, stage=stage)
    RiskPoint.objects.select_for_update(of=("self",)).get(pk=point.pk)  # serialise additions to the same point
    _require_not_frozen(point, personal_form)
    measure = Measure(
        risk_point=point,
        stage=stage,
        content=content.strip(),
        responsible=(responsible or "").strip(),
        due_date=due_date,
        evidence_note=(evidence_note or "").strip(),
        personal_form=personal_form,
    )
    if evidence_file:
        _attach_evidence(measure, evidence_file)
    last = Measure.objects.filter(risk_point=point, stage=stage, personal_form=personal_form).order_by("-sort_order")
    measure.sort_order = (last.values_list("sort_order", flat=True).first() or 0) + 10
    measure.save()
    record(actor=actor, action="measure.create", obj=measure, summary=_measure_summary(measure))
    risk_figures.refresh(campaign_id=point.campaign_id, unit_id=point.unit_id)
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    actor,
    version,
    content: str,
    responsible: str = "",
    due_date=None,
    evidence_note: str = "",
    evidence_file=None,
    clear_evidence: bool = False,
) -> Measure:
    if not can_edit_measure(actor, measure):
        raise PermissionDenied(_("您无权编辑该防控措施。"))
    locked = (
        Measure.objects.select_for_update(of=("self",)).select_related("risk_point", "personal_form").get(pk=measure.pk)
    )
    _check_version(locked, version)
    _require_not_frozen(locked.risk_point, locked.personal_form)
    _clean_measure_fields(content=content, responsible=responsible)
    before = _measure_summary(locked)
    locked.content = content.strip()
    locked.responsible = (responsible or "").strip()
    locked.due_date = due_date
    locked.evidence_note = (evidence_note or "").strip()
    replaced = None
    if evidence_file:
        replaced = _attach_evidence(locked, evidence_file)
    elif clear_evidence and locked.evidence_file:
        replaced = locked.evidence_file.name
        locked.evidence_file = None
        locked.evidence_name = ""
    locked.version += 1
    locked.save()
    delete_on_commit(replaced)
    record(
        actor=actor, action="measure.update", obj=locked, summary={"before": before, "after": _measure_summary(locked)}
    )
    return locked


@transaction.atomic
def measure_delete(*, measure: Measure, actor, version) -> None:
    if not can_edit_measure(actor, measure):
        raise PermissionDenied(_("您无权删除该防控措施。"))
    locked = (
        Measure.objects.select_for_update(of=("self",)).select_related("risk_point", "personal_form").get(pk=measure.pk)
    )
    _check_version(locked, version)
    _require_not_frozen(locked.risk_point, locked.personal_form)
    summary = _measure_summary(locked)
    file_name = locked.evidence_file.name or None
    record(actor=actor, action="measure.delete", obj=locked, summary=summary)
    locked.delete()
    delete_on_commit(file_name)
    risk_figures.refresh(campaign_id=locked.risk_point.campaign_id, unit_id=locked.risk_point.unit_id)


#: planned → in effect → checked; one step at a time.
MEASURE_NEXT_STATE = {MeasureState.PLANNED: MeasureState.IN_EFFECT, MeasureState.IN_EFFECT: MeasureState.CHECKED}


@transaction.atomic
def measure_advance(*, measure: Measure, actor, version, to_state: str) -> Measure:
    locked = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("risk_point__unit", "personal_form")
        .prefetch_related("risk_point__posts")
        .get(pk=measure.pk)
    )
    allowed = can_check_measure(actor, locked) if to_state == MeasureState.CHECKED else can_edit_measure(actor, locked)
    if not allowed:
        raise PermissionDenied(_("您无权变更该防控措施的状态。"))
    _check_version(locked, version)
    _require_not_frozen(locked.risk_point, locked.personal_form)
    if MEASURE_NEXT_STATE.get(locked.state) != to_state:
        raise ValidationError(
            _("措施当前为“%(state)s”，不能变更为该状态。") % {"state": MeasureState(locked.state).label}
        )
    if to_state == MeasureState.CHECKED and not (locked.evidence_file or locked.evidence_note.strip()):
        raise ValidationError(_("标记为已检查前，请先上传佐证材料或填写落实情况说明。"))
    before = locked.state
    locked.state = to_state
    locked.version += 1
    locked.save(update_fields=["state", "version", "updated_at"])
    record(actor=actor, action="measure.advance", obj=locked, summary={"from": before, "to": to_state})
    return locked


# --- the pledge ---------------------------------------------------------------------------------------
@transaction.atomic
def pledge_accept(*, form: RiskForm, actor) -> RiskForm:
    """The current holder of the form's post accepts the 个人廉政承诺 on 附表2."""
    if form.kind != FormKind.PERSONAL or not can_accept_pledge(actor, form):
        raise PermissionDenied(_("只有该岗位的现任人员可以作出个人廉政承诺。"))
    locked = RiskForm.objects.select_for_update(of=("self",)).get(pk=form.pk)
    if locked.pledge_accepted_at is not None:
        raise ValidationError(
            _("您已于 %(at)s 作出承诺。")
            % {"at": timezone.localtime(locked.pledge_accepted_at).strftime("%Y-%m-%d %H:%M")}
        )
    pledge = PledgeText.current()
    locked.pledge_accepted_at = timezone.now()
    locked.save(update_fields=["pledge_accepted_at", "updated_at"])
    record(
        actor=actor,
        action="pledge.accept",
        obj=locked,
        summary={"post": locked.post_id, "pledge_text": pledge.text, "pledge_updated_at": pledge.updated_at},
    )
    return locked


@transaction.atomic
def pledge_text_update(*, actor, text: str) -> PledgeText:
    if not can_edit_pledge_text(actor):
        raise PermissionDenied(_("只有系统管理员可以修改廉政承诺文本。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写承诺文本。")})
    pledge = PledgeText.current()
    pledge = PledgeText.objects.select_for_update(of=("self",)).get(pk=pledge.pk)
    before = pledge.text
    pledge.text = text
    pledge.updated_by = actor
    pledge.save()
    record(actor=actor, action="pledge.text_update", obj=pledge, summary={"before": before, "after": text})
    return pledge


# --- 实施细则 ---------------------------------------------------------------------------------------------
EDITABLE_RULES_STATES = (RulesState.DRAFT, RulesState.RETURNED)
#: The workflow's transitions: action → the states it may start from (DESIGN §5).
RULES_TRANSITIONS = {
    "publicise": (RulesState.DRAFT, RulesState.RETURNED),
    "withdraw": (RulesState.PUBLICISING,),
    "submit": (RulesState.PUBLICISING,),
    "approve": (RulesState.SUBMITTED,),
    "return": (RulesState.SUBMITTED,),
}


def _rules_url(rules_doc) -> str:
    return reverse("measures:rules-detail", args=[rules_doc.pk])


def _event(rules_doc, *, actor, action, from_state="", to_state="", comment=""):
    RulesEvent.objects.create(
        rules=rules_doc, actor=actor, action=action, from_state=from_state, to_state=to_state, comment=comment
    )


def _lock_rules(rules_doc, version) -> ImplementationRules:
    return workflow.locked_for_edit(
        ImplementationRules.objects.select_related("unit", "campaign"), rules_doc.pk, version=version
    )


def _require_state(rules_doc, action):
    if rules_doc.state not in RULES_TRANSITIONS[action]:
        raise ValidationError(
            _("实施细则当前为“%(state)s”，不能执行此操作。") % {"state": RulesState(rules_doc.state).label}
        )


def _move(rules_doc, *, actor, action, to_state, comment="", fields=(), summary=None):
    before = rules_doc.state
    rules_doc.state = to_state
    rules_doc.version += 1
    rules_doc.save(update_fields=["state", "version", "updated_at", *fields])
    _event(rules_doc, actor=actor, action=action, from_state=before, to_state=to_state, comment=comment)
    record(
        actor=actor,
        action=f"rules.{action}",
        obj=rules_doc,
        summary={"from": before, "to": to_state, "comment": comment, **(summary or {})},
    )


def rules_draft_text(*, unit: Unit, campaign) -> str:
    """A first draft in Markdown built from the unit's approved risk points and their measures."""
    points, approved = selectors.points_for_rules_draft(unit=unit, campaign=campaign)
    lines = [f"# {default_rules_title(unit)}", ""]
    if not approved:
        lines += [
            "> " + _("说明：本单位尚无已审核通过的防控表，本初稿依据本单位登记的全部风险点生成，请在公示前逐条核对。"),
            "",
        ]
    lines += [
        "## " + _("第一章 总则"),
        "",
        _(
            "第一条 为深入推进本单位廉政风险防范管理工作，根据学校廉政风险防范管理工作实施方案，"
            "结合本单位实际，制定本细则。"
        ),
        "",
        _("第二条 本细则适用于%(unit)s全体工作人员。廉政风险查找针对岗位，不针对个人。") % {"unit": unit.name},
        "",
        "## " + _("第二章 廉政风险点及防控措施"),
        "",
    ]
    if not points:
        lines += [_("(本单位尚未登记风险点。)"), ""]
    for number, point in enumerate(points, start=1):
        lines += [
            f"### {number}. {point.name}",
            "",
            "- "
            + _("风险等级：%(level)s；风险类别：%(category)s")
            % {"level": point.get_level_display(), "category": point.get_category_display()},
        ]
        if point.matter:
            lines.append("- " + _("职权(业务)事项：%(matter)s") % {"matter": point.matter})
        posts = "、".join(post.name for post in point.posts.all())
        if posts:
            lines.append("- " + _("涉及岗位：%(posts)s") % {"posts": posts})
        lines.append("- " + _("风险表现形式：%(text)s") % {"text": point.manifestation.replace("\n", " ")})
        for stage in selectors.stage_lists(point.unit_measures):
            lines.append(f"- {stage['label']}：")
            if stage["measures"]:
                lines += [
                    f"    {i}. {m.content.replace(chr(10), ' ')}" for i, m in enumerate(stage["measures"], start=1)
                ]
            else:
                lines.append("    " + _("(待补充)"))
        people = [
            (_("责任领导"), point.responsible_leader),
            (_("责任人"), point.responsible_person),
            (_("监督部门"), point.supervisor),
        ]
        for label, value in people:
            if value:
                lines.append(f"- {label}：{value}")
        lines.append("")
    lines += [
        "## " + _("第三章 监督检查与责任追究"),
        "",
        _("第三条 本单位廉政风险防范管理工作领导小组每阶段开展一次自查，及时发现和纠正防控措施落实中的问题。"),
        "",
        _(
            "第四条 对群众有举报、社会有反映、不按照规定落实廉政风险防范措施的，视情节采取谈话提醒、"
            "诫勉纠错、责任追究等措施。"
        ),
        "",
        "## " + _("第四章 附则"),
        "",
        _("第五条 本细则经公示后报学校廉政风险防范管理工作领导小组办公室，自批准之日起施行。"),
        "",
    ]
    return "\n".join(lines)


def default_rules_title(unit: Unit) -> str:
    return _("%(unit)s廉政风险防范管理实施细则") % {"unit": unit.name}


@transaction.atomic
def rules_create(*, unit: Unit, campaign, actor) -> ImplementationRules:
    """Open the unit's 实施细则 for the campaign with a generated first draft."""
    if not manages_unit(actor, unit):
        raise PermissionDenied(_("只有本单位联络员或负责人可以起草实施细则。"))
    if campaign is None:
        raise ValidationError(_("尚未设置工作批次，请联系纪委监察室。"))
    if not campaign.units.filter(pk=unit.pk).exists():
        raise ValidationError(_("本单位不在%(campaign)s的参加单位中。") % {"campaign": campaign})
    Unit.objects.select_for_update(of=("self",)).get(pk=unit.pk)  # two clicks must not open two documents
    if ImplementationRules.objects.filter(unit=unit, campaign=campaign).exists():
        raise ValidationError(_("本单位在该批次已有实施细则，请直接编辑。"))
    rules_doc = ImplementationRules.objects.create(
        unit=unit,
        campaign=campaign,
        title=default_rules_title(unit),
        body=rules_draft_text(unit=unit, campaign=campaign),
    )
    _event(rules_doc, actor=actor, action="create", to_state=RulesState.DRAFT)
    record(actor=actor, action="rules.create", obj=rules_doc, summary={"unit": unit.code, "campaign": campaign.pk})
    return rules_doc


@transaction.atomic
def rules_regenerate(*, rules_doc: ImplementationRules, actor, version) -> ImplementationRules:
    """Replace the text with a fresh draft from the current points and measures (only while editable)."""
    if not can_write_rules(actor, rules_doc):
        raise PermissionDenied(_("您无权编辑该实施细则。"))
    locked = _lock_rules(rules_doc, version)
    if locked.state not in EDITABLE_RULES_STATES:
        raise ValidationError(_("实施细则只能在草稿或退回状态下修改。"))
    locked.body = rules_draft_text(unit=locked.unit, campaign=locked.campaign)
    locked.version += 1
    locked.save(update_fields=["body", "version", "updated_at"])
    _event(locked, actor=actor, action="regenerate")
    record(actor=actor, action="rules.regenerate", obj=locked, summary={"length": len(locked.body)})
    return locked


@transaction.atomic
def rules_update(*, rules_doc: ImplementationRules, actor, version, title: str, body: str) -> ImplementationRules:
    if not can_write_rules(actor, rules_doc):
        raise PermissionDenied(_("您无权编辑该实施细则。"))
    locked = _lock_rules(rules_doc, version)
    if locked.state not in EDITABLE_RULES_STATES:
        raise ValidationError(_("实施细则只能在草稿或退回状态下修改。"))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写标题。")})
    before = {"title": locked.title, "length": len(locked.body)}
    locked.title = title[:200]
    locked.body = body or ""
    locked.version += 1
    locked.save(update_fields=["title", "body", "version", "updated_at"])
    record(
        actor=actor,
        action="rules.update",
        obj=locked,
        summary={"before": before, "after": {"title": locked.title, "length": len(locked.body)}},
    )
    return locked


@transaction.atomic
def rules_publicise(
    *, rules_doc: ImplementationRules, actor, version, start: datetime, end: datetime, scope: str
) -> ImplementationRules:
    """Open publicity (公示, R8): the public page is readable and takes comments from ``start`` until ``end``."""
    if not can_write_rules(actor, rules_doc):
        raise PermissionDenied(_("您无权公示该实施细则。"))
    locked = _lock_rules(rules_doc, version)
    _require_state(locked, "publicise")
    errors = {}
    if not locked.body.strip():
        errors["__all__"] = _("实施细则正文为空，不能公示。")
    if not start or not end:
        errors["publicity_end"] = _("请填写公示开始和结束时间。")
    elif end <= start:
        errors["publicity_end"] = _("公示结束时间必须晚于开始时间。")
    elif end <= timezone.now():
        errors["publicity_end"] = _("公示结束时间必须在将来。")
    if not (scope or "").strip():
        errors["publicity_scope"] = _("请填写公示范围(如：处务公开栏+校园网)。")
    if errors:
        raise ValidationError(errors)
    locked.publicity_start = start
    locked.publicity_end = end
    locked.publicity_scope = scope.strip()[:200]
    _move(
        locked,
        actor=actor,
        action="publicise",
        to_state=RulesState.PUBLICISING,
        fields=["publicity_start", "publicity_end", "publicity_scope"],
        summary={"start": start, "end": end, "scope": locked.publicity_scope},
    )
    return locked


@transaction.atomic
def rules_withdraw(*, rules_doc: ImplementationRules, actor, version, comment: str = "") -> ImplementationRules:
    """Take the text off publicity (e.g. to correct it after a comment); it must be publicised again later."""
    if not can_write_rules(actor, rules_doc):
        raise PermissionDenied(_("您无权撤回该实施细则的公示。"))
    locked = _lock_rules(rules_doc, version)
    _require_state(locked, "withdraw")
    locked.publicity_start = None
    locked.publicity_end = None
    _move(
        locked,
        actor=actor,
        action="withdraw",
        to_state=RulesState.DRAFT,
        comment=(comment or "").strip(),
        fields=["publicity_start", "publicity_end"],
    )
    return locked


@transaction.atomic
def rules_comment_add(*, rules_doc: ImplementationRules, content: str, author_name: str = "") -> RulesComment:
    """A reader's comment, accepted only while the window is open (R8). Anonymous: no actor."""
    locked = ImplementationRules.objects.select_for_update(of=("self",)).select_related("unit").get(pk=rules_doc.pk)
    if not selectors.window_open(locked):
        raise ValidationError(_("该实施细则不在公示期内，不能提交意见。"))
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("请填写意见内容。")})
    if len(content) > COMMENT_MAX_CHARS:
        raise ValidationError(
            {
                "content": _("意见不能超过 %(n)s 个字(当前 %(len)s 个字)。")
                % {"n": COMMENT_MAX_CHARS, "len": len(content)}
            }
        )
    comment = RulesComment.objects.create(rules=locked, content=content, author_name=(author_name or "").strip()[:50])
    record(
        actor=None,
        action="rules.comment",
        obj=locked,
        summary={"comment": comment.pk, "anonymous": not comment.author_name, "length": len(content)},
    )
    notify(
        recipients=selectors.unit_managers(locked.unit),
        title=_("实施细则收到公示意见：%(title)s") % {"title": locked.title},
        body=_("请在提交前逐条答复。"),
        url=_rules_url(locked),
    )
    return comment


@transaction.atomic
def rules_comment_answer(*, comment: RulesComment, actor, answer: str) -> RulesComment:
    rules_doc = comment.rules
    if not can_write_rules(actor, rules_doc):
        raise PermissionDenied(_("您无权答复该意见。"))
    locked_rules = ImplementationRules.objects.select_for_update(of=("self",)).get(pk=rules_doc.pk)
    if locked_rules.state != RulesState.PUBLICISING:
        raise ValidationError(_("只能在公示阶段(提交前)答复意见。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容。")})
    locked = RulesComment.objects.select_for_update(of=("self",)).get(pk=comment.pk)
    before = locked.answer
    locked.answer = answer
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "answered_by", "answered_at"])
    record(
        actor=actor,
        action="rules.comment_answer",
        obj=locked_rules,
        summary={"comment": locked.pk, "before": before, "answer": answer},
    )
    return locked


def submission_problems(rules_doc: ImplementationRules, now=None) -> list[str]:
    """Why the 实施细则 may not be submitted yet (empty when it may): R8 window and answers, R7 completeness."""
    problems = []
    if rules_doc.state != RulesState.PUBLICISING:
        problems.append(_("实施细则须先公示，公示期满后才能提交。"))
    elif not selectors.window_ended(rules_doc, now):
        problems.append(
            _("公示期尚未结束(至 %(end)s)，期满后才能提交。")
            % {"end": timezone.localtime(rules_doc.publicity_end).strftime("%Y-%m-%d %H:%M")}
        )
    unanswered = rules_doc.comments.filter(answer="").count()
    if unanswered:
        problems.append(_("还有 %(n)s 条公示意见未答复。") % {"n": unanswered})
    gaps = selectors.blocking_gaps(unit=rules_doc.unit, campaign=rules_doc.campaign)
    if gaps:
        problems.append(
            _("以下一级、二级风险点的防控措施不完整：%(list)s。") % {"list": selectors.describe_missing(gaps)}
        )
    return problems


@transaction.atomic
def rules_submit(*, rules_doc: ImplementationRules, actor, version) -> ImplementationRules:
    if not can_write_rules(actor, rules_doc):
        raise PermissionDenied(_("您无权提交该实施细则。"))
    locked = _lock_rules(rules_doc, version)
    _require_state(locked, "submit")
    problems = submission_problems(locked)
    if problems:
        raise ValidationError(problems)
    locked.submitted_at = timezone.now()
    _move(locked, actor=actor, action="submit", to_state=RulesState.SUBMITTED, fields=["submitted_at"])
    notify(
        recipients=selectors.reviewers(),
        title=_("%(unit)s提交了实施细则，待审核") % {"unit": locked.unit.name},
        body=locked.title,
        url=_rules_url(locked),
    )
    return locked


@transaction.atomic
def rules_approve(*, rules_doc: ImplementationRules, actor, version, comment: str = "") -> ImplementationRules:
    if not can_review_rules(actor):
        raise PermissionDenied(_("只有纪委监察室审核人可以审核实施细则。"))
    locked = _lock_rules(rules_doc, version)
    _require_state(locked, "approve")
    locked.approved_at = timezone.now()
    locked.approved_by = actor
    _move(
        locked,
        actor=actor,
        action="approve",
        to_state=RulesState.APPROVED,
        comment=(comment or "").strip(),
        fields=["approved_at", "approved_by"],
    )
    notify(
        recipients=selectors.unit_managers(locked.unit),
        title=_("实施细则已审核通过：%(title)s") % {"title": locked.title},
        body=(comment or "").strip(),
        url=_rules_url(locked),
    )
    return locked


@transaction.atomic
def rules_return(*, rules_doc: ImplementationRules, actor, version, comment: str) -> ImplementationRules:
    if not can_review_rules(actor):
        raise PermissionDenied(_("只有纪委监察室审核人可以退回实施细则。"))
    locked = _lock_rules(rules_doc, version)
    _require_state(locked, "return")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("退回时必须填写意见，说明需要修改的内容。")})
    _move(locked, actor=actor, action="return", to_state=RulesState.RETURNED, comment=comment)
    notify(
        recipients=selectors.unit_managers(locked.unit),
        title=_("实施细则被退回：%(title)s") % {"title": locked.title},
        body=comment,
        url=_rules_url(locked),
    )
    return locked
