"""Writes to the organisation: units, offices, posts, people and who holds which post."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzheng import audit

from . import signals
from .models import Assignment, Office, Post, Role, RoleChange, Unit, User
from .roster import RosterPlan, parse_roster


def roster_import(*, file, actor, dry_run: bool = False) -> RosterPlan:
    """Import a roster workbook: all rows or none.

    Returns the plan; when it has errors, or on a dry run, nothing was written. Otherwise every planned change
    is applied and one audit event records the counts. The file is read again inside the transaction, so
    what is applied is compared with the data as it is at that moment, not as it was at a preview.
    """
    if dry_run:
        return parse_roster(file)
    try:
        with transaction.atomic():
            plan = parse_roster(file)
            if plan.errors:
                return plan
            opened = _apply_roster(plan, actor=actor)
            if opened:
                signals.posts_changed.send(sender=Post, post_ids=sorted(opened), actor=actor)
            audit.record(actor=actor, action="roster.import", summary=plan.counts, object_repr="花名册导入")
            changed = {change.key[0] for change in plan.changes if change.kind == "post"}
            signals.roster_applied.send(sender=roster_import, unit_ids=[plan.units[code].pk for code in changed])
    except IntegrityError:
        # Someone else created the same unit, post or account between our read and our write (PostgreSQL;
        # SQLite serialises writers). Everything was rolled back; a second attempt sees their rows.
        failed = RosterPlan()
        failed.error(
            "",
            None,
            "",
            _(
                "写入时发生唯一性冲突（可能有人同时修改了数据），未写入任何数据，请核对后重试 (uniqueness conflict, nothing imported)"
            ),
        )
        return failed
    return plan


def _apply_roster(plan: RosterPlan, *, actor) -> set[int]:
    """Execute the plan's changes in order (units, offices, posts, users, assignments); only real differences.
    Returns the ids of the posts created or given a new holder (their 附表2 are opened by risks)."""
    history_user = actor if getattr(actor, "pk", None) else None
    today = timezone.localdate()
    opened = set()
    for change in plan.changes:
        if change.kind == "unit":
            unit = change.instance or Unit(code=change.key[0])
            _assign(unit, change.fields, history_user)
            plan.units[unit.code] = unit
        elif change.kind == "office":
            code, name = change.key
            office = Office(unit=plan.units[code], name=name)
            _assign(office, {}, history_user)
            plan.offices[change.key] = office
        elif change.kind == "post":
            code, office_name, name = change.key
            post = change.instance or Post(
                unit=plan.units[code], office=plan.offices[(code, office_name)] if office_name else None, name=name
            )
            created = post.pk is None
            _assign(post, change.fields, history_user)
            plan.posts[change.key] = post
            if created:
                opened.add(post.pk)
        elif change.kind == "user":
            user = change.instance
            if user is None:
                user = User(username=change.key[0], staff_no=change.key[0])
                user.set_unusable_password()
            fields = dict(change.fields)
            if "unit" in fields:
                fields["unit"] = plan.units[fields["unit"]]
            _assign(user, fields, history_user)
            plan.users[user.staff_no] = user
        elif change.kind == "assignment" and change.action == "close":
            assignment = Assignment.objects.get(pk=change.key[0])
            _assign(assignment, change.fields, history_user)
        elif change.kind == "assignment":
            post_key, staff_no = change.key
            assignment = Assignment(
                post=plan.posts[post_key], user=plan.users[staff_no], start=change.fields["start"] or today
            )
            _assign(assignment, {}, history_user)
            opened.add(assignment.post_id)
    return opened


def _assign(instance, fields: dict, history_user) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)
    if history_user is not None:
        instance._history_user = history_user  # simple_history: who made this change
    if instance.pk is None:
        instance.save()
    else:
        instance.save(update_fields=list(fields))


def role_change_record(*, user: User, from_role: str, actor) -> RoleChange | None:
    """Record that ``user``'s role is now ``user.role`` (it was ``from_role``, empty for a new account), audited.
    When the reviewer role was granted, the other active reviewers are notified: that role sees who filed each
    complaint. Call inside the transaction that saved the user."""
    if from_role == user.role:
        return None
    change = RoleChange.objects.create(user=user, from_role=from_role or "", to_role=user.role, changed_by=actor)
    audit.record(
        actor=actor,
        action="user.role_change",
        obj=user,
        summary={"user": user.username, "from": from_role or "", "to": user.role},
    )
    if user.role == Role.REVIEWER:
        from lianzheng.notifications import notify

        notify(
            recipients=User.objects.filter(role=Role.REVIEWER, is_active=True).exclude(pk=user.pk),
            title=_("新的纪委监察室审核人：%(name)s") % {"name": user.display_name},
            body=_(
                "%(actor)s 将账号 %(username)s(%(name)s)设为纪委监察室审核人，该角色可以查看信访举报的举报人身份。"
                "如非预期，请立即联系系统管理员。"
            )
            % {
                "actor": getattr(actor, "display_name", "") or _("系统"),
                "username": user.username,
                "name": user.display_name,
            },
            url="/units/role-changes/",
            dedupe_key=f"role-change:{change.pk}",
        )
    return change
