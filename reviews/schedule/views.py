"""Phase schedule pages: the campaign matrix, a unit's progress, one submission (upload, review, download),
self-inspections and inspections, the leading group, and the office's deliverable settings per campaign.

Views parse input, call one service or selector and render. Units the user may not see are 404 (never revealed).
"""

import os

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from units.models import Campaign
from units.rules import is_unit_manager, sees_all_units
from units.selectors import unit_for

from . import progress as tallies
from . import selectors, services
from .forms import (
    CampaignCopyForm,
    DeliverableForm,
    GroupMemberForm,
    InspectionForm,
    ReviewForm,
    SelfInspectionForm,
    SubmissionForm,
)
from .models import DeliverableKind, LeadingGroupMember, SubmissionState


def _require(request, perm, obj=None):
    if not rules.has_perm(perm, request.user, obj):
        raise PermissionDenied


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --- progress --------------------------------------------------------------------------------------------------
PROGRESS_PAGE_UNITS = 25
PROGRESS_FILTERS = [
    ("", gettext_lazy("全部单位")),
    ("overdue", gettext_lazy("有逾期的单位")),
    ("returned", gettext_lazy("有退回待改的单位")),
    ("missing", gettext_lazy("有未报送的单位")),
    ("submitted", gettext_lazy("有待审核的单位")),
    ("done", gettext_lazy("全部通过的单位")),
]


def progress(request):
    """Units × deliverables of a campaign, colour-coded with a text label in each cell: the campus's totals per
    state, then a page of units (filtered and sorted by their counts), each with its cells."""
    _require(request, "reviews.view_progress_matrix")
    campaign = selectors.campaign_for(user=request.user, session=request.session, requested=request.GET.get("campaign"))
    context = {"campaign": campaign, "campaigns": Campaign.objects.all(), "filters": PROGRESS_FILTERS}
    if campaign is not None:
        today = timezone.localdate()
        phases = list(campaign.phases.order_by("start"))
        campus = tallies.progress_tallies(campaign=campaign, phases=phases, today=today)
        state = request.GET.get("state", "")
        listed = tallies.matrix_units(campus, state=state, sort=request.GET.get("sort", ""))
        page_obj = Paginator(listed, PROGRESS_PAGE_UNITS).get_page(request.GET.get("page"))
        matrix = selectors.progress_matrix(campaign=campaign, today=today, units=[t.unit for t in page_obj])
        context.update(matrix)
        context.update(
            {"totals": campus.shown, "page_obj": page_obj, "state": state, "unit_total": len(campus.tallies)}
        )
    return render(request, "reviews/schedule/progress.html", context)


def unit_progress(request, code):
    unit = unit_for(request.user, code)
    _require(request, "reviews.view_unit_progress", unit)
    campaign = selectors.campaign_for(
        user=request.user, session=request.session, unit=unit, requested=request.GET.get("campaign")
    )
    context = {"unit": unit, "campaign": campaign, "campaigns": selectors.campaigns_of_unit(unit)}
    if campaign is not None:
        context.update(selectors.unit_progress(unit=unit, campaign=campaign))
    return render(request, "reviews/schedule/unit_progress.html", context)


def _unit_and_deliverable(request, code, pk, *, perm="reviews.view_unit_progress"):
    unit = unit_for(request.user, code)
    if perm:
        _require(request, perm, unit)
    deliverable = selectors.deliverable_for(campaign_ids=selectors.campaigns_of_unit(unit), pk=pk)
    return unit, deliverable


def _detail_context(request, unit, deliverable, *, submit_form=None, review_form=None):
    status = selectors.submission_status(unit=unit, deliverable=deliverable)
    version = status.submission.version if status.submission else 0
    can_submit = (
        rules.has_perm("reviews.submit_deliverable", request.user, unit)
        and not deliverable.is_derived
        and deliverable.kind != DeliverableKind.SELF_INSPECTION
        and status.state != SubmissionState.ACCEPTED
    )
    can_review = (
        rules.has_perm("reviews.review_submission", request.user, status.submission)
        and status.submission is not None
        and status.state == SubmissionState.SUBMITTED
        and not deliverable.is_derived
    )
    return {
        "unit": unit,
        "deliverable": deliverable,
        "status": status,
        "events": selectors.submission_events(status.submission),
        "can_submit": can_submit,
        "can_review": can_review,
        "can_download": status.submission is not None
        and bool(status.submission.file)
        and rules.has_perm("reviews.download_submission", request.user, status.submission),
        "submit_form": submit_form or SubmissionForm(initial={"version": version}),
        "review_form": review_form or ReviewForm(initial={"version": version}),
    }


