"""Input parsing for the measures pages. Business checks live in services; these only shape the input."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import MeasureStage, MeasureState
from .services import COMMENT_MAX_CHARS


class MeasureForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=MeasureStage.choices, required=False)
    content = forms.CharField(label=_("措施内容"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("责任人或部门"), max_length=100, required=False)
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence_note = forms.CharField(label=_("落实情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_file = forms.FileField(label=_("佐证材料"), required=False)
    clear_evidence = forms.BooleanField(label=_("删除已上传的佐证材料"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AdvanceForm(forms.Form):
    to_state = forms.ChoiceField(choices=MeasureState.choices)
    version = forms.IntegerField()


class VersionForm(forms.Form):
    version = forms.IntegerField()


class RulesEditForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文(Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace"}),
        help_text=_("支持 Markdown：# 标题、- 列表、1. 编号、**加粗**、表格。不支持脚本和内嵌网页。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PublicityForm(forms.Form):
    publicity_start = forms.DateTimeField(
        label=_("公示开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    publicity_end = forms.DateTimeField(
        label=_("公示结束"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    publicity_scope = forms.CharField(label=_("公示范围"), max_length=200, help_text=_("例如：处务公开栏+校园网"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, rules_doc):
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {
            "publicity_start": now,
            "publicity_end": now + timedelta(days=5),
            "publicity_scope": rules_doc.publicity_scope,
            "version": rules_doc.version,
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PublicCommentForm(forms.Form):
    author_name = forms.CharField(
        label=_("署名(可不填)"), max_length=50, required=False, help_text=_("不署名即为匿名提交。")
    )
    content = forms.CharField(
        label=_("意见和建议"),
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": COMMENT_MAX_CHARS}),
        error_messages={"max_length": _("意见不能超过 %(limit_value)d 个字(当前 %(show_value)d 个字)。")},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}))


class PledgeTextForm(forms.Form):
    text = forms.CharField(label=_("个人廉政承诺"), widget=forms.Textarea(attrs={"rows": 6}))
