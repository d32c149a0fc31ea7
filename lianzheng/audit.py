"""The keyed, hash-chained audit log: ``record`` appends, ``verify_chain`` checks.

Each event's ``hash`` is an HMAC-SHA256 under ``LIANZHENG_AUDIT_KEY`` (never ``DJANGO_SECRET_KEY``) over its
content, its sequence number ``seq`` and the previous event's hash, so a chain rewritten without the key fails.
``seq`` runs 1, 2, 3... without gaps, handed out from the chain head under its lock: deleted events are named by
number. Retired keys listed in ``LIANZHENG_AUDIT_OLD_KEYS`` still verify the events made under them.

Call ``record`` inside the service's transaction, so the event and the change it describes commit or roll
back together. Reads (downloads, clean-ups) do not come here: they go to the access log (``access_log``).
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def key_id_of(key: str) -> str:
    """A short public name for a key (first 8 hex characters of a hash of it); never the key itself."""
    return hashlib.sha256(b"lianzheng-audit-key-id:" + key.encode("utf-8")).hexdigest()[:8]


def current_key() -> str:
    key = getattr(settings, "LIANZHENG_AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("LIANZHENG_AUDIT_KEY is not set (审计密钥未配置).")
    return key


def keyring() -> dict[str, str]:
    """Every key verification accepts, by key id: the current one and the retired ones."""
    keys = {key_id_of(old): old for old in getattr(settings, "LIANZHENG_AUDIT_OLD_KEYS", []) if old}
    key = current_key()
    keys[key_id_of(key)] = key
    return keys


def _digest(
    key: str,
    *,
    seq,
    key_id,
    at,
    actor_id,
    actor_name,
    action,
    object_type,
    object_id,
    object_repr,
    summary,
    prev_hash,
) -> str:
    content = {
        "seq": seq,
        "key_id": key_id,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr,
        "summary": summary,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hmac.new(key.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def event_digest(key: str, event: AuditEvent) -> str:
    return _digest(
        key,
        seq=event.seq,
        key_id=event.key_id,
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        summary=event.summary,
        prev_hash=event.prev_hash,
    )


def head_mac(key: str, *, count: int, last_hash: str) -> str:
    return hmac.new(key.encode("utf-8"), f"head:{count}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def _normalise(summary) -> dict:
    # Round-trip through JSON so that what is hashed is exactly what the database gives back later.
    return json.loads(json.dumps(summary or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


@transaction.atomic
def record(*, actor, action: str, obj=None, summary: dict | None = None, object_repr: str | None = None) -> AuditEvent:
    """Append one event. ``obj`` may be any model instance (or None for system events)."""
    key = current_key()
    kid = key_id_of(key)
    head, _ = AuditChainHead.objects.select_for_update(of=("self",)).get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    fields = {
        "seq": head.count + 1,
        "key_id": kid,
        "at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_name": (getattr(actor, "display_name", "") or getattr(actor, "username", "")) if actor else "",
        "action": action,
        "object_type": obj._meta.label if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": (object_repr if object_repr is not None else str(obj) if obj is not None else "")[:300],
        "summary": _normalise(summary),
        "prev_hash": head.last_hash,
    }
    digest = _digest(key, **fields)
    event = AuditEvent.objects.create(hash=digest, **fields)
    head.last_hash, head.count, head.key_id = digest, event.seq, kid
    head.mac = head_mac(key, count=head.count, last_hash=digest)
    head.save(update_fields=["last_hash", "count", "key_id", "mac"])
    return event


ADMIN_ACTIONS = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}


def record_admin_change(sender, instance, created, raw=False, **kwargs):
    """A change made in the Django admin (one of its log entries) enters the chain as well: the admin's own log is
    not tamper-evident, and the chain's length is the data version that cached reads are keyed on."""
    if not created or raw:
        return
    record(
        actor=instance.user,
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin.other"),
        object_repr=instance.object_repr,
        summary={
            "model": instance.content_type.model_class()._meta.label if instance.content_type_id else "",
            "id": instance.object_id,
            "message": instance.get_change_message(),
        },
    )


# --- verification -------------------------------------------------------------------------------------------------
MISSING, MISSING_TAIL, EDITED, RELINKED, UNKNOWN_KEY, BEYOND_HEAD, HEAD = (
    "missing",
    "missing_tail",
    "edited",
    "relinked",
    "unknown_key",
    "beyond_head",
    "head",
)
#: At most this many problems are listed (consecutive events with the same problem count as one).
MAX_PROBLEMS = 200


