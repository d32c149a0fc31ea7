"""Permission predicates for measures, the pledge and 实施细则 (django-rules).

Who may do what:

- a risk point's unit measures: the unit's contact and leader edit them, and so does whoever holds one of
  the point's posts today (R3: the post answers for its points); reviewers, school leaders and admins read;
- a holder's own measures on 附表2 (``Measure.personal_form``): only the current holder of that form's post
  edits them; the unit's managers and the office read;
- 实施细则: the unit's contact and leader write, publicise, answer comments and submit; reviewers (and admins)
  approve or return; every member of the unit and the office read; nobody else learns that a draft exists.
"""

import rules

from units.models import Assignment
from units.rules import is_admin, is_member_of_unit, is_reviewer, manages_unit, sees_all_units


def held_post_ids(user) -> frozenset:
    """The posts the user holds today, cached on the user object so a page asks the database once."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_lz_held_post_ids", None)
    if cached is None:
        cached = frozenset(Assignment.objects.current().filter(user=user).values_list("post_id", flat=True))
        user._lz_held_post_ids = cached
    return cached


def point_post_ids(point) -> set:
    # ``posts.all()`` uses a prefetch when the page made one.
    return {post.pk for post in point.posts.all()}


@rules.predicate
def holds_post_of_point(user, point):
    return point is not None and bool(held_post_ids(user) & point_post_ids(point))


@rules.predicate
def manages_point_unit(user, point):
    return point is not None and manages_unit(user, point.unit)


@rules.predicate
def sees_point_unit(user, point):
    return point is not None and is_member_of_unit(user, point.unit)


@rules.predicate
def holds_form_post(user, form):
    return form is not None and form.post_id is not None and form.post_id in held_post_ids(user)


can_view_point_measures = sees_all_units | manages_point_unit | holds_post_of_point
can_edit_point_measures = manages_point_unit | holds_post_of_point


@rules.predicate
def can_edit_measure(user, measure):
    if measure is None:
        return False
    if measure.personal_form_id:
        return holds_form_post(user, measure.personal_form)
    return can_edit_point_measures(user, measure.risk_point)


@rules.predicate
def can_view_measure(user, measure):
    if measure is None:
        return False
    if measure.personal_form_id and holds_form_post(user, measure.personal_form):
        return True
    return can_view_point_measures(user, measure.risk_point)


@rules.predicate
def can_check_measure(user, measure):
    """Marking a measure 已检查 is the unit's managers' call (not the holder's own)."""
    if measure is None:
        return False
    if measure.personal_form_id:
        return holds_form_post(user, measure.personal_form) or manages_unit(user, measure.risk_point.unit)
    return manages_point_unit(user, measure.risk_point)


# --- the pledge ---------------------------------------------------------------------------------------
can_accept_pledge = holds_form_post
can_edit_pledge_text = is_admin


# --- 实施细则 ---------------------------------------------------------------------------------------------
@rules.predicate
def manages_rules_unit(user, rules_doc):
    return rules_doc is not None and manages_unit(user, rules_doc.unit)


@rules.predicate
def is_member_of_rules_unit(user, rules_doc):
    return rules_doc is not None and is_member_of_unit(user, rules_doc.unit)


can_view_rules = sees_all_units | is_member_of_rules_unit
can_write_rules = manages_rules_unit
can_review_rules = is_reviewer | is_admin
can_see_overdue_everywhere = sees_all_units

rules.add_perm("measures.view_point_measures", can_view_point_measures)
rules.add_perm("measures.edit_point_measures", can_edit_point_measures)
rules.add_perm("measures.view_measure", can_view_measure)
rules.add_perm("measures.edit_measure", can_edit_measure)
rules.add_perm("measures.check_measure", can_check_measure)
rules.add_perm("measures.accept_pledge", can_accept_pledge)
rules.add_perm("measures.edit_pledge_text", can_edit_pledge_text)
rules.add_perm("measures.view_rules", can_view_rules)
rules.add_perm("measures.write_rules", can_write_rules)
rules.add_perm("measures.review_rules", can_review_rules)
