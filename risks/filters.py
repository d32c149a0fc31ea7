"""The risk-point list filters (django-filter): unit, office, post, category, level, key area, key post, form state."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from lianzheng.widgets import use_fast_selects
from units.models import KeyArea, Office, Post

from .models import FormKind, FormState, RiskCategory, RiskForm, RiskLevel, RiskPoint
from .selectors import units_with_records_visible_to


class PairsChoiceField(forms.ChoiceField):
    """A choice field given plain ``(value, label)`` pairs, kept as they are: Django normalises every pair, on the
    field and again on its widget, each time choices are set (four hundred units on every visit)."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = list(value)
        self.widget._choices = self._choices


class PlainChoiceFilter(django_filters.Filter):
    """An exact-match filter on a ``PairsChoiceField`` (its choices, empty one included, set by the form)."""

    field_class = PairsChoiceField


class RiskPointFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q")
    # Choices read as (id, name) pairs: four hundred Unit instances per visit only to print their names cost more
    # than the list itself. A plain ChoiceField: django-filter's own re-normalises the list at every iteration.
    unit = PlainChoiceFilter(label=_("单位"), field_name="unit_id", choices=())
    office = django_filters.ModelChoiceFilter(
        label=_("科室"), queryset=None, empty_label=_("全部科室"), method="filter_office"
    )
    post = django_filters.ModelChoiceFilter(
        label=_("岗位"), queryset=None, empty_label=_("全部岗位"), method="filter_post"
    )
    category = django_filters.ChoiceFilter(label=_("风险类别"), choices=RiskCategory.choices, empty_label=_("全部类别"))
    level = django_filters.ChoiceFilter(label=_("风险等级"), choices=RiskLevel.choices, empty_label=_("全部等级"))
    key_area = django_filters.ChoiceFilter(
        label=_("重点领域"), choices=KeyArea.choices, empty_label=_("全部领域"), method="filter_key_area"
    )
    key_post = django_filters.BooleanFilter(
        label=_("重点岗位"),
        method="filter_key_post",
        widget=forms.Select(choices=[("", _("全部岗位")), ("true", _("仅重点岗位")), ("false", _("仅非重点岗位"))]),
    )
    form_state = django_filters.ChoiceFilter(
        label=_("防控表状态"), choices=FormState.choices, empty_label=_("全部状态"), method="filter_form_state"
    )

    class Meta:
        model = RiskPoint
        fields = ["q", "unit", "office", "post", "category", "level", "key_area", "key_post", "form_state"]

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_with_records_visible_to(user)
        self.units = units
        self.filters["office"].queryset = Office.objects.filter(unit__in=units).select_related("unit")
        self.filters["post"].queryset = Post.objects.filter(unit__in=units).select_related("unit")
        self.campaign = campaign
        # Given to the form's own field, after the form copied its fields: not deep-copied on every visit.
        self.form.fields["unit"].choices = [
            ("", _("全部单位")),
            *units.values_list("pk", "name"),
        ]
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
        use_fast_selects(self.form)

    def _through(self):
        return RiskPoint.posts.through.objects.filter(riskpoint_id=OuterRef("pk"))

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(manifestation__icontains=value))

    def filter_office(self, queryset, name, value):
        # A point sits in an office directly, or through one of its posts.
        return queryset.filter(Q(office=value) | Exists(self._through().filter(post__office=value)))

    def filter_post(self, queryset, name, value):
        return queryset.filter(Exists(self._through().filter(post=value)))

    def filter_key_area(self, queryset, name, value):
        return queryset.filter(Exists(self._through().filter(post__key_area=value)))

    def filter_key_post(self, queryset, name, value):
        on_key_post = Exists(self._through().filter(post__is_key=True))
        return queryset.filter(on_key_post if value else ~on_key_post)

    def filter_form_state(self, queryset, name, value):
        """Points on a form in that state: the unit's 附表1 or the 附表2 of one of its posts."""
        unit_form = RiskForm.objects.filter(
            kind=FormKind.UNIT, campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id"), state=value
        )
        personal = RiskForm.objects.filter(
            kind=FormKind.PERSONAL,
            campaign_id=OuterRef("campaign_id"),
            state=value,
            post_id__in=RiskPoint.posts.through.objects.filter(riskpoint_id=OuterRef(OuterRef("pk"))).values("post_id"),
        )
        return queryset.filter(Exists(unit_form) | Exists(personal))
