"""Permission predicates for supervision (django-rules).

The reporter of a complaint is protected: complaints are read and handled by the discipline office (reviewers)
and admins, and the reporter's identity is shown to reviewers alone. School leaders and the unit concerned see outcomes (warnings, yellow cards, assessments),
never the complaint file itself.
"""

import rules

from units.models import Unit
from units.rules import is_admin, is_reviewer, is_school_leader, is_unit_leader, sees_all_units

from .models import KeySupervisionState, WarningState, WarningTarget, YellowCardState

#: The discipline office: handles complaints, warnings, yellow cards, supervision, cases and assessments.
is_office = is_admin | is_reviewer


@rules.predicate
def leads_unit_of(user, obj):
    """The user is a unit leader of the unit the object concerns (a warning, card, supervision or assessment)."""
    if obj is None or not is_unit_leader(user):
        return False
    unit_id = obj.pk if isinstance(obj, Unit) else getattr(obj, "unit_id", None)
    if unit_id is None and hasattr(obj, "post"):
        unit_id = obj.post.unit_id
    if unit_id is None and hasattr(obj, "head_post"):
        unit_id = obj.head_post.unit_id
    return unit_id is not None and user.unit_id == unit_id


@rules.predicate
def is_warning_target_person(user, warning):
    return warning is not None and user.is_authenticated and warning.person_id == user.pk


@rules.predicate
def warning_is_proposed(user, warning):
    return warning is not None and warning.state == WarningState.PROPOSED


@rules.predicate
def warning_is_issued(user, warning):
    return warning is not None and warning.state == WarningState.ISSUED


@rules.predicate
def warning_targets_person(user, warning):
    return warning is not None and warning.target == WarningTarget.PERSON


@rules.predicate
def card_is_proposed(user, card):
    return card is not None and card.state == YellowCardState.PROPOSED


@rules.predicate
def card_is_issued(user, card):
    return card is not None and card.state == YellowCardState.ISSUED


@rules.predicate
def is_supervised_person(user, supervision):
    return supervision is not None and user.is_authenticated and supervision.person_id == user.pk


@rules.predicate
def supervision_is_active(user, supervision):
    return supervision is not None and supervision.state == KeySupervisionState.ACTIVE


# Complaints: the office only (reporter identity, R-confidentiality).
rules.add_perm("reviews.view_complaint", is_office)
rules.add_perm("reviews.handle_complaint", is_office)
# Who reported is for the discipline office's reviewers alone: not system administrators (IT staff), not leaders.
rules.add_perm("reviews.view_reporter", is_reviewer)
rules.add_perm("reviews.download_complaint_attachment", is_office)

# Warnings: the office, school leaders, the unit's leader; the person warned sees their own.
can_view_warning = sees_all_units | leads_unit_of | is_warning_target_person
rules.add_perm("reviews.view_warning", can_view_warning)
rules.add_perm("reviews.add_warning", is_office)
rules.add_perm("reviews.issue_warning", is_office & warning_is_proposed)
rules.add_perm("reviews.dismiss_warning", is_office & warning_is_proposed)
rules.add_perm("reviews.escalate_warning", is_office & ~warning_is_proposed)
# The acknowledgement / rectification report: the person warned, or the unit leader for a post or unit warning.
rules.add_perm(
    "reviews.answer_warning",
    warning_is_issued & (is_warning_target_person | (~warning_targets_person & leads_unit_of)),
)

# Yellow cards and key supervision.
can_view_card = sees_all_units | leads_unit_of
rules.add_perm("reviews.list_yellow_cards", is_office | is_school_leader)
rules.add_perm("reviews.view_yellow_card", can_view_card)
rules.add_perm("reviews.issue_yellow_card", is_office & card_is_proposed)
rules.add_perm("reviews.lift_yellow_card", is_office & card_is_issued)
rules.add_perm("reviews.view_supervision", sees_all_units | leads_unit_of | is_supervised_person)
rules.add_perm("reviews.report_supervision", supervision_is_active & (is_office | leads_unit_of | is_supervised_person))
rules.add_perm("reviews.end_supervision", is_office & supervision_is_active)

# Violation cases and assessments: the office enters, leaders read (the unit's leader reads its own).
rules.add_perm("reviews.list_violation_cases", sees_all_units)
rules.add_perm("reviews.add_violation_case", is_office)
rules.add_perm("reviews.list_assessments", sees_all_units)
rules.add_perm("reviews.view_assessment", sees_all_units | leads_unit_of)
rules.add_perm("reviews.edit_assessment", is_office)
# The unit page's supervision panel.
rules.add_perm("reviews.view_unit_supervision", sees_all_units | leads_unit_of)
