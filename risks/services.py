"""Every write of risk identification: power items, risk points, special meetings and the form workflow.

Each function is one transaction: lock the row, check the actor's predicate (``rules.py``), change, append a
``FormEvent`` where a form moves, write an audit event, notify the next actor (on commit, through
``lianzheng.notifications``). Denied or invalid calls raise and change nothing.

Versions of an approved form
----------------------------
Approval freezes a ``FormSnapshot`` (header + rows with their measures, as JSON) under the form's current
``revision``. An approved form is not editable: its rows can only change after someone who fills it starts a
new version (``form_reopen``), which puts it back to ``draft`` as ``revision + 1``; the new version goes
through submit → confirm → approve again and gets its own snapshot. The history therefore shows what was in
force when: snapshot N from its ``approved_at`` until snapshot N+1's. Risk points shared with another form
(a post-level point appears on the post's 附表2 and on the unit's 附表1) may still change through that other
form while this one is approved; what was approved stays readable in the snapshot.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianzheng import audit, workflow
from lianzheng.notifications import notify
from lianzheng.workflow import StaleEdit
from units.models import Campaign, Post, Role, Unit, User

from . import figures, rules, selectors
from .appendix import appendix_data, pledge_text
from .exports import snapshot_pdf_sha256
from .models import (
    FormEvent,
    FormKind,
    FormSnapshot,
    FormState,
    PowerItem,
    PowerKind,
    RiskCategory,
    RiskForm,
    RiskLevel,
    RiskPoint,
    RiskScope,
    SpecialMeeting,
)


def personal_pledge() -> str:
    """The pledge paragraph of 附表2: the text admins edit, exactly as the exports print it."""
    return pledge_text()


# --- the workflow table ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    predicate: object
    label: str


S = FormState
#: Allowed source states per transition (DESIGN §5). ``returned`` behaves like a draft that carries a comment.
TRANSITIONS = {
    "submit": Transition(frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, rules.can_submit_form, gettext_lazy("提交")),
    "confirm": Transition(frozenset({S.SUBMITTED}), S.CONFIRMED, rules.can_confirm_form, gettext_lazy("确认")),
    "return": Transition(
        frozenset({S.SUBMITTED, S.CONFIRMED}), S.RETURNED, rules.can_return_form, gettext_lazy("退回")
    ),
    "approve": Transition(frozenset({S.CONFIRMED}), S.APPROVED, rules.can_approve_form, gettext_lazy("审核通过")),
    "reopen": Transition(frozenset({S.APPROVED}), S.DRAFT, rules.can_reopen_form, gettext_lazy("开始新版本")),
}


def _form_url(form) -> str:
    return reverse("risks:form-detail", args=[form.pk])


def _unit_people(unit_id, roles) -> list:
    return list(User.objects.filter(unit_id=unit_id, role__in=roles, is_active=True))


def _reviewers() -> list:
    return list(User.objects.filter(role=Role.REVIEWER, is_active=True))


def _lock_form(form) -> RiskForm:
    return RiskForm.objects.select_for_update(of=("self",)).select_related("unit", "campaign", "post").get(pk=form.pk)


def _move(*, form, actor, action, version, comment="", apply=None) -> RiskForm:
    """One form transition through the one write path (lianzheng.workflow): lock, version, state, permission,
    change, timeline and audit. Returns the locked, updated form."""
    spec = TRANSITIONS[action]

    def allowed(locked):
        if not spec.predicate(actor, locked):
            raise PermissionDenied(_("您无权%(action)s这份防控表。") % {"action": spec.label})

    def event(locked, from_state, to_state):
        FormEvent.objects.create(
            form=locked, actor=actor, action=action, from_state=from_state, to_state=to_state, comment=comment
        )

    locked = workflow.transition(
        RiskForm.objects.select_related("unit", "campaign", "post"),
        form.pk,
        version=version,
        actor=actor,
        action=action,
        sources=spec.sources,
        target=spec.target,
        audit_action=f"riskform.{action}",
        apply=apply,
        allowed=allowed,
        event=event,
        state_message=_("该防控表当前状态为“%(state)s”，不能%(action)s。"),
        state_message_args={"action": spec.label},
        summary=lambda locked: {"revision": locked.revision, "comment": comment},
    )
    form.state, form.version, form.revision = locked.state, locked.version, locked.revision
    figures.refresh(campaign_id=locked.campaign_id, unit_id=locked.unit_id)
    return locked


# --- forms: get or create ------------------------------------------------------------------------------------
def form_for_post(*, campaign: Campaign, post: Post) -> RiskForm:
    """The personal form (附表2) of a post in a campaign, created empty the first time (R3: tied to the post)."""
    form, created = RiskForm.objects.get_or_create(
        kind=FormKind.PERSONAL, campaign=campaign, post=post, defaults={"unit_id": post.unit_id}
    )
    if created:
        figures.refresh(campaign_id=campaign.pk, unit_id=post.unit_id)
    return form


def unit_form(*, campaign: Campaign, unit: Unit) -> RiskForm:
    """The unit form (附表1) of a unit in a campaign, created empty the first time."""
    form, created = RiskForm.objects.get_or_create(kind=FormKind.UNIT, campaign=campaign, unit=unit)
    if created:
        figures.refresh(campaign_id=campaign.pk, unit_id=unit.pk)
    return form


def ensure_unit_forms(*, campaign: Campaign, unit: Unit) -> bool:
    """Make sure the unit form and one personal form per post exist; False when the unit is not in the campaign.

    Called by services only (a campaign starts for the unit, a post is created or given a holder), never by a
    page: a GET reads. Returns whether the unit takes part; creates nothing that exists (idempotent)."""
    if not campaign.units.filter(pk=unit.pk).exists():
        return False
    _open_missing(
        campaign=campaign, unit_id=unit.pk, post_ids=Post.objects.filter(unit=unit).values_list("pk", flat=True)
    )
    return True


def _open_missing(*, campaign: Campaign, unit_id: int, post_ids, unit_form_too: bool = True) -> list[RiskForm]:
    existing = set(
        RiskForm.objects.filter(campaign=campaign, unit_id=unit_id, kind=FormKind.PERSONAL).values_list(
            "post_id", flat=True
        )
    )
    missing = [
        RiskForm(kind=FormKind.PERSONAL, campaign=campaign, unit_id=unit_id, post_id=pk)
        for pk in post_ids
        if pk not in existing
    ]
    if unit_form_too and not RiskForm.objects.filter(campaign=campaign, unit_id=unit_id, kind=FormKind.UNIT).exists():
        missing.append(RiskForm(kind=FormKind.UNIT, campaign=campaign, unit_id=unit_id))
    if missing:
        RiskForm.objects.bulk_create(missing, ignore_conflicts=True)
        figures.refresh(campaign_id=campaign.pk, unit_id=unit_id)
    return missing


def _running_campaigns(unit_ids) -> list[Campaign]:
    """The campaigns the units take part in that have not ended (a phase ending today or later, or no phases)."""
    today = timezone.localdate()
    return list(
        Campaign.objects.filter(units__in=unit_ids)
        .exclude(Q(phases__isnull=False) & ~Q(phases__end__gte=today))
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def forms_open_for_units(*, campaign: Campaign, unit_ids, actor=None) -> int:
    """A campaign starts for these units: open each one's 附表1 and a 附表2 per post (audited, system action)."""
    opened = 0
    for unit_id in sorted(set(unit_ids)):
        if not campaign.units.filter(pk=unit_id).exists():
            continue
        created = _open_missing(
            campaign=campaign,
            unit_id=unit_id,
            post_ids=Post.objects.filter(unit_id=unit_id).values_list("pk", flat=True),
        )
        opened += len(created)
    if opened:
        audit.record(
            actor=actor,
            action="forms.open",
            obj=campaign,
            summary={"reason": "campaign_units", "units": sorted(set(unit_ids)), "count": opened},
        )
    return opened


