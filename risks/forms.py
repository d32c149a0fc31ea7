"""Input forms of risk identification: widgets and field-level checks only; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lianzheng.fields import ModelMultipleChoiceField
from units.models import Office, Post

from .models import (
    RISK_LEVEL_MEANING,
    FormKind,
    PowerItem,
    PowerKind,
    RiskCategory,
    RiskLevel,
    RiskScope,
    SpecialMeeting,
)


class LevelChoiceField(forms.TypedChoiceField):
    """The three levels, each labelled with its meaning (R2: 一级 — 一旦发生可能构成犯罪 …)."""

    def __init__(self, **kwargs):
        choices = [(level.value, f"{level.label} — {RISK_LEVEL_MEANING[level]}") for level in RiskLevel]
        super().__init__(choices=choices, coerce=int, widget=forms.RadioSelect, **kwargs)


class BootstrapMixin:
    def _style(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            classes = [c for c in widget.attrs["class"].split() if c != "is-invalid"]
            if name in (self._errors or {}):
                classes.append("is-invalid")
            widget.attrs["class"] = " ".join(classes)
            if isinstance(widget, forms.Textarea) and not widget.attrs.get("data-sized"):
                widget.attrs.update({"rows": 3, "data-sized": "1"})

    def full_clean(self):
        super().full_clean()
        self._style()

    def add_service_error(self, error):
        """Put a ValidationError from a service next to the fields it names (unknown names go on top)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
        self._style()


class RiskPointForm(BootstrapMixin, forms.Form):
    scope = forms.ChoiceField(label=_("层次"), choices=RiskScope.choices, widget=forms.RadioSelect, required=False)
    office = forms.ModelChoiceField(
        label=_("科室"), queryset=Office.objects.none(), required=False, empty_label=_("（无）")
    )
    posts = ModelMultipleChoiceField(
        label=_("岗位"), queryset=Post.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    power_item = forms.ModelChoiceField(
        label=_("职权事项"), queryset=PowerItem.objects.none(), required=False, empty_label=_("（从权力清单中选择）")
    )
    business_step = forms.CharField(label=_("或填写业务环节"), max_length=200, required=False)
    name = forms.CharField(label=_("风险点"), max_length=200)
    manifestation = forms.CharField(label=_("风险表现形式"), widget=forms.Textarea)
    category = forms.ChoiceField(label=_("风险类别"), choices=RiskCategory.choices, widget=forms.RadioSelect)
    level = LevelChoiceField(label=_("风险等级"))
    responsible_leader = forms.CharField(label=_("责任领导"), max_length=100, required=False)
    responsible_person = forms.CharField(label=_("责任人"), max_length=100, required=False)
    supervisor = forms.CharField(label=_("监督部门"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, form, **kwargs):
        super().__init__(*args, **kwargs)
        self.risk_form = form
        self.fields["office"].queryset = Office.objects.filter(unit_id=form.unit_id)
        self.fields["posts"].queryset = Post.objects.filter(unit_id=form.unit_id).select_related("office")
        self.fields["power_item"].queryset = PowerItem.objects.filter(unit_id=form.unit_id)
        if form.kind == FormKind.PERSONAL:
            # 附表2: the point belongs to the form's post (R1/R3); no scope, office or post to choose.
            for name in ("scope", "office", "posts"):
                del self.fields[name]
        self._style()

    @classmethod
    def initial_for(cls, point) -> dict:
        return {
            "scope": point.scope,
            "office": point.office_id,
            "posts": [p.pk for p in point.posts.all()],
            "power_item": point.power_item_id,
            "business_step": point.business_step,
            "name": point.name,
            "manifestation": point.manifestation,
            "category": point.category,
            "level": point.level,
            "responsible_leader": point.responsible_leader,
            "responsible_person": point.responsible_person,
            "supervisor": point.supervisor,
            "version": point.version,
        }

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if "posts" in data:
            data["posts"] = list(data["posts"])
        return data


class SubmitForm(BootstrapMixin, forms.Form):
    pledge = forms.BooleanField(label=_("我已阅读并作出上述个人廉政承诺"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ConfirmForm(BootstrapMixin, forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("专题会议"),
        queryset=SpecialMeeting.objects.none(),
        required=False,
        empty_label=_("（登记新的专题会议）"),
    )
    date = forms.DateField(label=_("会议日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(label=_("参会人员"), required=False, widget=forms.Textarea)
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea)
    confirmation_text = forms.CharField(label=_("单位领导班子确认意见"), widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, form, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = SpecialMeeting.objects.filter(
            unit_id=form.unit_id, campaign_id=form.campaign_id
        )
        self._style()

    def new_meeting(self):
        data = self.cleaned_data
        if data.get("meeting") is not None:
            return None
        if data.get("date") or data.get("attendees") or data.get("minutes"):
            return {
                "date": data.get("date"),
                "attendees": data.get("attendees", ""),
                "minutes": data.get("minutes", ""),
            }
        return None


class ReturnForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(label=_("退回意见"), widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(required=False)


class PowerItemForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("职权(业务)事项"), max_length=200)
    kind = forms.ChoiceField(label=_("权力类型"), choices=PowerKind.choices)
    basis = forms.CharField(label=_("依据"), widget=forms.Textarea, required=False)
    process = forms.CharField(label=_("运行流程"), widget=forms.Textarea, required=False)
    posts = ModelMultipleChoiceField(
        label=_("行使岗位"),
        queryset=Post.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posts"].queryset = Post.objects.filter(unit=unit).select_related("office")
        self._style()

    @classmethod
    def initial_for(cls, item) -> dict:
        return {
            "name": item.name,
            "kind": item.kind,
            "basis": item.basis,
            "process": item.process,
            "posts": [p.pk for p in item.posts.all()],
            "version": item.version,
        }

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["posts"] = list(data["posts"])
        return data