def submission_detail(request, code, pk):
    unit, deliverable = _unit_and_deliverable(request, code, pk)
    return render(request, "reviews/schedule/submission_detail.html", _detail_context(request, unit, deliverable))


@require_POST
def submission_submit(request, code, pk):
    unit, deliverable = _unit_and_deliverable(request, code, pk)
    form = SubmissionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submission_submit(
                actor=request.user,
                unit=unit,
                deliverable=deliverable,
                version=form.cleaned_data["version"],
                upload=form.cleaned_data.get("file"),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("已报送“%(name)s”，已通知纪委监察室审核。") % {"name": deliverable.name})
            return redirect("reviews:submission-detail", code=unit.code, pk=deliverable.pk)
    context = _detail_context(request, unit, deliverable, submit_form=form)
    return render(request, "reviews/schedule/submission_detail.html", context, status=422)


@require_POST
def submission_review(request, code, pk):
    unit, deliverable = _unit_and_deliverable(request, code, pk)
    status = selectors.submission_status(unit=unit, deliverable=deliverable)
    if status.submission is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        service = services.submission_accept if data["decision"] == "accept" else services.submission_return
        try:
            service(
                actor=request.user,
                submission=status.submission,
                version=data["version"],
                comment=data.get("comment", ""),
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            if data["decision"] == "accept":
                messages.success(request, _("已通过“%(name)s”，已通知本单位。") % {"name": deliverable.name})
            else:
                messages.success(
                    request, _("已退回“%(name)s”，已通知本单位修改后重新报送。") % {"name": deliverable.name}
                )
            return redirect("reviews:submission-detail", code=unit.code, pk=deliverable.pk)
    context = _detail_context(request, unit, deliverable, review_form=form)
    return render(request, "reviews/schedule/submission_detail.html", context, status=422)


def submission_file(request, code, pk):
    # The unit's own staff may read its files too; the permission is checked on the submission below.
    unit, deliverable = _unit_and_deliverable(request, code, pk, perm=None)
    status = selectors.submission_status(unit=unit, deliverable=deliverable)
    submission = status.submission
    if submission is None or not submission.file:
        raise Http404
    _require(request, "reviews.download_submission", submission)
    ext = os.path.splitext(submission.file.name)[1]
    filename = f"{unit.name}_{deliverable.name}{ext}"
    response = FileResponse(
        submission.file.open("rb"), as_attachment=True, filename=filename, content_type=submission.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- self-inspections and inspections --------------------------------------------------------------------------
def self_inspections(request):
    _require(request, "reviews.view_self_inspections", request.user.unit)
    campaign = selectors.campaign_for(
        user=request.user,
        session=request.session,
        unit=None if sees_all_units(request.user) else request.user.unit,
        requested=request.GET.get("campaign"),
    )
    context = {
        "campaign": campaign,
        "can_inspect": rules.has_perm("reviews.record_inspection", request.user),
        "writable_unit_id": request.user.unit_id if is_unit_manager(request.user) else None,
    }
    if campaign is not None:
        context.update(selectors.self_inspection_overview(user=request.user, campaign=campaign))
    return render(request, "reviews/schedule/self_inspections.html", context)


def _unit_and_phase(request, code, phase_pk):
    unit = unit_for(request.user, code)
    _require(request, "reviews.view_self_inspections", unit)
    phase = selectors.phase_for(campaign_ids=selectors.campaigns_of_unit(unit), pk=phase_pk)
    return unit, phase


def self_inspection_edit(request, code, phase_pk):
    unit, phase = _unit_and_phase(request, code, phase_pk)
    _require(request, "reviews.submit_self_inspection", unit)
    existing = unit.self_inspections.filter(phase=phase).first()
    initial = {"version": existing.version if existing else 0}
    if existing:
        initial.update(findings=existing.findings, rectification=existing.rectification)
    form = SelfInspectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_inspection_save(
                actor=request.user,
                unit=unit,
                phase=phase,
                findings=form.cleaned_data["findings"],
                rectification=form.cleaned_data["rectification"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, _("已报送%(phase)s阶段自查，已通知纪委监察室。") % {"phase": phase.get_kind_display()}
            )
            return redirect("reviews:self-inspections")
    return render(
        request,
        "reviews/schedule/record_form.html",
        {"form": form, "unit": unit, "phase": phase, "title": _("阶段自查"), "existing": existing},
    )


def inspection_edit(request, code, phase_pk):
    unit, phase = _unit_and_phase(request, code, phase_pk)
    _require(request, "reviews.record_inspection", unit)
    existing = unit.inspections.filter(phase=phase).first()
    initial = {"version": existing.version if existing else 0}
    if existing:
        initial.update(findings=existing.findings, score=existing.score)
    form = InspectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_save(
                actor=request.user,
                unit=unit,
                phase=phase,
                findings=form.cleaned_data["findings"],
                score=form.cleaned_data["score"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("已记录%(unit)s的检查结果，已通知该单位。") % {"unit": unit.name})
            return redirect("reviews:self-inspections")
    return render(
        request,
        "reviews/schedule/record_form.html",
        {"form": form, "unit": unit, "phase": phase, "title": _("检查记录"), "existing": existing},
    )


# --- leading group -----------------------------------------------------------------------------------------------
def leading_group(request, code):
    unit = unit_for(request.user, code)
    _require(request, "reviews.view_unit_progress", unit)
    campaign = selectors.campaign_for(
        user=request.user, session=request.session, unit=unit, requested=request.GET.get("campaign")
    )
    if campaign is None:
        raise Http404
    can_edit = rules.has_perm("reviews.manage_leading_group", request.user, unit)
    form = GroupMemberForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.group_member_add(actor=request.user, unit=unit, campaign=campaign, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("已登记 %(name)s。") % {"name": form.cleaned_data["name"]})
                return redirect(f"{request.path}?campaign={campaign.pk}")
    members = selectors.leading_group(unit=unit, campaign=campaign)
    return render(
        request,
        "reviews/schedule/leading_group.html",
        {"unit": unit, "campaign": campaign, "members": members, "form": form, "can_edit": can_edit},
    )


@require_POST
def group_member_remove(request, code, member_pk):
    unit = unit_for(request.user, code)
    member = get_object_or_404(LeadingGroupMember, pk=member_pk, unit=unit)
    services.group_member_remove(actor=request.user, member=member)
    messages.success(request, _("已移除 %(name)s。") % {"name": member.name})
    return redirect(reverse("reviews:leading-group", args=[unit.code]) + f"?campaign={member.campaign_id}")


# --- campaign schedule (office) ------------------------------------------------------------------------------------
def campaign_schedule(request, pk):
    _require(request, "reviews.manage_deliverables")
    campaign = get_object_or_404(Campaign, pk=pk)
    phases = list(campaign.phases.order_by("start").prefetch_related("deliverables"))
    return render(request, "reviews/schedule/campaign_schedule.html", {"campaign": campaign, "phases": phases})


@require_POST
def campaign_defaults(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    created = services.deliverables_create_defaults(actor=request.user, campaign=campaign)
    messages.success(request, _("已按模板生成 %(n)s 项报送材料。") % {"n": len(created)})
    return redirect("reviews:campaign-schedule", pk=campaign.pk)


def deliverable_edit(request, pk, deliverable_pk=None):
    _require(request, "reviews.manage_deliverables")
    campaign = get_object_or_404(Campaign, pk=pk)
    deliverable = get_object_or_404(campaign_deliverables_qs(campaign), pk=deliverable_pk) if deliverable_pk else None
    form = DeliverableForm(request.POST or None, instance=deliverable, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deliverable_save(
                actor=request.user,
                deliverable=deliverable,
                phase=data["phase"],
                kind=data["kind"],
                name=data["name"],
                due_date=data["due_date"],
                required=data["required"],
                order=data["order"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("已保存报送材料“%(name)s”。") % {"name": data["name"]})
            return redirect("reviews:campaign-schedule", pk=campaign.pk)
    return render(
        request,
        "reviews/schedule/deliverable_form.html",
        {"form": form, "campaign": campaign, "deliverable": deliverable},
    )


def campaign_deliverables_qs(campaign):
    return selectors.campaign_deliverables(campaign)


@require_POST
def deliverable_delete(request, pk, deliverable_pk):
    _require(request, "reviews.manage_deliverables")
    campaign = get_object_or_404(Campaign, pk=pk)
    deliverable = get_object_or_404(campaign_deliverables_qs(campaign), pk=deliverable_pk)
    try:
        services.deliverable_delete(actor=request.user, deliverable=deliverable)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已删除报送材料“%(name)s”。") % {"name": deliverable.name})
    return redirect("reviews:campaign-schedule", pk=campaign.pk)


def campaign_copy(request, pk):
    _require(request, "reviews.manage_deliverables")
    source = get_object_or_404(Campaign, pk=pk)
    form = CampaignCopyForm(request.POST or None, initial={"year": source.year + 1, "shift_days": 365})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_copy(
                actor=request.user,
                source=source,
                name=data["name"],
                year=data["year"],
                shift_days=data["shift_days"],
                units=data["units"] or None,
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("已复制为新批次“%(name)s”，请核对日期。") % {"name": campaign})
            return redirect("reviews:campaign-schedule", pk=campaign.pk)
    return render(request, "reviews/schedule/campaign_copy.html", {"form": form, "source": source})