@transaction.atomic
def forms_open_for_posts(*, post_ids, actor=None) -> int:
    """Posts were created or given a holder: open their 附表2 (and their unit's 附表1 if missing) in every running
    campaign their unit takes part in (audited, system action)."""
    posts = list(Post.objects.filter(pk__in=post_ids).only("pk", "unit_id"))
    opened = 0
    for campaign in _running_campaigns({p.unit_id for p in posts}):
        unit_ids = set(campaign.units.values_list("pk", flat=True))
        for unit_id in sorted({p.unit_id for p in posts} & unit_ids):
            created = _open_missing(
                campaign=campaign, unit_id=unit_id, post_ids=[p.pk for p in posts if p.unit_id == unit_id]
            )
            opened += len(created)
    if opened:
        audit.record(
            actor=actor,
            action="forms.open",
            object_repr=_("新岗位或新任职的防控表"),
            summary={"reason": "posts", "posts": sorted(p.pk for p in posts), "count": opened},
        )
    return opened


@transaction.atomic
def forms_open_missing(*, actor=None) -> int:
    """Open every missing form of every campaign's units (databases that existed before forms were opened by
    services; ``manage.py open_missing_forms``). Idempotent."""
    opened = 0
    for campaign in Campaign.objects.order_by("pk"):
        opened += forms_open_for_units(
            campaign=campaign, unit_ids=campaign.units.values_list("pk", flat=True), actor=actor
        )
    return opened


