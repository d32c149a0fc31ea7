"""Writes for supervision: complaints, warnings, yellow cards (R9), key supervision, violation cases, assessments
(R10, R11).

Every action is one function: permission check → row locked → allowed source state → write → audit event →
notification of the next actor (e-mails go out on commit). The reporter of a complaint never appears in an
audit summary or a notification: ``str(complaint)`` is its number only, and summaries carry states and ids.
"""

import secrets
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from lianzheng import workflow
from lianzheng.audit import record
from lianzheng.notifications import notify
from lianzheng.uploads import check_upload
from units.models import Assignment, Post, Role, Unit, User

from .figures import keep_unit_year
from .models import (
    WARNING_ORDER,
    Assessment,
    Complaint,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintConclusion,
    ComplaintState,
    Grade,
    KeySupervision,
    KeySupervisionState,
    SupervisionReport,
    ViolationCase,
    Warning,
    WarningKind,
    WarningSource,
    WarningState,
    WarningTarget,
    YellowCard,
    YellowCardState,
)

# --- configuration (read at call time, never at import) ------------------------------------------------------
ASSESSMENT_DEFAULTS = {
    # Lower bound of each band, best first; below the last bound the grade is 差 (DESIGN §5).
    "BANDS": [(90, Grade.GOOD), (80, Grade.FAIRLY_GOOD), (60, Grade.AVERAGE)],
    # R11: a 民主测评 satisfaction rate below this (in percent) proposes a 谈话提醒.
    "SATISFACTION_THRESHOLD": 70,
    # R10: the best grade a unit with a violation case or a yellow card in the year may get.
    "CAP_GRADE": Grade.FAIRLY_GOOD,
}
COMPLAINT_DEFAULTS = {
    "STATUS_LIMIT": 10,  # status look-ups per client address ...
    "STATUS_WINDOW_SECONDS": 600,  # ... in this window
    "INTAKE_LIMIT": 5,  # complaints filed online per client address ...
    "INTAKE_WINDOW_SECONDS": 3600,  # ... in this window
    "MAX_ATTACHMENTS": 5,
}


def assessment_config() -> dict:
    return {**ASSESSMENT_DEFAULTS, **getattr(settings, "LIANZHENG_ASSESSMENT", {})}


def complaint_config() -> dict:
    return {**COMPLAINT_DEFAULTS, **getattr(settings, "LIANZHENG_COMPLAINTS", {})}


# --- helpers ----------------------------------------------------------------------------------------------
def _require(perm: str, actor, obj=None) -> None:
    # rules.has_perm evaluates the predicate itself: no superuser shortcut past a state check.
    if actor is None or not rules.has_perm(perm, actor, obj):
        raise PermissionDenied(_("您没有权限执行此操作。"))


def _check_version(obj, version) -> None:
    workflow.check_version(obj, version)


def _bump(obj, fields: list[str]) -> None:
    obj.version += 1
    obj.save(update_fields=[*fields, "version"])


def reviewers():
    return User.objects.filter(role=Role.REVIEWER, is_active=True)


def unit_leaders(unit):
    return User.objects.filter(role=Role.UNIT_LEADER, unit=unit, is_active=True)


def head_of(post: Post) -> tuple[Post, User | None]:
    """The head of a post (R9): the holder of ``post.reports_to``, or the post's own holder when it reports to none."""
    head_post = post.reports_to or post
    holding = Assignment.objects.current().filter(post=head_post).select_related("user").order_by("-start").first()
    return head_post, holding.user if holding else None


# --- query codes --------------------------------------------------------------------------------------------
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read out over the phone
QUERY_CODE_LENGTH = 20  # 100 bits


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def submission_key_hash(key: str) -> str:
    return salted_hmac("reviews.complaint.submission_key", key, algorithm="sha256").hexdigest()


def query_code_for_key(key: str) -> str:
    """The query code of a complaint sent with a form key: derived from the key under the server's secret, so the
    same form sent twice shows the same code (nothing stores it) and nobody without the key can compute it."""
    digest = salted_hmac("reviews.complaint.query_code_from_key", key, algorithm="sha256").digest()
    number = int.from_bytes(digest, "big")
    letters = []
    for _i in range(QUERY_CODE_LENGTH):
        number, index = divmod(number, len(QUERY_CODE_ALPHABET))
        letters.append(QUERY_CODE_ALPHABET[index])
    return "".join(letters)


