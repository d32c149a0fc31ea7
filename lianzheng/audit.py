"""The hash-chained audit log: ``record`` appends, ``verify_chain`` checks.

Call ``record`` inside the service's transaction, so the event and the change it describes commit or roll
back together.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _digest(*, at, actor_id, actor_name, action, object_type, object_id, object_repr, summary, prev_hash) -> str:
    content = {
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
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _normalise(summary) -> dict:
    # Round-trip through JSON so that what is hashed is exactly what the database gives back later.
    return json.loads(json.dumps(summary or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


@transaction.atomic
def record(*, actor, action: str, obj=None, summary: dict | None = None, object_repr: str | None = None) -> AuditEvent:
    """Append one event. ``obj`` may be any model instance (or None for system events)."""
    head, _ = AuditChainHead.objects.select_for_update(of=("self",)).get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    at = timezone.now()
    fields = {
        "at": at,
        "actor_id": getattr(actor, "pk", None),
        "actor_name": (getattr(actor, "display_name", "") or getattr(actor, "username", "")) if actor else "",
        "action": action,
        "object_type": obj._meta.label if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": (object_repr if object_repr is not None else str(obj) if obj is not None else "")[:300],
        "summary": _normalise(summary),
        "prev_hash": head.last_hash,
    }
    digest = _digest(**fields)
    event = AuditEvent.objects.create(hash=digest, **fields)
    head.last_hash = digest
    head.count += 1
    head.save(update_fields=["last_hash", "count"])
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


@dataclass
class ChainProblem:
    event_id: int | None
    reason: str


def verify_chain() -> ChainProblem | None:
    """Walk the chain in order; return the first problem, or None when it is intact."""
    prev = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev:
            return ChainProblem(event.id, "previous-hash mismatch: a row before it was changed or deleted")
        expected = _digest(
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
        if expected != event.hash:
            return ChainProblem(event.id, "content hash mismatch: this row was edited")
        prev = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != count):
        return ChainProblem(None, "chain head mismatch: rows at the end were deleted")
    return None