# --- transitions ------------------------------------------------------------------------------------------------
@transaction.atomic
def form_submit(*, form: RiskForm, actor, pledge: bool = False, version: int) -> RiskForm:
    """The filler hands the form to the unit leader. A personal form needs the holder's pledge (附表2 footer)."""

    def apply(locked):
        if not selectors.form_points(locked).exists():
            raise ValidationError(_("请至少填写一个风险点后再提交。"))
        if locked.kind == FormKind.PERSONAL:
            if not pledge:
                raise ValidationError({"pledge": _("请阅读并勾选个人廉政承诺后再提交。")})
            locked.pledge_accepted_at = timezone.now()
        locked.filled_by = actor
        locked.submitted_at = timezone.now()

    form = _move(form=form, actor=actor, action="submit", version=version, apply=apply)
    recipients = [u for u in _unit_people(form.unit_id, [Role.UNIT_LEADER, Role.UNIT_CONTACT]) if u.pk != actor.pk]
    notify(
        recipients=recipients,
        title=_("%(form)s 已提交，请组织专题会议评估后确认") % {"form": form},
        body=_("提交人：%(name)s") % {"name": actor.display_name},
        url=_form_url(form),
    )
    return form


@transaction.atomic
def meeting_record(
    *, unit: Unit, campaign: Campaign, actor, date: date, attendees: str, minutes: str
) -> SpecialMeeting:
    """Record the unit's special meeting (专题会议) that assessed the risk points (R4)."""
    if not rules.can_manage_unit_records(actor, unit):
        raise PermissionDenied(_("只有本单位负责人或联络员可以登记专题会议。"))
    errors = {}
    if date is None:
        errors["date"] = _("请填写会议日期。")
    elif date > timezone.localdate():
        errors["date"] = _("会议日期不能晚于今天。")
    if not (attendees or "").strip():
        errors["attendees"] = _("请填写参会人员。")
    if not (minutes or "").strip():
        errors["minutes"] = _("请填写会议纪要（评估了哪些风险点、结论如何）。")
    if errors:
        raise ValidationError(errors)
    meeting = SpecialMeeting.objects.create(
        unit=unit, campaign=campaign, date=date, attendees=attendees.strip(), minutes=minutes.strip(), recorded_by=actor
    )
    audit.record(
        actor=actor, action="meeting.record", obj=meeting, summary={"date": date, "attendees": meeting.attendees}
    )
    return meeting


