"""Django admin for measures and 实施细则. Writes that carry business rules go through the services."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import ImplementationRules, Measure, PledgeText, RulesComment, RulesEvent


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["content", "risk_point", "stage", "responsible", "due_date", "state", "personal_form"]
    list_filter = ["stage", "state", "risk_point__unit"]
    search_fields = ["content", "responsible", "risk_point__name"]
    raw_id_fields = ["risk_point", "personal_form"]
    readonly_fields = ["version", "created_at", "updated_at", "evidence_file", "evidence_name"]


class RulesCommentInline(admin.TabularInline):
    model = RulesComment
    extra = 0
    can_delete = False
    readonly_fields = ["author_name", "content", "created_at", "answer", "answered_by", "answered_at"]

    def has_add_permission(self, request, obj=None):
        return False


class RulesEventInline(admin.TabularInline):
    model = RulesEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_state", "to_state", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImplementationRules)
class ImplementationRulesAdmin(admin.ModelAdmin):
    """Read-only here: the workflow (公示, 提交, 审核) runs through the pages and their services."""

    list_display = ["title", "unit", "campaign", "state", "publicity_start", "publicity_end", "submitted_at"]
    list_filter = ["state", "campaign"]
    search_fields = ["title", "unit__name"]
    inlines = [RulesCommentInline, RulesEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


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
