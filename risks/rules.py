"""Permission predicates for risk identification (django-rules); views, templates and services use the same ones.

Who may do what with a form (DESIGN §5):

- the current holder of a post reads and fills the personal form (附表2) of that post (R3: the form follows the
  post, so a previous holder loses access the day the assignment ends);
- the unit's contact and leader read every form of their unit and fill the unit form (附表1);
- the unit leader confirms a submitted form after the special meeting (R4) or returns it;
- reviewers (and admins) read everything, approve confirmed forms or return them;
- school leaders read everything.

Anybody else does not learn that the form exists (views answer 404).
"""

import rules

from units.models import Assignment
from units.rules import is_admin, is_reviewer, is_school_leader, is_unit_leader, manages_unit, sees_all_units

from .models import FormKind, FormState

#: Acts for the discipline office on forms (the queue, approve, return confirmed forms).
acts_as_reviewer = is_admin | is_reviewer


def holds_post(user, post_id) -> bool:
    """True when the user holds the post today (one query; not cached, so a rotation takes effect at once)."""
    if not user.is_authenticated or post_id is None:
        return False
    return Assignment.objects.current().filter(user=user, post_id=post_id).exists()


@rules.predicate
def holds_form_post(user, form):
    return form is not None and form.kind == FormKind.PERSONAL and holds_post(user, form.post_id)


@rules.predicate
def manages_form_unit(user, form):
    return form is not None and manages_unit(user, form.unit)


@rules.predicate
def leads_form_unit(user, form):
    return form is not None and is_unit_leader(user) and user.unit_id == form.unit_id


@rules.predicate
def is_unit_form(user, form):
    return form is not None and form.kind == FormKind.UNIT


@rules.predicate
def is_personal_form(user, form):
    return form is not None and form.kind == FormKind.PERSONAL


@rules.predicate
def form_is_editable(user, form):
    return form is not None and form.is_editable


@rules.predicate
def form_is_submitted(user, form):
    return form is not None and form.state == FormState.SUBMITTED


@rules.predicate
def form_is_confirmed(user, form):
    return form is not None and form.state == FormState.CONFIRMED


@rules.predicate
def form_is_approved(user, form):
    return form is not None and form.state == FormState.APPROVED


#: Reads the form, its rows, its history and its snapshots.
can_view_form = sees_all_units | manages_form_unit | holds_form_post
#: Fills the form (the person who answers for its content), whatever its state.
is_form_filler = (is_personal_form & holds_form_post) | (is_unit_form & manages_form_unit)
#: Adds, changes and removes rows now: the filler, while the form is a draft or was returned.
can_edit_form = is_form_filler & form_is_editable
can_submit_form = can_edit_form
#: The unit leader confirms a submitted form (R4; the meeting record is checked by the service).
can_confirm_form = leads_form_unit & form_is_submitted
#: Returned by the unit leader before confirmation, by the office after it.
can_return_form = (leads_form_unit & form_is_submitted) | (acts_as_reviewer & form_is_confirmed)
can_approve_form = acts_as_reviewer & form_is_confirmed
#: Opens the next version of an approved form (edits are refused until then): its filler, or the system
#: administrator (the Django admin's "start a new version" action).
can_reopen_form = (is_form_filler | is_admin) & form_is_approved


@rules.predicate
def can_manage_unit_records(user, unit):
    """Record the special meeting, edit the power inventory: the unit's contact and leader."""
    return manages_unit(user, unit)


@rules.predicate
def can_view_unit_records(user, unit):
    return sees_all_units(user) or manages_unit(user, unit)


can_review = acts_as_reviewer
can_read_all_forms = sees_all_units | is_school_leader

# Names differ from Django's model permissions on purpose: a superuser passes every has_perm(), so services
# and views call the predicates themselves.
rules.add_perm("risks.read_form", can_view_form)
rules.add_perm("risks.edit_form", can_edit_form)
rules.add_perm("risks.submit_form", can_submit_form)
rules.add_perm("risks.confirm_form", can_confirm_form)
rules.add_perm("risks.return_form", can_return_form)
rules.add_perm("risks.approve_form", can_approve_form)
rules.add_perm("risks.reopen_form", can_reopen_form)
rules.add_perm("risks.review_forms", can_review)
rules.add_perm("risks.record_meeting", can_manage_unit_records)
rules.add_perm("risks.manage_power_items", can_manage_unit_records)
rules.add_perm("risks.read_power_items", can_view_unit_records)
