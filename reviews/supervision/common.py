"""Shared by the supervision services: their configuration (read at call time), the permission and version checks, and who is told (reviewers, unit leaders, the head of a post)."""

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from lianzheng import workflow
from units.models import Assignment, Post, Role, User

from ..models import (
    Grade,
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
