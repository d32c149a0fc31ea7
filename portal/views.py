"""Pages of the frame: login, the dashboards, notifications."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzheng import ratelimit
from lianzheng.forms import FirstPasswordResetForm, ThrottledAuthenticationForm
from lianzheng.models import Notification
from units.models import Role
from units.rules import sees_all_units
from units.selectors import current_campaign, current_posts_of

from .dashboards import (
    GREETINGS,
    campus_dashboard,
    coverage_block,
    focused,
    heatmap_block,
    kept_risk_rows,
    key_area_block,
    role_of,
    unit_level_block,
)
from .unit_dashboard import unit_dashboard


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset (which never reveals whether an address is known), limited per client address so the form
    cannot be used to flood mailboxes."""

    form_class = FirstPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        key = f"password-reset:ip:{ratelimit.client_ip(self.request)}"
        if ratelimit.is_limited(key, limit=5, window_seconds=3600):
            form.add_error(None, _("重置密码请求过于频繁，请一小时后再试。(Too many requests; try again in an hour.)"))
            return self.form_invalid(form)
        ratelimit.hit(key)
        return super().form_valid(form)


def dashboard(request):
    """The dashboard by role: the whole campaign for the office side, the user's own unit for a unit's people."""
    return render(request, "lianzheng/dashboard.html", dashboard_context(request))


def dashboard_risks(request):
    """风险分布: the heat map, key areas, points per unit by level and coverage, for the office side only."""
    if not sees_all_units(request.user):
        raise Http404
    return render(request, "lianzheng/dashboard_risks.html", risk_distribution_context(request))


def notifications(request):
    qs = Notification.objects.filter(recipient=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "lianzheng/notifications.html", {"page_obj": page})


@require_POST
def notification_open(request, pk):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.url or "notifications")


@require_POST
@transaction.atomic
def notifications_read_all(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return redirect("notifications")


# --- the dashboards' contexts ------------------------------------------------------------------------------
def dashboard_context(request) -> dict:
    user = request.user
    role = role_of(user)
    campaign = current_campaign(session=request.session)
    context = {
        "role_label": Role(role).label,
        "greeting": GREETINGS.get(role, ""),
        "unit": user.unit,
        "campaign": campaign,
        "today": timezone.localdate(),
    }
    if sees_all_units(user):
        context.update(campus_dashboard(user=user, campaign=campaign))
    else:
        context["my_posts"] = list(current_posts_of(user))
        context.update(unit_dashboard(user=user, campaign=campaign, held_posts=context["my_posts"]))
    return context


def risk_distribution_context(request) -> dict:
    campaign = current_campaign(session=request.session)
    context = {"campaign": campaign}
    if campaign is not None:
        # Read from the kept figures at every view: no cache.
        kept = kept_risk_rows(campaign=campaign)
        context.update(
            {
                "heatmap": heatmap_block(campaign=campaign, kept=kept),
                "key_areas": key_area_block(campaign=campaign, kept=kept),
                "unit_levels": unit_level_block(campaign=campaign),
                "coverage": focused(coverage_block(campaign=campaign, kept=kept)),
            }
        )
    return context
