"""Forms of the phase schedule pages: validation and widgets only; the services decide."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from lianzheng.fields import ModelMultipleChoiceField
from units.models import Campaign, Unit

from .models import Deliverable, DeliverableKind, GroupRole


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SubmissionForm(VersionedForm):
    file = forms.FileField(
        label=_("文件"),
        required=False,
        help_text=_("PDF、Word(.doc/.docx)或 Excel(.xls/.xlsx)，不超过 %(size)s。")
        % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx"}),
    )
    note = forms.CharField(
        label=_("报送说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(VersionedForm):
    decision = forms.ChoiceField(label=_("审核结果"), choices=[("accept", _("通过")), ("return", _("退回"))])
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回时必须填写。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回时必须填写退回意见。(A comment is required to return.)"))
        return data


class SelfInspectionForm(VersionedForm):
    findings = forms.CharField(label=_("自查发现的问题"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    rectification = forms.CharField(
        label=_("整改措施"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class InspectionForm(VersionedForm):
    findings = forms.CharField(label=_("检查发现"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    score = forms.DecimalField(label=_("得分(0–100)"), required=False, min_value=0, max_value=100, decimal_places=1)


class GroupMemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    title = forms.CharField(label=_("职务"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("小组职务"), choices=GroupRole.choices)


class DeliverableForm(forms.ModelForm):
    class Meta:
        model = Deliverable
        fields = ["phase", "kind", "name", "due_date", "required", "order", "description"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = campaign.phases.order_by("start")
        self.fields["kind"].choices = DeliverableKind.choices

    def validate_unique(self):
        pass  # the service checks the name per phase with a clear message


class CampaignCopyForm(forms.Form):
    name = forms.CharField(label=_("新批次名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    shift_days = forms.IntegerField(
        label=_("日期顺延天数"),
        help_text=_("所有阶段和截止日期一起顺延(负数为提前)。"),
        min_value=-3660,
        max_value=3660,
    )
    units = ModelMultipleChoiceField(
        label=_("参加单位"),
        queryset=Unit.objects.order_by("sort_order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则沿用原批次的单位。"),
    )
