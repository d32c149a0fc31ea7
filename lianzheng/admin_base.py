"""Admin building blocks shared by every app (ground floor, imports no app).

Two kinds of models meet in the Django admin:

- rows owned by a workflow (forms, points, measures, rules, complaints, cards …): a service locks them, checks the
  version, moves the state and records the audit event. The admin shows them read-only — no add, no change, no
  delete, hence no "delete selected" — and changes them only through admin actions that call the services.
- reference data (units, offices, posts, assignments, users): still kept in the admin. Every object deleted there,
  one by one or with "delete selected", gets its own audit event in the same transaction as the deletion (Django
  writes its own log entries for a bulk delete with ``bulk_create``, which bypasses the signal that copies single
  admin changes into the chain).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianzheng import audit


class WorkflowReadOnlyAdmin(admin.ModelAdmin):
    """A model owned by a workflow: viewable, never added, changed or deleted here (actions call the services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WorkflowReadOnlyInline(admin.TabularInline):
    """The timeline (events) or the children of a workflow row, shown read-only under it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _record_deletion(request, obj) -> None:
    audit.record(
        actor=request.user,
        action="admin.delete",
        obj=obj,
        object_repr=str(obj)[:200],
        summary={"model": obj._meta.label, "id": str(obj.pk), "repr": str(obj)[:200]},
    )


class AuditedDeleteMixin:
    """Reference data kept in the admin: each deleted object gets one audit event, in the deletion's transaction."""

    def delete_model(self, request, obj):
        with transaction.atomic():
            _record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                _record_deletion(request, obj)
            super().delete_queryset(request, queryset)


class CommentActionForm(ActionForm):
    """The action bar with a comment box, for actions whose service asks for one (退回意见, 说明)."""

    comment = forms.CharField(label=_("意见"), required=False, max_length=1000)


def run_service_action(modeladmin, request, queryset, call, *, done_message) -> int:
    """Call ``call(obj)`` (one service call) for each selected row; a refusal is shown with the row, the others go
    on (each service call is its own transaction). Returns how many succeeded."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
            done += 1
        except (ValidationError, PermissionDenied) as error:
            modeladmin.message_user(
                request, f"{obj}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
            )
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)
    return done