@transaction.atomic
def form_confirm(
    *,
    form: RiskForm,
    actor,
    confirmation_text: str,
    meeting: SpecialMeeting | None = None,
    new_meeting: dict | None = None,
    version: int,
) -> RiskForm:
    """The unit leader confirms the form after the special meeting (R4): without a meeting of this unit and
    campaign and the leadership's confirmation text the form cannot reach the office.

    ``new_meeting`` (date, attendees, minutes) records the meeting in the same step.
    """

    def apply(locked):
        chosen = meeting
        if chosen is None and new_meeting:
            chosen = meeting_record(unit=locked.unit, campaign=locked.campaign, actor=actor, **new_meeting)
        errors = {}
        if chosen is None:
            errors["meeting"] = _("请先登记本单位评估风险点的专题会议，再确认。")
        elif chosen.unit_id != locked.unit_id or chosen.campaign_id != locked.campaign_id:
            errors["meeting"] = _("所选专题会议不属于本单位本批次。")
        if not (confirmation_text or "").strip():
            errors["confirmation_text"] = _("请填写单位领导班子确认意见。")
        if errors:
            raise ValidationError(errors)
        locked.meeting = chosen
        locked.confirmation_text = confirmation_text.strip()
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()

    form = _move(
        form=form,
        actor=actor,
        action="confirm",
        comment=(confirmation_text or "").strip(),
        version=version,
        apply=apply,
    )
    notify(
        recipients=_reviewers(),
        title=_("%(form)s 已经单位确认，等待审核") % {"form": form},
        body=_("确认人：%(name)s") % {"name": actor.display_name},
        url=reverse("reviews:queue"),
    )
    return form


@transaction.atomic
def form_return(*, form: RiskForm, actor, comment: str, version: int) -> RiskForm:
    """Send the form back to its filler with a required comment: by the unit leader before confirmation, by
    the office after it."""
    comment = (comment or "").strip()

    def apply(locked):
        if not comment:
            raise ValidationError({"comment": _("退回时必须填写退回意见，说明需要修改什么。")})
        locked.confirmed_by = None
        locked.confirmed_at = None

    form = _move(form=form, actor=actor, action="return", comment=comment, version=version, apply=apply)
    recipients = [form.filled_by] if form.filled_by_id else []
    if not recipients:
        recipients = selectors.current_holders(form.post_id) or _unit_people(form.unit_id, [Role.UNIT_CONTACT])
    notify(
        recipients=[u for u in recipients if u.pk != actor.pk],
        title=_("%(form)s 被退回，请修改后重新提交") % {"form": form},
        body=_("退回意见：%(comment)s") % {"comment": comment},
        url=_form_url(form),
    )
    return form


def _approve(*, form, actor, version) -> RiskForm:
    now = timezone.now()

    def apply(locked):
        locked.approved_by = actor
        locked.approved_at = now

    form = _move(form=form, actor=actor, action="approve", version=version, apply=apply)
    form = RiskForm.objects.select_related(
        "unit", "campaign", "post", "post__office", "meeting", "filled_by", "confirmed_by"
    ).get(pk=form.pk)
    # The snapshot is exactly what the exports print (risks.appendix), with the hash of its PDF, so an approved
    # form always prints the same document and a tampered snapshot is detected.
    content = appendix_data(form)
    FormSnapshot.objects.create(
        form=form,
        revision=form.revision,
        approved_at=now,
        approved_by=actor,
        content=content,
        pdf_sha256=snapshot_pdf_sha256(content),
    )
    recipients = ([form.filled_by] if form.filled_by_id else []) + _unit_people(form.unit_id, [Role.UNIT_CONTACT])
    notify(
        recipients=recipients,
        title=_("%(form)s 已审核通过（第 %(n)s 版）") % {"form": form, "n": form.revision},
        url=_form_url(form),
    )
    return form


@transaction.atomic
def form_approve(*, form: RiskForm, actor, version: int) -> RiskForm:
    """The office approves a confirmed form; its content is frozen in a snapshot of this revision."""
    return _approve(form=form, actor=actor, version=version)


