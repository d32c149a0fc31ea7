"""The audit log is append-only and hash-chained; verify_audit_log finds any edit or deletion."""

import pytest
from django.core.management import CommandError, call_command

from lianzheng import audit
from lianzheng.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(admin_user, unit):
    return [
        audit.record(actor=admin_user, action=f"test.{i}", obj=unit, summary={"i": i, "名称": "财务处"})
        for i in range(5)
    ]


def test_untouched_chain_verifies(chain, capsys):
    call_command("verify_audit_log")
    assert "5 events" in capsys.readouterr().out


def test_each_event_links_to_the_previous_hash(chain):
    assert chain[0].prev_hash == audit.GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: AuditEvent.objects.filter(pk=e[2].pk).update(action="test.forged"),
        lambda e: AuditEvent.objects.filter(pk=e[2].pk).update(summary={"i": 99}),
        lambda e: AuditEvent.objects.filter(pk=e[2].pk).update(actor_name="某人"),
        lambda e: AuditEvent.objects.filter(pk=e[2].pk).delete(),
        lambda e: AuditEvent.objects.filter(pk=e[4].pk).delete(),
    ],
    ids=["action edited", "summary edited", "actor edited", "middle row deleted", "last row deleted"],
)
def test_tampering_is_detected_and_named(chain, tamper):
    tamper(chain)
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit_log")
    message = str(excinfo.value)
    assert "tampered" in message
    if "last row" not in message and "end of chain" not in message:
        assert f"row {chain[2].pk}" in message or f"row {chain[3].pk}" in message


def test_edited_row_is_named_as_the_first_bad_row(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).update(object_repr="伪造")
    problem = audit.verify_chain()
    assert problem.event_id == chain[1].pk
