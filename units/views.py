from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzheng.redirects import safe_next

from . import selectors
from .models import Campaign, Role, RoleChange
from .rules import sees_all_units


def unit_list(request):
    if not sees_all_units(request.user):
        if request.user.unit_id:
            return redirect("units:unit-detail", code=request.user.unit.code)
        raise Http404
    units = selectors.unit_list(request.user)
    sort = request.GET.get("sort", "sort_order")
    allowed = {"sort_order", "code", "name", "-post_count", "post_count", "batch", "-batch"}
    units = units.order_by(sort if sort in allowed else "sort_order", "code")
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    return render(request, "units/unit_list.html", {"page_obj": page, "sort": sort})


def unit_detail(request, code):
    unit = selectors.unit_for(request.user, code)
    return render(request, "units/unit_detail.html", {"unit": unit, **selectors.unit_detail(unit)})


def my_posts(request):
    posts = selectors.current_posts_of(request.user)
    return render(request, "units/my_posts.html", {"posts": posts})


@require_POST
def switch_campaign(request):
    chosen = request.POST.get("campaign", "")
    campaign = Campaign.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    if campaign is None:
        messages.error(request, _("所选批次不存在。"))
    else:
        request.session["campaign_id"] = campaign.pk
        messages.success(request, _("已切换到 %(campaign)s。") % {"campaign": campaign})
    return redirect(safe_next(request, "/"))


def role_changes(request):
    """Who was given which role, by whom and when: for system administrators and the discipline office's reviewers
    (the reviewer role sees complaint reporters, so granting it is watched)."""
    if not (request.user.is_superuser or request.user.role in (Role.ADMIN, Role.REVIEWER)):
        raise Http404
    changes = RoleChange.objects.select_related("user", "changed_by")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "units/role_changes.html", {"page_obj": page})