@transaction.atomic
def form_approve_unit_batch(*, unit: Unit, campaign: Campaign, actor, versions: dict[int, int]) -> list[RiskForm]:
    """Approve at once the forms of a unit the reviewer's page showed: ``versions`` maps each form's id to the
    version the page showed. All or nothing: if any of them changed since (returned, re-confirmed, edited), nothing
    is approved and the reviewer is asked to reload (each approval is logged and snapshotted)."""
    if not rules.acts_as_reviewer(actor):
        raise PermissionDenied(_("只有纪委监察室审核人可以审核防控表。"))
    forms = list(
        RiskForm.objects.select_for_update(of=("self",))
        .filter(unit=unit, campaign=campaign, pk__in=list(versions))
        .order_by("kind", "post__sort_order", "id")
    )
    if not forms:
        raise ValidationError(_("%(unit)s 没有等待审核的防控表。") % {"unit": unit.name})
    if len(forms) != len(versions):
        raise StaleEdit()
    return [_approve(form=form, actor=actor, version=versions[form.pk]) for form in forms]


@transaction.atomic
def form_reopen(*, form: RiskForm, actor, comment: str = "", version: int) -> RiskForm:
    """Start the next version of an approved form: back to draft as revision + 1 (the approved one stays in
    its snapshot)."""

    def apply(locked):
        locked.revision += 1
        locked.meeting = None
        locked.confirmation_text = ""
        locked.confirmed_by = locked.approved_by = None
        locked.confirmed_at = locked.approved_at = locked.submitted_at = locked.pledge_accepted_at = None

    form = _move(
        form=form,
        actor=actor,
        action="reopen",
        comment=(comment or "").strip(),
        version=version,
        apply=apply,
    )
    notify(
        recipients=[u for u in _unit_people(form.unit_id, [Role.UNIT_CONTACT]) if u.pk != actor.pk],
        title=_("%(form)s 开始修订第 %(n)s 版") % {"form": form, "n": form.revision},
        url=_form_url(form),
        email=False,
    )
    return form


# --- frozen is frozen -----------------------------------------------------------------------------------------------
def frozen_form_showing(points) -> RiskForm | None:
    """The first submitted, confirmed or approved form whose 附表 shows any of ``points`` (a queryset): the unit's
    附表1 and the 附表2 of each of the points' posts, in the points' campaigns. None when all are editable."""
    showing = Q(pk__in=[])
    for campaign_id, unit_id in set(points.values_list("campaign_id", "unit_id")):
        of_campaign = RiskPoint.posts.through.objects.filter(riskpoint__in=points.filter(campaign_id=campaign_id))
        showing |= Q(kind=FormKind.UNIT, campaign_id=campaign_id, unit_id=unit_id)
        showing |= Q(kind=FormKind.PERSONAL, campaign_id=campaign_id, post_id__in=of_campaign.values("post_id"))
    return (
        RiskForm.objects.filter(showing)
        .exclude(state__in=(FormState.DRAFT, FormState.RETURNED))
        .select_related("unit", "post")
        .order_by("kind", "pk")
        .first()
    )


def _require_not_shown_frozen(points, what: str) -> None:
    """Frozen is frozen: what a submitted or confirmed form prints changes only by returning it, what an approved
    one prints only through a new version."""
    frozen = frozen_form_showing(points)
    if frozen is None:
        return
    if frozen.state == FormState.APPROVED:
        todo = _("如需修改，请先在该表页面“开始新版本”。")
    else:
        todo = _("如需修改，请联系审核人（单位领导或纪委监察室）将其退回。")
    raise ValidationError(
        _("%(what)s印在%(form)s上，该表当前为“%(state)s”，内容已冻结，不能修改。%(todo)s")
        % {"what": what, "form": frozen, "state": frozen.get_state_display(), "todo": todo}
    )


# --- risk points ---------------------------------------------------------------------------------------------------
def _lock_editable(form, actor) -> RiskForm:
    locked = _lock_form(form)
    if not rules.is_form_filler(actor, locked):
        raise PermissionDenied(_("您无权修改这份防控表。"))
    if not locked.is_editable:
        if locked.state == FormState.APPROVED:
            raise ValidationError(_("这份防控表已审核通过，内容已冻结。如需修改，请先“开始新版本”。"))
        raise ValidationError(
            _("这份防控表当前为“%(state)s”，只有草稿或被退回时才能修改。") % {"state": locked.get_state_display()}
        )
    return locked


