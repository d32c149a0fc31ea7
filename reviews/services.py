"""Writes for supervision: complaints, warnings, yellow cards (R9), key supervision, violation cases, assessments
(R10, R11), one module each in ``reviews.supervision``; this module is their one door (``reviews.services``).

Every action is one function: permission check → row locked → allowed source state → write → audit event →
notification of the next actor (e-mails go out on commit). The reporter of a complaint never appears in an
audit summary or a notification: ``str(complaint)`` is its number only, and summaries carry states and ids.
"""

from .supervision.assessments import (
    assessment_save,
    band_for,
    r10_reasons,
    recompute_assessments,
    satisfaction_rate,
    violation_case_record,
)
from .supervision.cards import (
    SUPERVISION_REPORT_DAYS,
    supervision_add_report,
    supervision_end,
    supervision_remind_overdue_reports,
    yellow_card_issue,
    yellow_card_lift,
    yellow_card_propose_if_due,
)
from .supervision.common import (
    ASSESSMENT_DEFAULTS,
    COMPLAINT_DEFAULTS,
    assessment_config,
    complaint_config,
    head_of,
    reviewers,
    unit_leaders,
)
from .supervision.complaints import (
    COMPLAINT_TRANSITIONS,
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
    REQUIRED_LABELS,
    complaint_submit,
    complaint_transition,
    format_query_code,
    hash_query_code,
    new_query_code,
    normalise_query_code,
    purge_complaint_rate_limits,
    query_code_for_key,
    query_code_hashes,
    record_export,
    submission_key_hash,
    validate_attachment,
)
from .supervision.warnings import (
    warning_answer,
    warning_create,
    warning_dismiss,
    warning_escalate,
    warning_issue,
    warning_url,
)

__all__ = [
    "ASSESSMENT_DEFAULTS",
    "COMPLAINT_DEFAULTS",
    "COMPLAINT_TRANSITIONS",
    "QUERY_CODE_ALPHABET",
    "QUERY_CODE_LENGTH",
    "REQUIRED_LABELS",
    "SUPERVISION_REPORT_DAYS",
    "assessment_config",
    "assessment_save",
    "band_for",
    "complaint_config",
    "complaint_submit",
    "complaint_transition",
    "format_query_code",
    "hash_query_code",
    "head_of",
    "new_query_code",
    "normalise_query_code",
    "purge_complaint_rate_limits",
    "query_code_for_key",
    "query_code_hashes",
    "r10_reasons",
    "recompute_assessments",
    "record_export",
    "reviewers",
    "satisfaction_rate",
    "submission_key_hash",
    "supervision_add_report",
    "supervision_end",
    "supervision_remind_overdue_reports",
    "unit_leaders",
    "validate_attachment",
    "violation_case_record",
    "warning_answer",
    "warning_create",
    "warning_dismiss",
    "warning_escalate",
    "warning_issue",
    "warning_url",
    "yellow_card_issue",
    "yellow_card_lift",
    "yellow_card_propose_if_due",
]
