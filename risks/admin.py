"""Admin for risk identification: read-only. Forms, points, the power inventory, meetings and snapshots are owned by
the workflow (risks.services): the admin changes them only through actions that call the services, so the freeze,
the transition rules, the version check, the audit chain and the notifications hold."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lianzheng.admin_base import (
    CommentActionForm,
    WorkflowReadOnlyAdmin,
    WorkflowReadOnlyInline,
    run_service_action,
)

from . import services
from .models import FormEvent, FormSnapshot, FormState, PowerItem, RiskForm, RiskPoint, SpecialMeeting


@admin.register(PowerItem)
class PowerItemAdmin(WorkflowReadOnlyAdmin):
    list_display = ["name", "unit", "kind", "sort_order"]
    list_filter = ["unit", "kind"]
    search_fields = ["name", "basis"]


@admin.register(RiskPoint)
class RiskPointAdmin(WorkflowReadOnlyAdmin):
    list_display = ["name", "unit", "campaign", "scope", "category", "level", "code"]
    list_filter = ["campaign", "unit", "scope", "category", "level"]
    search_fields = ["name", "manifestation", "code"]
    list_select_related = ["unit", "campaign"]


@admin.register(SpecialMeeting)
class SpecialMeetingAdmin(WorkflowReadOnlyAdmin):
    list_display = ["unit", "campaign", "date", "recorded_by"]
    list_filter = ["campaign", "unit"]


class FormEventInline(WorkflowReadOnlyInline):
    model = FormEvent
    readonly_fields = ["at", "actor", "action", "from_state", "to_state", "comment"]


def _comment(request) -> str:
    return request.POST.get("comment", "")


# The admin acts on the version it reads when the action runs: the action's confirmation is the admin's look at
# the row, and the service still locks it, checks that version and the allowed source state.
@admin.action(description=_("审核通过所选的已确认防控表"))
def approve_forms(modeladmin, request, queryset):
    run_service_action(
        modeladmin,
        request,
        queryset.filter(state=FormState.CONFIRMED),
        lambda form: services.form_approve(form=form, actor=request.user, version=form.version),
        done_message=_("已审核通过 %(n)s 份防控表。"),
    )


@admin.action(description=_("退回所选防控表（在“意见”中填写退回意见）"))
def return_forms(modeladmin, request, queryset):
    run_service_action(
        modeladmin,
        request,
        queryset,
        lambda form: services.form_return(
            form=form, actor=request.user, comment=_comment(request), version=form.version
        ),
        done_message=_("已退回 %(n)s 份防控表。"),
    )


@admin.action(description=_("为所选已审核防控表开始新版本"))
def reopen_forms(modeladmin, request, queryset):
    run_service_action(
        modeladmin,
        request,
        queryset,
        lambda form: services.form_reopen(
            form=form, actor=request.user, comment=_comment(request), version=form.version
        ),
        done_message=_("已为 %(n)s 份防控表开始新版本。"),
    )


@admin.register(RiskForm)
class RiskFormAdmin(WorkflowReadOnlyAdmin):
    list_display = ["__str__", "campaign", "kind", "state", "revision", "version", "updated_at"]
    list_filter = ["campaign", "kind", "state", "unit"]
    list_select_related = ["unit", "post", "campaign"]
    action_form = CommentActionForm
    actions = [approve_forms, return_forms, reopen_forms]
    inlines = [FormEventInline]


@admin.register(FormSnapshot)
class FormSnapshotAdmin(WorkflowReadOnlyAdmin):
    list_display = ["form", "revision", "approved_at", "approved_by"]
    list_select_related = ["form__unit", "form__post", "approved_by"]