def _check_point_in_form(point: RiskPoint, form: RiskForm) -> None:
    if point.campaign_id != form.campaign_id or point.unit_id != form.unit_id:
        raise PermissionDenied(_("这个风险点不在这份防控表中。"))
    if form.kind == FormKind.PERSONAL and not point.posts.filter(pk=form.post_id).exists():
        raise PermissionDenied(_("这个风险点不在这份防控表中。"))


def _clean_point(*, form: RiskForm, data: dict) -> dict:
    """Validate a point's fields against the form's unit and derive its scope (R1); category and level (R2)."""
    errors = {}
    office = data.get("office")
    posts = list(data.get("posts") or [])
    power_item = data.get("power_item")
    if not (data.get("name") or "").strip():
        errors["name"] = _("请填写风险点名称。")
    if not (data.get("manifestation") or "").strip():
        errors["manifestation"] = _("请填写风险表现形式。")
    if data.get("category") not in RiskCategory.values:
        errors["category"] = _("风险类别必须是岗位职责、业务流程、制度机制、外部环境四类之一 (R2)。")
    try:
        level = int(data.get("level"))
    except (TypeError, ValueError):
        level = None
    if level not in RiskLevel.values:
        errors["level"] = _("风险等级必须是一级、二级或三级之一 (R2)。")
    if power_item is None and not (data.get("business_step") or "").strip():
        errors["business_step"] = _("请选择职权事项，或填写对应的业务环节。")
    if power_item is not None and power_item.unit_id != form.unit_id:
        errors["power_item"] = _("所选职权事项不属于本单位。")
    if office is not None and office.unit_id != form.unit_id:
        errors["office"] = _("所选科室不属于本单位。")
    if any(p.unit_id != form.unit_id for p in posts):
        errors["posts"] = _("所选岗位不属于本单位。")

    if form.kind == FormKind.PERSONAL:
        # 附表2 lists the points of its post: the post is always among the point's posts.
        if all(p.pk != form.post_id for p in posts):
            posts.append(form.post)
        if data.get("scope") not in (None, "", RiskScope.POST):
            errors["scope"] = _("个人防控表中的风险点属于本岗位（岗位层面）。")
    derived = RiskScope.POST if posts else RiskScope.OFFICE if office is not None else RiskScope.UNIT
    scope = data.get("scope") or derived
    if scope not in RiskScope.values:
        errors["scope"] = _("层次必须是单位、科室或岗位之一 (R1)。")
    elif scope != derived and "scope" not in errors:
        if scope == RiskScope.POST:
            errors["posts"] = _("岗位层面的风险点请至少选择一个岗位 (R1)。")
        elif scope == RiskScope.OFFICE and office is None:
            errors["office"] = _("科室层面的风险点请选择所属科室 (R1)。")
        elif scope == RiskScope.OFFICE:
            errors["posts"] = _("科室层面的风险点不应选择岗位；如属于具体岗位，请将层次选为“岗位” (R1)。")
        else:
            errors["scope"] = _("单位层面的风险点不属于某个科室或岗位，请清空科室和岗位 (R1)。")
    if errors:
        raise ValidationError(errors)
    return {
        "scope": scope,
        "office": office,
        "posts": posts,
        "power_item": power_item,
        "business_step": (data.get("business_step") or "").strip(),
        "name": data["name"].strip(),
        "manifestation": data["manifestation"].strip(),
        "category": data["category"],
        "level": level,
        "responsible_leader": (data.get("responsible_leader") or "").strip(),
        "responsible_person": (data.get("responsible_person") or "").strip(),
        "supervisor": (data.get("supervisor") or "").strip(),
    }


