"""Admin for supervision. States move only through the services (admin actions call them); the query-code hash is
never shown, and neither is a complaint's reporter: that is for the discipline office's reviewers in the app alone."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

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
from .models_schedule import Deliverable, Inspection, Reminder, SelfInspection, Submission


class ReadOnlyStateAdmin(admin.ModelAdmin):
    """Rows are created and moved by the services; the admin is for looking up and correcting free text."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ComplaintAttachmentInline(admin.TabularInline):
    model = ComplaintAttachment
    fields = ["original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


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

    @admin.action(description=_("开始初核"))
    def start_checking(self, request, queryset):
        moved = 0
        for complaint in queryset:
            try:
                services.complaint_transition(complaint=complaint, actor=request.user, action="check")
                moved += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{complaint}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.WARNING
                )
        self.message_user(request, _("已开始初核 %(n)s 件。") % {"n": moved})


@admin.register(YellowCard)
class YellowCardAdmin(ReadOnlyStateAdmin):
    list_display = ["post", "year", "state", "document_no", "issued_on", "lifted_on"]
    list_filter = ["state", "year"]
    readonly_fields = ["post", "year", "state", "complaints", "proposed_at", "issued_by", "lifted_by", "version"]


class SupervisionReportInline(admin.TabularInline):
    model = SupervisionReport
    fields = ["period", "content", "author", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


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
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ("name", "phase", "kind", "due_date", "required")
    list_filter = ("kind", "phase__campaign")
    search_fields = ("name",)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("unit", "deliverable", "state", "submitted_at", "reviewed_at")
    list_filter = ("state", "deliverable__phase__campaign")
    search_fields = ("unit__name", "deliverable__name")
    raw_id_fields = ("unit", "deliverable")


@admin.register(SelfInspection)
class SelfInspectionAdmin(admin.ModelAdmin):
    list_display = ("unit", "phase")
    list_filter = ("phase__campaign",)


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("unit", "phase", "score")
    list_filter = ("phase__campaign",)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("unit", "deliverable", "recipient", "kind", "on_date")
    list_filter = ("kind", "on_date")
