"""Permission predicates for the organisation (django-rules). Other apps build theirs on these."""

import rules

from .models import Role


@rules.predicate
def is_admin(user):
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)


@rules.predicate
def is_reviewer(user):
    return user.is_authenticated and user.role == Role.REVIEWER


@rules.predicate
def is_school_leader(user):
    return user.is_authenticated and user.role == Role.SCHOOL_LEADER


@rules.predicate
def is_unit_leader(user):
    return user.is_authenticated and user.role == Role.UNIT_LEADER


@rules.predicate
def is_unit_contact(user):
    return user.is_authenticated and user.role == Role.UNIT_CONTACT


@rules.predicate
def is_unit_staff(user):
    return user.is_authenticated and user.role == Role.STAFF


#: Sees every unit (reviewers act on them; school leaders and admins read them).
sees_all_units = is_admin | is_reviewer | is_school_leader
#: Manages a unit's own records (the unit's contact and leader).
is_unit_manager = is_unit_leader | is_unit_contact


@rules.predicate
def is_member_of_unit(user, unit):
    return user.is_authenticated and unit is not None and user.unit_id == unit.pk


@rules.predicate
def manages_unit(user, unit):
    return is_unit_manager(user) and is_member_of_unit(user, unit)


can_view_unit = sees_all_units | is_member_of_unit

rules.add_perm("units.view_unit", can_view_unit)
rules.add_perm("units.list_units", sees_all_units)
rules.add_perm("units.import_roster", is_admin)
rules.add_perm("units.manage_campaigns", is_admin | is_reviewer)
