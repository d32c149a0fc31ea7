"""Django admin for measures and 实施细则: read-only (owned by their workflows in measures.services); the pledge text
is saved through its service."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from lianzheng.admin_base import WorkflowReadOnlyAdmin, WorkflowReadOnlyInline

from . import services
from .models import ImplementationRules, Measure, PledgeText, RulesComment, RulesEvent


@admin.register(Measure)
class MeasureAdmin(WorkflowReadOnlyAdmin):
    list_display = ["content", "risk_point", "stage", "responsible", "due_date", "state", "personal_form"]
    list_filter = ["stage", "state", "risk_point__unit"]
    search_fields = ["content", "responsible", "risk_point__name"]


class RulesCommentInline(WorkflowReadOnlyInline):
    model = RulesComment
    readonly_fields = ["author_name", "content", "created_at", "answer", "answered_by", "answered_at"]


class RulesEventInline(WorkflowReadOnlyInline):
    model = RulesEvent
    readonly_fields = ["at", "actor", "action", "from_state", "to_state", "comment"]


@admin.register(ImplementationRules)
class ImplementationRulesAdmin(WorkflowReadOnlyAdmin):
    """Read-only here: the workflow (公示, 提交, 审核) runs through the pages and their services."""

    list_display = ["title", "unit", "campaign", "state", "publicity_start", "publicity_end", "submitted_at"]
    list_filter = ["state", "campaign"]
    search_fields = ["title", "unit__name"]
    inlines = [RulesCommentInline, RulesEventInline]


@admin.register(PledgeText)
class PledgeTextAdmin(admin.ModelAdmin):
    """The single pledge text (个人廉政承诺); saving goes through ``pledge_text_update`` (audited)."""

    fields = ["text", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request):
        return not PledgeText.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.pledge_text_update(actor=request.user, text=obj.text)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level="error")