def _point_summary(point: RiskPoint, posts) -> dict:
    return {
        "scope": point.scope,
        "office": point.office_id,
        "posts": sorted(p.pk for p in posts),
        "power_item": point.power_item_id,
        "business_step": point.business_step,
        "name": point.name,
        "manifestation": point.manifestation,
        "category": point.category,
        "level": point.level,
        "responsible_leader": point.responsible_leader,
        "responsible_person": point.responsible_person,
        "supervisor": point.supervisor,
    }


@transaction.atomic
def risk_point_create(*, form: RiskForm, actor, **data) -> RiskPoint:
    """Add a risk point through an editable form. Fields: name, manifestation, category, level, scope (optional,
    else derived), office, posts, power_item or business_step, responsible_leader/person, supervisor."""
    locked = _lock_editable(form, actor)
    clean = _clean_point(form=locked, data=data)
    posts = clean.pop("posts")
    last = RiskPoint.objects.filter(campaign_id=locked.campaign_id, unit_id=locked.unit_id).aggregate(
        m=Max("sort_order")
    )["m"]
    point = RiskPoint(campaign_id=locked.campaign_id, unit_id=locked.unit_id, sort_order=(last or 0) + 10, **clean)
    point.full_clean(exclude=["posts"])
    point.save()
    point.posts.set(posts)
    _require_not_shown_frozen(RiskPoint.objects.filter(pk=point.pk), _("这个风险点"))
    audit.record(
        actor=actor,
        action="riskpoint.create",
        obj=point,
        summary={"form": locked.pk, "form_state": locked.state, **_point_summary(point, posts)},
    )
    figures.refresh(campaign_id=point.campaign_id, unit_id=point.unit_id)
    return point


@transaction.atomic
def risk_point_update(*, point: RiskPoint, form: RiskForm, actor, version: int, **data) -> RiskPoint:
    """Change a risk point; refused when someone else saved it since ``version`` was read."""
    locked_form = _lock_editable(form, actor)
    locked = RiskPoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
    _check_point_in_form(locked, locked_form)
    workflow.check_version(locked, version)
    _require_not_shown_frozen(RiskPoint.objects.filter(pk=locked.pk), _("这个风险点"))
    before = _point_summary(locked, list(locked.posts.all()))
    clean = _clean_point(form=locked_form, data=data)
    posts = clean.pop("posts")
    if locked_form.kind == FormKind.PERSONAL:
        # The holder answers for this post; the point's other posts stay as they were.
        posts = list({p.pk: p for p in [*locked.posts.exclude(pk=locked_form.post_id), *posts]}.values())
        clean["scope"] = RiskScope.POST
    for field, value in clean.items():
        setattr(locked, field, value)
    locked.version += 1
    locked.full_clean(exclude=["posts"])
    locked.save()
    locked.posts.set(posts)
    _require_not_shown_frozen(RiskPoint.objects.filter(pk=locked.pk), _("这个风险点"))  # its new posts' forms
    after = _point_summary(locked, posts)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit.record(
        actor=actor, action="riskpoint.update", obj=locked, summary={"form": locked_form.pk, "changes": changes}
    )
    figures.refresh(campaign_id=locked.campaign_id, unit_id=locked.unit_id)
    return locked


@transaction.atomic
def risk_point_delete(*, point: RiskPoint, form: RiskForm, actor, version: int) -> bool:
    """Remove a point from the form. On a personal form a point shared with other posts is only detached from
    this post (the others still answer for it); returns True when the point itself was deleted."""
    locked_form = _lock_editable(form, actor)
    locked = RiskPoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
    _check_point_in_form(locked, locked_form)
    workflow.check_version(locked, version)
    _require_not_shown_frozen(RiskPoint.objects.filter(pk=locked.pk), _("这个风险点"))
    if locked_form.kind == FormKind.PERSONAL and locked.posts.exclude(pk=locked_form.post_id).exists():
        locked.posts.remove(locked_form.post_id)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        audit.record(
            actor=actor,
            action="riskpoint.detach",
            obj=locked,
            summary={"form": locked_form.pk, "post": locked_form.post_id},
        )
        figures.refresh(campaign_id=locked.campaign_id, unit_id=locked.unit_id)
        return False
    summary = {"form": locked_form.pk, **_point_summary(locked, list(locked.posts.all()))}
    audit.record(actor=actor, action="riskpoint.delete", obj=locked, summary=summary)
    campaign_id, unit_id = locked.campaign_id, locked.unit_id
    locked.delete()
    figures.refresh(campaign_id=campaign_id, unit_id=unit_id)
    return True


