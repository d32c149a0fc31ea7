"""The reviewer's queue (待审核): confirmed risk forms grouped by unit, approved or returned singly or all of a
unit at once. Only confirmed forms reach it (R4). Single approve/return posts to the form's own actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from risks import rules, selectors, services
from units.models import Unit
from units.selectors import current_campaign

QUEUE_PAGE_SIZE = 50


def queue(request):
    if not rules.can_review(request.user):
        raise PermissionDenied
    campaign = current_campaign(session=request.session)
    # A page of forms at a time: on a large campus the queue holds thousands of forms.
    order = selectors.review_queue_order(request.user, campaign=campaign) if campaign else []
    page = Paginator(order, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = selectors.queue_groups(list(page.object_list))
    return render(
        request,
        "reviews/queue.html",
        {
            "campaign": campaign,
            "groups": groups,
            "form_count": page.paginator.count,
            "page_obj": page,
        },
    )


def _shown_versions(raw: str) -> dict[int, int]:
    """``"12:3,15:1"`` (form id:version, as the queue page showed them) → {12: 3, 15: 1}."""
    versions = {}
    for pair in raw.split(","):
        pk, sep, version = pair.partition(":")
        if not sep:
            continue
        try:
            versions[int(pk)] = int(version)
        except ValueError:
            raise services.StaleEdit() from None
    return versions


@require_POST
def approve_unit(request, code):
    unit = get_object_or_404(Unit, code=code)
    campaign = current_campaign(session=request.session)
    try:
        versions = _shown_versions(request.POST.get("versions", ""))
        approved = services.form_approve_unit_batch(unit=unit, campaign=campaign, actor=request.user, versions=versions)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已审核通过 %(unit)s 的 %(n)s 份防控表，已通知填表人和单位联络员。")
            % {"unit": unit.name, "n": len(approved)},
        )
    return redirect("reviews:queue")
