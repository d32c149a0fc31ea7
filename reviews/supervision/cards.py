"""Yellow cards (R9: one per key post and year, proposed from verified complaints) and the key supervision of the head of the post, with its reports."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzheng.audit import record
from lianzheng.notifications import notify
from units.models import Post

from ..figures import keep_unit_year
from ..models import (
    Complaint,
    ComplaintConclusion,
    KeySupervision,
    KeySupervisionState,
    SupervisionReport,
    YellowCard,
    YellowCardState,
)
from .assessments import recompute_assessments
from .common import (
    _bump,
    _check_version,
    _require,
    head_of,
    reviewers,
    unit_leaders,
)


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
    recompute_assessments(unit=unit, year=card.year, actor=actor)
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