# --- power inventory ------------------------------------------------------------------------------------------------
def _clean_power_item(*, unit, data) -> dict:
    errors = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _("请填写职权(业务)事项名称。")
    kind = data.get("kind") or PowerKind.OTHER
    if kind not in PowerKind.values:
        errors["kind"] = _("请选择权力类型。")
    posts = list(data.get("posts") or [])
    if any(p.unit_id != unit.pk for p in posts):
        errors["posts"] = _("所选岗位不属于本单位。")
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "kind": kind,
        "basis": (data.get("basis") or "").strip(),
        "process": (data.get("process") or "").strip(),
        "posts": posts,
    }


def _power_summary(item, posts) -> dict:
    return {
        "name": item.name,
        "kind": item.kind,
        "basis": item.basis,
        "process": item.process,
        "posts": sorted(p.pk for p in posts),
    }


def _save_power_item(item: PowerItem) -> None:
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError({"name": _("本单位已有同名的职权事项。")})


@transaction.atomic
def power_item_create(*, unit: Unit, actor, **data) -> PowerItem:
    """Add an item to the unit's power inventory (权力清理): name, kind, basis, process, posts."""
    if not rules.can_manage_unit_records(actor, unit):
        raise PermissionDenied(_("只有本单位负责人或联络员可以编辑权力清单。"))
    clean = _clean_power_item(unit=unit, data=data)
    posts = clean.pop("posts")
    last = PowerItem.objects.filter(unit=unit).aggregate(m=Max("sort_order"))["m"]
    item = PowerItem(unit=unit, sort_order=(last or 0) + 10, **clean)
    _save_power_item(item)
    item.posts.set(posts)
    audit.record(actor=actor, action="poweritem.create", obj=item, summary=_power_summary(item, posts))
    return item


@transaction.atomic
def power_item_update(*, item: PowerItem, actor, version: int, **data) -> PowerItem:
    locked = PowerItem.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item.pk)
    if not rules.can_manage_unit_records(actor, locked.unit):
        raise PermissionDenied(_("只有本单位负责人或联络员可以编辑权力清单。"))
    workflow.check_version(locked, version)
    before = _power_summary(locked, list(locked.posts.all()))
    clean = _clean_power_item(unit=locked.unit, data=data)
    posts = clean.pop("posts")
    if clean["name"] != locked.name:  # the name is printed as the 职权(业务)事项 of its risk points
        _require_not_shown_frozen(locked.risk_points.all(), _("该职权事项"))
    for field, value in clean.items():
        setattr(locked, field, value)
    locked.version += 1
    _save_power_item(locked)
    locked.posts.set(posts)
    after = _power_summary(locked, posts)
    audit.record(
        actor=actor,
        action="poweritem.update",
        obj=locked,
        summary={"changes": {k: [before[k], after[k]] for k in after if before[k] != after[k]}},
    )
    return locked


@transaction.atomic
def power_item_delete(*, item: PowerItem, actor, version: int) -> None:
    """Remove an item; risk points that named it keep its name as their business step."""
    locked = PowerItem.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item.pk)
    if not rules.can_manage_unit_records(actor, locked.unit):
        raise PermissionDenied(_("只有本单位负责人或联络员可以编辑权力清单。"))
    workflow.check_version(locked, version)
    _require_not_shown_frozen(locked.risk_points.all(), _("该职权事项"))
    locked.risk_points.filter(business_step="").update(business_step=locked.name[:200])
    audit.record(
        actor=actor, action="poweritem.delete", obj=locked, summary=_power_summary(locked, list(locked.posts.all()))
    )
    locked.delete()