def _span(first: int, last: int) -> tuple[str, str]:
    if first == last:
        return f"事件 {first}", f"event {first}"
    return f"事件 {first}–{last}", f"events {first}–{last}"


@dataclass
class ChainProblem:
    """One problem over the events ``first``..``last`` (by ``seq``); ``missing`` counts events of a cut tail."""

    kind: str
    first: int | None = None
    last: int | None = None
    missing: int = 0
    key_id: str = ""

    def __str__(self) -> str:
        zh, en = _span(self.first, self.last) if self.first is not None else ("", "")
        if self.kind == MISSING:
            return f"{zh} 缺失 / {en} missing"
        if self.kind == EDITED:
            return f"{zh} 与校验值不符（被改动，或不是用审计密钥写入的） / {en}: HMAC mismatch (edited, or not written with the audit key)"
        if self.kind == RELINKED:
            return f"{zh} 与前一事件的链接不符 / {en}: link to the previous event broken"
        if self.kind == UNKNOWN_KEY:
            return (
                f"{zh} 由未知密钥 {self.key_id} 签名（不是当前密钥，也不在 LIANZHENG_AUDIT_OLD_KEYS 中） / "
                f"{en}: signed with unknown key {self.key_id} (neither current nor in LIANZHENG_AUDIT_OLD_KEYS)"
            )
        if self.kind == MISSING_TAIL:
            return f"末尾缺失 {self.missing} 个事件（{zh}） / {self.missing} {'event' if self.missing == 1 else 'events'} missing at the end ({en})"
        if self.kind == BEYOND_HEAD:
            return f"{zh} 超出链头记录的数目 / {en}: beyond the chain head's count"
        if self.key_id:
            return f"链头由未知密钥 {self.key_id} 签名 / the chain head is signed with unknown key {self.key_id}"
        return "链头校验值不符（链头被改动） / the chain head fails its HMAC check (the head was edited)"


@dataclass
class ChainReport:
    count: int  # events present
    problems: list[ChainProblem]
    truncated: bool = False  # more problems than MAX_PROBLEMS

    @property
    def intact(self) -> bool:
        return not self.problems


def _problems(keys: dict[str, str]) -> Iterator[ChainProblem | int]:
    """Walk the chain in ``seq`` order (streaming); yield each problem, then the number of events seen."""
    prev, expected, count = GENESIS, 1, 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    for event in events:
        count += 1
        after_gap = event.seq > expected
        if after_gap:
            yield ChainProblem(MISSING, expected, event.seq - 1)
        key = keys.get(event.key_id)
        if key is None:
            yield ChainProblem(UNKNOWN_KEY, event.seq, event.seq, key_id=event.key_id)
        elif not hmac.compare_digest(event_digest(key, event), event.hash):
            yield ChainProblem(EDITED, event.seq, event.seq)
        # After a gap the link cannot be checked: the deleted event's hash is gone.
        if not after_gap and event.prev_hash != prev:
            yield ChainProblem(RELINKED, event.seq, event.seq)
        prev, expected = event.hash, event.seq + 1
    last_seq = expected - 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            yield ChainProblem(HEAD)
    else:
        if head.count > last_seq:
            yield ChainProblem(MISSING_TAIL, last_seq + 1, head.count, missing=head.count - last_seq)
        elif head.count < last_seq:
            yield ChainProblem(BEYOND_HEAD, head.count + 1, last_seq)
        head_key = keys.get(head.key_id)
        head_ok = head_key is not None and hmac.compare_digest(
            head_mac(head_key, count=head.count, last_hash=head.last_hash), head.mac
        )
        if (count or head.count) and head_key is None:
            yield ChainProblem(HEAD, key_id=head.key_id or "-")
        elif (count or head.count) and (not head_ok or (head.count == last_seq and head.last_hash != prev)):
            yield ChainProblem(HEAD)
    yield count


def verify_chain() -> ChainReport:
    """Check every event and the head; consecutive events with the same problem are reported as one range."""
    problems: list[ChainProblem] = []
    count, truncated = 0, False
    for item in _problems(keyring()):
        if isinstance(item, int):
            count = item
            break
        last = problems[-1] if problems else None
        if (
            last is not None
            and item.kind == last.kind
            and item.kind in (EDITED, RELINKED, UNKNOWN_KEY)
            and item.key_id == last.key_id
            and item.first == last.last + 1
        ):
            last.last = item.last
        elif len(problems) < MAX_PROBLEMS:
            problems.append(item)
        else:
            truncated = True
    return ChainReport(count=count, problems=problems, truncated=truncated)
