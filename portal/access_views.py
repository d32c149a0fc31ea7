"""下载记录: the access log for the discipline office (reviewers and admins). Everyone else gets 404, as for the
export pages: they do not learn that the page exists."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lianzheng.models import AccessAction, AccessLog
from units.models import Unit
from units.rules import is_admin, is_reviewer

#: Who reads the access log: the office.
can_view_access_log = is_admin | is_reviewer

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class AccessLogFilterForm(forms.Form):
    person = forms.CharField(
        label=_("人员"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("工号或姓名")}),
    )
    unit = forms.ChoiceField(
        label=_("单位"), required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    form = forms.IntegerField(
        label=_("防控表编号"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    action = forms.ChoiceField(
        label=_("动作"),
        required=False,
        choices=[("", _("全部动作")), *AccessAction.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部单位")), *Unit.objects.order_by("code").values_list("code", "name")]


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log_rows(filters: dict):
    """The access log, newest first, narrowed by the filters."""
    qs = AccessLog.objects.select_related("user")
    person = (filters.get("person") or "").strip()
    if person:
        qs = qs.filter(
            Q(user__username__iexact=person) | Q(user_name__icontains=person) | Q(user__full_name__icontains=person)
        )
    if filters.get("unit"):
        qs = qs.filter(unit_code=filters["unit"])
    if filters.get("form"):
        qs = qs.filter(object_type="risks.RiskForm", object_id=str(filters["form"]))
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("date_from"):
        qs = qs.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(at__lt=_day_start(filters["date_to"] + timedelta(days=1)))
    return qs.order_by("-at", "-id")


@require_GET
def access_log(request):
    if not can_view_access_log(request.user):
        raise Http404
    filters = AccessLogFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(access_log_rows(data), 50).get_page(request.GET.get("page"))
    page.object_list = rows = list(page.object_list)
    names = dict(Unit.objects.filter(code__in={row.unit_code for row in rows}).values_list("code", "name"))
    for row in rows:
        row.unit_name = names.get(row.unit_code, row.unit_code)
    return render(request, "lianzheng/access_log.html", {"filters": filters, "page_obj": page})
