"""Complaints (信访举报): the public intake with its one-time query code, registration of other channels, and the handling stages. The reporter never appears in an audit summary or a notification."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from lianzheng.audit import record
from lianzheng.notifications import notify
from lianzheng.uploads import check_upload
from units.models import Post, Unit

from ..figures import keep_unit_year
from ..models import (
    Complaint,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintConclusion,
    ComplaintState,
)
from .cards import yellow_card_propose_if_due
from .common import (
    _bump,
    _check_version,
    _require,
    complaint_config,
    reviewers,
)

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


def purge_complaint_rate_limits(*, older_than_seconds: int = 86400) -> int:
    """Drop the counted look-ups and filings of the public complaint pages once no window can need them."""
    from lianzheng.models import RateLimitHit

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = RateLimitHit.objects.filter(key__startswith="complaint-", at__lt=cutoff).delete()
    return deleted
