"""The audit log is append-only, numbered and chained under an HMAC key (LIANZHENG_AUDIT_KEY); verify_audit_log
names deleted, cut-off, edited and re-signed events."""

import hashlib
import importlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder

from lianzheng import audit
from lianzheng.checks import audit_key_check
from lianzheng.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db

KEY_A = "a" * 20 + "-first-audit-key-for-tests"
KEY_B = "b" * 20 + "-second-audit-key-for-tests"


@pytest.fixture(autouse=True)
def _key(settings):
    settings.LIANZHENG_AUDIT_KEY = KEY_A
    settings.LIANZHENG_AUDIT_OLD_KEYS = []


def make_chain(actor, obj, n=5, start=0):
    return [
        audit.record(actor=actor, action=f"test.{i}", obj=obj, summary={"i": i, "名称": "财务处"})
        for i in range(start, start + n)
    ]


@pytest.fixture
def chain(admin_user, unit):
    return make_chain(admin_user, unit)


def failure() -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit_log")
    return str(excinfo.value)


def rewrite(events, *, digest):
    """What someone with database access and the project's code does: recompute every hash from the first event on,
    renumbering to close gaps, and move the head along."""
    prev = audit.GENESIS
    for seq, event in enumerate(AuditEvent.objects.order_by("seq"), start=1):
        event.seq, event.prev_hash = seq, prev
        event.hash = digest(event)
        AuditEvent.objects.filter(pk=event.pk).update(seq=seq, prev_hash=prev, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.filter(pk=1).update(count=AuditEvent.objects.count(), last_hash=prev)


def test_untouched_chain_verifies_with_the_right_key(chain, capsys):
    call_command("verify_audit_log")
    out = capsys.readouterr().out
    assert "intact" in out and "5 events" in out
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert {e.key_id for e in chain} == {audit.key_id_of(KEY_A)}
    assert KEY_A not in out  # only the key's id is ever shown


def test_each_event_links_to_the_previous_hash_and_is_an_hmac(chain):
    assert chain[0].prev_hash == audit.GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit.event_digest(KEY_A, chain[2]) == chain[2].hash
    assert audit.event_digest(KEY_B, chain[2]) != chain[2].hash


def test_the_same_chain_fails_under_another_key(chain, settings):
    settings.LIANZHENG_AUDIT_KEY = KEY_B
    message = failure()
    assert "事件 1–5" in message and "unknown key" in message


def test_chain_rewritten_with_the_projects_code_under_another_key_fails(chain, settings):
    AuditEvent.objects.filter(pk=chain[2].pk).delete()
    kid = audit.key_id_of(KEY_A)  # pretending to be the real key

    def forged(event):
        event.key_id = kid
        return audit.event_digest(KEY_B, event)

    rewrite(chain, digest=forged)
    message = failure()
    assert "事件 1–4" in message and "HMAC mismatch" in message


def test_chain_rewritten_with_plain_sha256_fails(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).delete()

    def plain(event):
        content = {f: getattr(event, f) for f in ("seq", "key_id", "actor_name", "action", "object_repr", "summary")}
        content["prev_hash"] = event.prev_hash
        return hashlib.sha256(json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True).encode()).hexdigest()

    rewrite(chain, digest=plain)
    assert "事件 1–4" in failure()


def test_middle_deletion_names_the_missing_event_numbers(admin_user, unit):
    make_chain(admin_user, unit, n=45)
    AuditEvent.objects.filter(seq__in=[41, 42, 43]).delete()
    message = failure()
    assert "事件 41–43 缺失 / events 41–43 missing" in message
    assert "HMAC" not in message  # the events after the gap are themselves intact


def test_single_deletion_names_that_event(chain):
    AuditEvent.objects.filter(seq=2).delete()
    assert "事件 2 缺失 / event 2 missing" in failure()


def test_tail_cut_names_how_many_are_missing(chain):
    AuditEvent.objects.filter(seq__in=[4, 5]).delete()
    message = failure()
    assert "末尾缺失 2 个事件" in message and "2 events missing at the end (events 4–5)" in message


def test_tail_cut_with_the_head_wound_back_fails_without_the_key(chain):
    AuditEvent.objects.filter(seq=5).delete()
    AuditChainHead.objects.filter(pk=1).update(count=4, last_hash=chain[3].hash)
    assert "链头校验值不符" in failure()


@pytest.mark.parametrize(
    "edit",
    [{"action": "test.forged"}, {"summary": {"i": 99}}, {"actor_name": "某人"}, {"object_repr": "伪造"}],
    ids=["action", "summary", "actor", "object"],
)
def test_edited_row_is_named_by_its_number(chain, edit):
    AuditEvent.objects.filter(seq=3).update(**edit)
    report = audit.verify_chain()
    assert [(p.kind, p.first, p.last) for p in report.problems] == [(audit.EDITED, 3, 3)]
    assert "事件 3 与校验值不符" in failure()


