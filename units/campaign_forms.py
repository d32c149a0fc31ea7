"""The campaign form: name, year, batch, units (with the 第一批试点单位 preset, R5) and the four phases' dates (R6)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lianzheng.fields import ModelMultipleChoiceField

from .campaign_services import phases_of, pilot_units
from .models import PHASE_ORDER, Batch, PhaseKind, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    batch = forms.TypedChoiceField(label=_("批次"), choices=Batch.choices, coerce=int)
    pilot_preset = forms.BooleanField(
        label=_("第一批试点单位"),
        required=False,
        help_text=_("勾选后参加单位为五个试点单位：后勤集团、校建办、设备处、财务处、招就处。"),
    )
    units = ModelMultipleChoiceField(
        label=_("参加单位"),
        queryset=Unit.objects.order_by("sort_order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, campaign=None, **kwargs):
        if campaign is not None and "initial" not in kwargs:
            initial = {
                "name": campaign.name,
                "year": campaign.year,
                "batch": campaign.batch,
                "version": campaign.version,
            }
            initial["units"] = list(campaign.units.all())
            for kind, (start, end) in phases_of(campaign).items():
                initial[f"{kind}_start"], initial[f"{kind}_end"] = start, end
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for kind in PHASE_ORDER:
            label = PhaseKind(kind).label
            self.fields[f"{kind}_start"] = forms.DateField(label=_("%(phase)s 开始") % {"phase": label}, widget=DATE)
            self.fields[f"{kind}_end"] = forms.DateField(label=_("%(phase)s 结束") % {"phase": label}, widget=DATE)

    def phase_fields(self):
        return [(PhaseKind(kind).label, self[f"{kind}_start"], self[f"{kind}_end"]) for kind in PHASE_ORDER]

    def clean(self):
        data = super().clean()
        if data.get("pilot_preset"):
            data["units"] = list(pilot_units())
        if not data.get("units"):
            self.add_error("units", _("请至少选择一个参加单位，或勾选“第一批试点单位”。"))
        return data

    def phases(self) -> dict:
        return {k: (self.cleaned_data.get(f"{k}_start"), self.cleaned_data.get(f"{k}_end")) for k in PHASE_ORDER}
