"""批次与日程: reviewers and admins create and edit campaigns (units and the four phases' dates).

The deliverables of each phase belong to ``reviews`` (a higher layer): after saving, the page links on to the
campaign's schedule there (reviews:campaign-schedule), which also copies a campaign with its dates shifted.
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from . import campaign_services
from .campaign_forms import CampaignForm
from .models import Campaign, Phase


def _require_manager(request):
    if not rules.has_perm("units.manage_campaigns", request.user):
        raise PermissionDenied


def _schedule_url(campaign) -> str:
    try:
        return reverse("reviews:campaign-schedule", args=[campaign.pk])
    except NoReverseMatch:
        return reverse("units:campaign-list")


def campaign_list(request):
    _require_manager(request)
    campaigns = Campaign.objects.prefetch_related("units").order_by("-year", "-id")
    phases = {}
    for phase in Phase.objects.filter(campaign__in=campaigns).order_by("start"):
        phases.setdefault(phase.campaign_id, []).append(phase)
    rows = [(c, phases.get(c.pk, [])) for c in campaigns]
    return render(request, "units/campaign_list.html", {"rows": rows})


def _save(request, form, campaign=None):
    data = form.cleaned_data
    kwargs = {
        "actor": request.user,
        "name": data["name"],
        "year": data["year"],
        "batch": data["batch"],
        "units": data["units"],
        "phases": form.phases(),
    }
    if campaign is None:
        return campaign_services.campaign_create(**kwargs)
    return campaign_services.campaign_update(campaign=campaign, version=data.get("version"), **kwargs)


def campaign_edit(request, pk=None):
    _require_manager(request)
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, campaign)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if campaign is None:
                messages.success(request, _("已创建批次“%(name)s”，请设置各阶段的报送材料。") % {"name": saved})
            else:
                messages.success(request, _("已保存批次“%(name)s”。") % {"name": saved})
            return redirect(_schedule_url(saved))
    return render(request, "units/campaign_form.html", {"form": form, "campaign": campaign})