def test_edited_row_with_its_hash_recomputed_without_the_key_breaks_the_next_link(chain):
    event = AuditEvent.objects.get(seq=3)
    event.action = "test.forged"
    forged = audit.event_digest(KEY_B, event)
    AuditEvent.objects.filter(seq=3).update(action="test.forged", hash=forged)
    kinds = [(p.kind, p.first) for p in audit.verify_chain().problems]
    assert (audit.EDITED, 3) in kinds and (audit.RELINKED, 4) in kinds


def test_rotation_old_events_verify_while_the_old_key_is_listed(admin_user, unit, settings, capsys):
    make_chain(admin_user, unit, n=3)
    settings.LIANZHENG_AUDIT_KEY = KEY_B
    settings.LIANZHENG_AUDIT_OLD_KEYS = [KEY_A]
    newer = make_chain(admin_user, unit, n=2, start=3)
    assert {e.key_id for e in newer} == {audit.key_id_of(KEY_B)}  # new events use the current key
    call_command("verify_audit_log")
    assert "5 events" in capsys.readouterr().out
    settings.LIANZHENG_AUDIT_OLD_KEYS = []
    message = failure()
    assert f"事件 1–3 由未知密钥 {audit.key_id_of(KEY_A)} 签名" in message
    assert "事件 4" not in message and "事件 5" not in message


def test_admin_log_entries_enter_the_keyed_chain(admin_user, unit):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    before = AuditEvent.objects.count()
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(unit),
        object_id=str(unit.pk),
        object_repr=str(unit),
        action_flag=CHANGE,
        change_message="[]",
    )
    assert AuditEvent.objects.count() == before + 1
    assert audit.verify_chain().intact


# --- the key is required in production ------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["", "short-key", "insecure-development-audit-key-for-demo-and-tests"])
def test_missing_short_or_development_key_is_a_check_error_with_debug_off(settings, key):
    settings.DEBUG, settings.TESTING = False, False
    settings.LIANZHENG_AUDIT_KEY = key
    assert [e.id for e in audit_key_check()] == ["lianzheng.E001"]


def test_long_key_passes_the_check_and_debug_accepts_the_development_key(settings):
    settings.DEBUG, settings.TESTING = False, False
    settings.LIANZHENG_AUDIT_KEY = KEY_A
    assert audit_key_check() == []
    settings.DEBUG = True
    settings.LIANZHENG_AUDIT_KEY = "insecure-development-audit-key-for-demo-and-tests"
    assert audit_key_check() == []


def test_short_old_key_is_a_check_error(settings):
    settings.DEBUG, settings.TESTING = False, False
    settings.LIANZHENG_AUDIT_OLD_KEYS = ["old"]
    assert [e.id for e in audit_key_check()] == ["lianzheng.E002"]


# --- the one-time upgrade --------------------------------------------------------------------------------------
def plain_chain(admin_user, unit, n=4):
    """Rows as the system wrote them before the upgrade: plain SHA-256, no numbers, no key."""
    from django.utils import timezone

    prev = audit.GENESIS
    for i in range(n):
        fields = {
            "at": timezone.now(),
            "actor_id": admin_user.pk,
            "actor_name": "管理员",
            "action": f"old.{i}",
            "object_type": "units.Unit",
            "object_id": str(unit.pk),
            "object_repr": "财务处",
            "summary": {"i": i},
            "prev_hash": prev,
        }
        content = {**fields, "at": fields["at"].isoformat(timespec="microseconds")}
        digest = hashlib.sha256(
            json.dumps(
                content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":")
            ).encode()
        ).hexdigest()
        AuditEvent.objects.create(seq=1000 + i, key_id="", hash=digest, **fields)
        prev = digest
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "count": n, "mac": ""})


def test_upgrade_migration_rechains_a_plain_chain_so_that_it_verifies(admin_user, unit, capsys):
    from django.apps import apps

    plain_chain(admin_user, unit)
    assert not audit.verify_chain().intact
    migration = importlib.import_module("lianzheng.migrations.0003_audit_chain_keyed")
    migration.rechain(apps, None)
    call_command("verify_audit_log")
    assert "4 events" in capsys.readouterr().out
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "action")) == [
        (1, "old.0"),
        (2, "old.1"),
        (3, "old.2"),
        (4, "old.3"),
    ]
    # and the chain goes on from there
    assert audit.record(actor=admin_user, action="new", obj=unit).seq == 5
    assert audit.verify_chain().intact


def test_upgrade_migration_refuses_to_launder_a_broken_plain_chain(admin_user, unit):
    from django.apps import apps

    plain_chain(admin_user, unit)
    AuditEvent.objects.filter(action="old.1").update(object_repr="伪造")
    migration = importlib.import_module("lianzheng.migrations.0003_audit_chain_keyed")
    with pytest.raises(RuntimeError, match="already broken"):
        migration.rechain(apps, None)
