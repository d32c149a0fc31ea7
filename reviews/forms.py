"""Forms for supervision: validation and widgets only; the services decide."""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Post, Unit, User

from .models import (
    WARNING_ORDER,
    ComplaintChannel,
    ComplaintState,
    Grade,
    WarningKind,
    WarningState,
    WarningTarget,
)
from .services import complaint_config, validate_attachment

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked for type and size before anything is stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png,.gif"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [single(item, initial) for item in data] if isinstance(data, list | tuple) else [single(data, initial)]
        files = [f for f in files if f]
        limit = complaint_config()["MAX_ATTACHMENTS"]
        if len(files) > limit:
            raise ValidationError(_("最多上传 %(n)s 个附件。"), params={"n": limit})
        for upload in files:
            validate_attachment(upload)
        return files


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.unit.name} · {obj.name}"


class ComplaintForm(forms.Form):
    """The public complaint form (网上举报), also the base of the reviewers' registration form."""

    unit = forms.ModelChoiceField(
        label=_("被举报单位"),
        queryset=Unit.objects.all(),
        empty_label=_("请选择单位"),
        # htmx narrows the post list to the chosen unit; without JavaScript every post stays listed.
        widget=forms.Select(
            attrs={
                "hx-get": reverse_lazy("reviews:complaint-post-options"),
                "hx-target": "#id_post",
                "hx-trigger": "change",
            }
        ),
    )
    post = PostChoiceField(
        label=_("被举报岗位(可选)"),
        queryset=Post.objects.select_related("unit"),
        required=False,
        empty_label=_("不确定"),
    )
    person_name = forms.CharField(label=_("被举报人(可选)"), max_length=50, required=False)
    content = forms.CharField(
        label=_("举报内容"),
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=10,
        max_length=10000,
        help_text=_("请写明时间、地点、事情经过和可以核实的线索。"),
    )
    anonymous = forms.TypedChoiceField(
        label=_("是否匿名"),
        choices=[("1", _("匿名举报")), ("0", _("实名举报"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    reporter_name = forms.CharField(label=_("您的姓名"), max_length=50, required=False)
    reporter_contact = forms.CharField(label=_("联系方式(电话或邮箱)"), max_length=100, required=False)
    attachments = MultipleFileField(
        label=_("附件(可选)"),
        help_text=_("可上传 PDF、Word、Excel 或图片，单个文件不超过上限，最多 5 个。"),
    )
    # A new random key with each blank form: the same form sent twice files one complaint (services).
    submission_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=lambda: secrets.token_urlsafe(24)
    )

    def clean(self):
        data = super().clean()
        unit, post = data.get("unit"), data.get("post")
        if unit and post and post.unit_id != unit.pk:
            self.add_error("post", _("所选岗位不属于被举报单位。(The post is not in that unit.)"))
        if data.get("anonymous") is False and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", _("实名举报请填写姓名；不愿留名请选择匿名举报。"))
        return data


class ComplaintRegisterForm(ComplaintForm):
    """A reviewer registers a complaint that came by letter, visit, phone or hotline."""

    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=[c for c in ComplaintChannel.choices if c[0] != ComplaintChannel.ONLINE]
    )
    received_on = forms.DateField(label=_("受理日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    person = forms.ModelChoiceField(
        label=_("被举报人(系统用户，可选)"), queryset=User.objects.filter(unit__isnull=False), required=False
    )

    field_order = ["channel", "received_on", "unit", "post", "person", "person_name", "content", "anonymous"]

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise ValidationError(_("受理日期不能晚于今天。"))
        return value


class ComplaintTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[("check", ""), ("verify", ""), ("unfound", ""), ("close", "")])
    version = forms.IntegerField(widget=forms.HiddenInput)
    findings = forms.CharField(
        label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), required=False
    )
    disposition = forms.CharField(
        label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), required=False
    )
    public_reply = forms.CharField(
        label=_("答复举报人(举报人凭查询码可见)"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        required=False,
    )


class ComplaintFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("办理阶段"), choices=[("", _("全部阶段")), *ComplaintState.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=[("", _("全部渠道")), *ComplaintChannel.choices], required=False
    )
    unit = forms.ChoiceField(label=_("单位"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("关键词"), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部单位")), *Unit.objects.values_list("code", "name")]
        self.fields["year"].choices = [("", _("全部年度")), *[(y, y) for y in years]]


class QueryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )


class YellowCardIssueForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    document_no = forms.CharField(label=_("文号"), max_length=100)
    issued_on = forms.DateField(label=_("警告日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    supervision_end = forms.DateField(label=_("重点监管截止(可选)"), widget=DATE_WIDGET, required=False)
    plan = forms.CharField(
        label=_("重点监管方案"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("每季度提交一次履职和廉洁自律情况报告；纪委监察室不定期抽查采购台账和相关合同。"),
    )


class YellowCardLiftForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("撤销理由(整改情况)"), widget=forms.Textarea(attrs={"rows": 3}))


class SupervisionReportForm(forms.Form):
    period = forms.CharField(label=_("报告期"), max_length=50, help_text=_("例如：2011年第四季度"))
    content = forms.CharField(label=_("报告内容"), widget=forms.Textarea(attrs={"rows": 4}))


class SupervisionEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    note = forms.CharField(label=_("结束说明"), widget=forms.Textarea(attrs={"rows": 2}))


class WarningForm(forms.Form):
    kind = forms.ChoiceField(label=_("处置方式"), choices=WarningKind.choices)
    target = forms.ChoiceField(label=_("对象类型"), choices=WarningTarget.choices, widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.all())
    post = PostChoiceField(label=_("岗位"), queryset=Post.objects.select_related("unit"), required=False)
    person = forms.ModelChoiceField(label=_("个人"), queryset=User.objects.filter(unit__isnull=False), required=False)
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 4}))
    issued_on = forms.DateField(label=_("下达日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    complaint_ids = forms.CharField(widget=forms.HiddenInput, required=False)


class WarningAdoptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WarningDismissForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("不予采纳理由"), widget=forms.Textarea(attrs={"rows": 2}))


class WarningAnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.CharField(label=_("回复/整改报告"), widget=forms.Textarea(attrs={"rows": 4}))


class WarningEscalateForm(forms.Form):
    kind = forms.ChoiceField(label=_("升级为"), choices=WarningKind.choices)
    reason = forms.CharField(label=_("事由(整改不力的情况)"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        if current is not None:
            heavier = WARNING_ORDER[WARNING_ORDER.index(current) + 1 :]
            self.fields["kind"].choices = [(k.value, k.label) for k in heavier]


class WarningFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *WarningState.choices], required=False)
    kind = forms.ChoiceField(label=_("处置方式"), choices=[("", _("全部方式")), *WarningKind.choices], required=False)


class ViolationCaseForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.all())
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    case_no = forms.CharField(label=_("案件编号"), max_length=50, required=False)
    title = forms.CharField(label=_("案由"), max_length=200)
    description = forms.CharField(label=_("简要案情与处理"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    decided_on = forms.DateField(label=_("处理日期"), widget=DATE_WIDGET, required=False)


class AssessmentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.all())
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    raw_score = forms.DecimalField(label=_("考核得分(0–100)"), min_value=0, max_value=100, decimal_places=2)
    score_basis = forms.CharField(
        label=_("得分依据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("检查考核、工作目标考核等的得分构成。"),
    )
    ballots_issued = forms.IntegerField(label=_("发出测评票"), min_value=0, required=False)
    ballots_good = forms.IntegerField(label=Grade.GOOD.label, min_value=0, initial=0, required=False)
    ballots_fairly_good = forms.IntegerField(label=Grade.FAIRLY_GOOD.label, min_value=0, initial=0, required=False)
    ballots_average = forms.IntegerField(label=Grade.AVERAGE.label, min_value=0, initial=0, required=False)
    ballots_poor = forms.IntegerField(label=Grade.POOR.label, min_value=0, initial=0, required=False)
    ballots_invalid = forms.IntegerField(label=_("无效票"), min_value=0, initial=0, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        for name in ("ballots_good", "ballots_fairly_good", "ballots_average", "ballots_poor", "ballots_invalid"):
            if data.get(name) is None:
                data[name] = 0  # an empty box means no ballots of that kind
        return data
