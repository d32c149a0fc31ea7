"""The Django admin for the organisation. Day-to-day work happens in the app's own pages; the admin is the
system administrator's fallback, and keeps each change in the history (simple_history). Reference data (users,
units, offices, posts, assignments) stays editable, each deletion audited one event per object; campaigns and
their phases are owned by their services (created, dated and versioned there) and are read-only here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from lianzheng.admin_base import AuditedDeleteMixin, WorkflowReadOnlyAdmin, WorkflowReadOnlyInline

from . import services, signals
from .models import Assignment, Campaign, Office, Phase, Post, Unit, User


@admin.register(User)
class UserAdmin(AuditedDeleteMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "staff_no", "role", "unit", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "unit")
    search_fields = ("username", "full_name", "staff_no", "email", "phone")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    ordering = ("username",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("单位与角色"), {"fields": ("full_name", "staff_no", "title", "phone", "role", "unit")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("单位与角色"), {"fields": ("full_name", "staff_no", "role", "unit")}),
    )

    def save_model(self, request, obj, form, change):
        """A role given or changed here is recorded and, for the reviewer role, told to the other reviewers
        (``services.role_change_record``), in the admin's transaction."""
        before = User.objects.filter(pk=obj.pk).values_list("role", flat=True).first() if obj.pk else ""
        super().save_model(request, obj, form, change)
        services.role_change_record(user=obj, from_role=before or "", actor=request.user)


class OfficeInline(admin.TabularInline):
    model = Office
    fields = ("name", "code", "sort_order")
    extra = 0


@admin.register(Unit)
class UnitAdmin(AuditedDeleteMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "batch", "is_pilot", "sort_order")
    list_filter = ("kind", "batch", "is_pilot")
    search_fields = ("code", "name")
    list_editable = ("sort_order",)
    inlines = [OfficeInline]


@admin.register(Office)
class OfficeAdmin(AuditedDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "unit", "code", "sort_order")
    list_filter = ("unit",)
    search_fields = ("name", "code", "unit__name", "unit__code")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)


class RosterChangeMixin:
    """A post or an assignment changed here tells the apps above, as the roster import does (``units.signals``): the
    post's forms open in the running campaigns, and the kept figures of its units (old and new) follow. The admin's
    change and delete views run in one transaction, so the receivers' writes commit or roll back with the change."""

    @staticmethod
    def _post_of(obj) -> Post:
        return obj if isinstance(obj, Post) else obj.post

    def _units_before(self, obj) -> set[int]:
        if not obj.pk:
            return set()
        before = type(obj).objects.filter(pk=obj.pk).first()
        return {self._post_of(before).unit_id} if before else set()

    def save_model(self, request, obj, form, change):
        units = self._units_before(obj)
        super().save_model(request, obj, form, change)
        post = self._post_of(obj)
        signals.posts_changed.send(sender=Post, post_ids=[post.pk], actor=request.user)
        signals.roster_applied.send(sender=type(self), unit_ids=sorted(units | {post.unit_id}))

    def delete_model(self, request, obj):
        unit_id = self._post_of(obj).unit_id
        super().delete_model(request, obj)
        signals.roster_applied.send(sender=type(self), unit_ids=[unit_id])

    def delete_queryset(self, request, queryset):
        unit_ids = sorted({self._post_of(obj).unit_id for obj in queryset})
        super().delete_queryset(request, queryset)
        signals.roster_applied.send(sender=type(self), unit_ids=unit_ids)


@admin.register(Post)
class PostAdmin(RosterChangeMixin, AuditedDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "unit", "office", "rank", "is_key", "key_area", "reports_to")
    list_filter = ("is_key", "key_area", "unit")
    search_fields = ("name", "code", "duties", "unit__name", "office__name")
    list_select_related = ("unit", "office", "reports_to")
    autocomplete_fields = ("unit", "office", "reports_to")


@admin.register(Assignment)
class AssignmentAdmin(RosterChangeMixin, AuditedDeleteMixin, SimpleHistoryAdmin):
    list_display = ("user", "post", "start", "end")
    list_filter = ("post__unit", "end")
    search_fields = ("user__full_name", "user__staff_no", "user__username", "post__name", "post__unit__name")
    list_select_related = ("user", "post", "post__unit")
    autocomplete_fields = ("user", "post")
    date_hierarchy = "start"


class PhaseInline(WorkflowReadOnlyInline):
    model = Phase
    fields = ("kind", "start", "end")


@admin.register(Campaign)
class CampaignAdmin(WorkflowReadOnlyAdmin):
    list_display = ("name", "year", "batch", "created_at")
    list_filter = ("year", "batch")
    search_fields = ("name",)
    inlines = [PhaseInline]


@admin.register(Phase)
class PhaseAdmin(WorkflowReadOnlyAdmin):
    list_display = ("campaign", "kind", "start", "end")
    list_filter = ("kind", "campaign__year")
    list_select_related = ("campaign",)
    search_fields = ("campaign__name",)
