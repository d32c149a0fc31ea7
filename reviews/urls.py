from django.urls import path

from . import queue_views
from .schedule import views as schedule_views
from .supervision import complaint_views, views

app_name = "reviews"

# The reviewer queue of confirmed risk forms (risk-identification issue) lives in queue_views.py;
# supervision in supervision/complaint_views.py (complaints) and supervision/views.py (cards, warnings, assessments).
urlpatterns = []

# --- Reviewer queue of confirmed risk forms (queue_views.py) ---
urlpatterns += [
    path("queue/", queue_views.queue, name="queue"),
    path("queue/<slug:code>/approve-all/", queue_views.approve_unit, name="queue-approve-unit"),
]

# --- Supervision (views.py) ---
urlpatterns += [
    path("complaints/new/", complaint_views.complaint_new, name="complaint-new"),
    path("complaints/status/", complaint_views.complaint_status, name="complaint-status"),
    path("complaints/post-options/", complaint_views.complaint_post_options_public, name="complaint-post-options"),
    path("complaints/", complaint_views.complaint_list, name="complaint-list"),
    path("complaints/export.csv", complaint_views.complaint_export, name="complaint-export"),
    path("complaints/register/", complaint_views.complaint_register, name="complaint-register"),
    path("complaints/<int:pk>/", complaint_views.complaint_detail, name="complaint-detail"),
    path("complaints/<int:pk>/transition/", complaint_views.complaint_transition, name="complaint-transition"),
    path(
        "complaints/<int:pk>/attachments/<int:attachment_pk>/",
        complaint_views.complaint_attachment,
        name="complaint-attachment",
    ),
    path("yellow-cards/", views.yellowcard_list, name="yellowcard-list"),
    path("yellow-cards/<int:pk>/", views.yellowcard_detail, name="yellowcard-detail"),
    path("yellow-cards/<int:pk>/issue/", views.yellowcard_issue, name="yellowcard-issue"),
    path("yellow-cards/<int:pk>/lift/", views.yellowcard_lift, name="yellowcard-lift"),
    path("supervision/<int:pk>/", views.supervision_detail, name="supervision-detail"),
    path("supervision/<int:pk>/report/", views.supervision_report, name="supervision-report"),
    path("supervision/<int:pk>/end/", views.supervision_end, name="supervision-end"),
    path("warnings/", views.warning_list, name="warning-list"),
    path("warnings/new/", views.warning_new, name="warning-new"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning-detail"),
    path("warnings/<int:pk>/adopt/", views.warning_adopt, name="warning-adopt"),
    path("warnings/<int:pk>/dismiss/", views.warning_dismiss, name="warning-dismiss"),
    path("warnings/<int:pk>/answer/", views.warning_answer, name="warning-answer"),
    path("warnings/<int:pk>/escalate/", views.warning_escalate, name="warning-escalate"),
    path("violations/", views.violation_list, name="violation-list"),
    path("assessments/", views.assessment_list, name="assessment-list"),
    path("assessments/new/", views.assessment_edit, name="assessment-new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
]

# --- Phase schedule: progress, submissions, self-inspections, inspections, leading group (schedule_views.py) ---
urlpatterns += [
    path("progress/", schedule_views.progress, name="progress"),
    path("progress/<slug:code>/", schedule_views.unit_progress, name="unit-progress"),
    path("progress/<slug:code>/d/<int:pk>/", schedule_views.submission_detail, name="submission-detail"),
    path("progress/<slug:code>/d/<int:pk>/submit/", schedule_views.submission_submit, name="submission-submit"),
    path("progress/<slug:code>/d/<int:pk>/review/", schedule_views.submission_review, name="submission-review"),
    path("progress/<slug:code>/d/<int:pk>/file/", schedule_views.submission_file, name="submission-file"),
    path("progress/<slug:code>/group/", schedule_views.leading_group, name="leading-group"),
    path(
        "progress/<slug:code>/group/<int:member_pk>/remove/",
        schedule_views.group_member_remove,
        name="group-member-remove",
    ),
    path("self-inspections/", schedule_views.self_inspections, name="self-inspections"),
    path(
        "self-inspections/<slug:code>/<int:phase_pk>/",
        schedule_views.self_inspection_edit,
        name="self-inspection-edit",
    ),
    path("inspections/<slug:code>/<int:phase_pk>/", schedule_views.inspection_edit, name="inspection-edit"),
    path("schedule/<int:pk>/", schedule_views.campaign_schedule, name="campaign-schedule"),
    path("schedule/<int:pk>/defaults/", schedule_views.campaign_defaults, name="campaign-defaults"),
    path("schedule/<int:pk>/copy/", schedule_views.campaign_copy, name="campaign-copy"),
    path("schedule/<int:pk>/deliverables/new/", schedule_views.deliverable_edit, name="deliverable-new"),
    path(
        "schedule/<int:pk>/deliverables/<int:deliverable_pk>/edit/",
        schedule_views.deliverable_edit,
        name="deliverable-edit",
    ),
    path(
        "schedule/<int:pk>/deliverables/<int:deliverable_pk>/delete/",
        schedule_views.deliverable_delete,
        name="deliverable-delete",
    ),
]
