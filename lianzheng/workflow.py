"""The one write path (ground floor, imports no app): lock the row, check the version the user saw, check the
allowed source state, apply the change, bump the version, record the timeline event and the audit event.

Every service that changes a versioned row goes through ``transition`` (a state change) or ``locked_for_edit``
(an edit that keeps the state). ``version`` is a required keyword: there is no ``None`` that skips the check, so
a caller cannot forget it. Both share ``check_version``; a stale version raises ``StaleEdit`` and nothing is
written (the caller's transaction rolls back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from lianzheng import audit

STALE_MESSAGE = _("该记录已被他人修改，请刷新后重试。")


class StaleEdit(ValidationError):
    """Someone else saved the row first (or the page was old); nothing was written."""

    def __init__(self):
        super().__init__(STALE_MESSAGE, code="stale")


def check_version(obj, version) -> None:
    """Refuse unless ``version`` (what the user's page showed) is the row's current version."""
    try:
        seen = int(version)
    except (TypeError, ValueError):
        raise StaleEdit() from None
    if seen != obj.version:
        raise StaleEdit()


def _queryset(model_or_qs) -> models.QuerySet:
    if isinstance(model_or_qs, models.QuerySet):
        return model_or_qs
    return model_or_qs._default_manager.all()


def locked_for_edit(model_or_qs, pk, *, version):
    """The row ``pk`` locked for the rest of the transaction, after checking ``version``. The caller changes it,
    then calls ``bump`` (or saves with ``version + 1`` itself)."""
    locked = _queryset(model_or_qs).select_for_update(of=("self",)).get(pk=pk)
    check_version(locked, version)
    return locked


def bump(obj, *, fields: Iterable[str] = ()) -> None:
    """Save ``fields`` of a locked row with its version incremented."""
    obj.version += 1
    update = {"version", *fields}
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update.add("updated_at")
    obj.save(update_fields=sorted(update))


def require_state(obj, sources: Iterable[str], *, message=None, message_args: dict | None = None) -> None:
    """Refuse when ``obj.state`` is not one of ``sources``, naming the current state (``%(state)s``)."""
    if obj.state not in set(sources):
        label = obj.get_state_display() if hasattr(obj, "get_state_display") else obj.state
        if message is None:
            message = _("当前状态为“%(state)s”，不能执行此操作。")
        raise ValidationError(message % {**(message_args or {}), "state": label}, code="state")


def transition(
    model_or_qs,
    pk,
    *,
    version,
    actor,
    action: str,
    sources: Iterable[str],
    target: str | None,
    audit_action: str,
    apply: Callable | None = None,
    allowed: Callable | None = None,
    event: Callable | None = None,
    state_message=None,
    state_message_args: dict | None = None,
    summary: Callable | None = None,
):
    """Lock → version → source state → ``allowed(locked)`` (permission, may raise) → ``apply(locked)`` →
    state = ``target`` (None keeps it) → version + 1 → ``event(locked, from_state, to_state)`` (the timeline row)
    → audit event ``audit_action`` (its summary: from, to and ``summary(locked)``). Returns the locked, saved row. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.transition must run inside transaction.atomic")
    locked = locked_for_edit(model_or_qs, pk, version=version)
    require_state(locked, sources, message=state_message, message_args=state_message_args)
    if allowed is not None:
        allowed(locked)
    from_state = locked.state
    if apply is not None:
        apply(locked)
    if target is not None:
        locked.state = target
    locked.version += 1
    locked.save()
    if event is not None:
        event(locked, from_state, locked.state)
    audit.record(
        actor=actor,
        action=audit_action,
        obj=locked,
        summary={"from": from_state, "to": locked.state, **(summary(locked) if summary else {})},
    )
    return locked
