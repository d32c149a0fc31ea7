"""Permission predicates for the phase schedule: deliverables, submissions, self-inspections and inspections.

Registered from ReviewsConfig.ready(): django-rules autodiscovers only ``rules.py``.
"""

import rules

from units.rules import is_admin, is_member_of_unit, is_reviewer, manages_unit, sees_all_units

#: The discipline office sets the schedule and reviews what units hand in.
is_schedule_office = is_admin | is_reviewer


@rules.predicate
def manages_unit_of(user, obj):
    """The user is a contact or leader of the unit of ``obj`` (a Unit, or anything with ``unit``)."""
    unit = getattr(obj, "unit", obj)
    return manages_unit(user, unit)


@rules.predicate
def member_of_unit_of(user, obj):
    unit = getattr(obj, "unit", obj)
    return is_member_of_unit(user, unit)


# A unit's own progress page: its contacts and leaders, and the office side (reviewers, school leaders, admins).
rules.add_perm("reviews.view_unit_progress", sees_all_units | manages_unit_of)
# The campaign matrix: reviewers and school leaders (and admins).
rules.add_perm("reviews.view_progress_matrix", sees_all_units)
# Hand in or resubmit a deliverable for the unit.
rules.add_perm("reviews.submit_deliverable", manages_unit_of)
# Accept or return a submission.
rules.add_perm("reviews.review_submission", is_schedule_office)
# Download a submitted file: the unit's own people and the office side.
rules.add_perm("reviews.download_submission", sees_all_units | member_of_unit_of)
# Edit the deliverables of a campaign, copy a campaign.
rules.add_perm("reviews.manage_deliverables", is_schedule_office)
# Self-inspection (R12): written by the unit's contact or leader, read by the office side too.
rules.add_perm("reviews.submit_self_inspection", manages_unit_of)
rules.add_perm("reviews.view_self_inspections", sees_all_units | manages_unit_of)
# Inspection records (findings, score) by the office.
rules.add_perm("reviews.record_inspection", is_schedule_office)
# The unit's leading group (领导小组) and person in charge.
rules.add_perm("reviews.manage_leading_group", manages_unit_of)
