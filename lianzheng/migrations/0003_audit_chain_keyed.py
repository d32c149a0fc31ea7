"""The one-time upgrade of the audit chain: SHA-256 → HMAC-SHA256 under LIANZHENG_AUDIT_KEY, with sequence numbers.

Existing rows (hashed with plain SHA-256) are first checked as they are; an intact chain is then re-chained in id
order under the configured key: ``seq`` 1, 2, 3..., ``key_id`` of the key, each ``hash`` an HMAC over the content,
``seq`` and the previous hash. A chain already broken is not laundered: the migration stops and names the first bad
row, unless ``LIANZHENG_AUDIT_RECHAIN_BROKEN=1`` is set after the damage was looked into (README "Audit chain key").

The algorithms are copied here on purpose: this migration must keep doing what it did when it was written.
"""

import hashlib
import hmac
import json
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

GENESIS = "0" * 64


def _canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":")).encode(
        "utf-8"
    )


def _content(event) -> dict:
    return {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "object_repr": event.object_repr,
        "summary": event.summary,
        "prev_hash": event.prev_hash,
    }


def key_id_of(key: str) -> str:
    return hashlib.sha256(b"lianzheng-audit-key-id:" + key.encode("utf-8")).hexdigest()[:8]


def keyed_digest(key: str, event) -> str:
    content = {**_content(event), "seq": event.seq, "key_id": event.key_id}
    return hmac.new(key.encode("utf-8"), _canonical(content), hashlib.sha256).hexdigest()


def head_mac(key: str, *, count: int, last_hash: str) -> str:
    return hmac.new(key.encode("utf-8"), f"head:{count}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("lianzheng", "AuditEvent")
    AuditChainHead = apps.get_model("lianzheng", "AuditChainHead")
    events = AuditEvent.objects.order_by("id")
    if not events.exists():
        AuditChainHead.objects.filter(pk=1).update(count=0, last_hash=GENESIS)
        return
    key = getattr(settings, "LIANZHENG_AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("Set LIANZHENG_AUDIT_KEY before migrating: the audit chain is re-keyed under it.")
    accept_broken = os.environ.get("LIANZHENG_AUDIT_RECHAIN_BROKEN") == "1"
    # 1. The old chain as it is: plain SHA-256, linked by id order.
    prev = GENESIS
    for event in events.iterator(chunk_size=2000):
        plain = hashlib.sha256(_canonical(_content(event))).hexdigest()
        if (event.prev_hash != prev or plain != event.hash) and not accept_broken:
            raise RuntimeError(
                f"审计日志在升级前已不完整，第 {event.pk} 行校验失败；未重新签名。"
                f" (audit chain already broken at row {event.pk}; not re-chained. See README 'Audit chain key'.)"
            )
        prev = event.hash
    # 2. Re-chain under the key, in the same order.
    kid = key_id_of(key)
    prev, seq = GENESIS, 0
    for event in events.iterator(chunk_size=2000):
        seq += 1
        event.seq, event.key_id, event.prev_hash = seq, kid, prev
        event.hash = keyed_digest(key, event)
        AuditEvent.objects.filter(pk=event.pk).update(seq=seq, key_id=kid, prev_hash=prev, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.update_or_create(
        pk=1,
        defaults={"count": seq, "last_hash": prev, "key_id": kid, "mac": head_mac(key, count=seq, last_hash=prev)},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lianzheng", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", max_length=16, verbose_name="密钥标识"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="序号"),
        ),
    ]