def format_query_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_query_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def hash_query_code(code: str, *, secret: str | None = None) -> str:
    """Keyed hash (HMAC-SHA256 with SECRET_KEY): the database alone is not enough to test guesses offline."""
    return salted_hmac(
        "reviews.complaint.query_code", normalise_query_code(code), secret=secret, algorithm="sha256"
    ).hexdigest()


def query_code_hashes(code: str) -> list[str]:
    """The hash under the current key and every fallback key, so rotating SECRET_KEY keeps old codes working."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hash_query_code(code, secret=key) for key in keys]


# --- attachments ----------------------------------------------------------------------------------------------
def validate_attachment(upload) -> str:
    """PDF, Word, Excel and images only, within UPLOAD_MAX_BYTES (lianzheng.uploads); return the content type."""
    return check_upload(upload, images=True)[0]


# --- complaints -----------------------------------------------------------------------------------------------
def _complaint_url(complaint) -> str:
    return reverse("reviews:complaint-detail", args=[complaint.pk])


@transaction.atomic
def complaint_submit(
    *,
    unit: Unit,
    content: str,
    anonymous: bool,
    reporter_name: str = "",
    reporter_contact: str = "",
    post: Post | None = None,
    person_name: str = "",
    person=None,
    files=(),
    channel: str = ComplaintChannel.ONLINE,
    received_on=None,
    actor=None,
    submission_key: str = "",
) -> tuple[Complaint, str]:
    """File a complaint. Online (no actor) from the public page; other channels registered by a reviewer.

    Returns the complaint and its query code, which is not stored anywhere and must be shown to the reporter once.
    ``submission_key`` (the public form's one-time key) makes filing idempotent: the same form sent again returns
    the complaint it filed, with the same code, and files nothing (issue 14: a double click made two complaints).
    """
    key_hash = submission_key_hash(submission_key) if submission_key else None
    if key_hash:
        already = Complaint.objects.filter(submission_key_hash=key_hash).first()
        if already is not None:
            return already, query_code_for_key(submission_key)
    if channel != ComplaintChannel.ONLINE or actor is not None:
        _require("reviews.handle_complaint", actor)
        if channel == ComplaintChannel.ONLINE:
            raise ValidationError(_("网上举报由举报人自行提交，请选择来信、来访、电话或热线。"))
    if post is not None and post.unit_id != unit.pk:
        raise ValidationError(_("所选岗位不属于被举报单位。(The post is not in that unit.)"))
    if person is not None and person.unit_id != unit.pk:
        raise ValidationError(_("所选人员不属于被举报单位。"))
    content = (content or "").strip()
    if len(content) < 10:
        raise ValidationError(_("请具体说明举报内容(至少 10 个字)。(Please describe the matter.)"))
    files = list(files or [])
    if len(files) > complaint_config()["MAX_ATTACHMENTS"]:
        raise ValidationError(_("最多上传 %(n)s 个附件。") % {"n": complaint_config()["MAX_ATTACHMENTS"]})
    content_types = [validate_attachment(f) for f in files]
    if anonymous:
        reporter_name = reporter_contact = ""
    elif not (reporter_name or "").strip():
        raise ValidationError(_("实名举报请填写姓名；不愿留名请选择匿名举报。"))
    received_on = received_on or timezone.localdate()

    code = query_code_for_key(submission_key) if submission_key else new_query_code()
    try:
        with transaction.atomic():  # a savepoint: the same form sent twice at once meets the unique key
            complaint = Complaint.objects.create(
                submission_key_hash=key_hash,
                year=received_on.year,
                received_on=received_on,
                channel=channel,
                anonymous=anonymous,
                reporter_name=(reporter_name or "").strip(),
                reporter_contact=(reporter_contact or "").strip(),
                unit=unit,
                post=post,
                person=person,
                person_name=(person_name or "").strip(),
                content=content,
                query_code_hash=hash_query_code(code),
                registered_by=actor,
            )
    except IntegrityError:
        already = Complaint.objects.filter(submission_key_hash=key_hash).first() if key_hash else None
        if already is None:
            raise
        return already, code
    for upload, content_type in zip(files, content_types, strict=True):
        ComplaintAttachment.objects.create(
            complaint=complaint,
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
        )
    record(
        actor=actor,
        action="complaint.receive",
        obj=complaint,
        summary={
            "channel": channel,
            "unit": unit.code,
            "post_id": post.pk if post else None,
            "attachments": len(files),
        },
    )
    notify(
        recipients=reviewers().exclude(pk=getattr(actor, "pk", None)),
        title=_("收到新的信访举报：%(unit)s") % {"unit": unit.name},
        body=_("%(no)s，来源：%(channel)s。请及时受理初核。")
        % {"no": complaint.number, "channel": complaint.get_channel_display()},
        url=_complaint_url(complaint),
    )
    keep_unit_year((complaint.unit_id, complaint.year))
    return complaint, code


def record_export(*, actor, count: int) -> None:
    """Exports are audited too (who took the ledger out, and how many rows); the file has no reporter data."""
    record(actor=actor, action="complaint.export", summary={"rows": count})


#: action → (allowed source states, target state, required fields)
COMPLAINT_TRANSITIONS = {
    "check": ((ComplaintState.RECEIVED,), ComplaintState.CHECKING, ()),
    "verify": ((ComplaintState.CHECKING,), ComplaintState.VERIFIED, ("findings",)),
    "unfound": ((ComplaintState.CHECKING,), ComplaintState.UNFOUNDED, ("findings",)),
    "close": (
        (ComplaintState.VERIFIED, ComplaintState.UNFOUNDED),
        ComplaintState.CLOSED,
        ("disposition", "public_reply"),
    ),
}
REQUIRED_LABELS = {"findings": _("核查情况"), "disposition": _("处理意见"), "public_reply": _("答复举报人")}


@transaction.atomic
def complaint_transition(
    *,
    complaint: Complaint,
    actor,
    action: str,
    version: int,
    findings: str | None = None,
    disposition: str | None = None,
    public_reply: str | None = None,
) -> Complaint:
    """Move a complaint one step: received → checking → verified / unfounded → closed. Verifying may trigger R9."""
    _require("reviews.handle_complaint", actor, complaint)
    if action not in COMPLAINT_TRANSITIONS:
        raise ValidationError(_("未知的办理操作。"))
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("post", "unit").get(pk=complaint.pk)
    _check_version(complaint, version)
    sources, target, required = COMPLAINT_TRANSITIONS[action]
    if complaint.state not in sources:
        raise ValidationError(_("该举报当前为“%(state)s”，不能执行此操作。") % {"state": complaint.get_state_display()})
    changes = {"findings": findings, "disposition": disposition, "public_reply": public_reply}
    for field, value in changes.items():
        if value is not None:
            setattr(complaint, field, value.strip())
    missing = [str(REQUIRED_LABELS[f]) for f in required if not getattr(complaint, f)]
    if missing:
        raise ValidationError(_("请填写：%(fields)s。") % {"fields": "、".join(missing)})
    before = complaint.state
    complaint.state = target
    fields = ["state", "findings", "disposition", "public_reply", "updated_at"]
    if action == "check":
        complaint.handler = actor
        fields.append("handler")
    if action in ("verify", "unfound"):
        complaint.conclusion = ComplaintConclusion.VERIFIED if action == "verify" else ComplaintConclusion.UNFOUNDED
        complaint.concluded_at = timezone.now()
        fields += ["conclusion", "concluded_at"]
    if action == "close":
        complaint.closed_at = timezone.now()
        fields.append("closed_at")
    _bump(complaint, fields)
    record(
        actor=actor,
        action=f"complaint.{action}",
        obj=complaint,
        summary={"from": before, "to": target, "conclusion": complaint.conclusion},
    )
    if action == "verify":
        yellow_card_propose_if_due(post=complaint.post, year=complaint.year)
    # A verification may have proposed a yellow card: it counts under its post's unit.
    keep_unit_year(
        (complaint.unit_id, complaint.year), *([(complaint.post.unit_id, complaint.year)] if complaint.post else [])
    )
    return complaint


# --- yellow cards and key supervision (R9) ------------------------------------------------------------------------
def _card_url(card) -> str:
    return reverse("reviews:yellowcard-detail", args=[card.pk])


def yellow_card_propose_if_due(*, post: Post | None, year: int) -> YellowCard | None:
    """R9: a key post with two or more verified complaints in the year gets a yellow-card proposal, exactly once.

    Called inside the verifying transaction. The unique (post, year) constraint, not a Python check, guarantees
    "once" when two reviewers verify at the same moment.
    """
    if post is None or not post.is_key:
        return None
    verified = Complaint.objects.filter(post=post, year=year, conclusion=ComplaintConclusion.VERIFIED)
    if verified.count() < 2:
        return None
    if YellowCard.objects.filter(post=post, year=year).exists():
        return None
    try:
        with transaction.atomic():
            card = YellowCard.objects.create(post=post, year=year)
    except IntegrityError:
        return None  # proposed concurrently by another verification
    card.complaints.set(verified)
    record(
        actor=None,
        action="yellowcard.propose",
        obj=card,
        summary={"rule": "R9", "post_id": post.pk, "year": year, "verified_complaints": verified.count()},
    )
    notify(
        recipients=reviewers(),
        title=_("建议给予廉政风险黄牌警告：%(unit)s %(post)s") % {"unit": post.unit.name, "post": post.name},
        body=_("重点岗位“%(post)s”%(year)s年度已有 %(n)s 件信访举报查实(R9)。请核定后下达黄牌警告。")
        % {"post": post.name, "year": year, "n": verified.count()},
        url=_card_url(card),
        dedupe_key=f"yellowcard-proposed:{card.pk}",
    )
    return card


@transaction.atomic
def yellow_card_issue(
    *, card: YellowCard, actor, document_no: str, issued_on=None, plan: str = "", supervision_end=None, version: int
) -> YellowCard:
    """Issue a proposed yellow card with its document number; open key supervision of the post's head."""
    card = (
        YellowCard.objects.select_for_update(of=("self",))
        .select_related("post__unit", "post__reports_to")
        .get(pk=card.pk)
    )
    _require("reviews.issue_yellow_card", actor, card)
    _check_version(card, version)
    document_no = (document_no or "").strip()
    if not document_no:
        raise ValidationError(_("请填写黄牌警告的文号。(Document number required.)"))
    issued_on = issued_on or timezone.localdate()
    if supervision_end and supervision_end < issued_on:
        raise ValidationError(_("监管截止日期不能早于警告日期。"))
    card.state = YellowCardState.ISSUED
    card.document_no = document_no
    card.issued_on = issued_on
    card.issued_by = actor
    _bump(card, ["state", "document_no", "issued_on", "issued_by"])
    head_post, head = head_of(card.post)
    supervision = KeySupervision.objects.create(
        yellow_card=card, head_post=head_post, person=head, start=issued_on, end=supervision_end, plan=plan.strip()
    )
    record(
        actor=actor,
        action="yellowcard.issue",
        obj=card,
        summary={"document_no": document_no, "supervision_id": supervision.pk, "head_post_id": head_post.pk},
    )
    record(actor=actor, action="supervision.open", obj=supervision, summary={"yellow_card_id": card.pk})
    unit = card.post.unit
    notify(
        recipients=[*unit_leaders(unit), head],
        title=_("%(unit)s %(post)s 被给予廉政风险黄牌警告") % {"unit": unit.name, "post": card.post.name},
        body=_("文号：%(no)s。岗位负责人(%(head)s)自 %(date)s 起实行重点监管，请按监管方案定期报告。")
        % {"no": document_no, "head": head_post.name, "date": issued_on.isoformat()},
        url=_card_url(card),
    )
    _recompute_assessments(unit=unit, year=card.year, actor=actor)
    keep_unit_year((unit.pk, card.year))
    return card


@transaction.atomic
def yellow_card_lift(*, card: YellowCard, actor, reason: str, lifted_on=None, version: int) -> YellowCard:
    """Record that the card was lifted after rectification. It still counts for R10 in its year: it was received."""
    card = YellowCard.objects.select_for_update(of=("self",)).select_related("post__unit").get(pk=card.pk)
    _require("reviews.lift_yellow_card", actor, card)
    _check_version(card, version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请说明撤销黄牌的理由(整改情况)。"))
    card.state = YellowCardState.LIFTED
    card.lifted_on = lifted_on or timezone.localdate()
    card.lifted_by = actor
    card.lift_reason = reason
    _bump(card, ["state", "lifted_on", "lifted_by", "lift_reason"])
    record(actor=actor, action="yellowcard.lift", obj=card, summary={"lifted_on": card.lifted_on})
    notify(
        recipients=unit_leaders(card.post.unit),
        title=_("%(post)s 的黄牌警告已撤销") % {"post": card.post.name},
        url=_card_url(card),
    )
    keep_unit_year((card.post.unit_id, card.year))
    return card


@transaction.atomic
def supervision_add_report(*, supervision: KeySupervision, actor, period: str, content: str) -> SupervisionReport:
    supervision = (
        KeySupervision.objects.select_for_update(of=("self",)).select_related("head_post__unit").get(pk=supervision.pk)
    )
    _require("reviews.report_supervision", actor, supervision)
    period, content = (period or "").strip(), (content or "").strip()
    if not period or not content:
        raise ValidationError(_("请填写报告期和报告内容。"))
    report = SupervisionReport.objects.create(supervision=supervision, period=period, content=content, author=actor)
    record(
        actor=actor, action="supervision.report", obj=supervision, summary={"report_id": report.pk, "period": period}
    )
    notify(
        recipients=reviewers().exclude(pk=actor.pk),
        title=_("重点监管报告：%(post)s %(period)s") % {"post": supervision.head_post.name, "period": period},
        url=reverse("reviews:supervision-detail", args=[supervision.pk]),
    )
    return report


@transaction.atomic
def supervision_end(*, supervision: KeySupervision, actor, note: str, end=None, version: int) -> KeySupervision:
    supervision = (
        KeySupervision.objects.select_for_update(of=("self",)).select_related("head_post__unit").get(pk=supervision.pk)
    )
    _require("reviews.end_supervision", actor, supervision)
    _check_version(supervision, version)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("请填写结束重点监管的说明。"))
    end = end or timezone.localdate()
    if end < supervision.start:
        raise ValidationError(_("结束日期不能早于监管起始日期。"))
    supervision.state = KeySupervisionState.ENDED
    supervision.end = end
    supervision.end_note = note
    supervision.ended_by = actor
    _bump(supervision, ["state", "end", "end_note", "ended_by"])
    record(actor=actor, action="supervision.end", obj=supervision, summary={"end": end})
    notify(
        recipients=[*unit_leaders(supervision.head_post.unit), supervision.person],
        title=_("重点监管已结束：%(post)s") % {"post": supervision.head_post.name},
        url=reverse("reviews:supervision-detail", args=[supervision.pk]),
    )
    card = YellowCard.objects.select_related("post").only("year", "post__unit_id").get(pk=supervision.yellow_card_id)
    keep_unit_year((card.post.unit_id, card.year))
    return supervision


# --- warnings (R11, 后期处置) ----------------------------------------------------------------------------------
def _warning_url(warning) -> str:
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
        url=_warning_url(warning),
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
        url=_warning_url(warning),
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


# --- violation cases and assessments (R10, R11) ---------------------------------------------------------------
@transaction.atomic
def violation_case_record(
    *, actor, unit: Unit, year: int, title: str, case_no: str = "", description: str = "", decided_on=None
) -> ViolationCase:
    _require("reviews.add_violation_case", actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写案由。"))
    case = ViolationCase.objects.create(
        unit=unit,
        year=year,
        title=title,
        case_no=(case_no or "").strip(),
        description=(description or "").strip(),
        decided_on=decided_on,
        recorded_by=actor,
    )
    record(actor=actor, action="violation.record", obj=case, summary={"unit": unit.code, "year": year})
    _recompute_assessments(unit=unit, year=year, actor=actor)
    keep_unit_year((unit.pk, year))
    return case


def band_for(score) -> tuple[str, str]:
    """The grade by bands and the sentence that explains it."""
    score = Decimal(score)
    for bound, grade in assessment_config()["BANDS"]:
        if score >= Decimal(bound):
            return grade, _("得分 %(score)s ≥ %(bound)s，按分数段评为“%(grade)s”。") % {
                "score": score,
                "bound": bound,
                "grade": Grade(grade).label,
            }
    lowest = assessment_config()["BANDS"][-1][0]
    return Grade.POOR, _("得分 %(score)s < %(bound)s，按分数段评为“差”。") % {"score": score, "bound": lowest}


def satisfaction_rate(*, good: int, fairly_good: int, average: int, poor: int) -> Decimal | None:
    """(好 + 较好) / valid ballots, in percent to one decimal; None without valid ballots."""
    valid = good + fairly_good + average + poor
    if valid == 0:
        return None
    return (Decimal(100 * (good + fairly_good)) / valid).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def r10_reasons(*, unit: Unit, year: int) -> list[str]:
    """Why the unit cannot be 好 in that year (R10): its violation cases and the yellow cards it received."""
    reasons = []
    for case in ViolationCase.objects.filter(unit=unit, year=year).order_by("id"):
        reasons.append(_("本年度发生违规违纪案件：%(title)s") % {"title": case.title})
    cards = YellowCard.objects.filter(
        post__unit=unit, year=year, state__in=[YellowCardState.ISSUED, YellowCardState.LIFTED]
    )
    for card in cards.select_related("post").order_by("id"):
        reasons.append(
            _("本年度岗位“%(post)s”被给予廉政风险黄牌警告(%(no)s)") % {"post": card.post.name, "no": card.document_no}
        )
    return reasons


def _grade(assessment: Assessment) -> None:
    """Fill every derived field: satisfaction, band grade, R10 cap, final grade — each with its reason."""
    config = assessment_config()
    assessment.satisfaction_rate = satisfaction_rate(
        good=assessment.ballots_good,
        fairly_good=assessment.ballots_fairly_good,
        average=assessment.ballots_average,
        poor=assessment.ballots_poor,
    )
    if assessment.satisfaction_rate is None:
        assessment.satisfaction_note = _("未录入民主测评票。")
    else:
        assessment.satisfaction_note = _("满意率 = (好 %(g)s + 较好 %(f)s) / 有效票 %(v)s = %(rate)s%%") % {
            "g": assessment.ballots_good,
            "f": assessment.ballots_fairly_good,
            "v": assessment.ballots_valid,
            "rate": assessment.satisfaction_rate,
        }
    assessment.band_grade, assessment.band_reason = band_for(assessment.raw_score)
    reasons = r10_reasons(unit=assessment.unit, year=assessment.year)
    cap = config["CAP_GRADE"]
    order = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR]
    if reasons and order.index(assessment.band_grade) < order.index(cap):
        assessment.capped = True
        assessment.final_grade = cap
        assessment.cap_reason = _("%(reasons)s。依据实施方案(二、4)，该单位本年度不能评为“好”，最高评为“%(cap)s”。") % {
            "reasons": "；".join(reasons),
            "cap": Grade(cap).label,
        }
    else:
        assessment.capped = False
        assessment.final_grade = assessment.band_grade
        assessment.cap_reason = "；".join(reasons) + (_("(按分数段已不是“好”，无需限制。)") if reasons else "")


def _propose_r11_warning(assessment: Assessment) -> Warning | None:
    """R11: low 民主测评 satisfaction proposes a 谈话提醒 to the unit's leader, once per assessment."""
    threshold = Decimal(str(assessment_config()["SATISFACTION_THRESHOLD"]))
    rate = assessment.satisfaction_rate
    if rate is None or rate >= threshold or assessment.warnings.filter(source=WarningSource.SATISFACTION).exists():
        return None
    leader = unit_leaders(assessment.unit).order_by("id").first()
    target = {"target": WarningTarget.PERSON, "person": leader} if leader else {"target": WarningTarget.UNIT}
    try:
        with transaction.atomic():
            warning = Warning.objects.create(
                kind=WarningKind.TALK,
                state=WarningState.PROPOSED,
                source=WarningSource.SATISFACTION,
                year=assessment.year,
                unit=assessment.unit,
                assessment=assessment,
                reason=_("%(year)s年度党风廉政建设责任制民主测评满意度 %(rate)s%%，低于 %(threshold)s%%(R11)。")
                % {"year": assessment.year, "rate": rate, "threshold": threshold},
                **target,
            )
    except IntegrityError:
        return None
    record(actor=None, action="warning.propose", obj=warning, summary={"rule": "R11", "assessment_id": assessment.pk})
    notify(
        recipients=reviewers(),
        title=_("建议谈话提醒：%(unit)s 民主测评满意度较低") % {"unit": assessment.unit.name},
        url=_warning_url(warning),
        dedupe_key=f"warning-proposed:{warning.pk}",
    )
    return warning


def _assessment_summary(assessment) -> dict:
    return {
        "raw_score": assessment.raw_score,
        "satisfaction_rate": assessment.satisfaction_rate,
        "band_grade": assessment.band_grade,
        "capped": assessment.capped,
        "final_grade": assessment.final_grade,
    }


@transaction.atomic
def assessment_save(
    *,
    actor,
    unit: Unit,
    year: int,
    raw_score,
    ballots_good: int = 0,
    ballots_fairly_good: int = 0,
    ballots_average: int = 0,
    ballots_poor: int = 0,
    ballots_invalid: int = 0,
    ballots_issued: int | None = None,
    score_basis: str = "",
    version: int | None,
) -> Assessment:
    """Enter or correct a unit's assessment for a year; grades it (bands, R10 cap) and applies R11."""
    _require("reviews.edit_assessment", actor)
    raw_score = Decimal(str(raw_score))
    if not Decimal(0) <= raw_score <= Decimal(100):
        raise ValidationError(_("考核得分须在 0 到 100 之间。"))
    counts = [ballots_good, ballots_fairly_good, ballots_average, ballots_poor, ballots_invalid]
    if any(c is None or int(c) < 0 for c in counts):
        raise ValidationError(_("测评票数不能为负数。"))
    if ballots_issued is not None and sum(counts) > ballots_issued:
        raise ValidationError(_("收回的测评票(有效票与无效票之和)不能多于发出的票数。"))
    assessment = Assessment.objects.select_for_update(of=("self",)).filter(unit=unit, year=year).first()
    creating = assessment is None
    if creating:
        # None (or 0) stands for "the page showed no assessment yet"; one entered meanwhile makes it stale.
        if version not in (None, 0):
            raise workflow.StaleEdit()
        assessment = Assessment(unit=unit, year=year, entered_by=actor)
    else:
        _check_version(assessment, version)
        assessment.version += 1
    assessment.raw_score = raw_score
    assessment.score_basis = (score_basis or "").strip()
    assessment.ballots_issued = ballots_issued
    assessment.ballots_good, assessment.ballots_fairly_good = ballots_good, ballots_fairly_good
    assessment.ballots_average, assessment.ballots_poor, assessment.ballots_invalid = (
        ballots_average,
        ballots_poor,
        ballots_invalid,
    )
    assessment.entered_by = actor
    _grade(assessment)
    assessment.save()
    record(
        actor=actor,
        action="assessment.create" if creating else "assessment.update",
        obj=assessment,
        summary=_assessment_summary(assessment),
    )
    _propose_r11_warning(assessment)
    keep_unit_year((unit.pk, year))
    return assessment


def _recompute_assessments(*, unit: Unit, year: int, actor) -> None:
    """A yellow card or a violation case may arrive after the assessment was entered: regrade it (R10)."""
    assessment = Assessment.objects.select_for_update(of=("self",)).filter(unit=unit, year=year).first()
    if assessment is None:
        return
    before = assessment.final_grade
    _grade(assessment)
    if assessment.final_grade != before or assessment.capped:
        assessment.version += 1
        assessment.save()
        record(actor=actor, action="assessment.regrade", obj=assessment, summary=_assessment_summary(assessment))


# --- periodic ---------------------------------------------------------------------------------------------------------
SUPERVISION_REPORT_DAYS = 90  # key supervision asks for a report each quarter


def supervision_remind_overdue_reports(*, today=None) -> int:
    """Remind those under key supervision whose last report (or start) is more than a quarter old. Idempotent per
    supervision and quarter: the notification's dedupe key decides."""
    today = today or timezone.localdate()
    reminded = 0
    active = KeySupervision.objects.filter(state=KeySupervisionState.ACTIVE, start__lte=today).select_related(
        "head_post__unit", "person"
    )
    for supervision in active.prefetch_related("reports"):
        reports = sorted(r.created_at for r in supervision.reports.all())
        last = timezone.localtime(reports[-1]).date() if reports else supervision.start
        if (today - last).days < SUPERVISION_REPORT_DAYS:
            continue
        quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
        with transaction.atomic():
            created = notify(
                recipients=[supervision.person, *unit_leaders(supervision.head_post.unit)],
                title=_("请提交重点监管定期报告：%(post)s") % {"post": supervision.head_post.name},
                body=_("上次报告(或监管起始)距今已超过 %(days)s 天。") % {"days": SUPERVISION_REPORT_DAYS},
                url=reverse("reviews:supervision-detail", args=[supervision.pk]),
                dedupe_key=f"supervision-report:{supervision.pk}:{quarter}",
            )
        reminded += bool(created)
    return reminded


def purge_complaint_rate_limits(*, older_than_seconds: int = 86400) -> int:
    """Drop the counted look-ups and filings of the public complaint pages once no window can need them."""
    from lianzheng.models import RateLimitHit

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = RateLimitHit.objects.filter(key__startswith="complaint-", at__lt=cutoff).delete()
    return deleted
