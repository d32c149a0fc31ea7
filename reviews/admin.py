"""Admin for supervision and the schedule: read-only, every row here is owned by a workflow (reviews.services,
reviews.schedule.services); states move only through admin actions that call the services. The query-code hash is
never shown, and neither is a complaint's reporter: that is for the discipline office's reviewers in the app alone."""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from lianzheng.admin_base import CommentActionForm, WorkflowReadOnlyAdmin, WorkflowReadOnlyInline, run_service_action

from . import services
from .models import (
    Assessment,
    Complaint,
    ComplaintAttachment,
    KeySupervision,
    SupervisionReport,
    ViolationCase,
    Warning,
    YellowCard,
)
from .schedule import services as services_schedule
from .schedule.models import Deliverable, Inspection, Reminder, SelfInspection, Submission

ReadOnlyStateAdmin = WorkflowReadOnlyAdmin


class ComplaintAttachmentInline(WorkflowReadOnlyInline):
    model = ComplaintAttachment
    fields = ["original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields


#: A complaint's fields that identify its reporter (or open the status page): never shown, filtered, searched or
#: ordered on in the admin, so that nobody can guess them a character at a time through the changelist's query string.
REPORTER_FIELDS = frozenset({"reporter_name", "reporter_contact", "query_code_hash"})


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyStateAdmin):
    list_display = ["number", "received_on", "channel", "unit", "post", "state", "conclusion"]
    list_filter = ["state", "channel", "year", "unit"]
    search_fields = ["content"]
    exclude = ["query_code_hash", "reporter_name", "reporter_contact"]
    readonly_fields = [
        "year",
        "received_on",
        "channel",
        "state",
        "conclusion",
        "anonymous",
        "unit",
        "post",
        "person",
        "person_name",
        "content",
        "registered_by",
        "handler",
        "concluded_at",
        "closed_at",
        "version",
    ]
    inlines = [ComplaintAttachmentInline]
    actions = ["start_checking"]

    def lookup_allowed(self, lookup, value, request=None):
        """``?reporter_name__startswith=李`` and the like are refused (HTTP 400) whatever the user's rights."""
        if REPORTER_FIELDS & set(lookup.split(LOOKUP_SEP)):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.action(description=_("开始初核"))
    def start_checking(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda complaint: services.complaint_transition(
                complaint=complaint, actor=request.user, action="check", version=complaint.version
            ),
            done_message=_("已开始初核 %(n)s 件。"),
        )


@admin.register(YellowCard)
class YellowCardAdmin(ReadOnlyStateAdmin):
    list_display = ["post", "year", "state", "document_no", "issued_on", "lifted_on"]
    list_filter = ["state", "year"]
    readonly_fields = ["post", "year", "state", "complaints", "proposed_at", "issued_by", "lifted_by", "version"]


class SupervisionReportInline(WorkflowReadOnlyInline):
    model = SupervisionReport
    fields = ["period", "content", "author", "created_at"]
    readonly_fields = fields


@admin.register(KeySupervision)
class KeySupervisionAdmin(ReadOnlyStateAdmin):
    list_display = ["head_post", "person", "state", "start", "end"]
    list_filter = ["state"]
    readonly_fields = ["yellow_card", "head_post", "person", "state", "ended_by", "version"]
    inlines = [SupervisionReportInline]


@admin.register(Warning)
class WarningAdmin(ReadOnlyStateAdmin):
    list_display = ["kind", "target", "unit", "post", "person", "state", "source", "issued_on"]
    list_filter = ["kind", "state", "source", "year"]
    readonly_fields = [
        "kind",
        "state",
        "source",
        "year",
        "target",
        "unit",
        "post",
        "person",
        "complaints",
        "assessment",
        "escalated_from",
        "issuer",
        "responded_by",
        "responded_at",
        "version",
    ]


@admin.register(ViolationCase)
class ViolationCaseAdmin(ReadOnlyStateAdmin):
    list_display = ["year", "unit", "case_no", "title", "decided_on"]
    list_filter = ["year", "unit"]
    readonly_fields = ["unit", "year", "recorded_by"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyStateAdmin):
    list_display = ["year", "unit", "raw_score", "satisfaction_rate", "band_grade", "final_grade", "capped"]
    list_filter = ["year", "final_grade", "capped"]
    # Every figure feeds the grade: change them through the assessment page, which regrades.
    readonly_fields = [f.name for f in Assessment._meta.fields]


# --- Schedule: deliverables, submissions, inspections, reminders ------------------------------------------
@admin.register(Deliverable)
class DeliverableAdmin(WorkflowReadOnlyAdmin):
    list_display = ("name", "phase", "kind", "due_date", "required")
    list_filter = ("kind", "phase__campaign")
    search_fields = ("name",)


@admin.register(Submission)
class SubmissionAdmin(WorkflowReadOnlyAdmin):
    list_display = ("unit", "deliverable", "state", "submitted_at", "reviewed_at")
    list_filter = ("state", "deliverable__phase__campaign")
    search_fields = ("unit__name", "deliverable__name")
    action_form = CommentActionForm
    actions = ["accept_submissions", "return_submissions"]

    @admin.action(description=_("接收所选已报送材料"))
    def accept_submissions(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda submission: services_schedule.submission_accept(
                actor=request.user,
                submission=submission,
                version=submission.version,
                comment=request.POST.get("comment", ""),
            ),
            done_message=_("已接收 %(n)s 份材料。"),
        )

    @admin.action(description=_("退回所选已报送材料（在“意见”中填写退回意见）"))
    def return_submissions(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda submission: services_schedule.submission_return(
                actor=request.user,
                submission=submission,
                version=submission.version,
                comment=request.POST.get("comment", ""),
            ),
            done_message=_("已退回 %(n)s 份材料。"),
        )


@admin.register(SelfInspection)
class SelfInspectionAdmin(WorkflowReadOnlyAdmin):
    list_display = ("unit", "phase")
    list_filter = ("phase__campaign",)


@admin.register(Inspection)
class InspectionAdmin(WorkflowReadOnlyAdmin):
    list_display = ("unit", "phase", "score")
    list_filter = ("phase__campaign",)


@admin.register(Reminder)
class ReminderAdmin(WorkflowReadOnlyAdmin):
    list_display = ("unit", "deliverable", "recipient", "kind", "on_date")
    list_filter = ("kind", "on_date")
