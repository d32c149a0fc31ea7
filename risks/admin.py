"""Admin for risk identification. Reading and correcting master data here; every state change of a form goes
through the services (the admin actions call them too), so the workflow, audit and notifications hold."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import FormEvent, FormSnapshot, FormState, PowerItem, RiskForm, RiskPoint, SpecialMeeting


@admin.register(PowerItem)
class PowerItemAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "kind", "sort_order"]
    list_filter = ["unit", "kind"]
    search_fields = ["name", "basis"]
    filter_horizontal = ["posts"]


@admin.register(RiskPoint)
class RiskPointAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "campaign", "scope", "category", "level", "code"]
    list_filter = ["campaign", "unit", "scope", "category", "level"]
    search_fields = ["name", "manifestation", "code"]
    list_select_related = ["unit", "campaign"]
    filter_horizontal = ["posts"]
    readonly_fields = ["scope", "version", "created_at", "updated_at"]


@admin.register(SpecialMeeting)
class SpecialMeetingAdmin(admin.ModelAdmin):
    list_display = ["unit", "campaign", "date", "recorded_by"]
    list_filter = ["campaign", "unit"]
    readonly_fields = ["recorded_by", "created_at"]


class FormEventInline(admin.TabularInline):
    model = FormEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_state", "to_state", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("审核通过所选的已确认防控表"))
def approve_forms(modeladmin, request, queryset):
    done = 0
    for form in queryset.filter(state=FormState.CONFIRMED):
        try:
            services.form_approve(form=form, actor=request.user)
            done += 1
        except (ValidationError, PermissionDenied) as error:
            modeladmin.message_user(
                request, f"{form}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
            )
    modeladmin.message_user(request, _("已审核通过 %(n)s 份防控表。") % {"n": done}, messages.SUCCESS)


@admin.register(RiskForm)
class RiskFormAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "kind", "state", "revision", "updated_at"]
    list_filter = ["campaign", "kind", "state", "unit"]
    list_select_related = ["unit", "post", "campaign"]
    actions = [approve_forms]
    inlines = [FormEventInline]
    # The state and its stamps only move through the services.
    readonly_fields = [
        "kind", "campaign", "unit", "post", "state", "meeting", "filled_by", "confirmation_text", "confirmed_by",
        "confirmed_at", "submitted_at", "approved_by", "approved_at", "pledge_accepted_at", "revision", "version",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False


@admin.register(FormSnapshot)
class FormSnapshotAdmin(admin.ModelAdmin):
    list_display = ["form", "revision", "approved_at", "approved_by"]
    list_select_related = ["form__unit", "form__post", "approved_by"]
    readonly_fields = ["form", "revision", "approved_at", "approved_by", "content", "pdf_sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
