"""Thin views: fetch through a scoped accessor (404 for what the user may not see), parse, call one service.

In-place editing uses htmx: a request from htmx gets back the point's fragment (``_point_measures.html``);
the same URLs answer plain form posts with a redirect, so every page works with JavaScript off.
"""

import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lianzheng import ratelimit
from lianzheng.redirects import safe_next
from units.rules import manages_unit
from units.selectors import current_campaign, unit_for

from . import selectors, services
from .forms import (
    AdvanceForm,
    AnswerForm,
    MeasureForm,
    PledgeTextForm,
    PublicCommentForm,
    PublicityForm,
    ReviewForm,
    RulesEditForm,
    VersionForm,
)
from .models import ImplementationRules, PledgeText, RulesComment, RulesState
from .rendering import render_markdown
from .rules import can_edit_pledge_text, can_review_rules, can_write_rules

#: Public comments: at most this many attempts per client address within the window (R8 page).
COMMENT_RATE_LIMIT = 5
COMMENT_RATE_WINDOW_SECONDS = 600


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _fallback_url(point, personal_form=None) -> str:
    if personal_form is not None:
        return reverse("measures:form-point-measures", args=[personal_form.pk, point.pk])
    return reverse("measures:unit-measures", args=[point.unit.code])


# --- measures -----------------------------------------------------------------------------------------
def unit_measures(request, code):
    """The unit's points of the current campaign with their three stage lists (R7), gaps and overdue measures."""
    unit = unit_for(request.user, code)
    campaign = current_campaign(session=request.session)
    context = {
        "unit": unit,
        "campaign": campaign,
        **selectors.unit_measures_page(user=request.user, unit=unit, campaign=campaign),
    }
    # Frozen is frozen: points on a submitted or approved 附表 show no edit buttons (the services refuse anyway).
    frozen = services.frozen_forms_by_point(row["point"] for row in context["rows"])
    for row in context["rows"]:
        row["point"].frozen_form = frozen.get(row["point"].pk)
    return render(request, "measures/unit_measures.html", context)


def _render_fragment(request, point, personal_form=None, *, status=200, **extra):
    context = selectors.point_fragment(user=request.user, point=point, personal_form=personal_form)
    frozen_form = services.frozen_form_for_point(point, personal_form)
    context.update(frozen_form=frozen_form, frozen_notice=services.frozen_notice(frozen_form) if frozen_form else "")
    context.update(extra)
    context.setdefault("next_url", safe_next(request, _fallback_url(point, personal_form)))
    if request.htmx:
        return render(request, "measures/_point_measures.html", context, status=status)
    return render(request, "measures/point_measures.html", context, status=status)


def _point_and_form(request, pk, form_pk=None):
    if form_pk is None:
        return selectors.point_for(request.user, pk), None
    personal_form = selectors.personal_form_for(request.user, form_pk)
    return selectors.point_of_form(personal_form, pk), personal_form


@require_http_methods(["GET", "POST"])
def point_measures(request, pk, form_pk=None):
    """GET: the point's measures (fragment for htmx, a page otherwise). POST: add a measure to one stage."""
    point, personal_form = _point_and_form(request, pk, form_pk)
    if request.method == "GET":
        return _render_fragment(request, point, personal_form)
    form = MeasureForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_fragment(
            request, point, personal_form, status=422, add_form=form, add_stage=request.POST.get("stage")
        )
    data = form.cleaned_data
    try:
        services.measure_create(
            point=point,
            actor=request.user,
            stage=data["stage"],
            content=data["content"],
            responsible=data["responsible"],
            due_date=data["due_date"],
            evidence_note=data["evidence_note"],
            evidence_file=data["evidence_file"],
            personal_form=personal_form,
        )
    except ValidationError as exc:
        stage = data["stage"]  # read first: add_error drops the fields it names from cleaned_data
        form.add_error(None, exc)
        # Without a stage the refusal has no stage box to show in: it goes to the top of the point's card.
        shown = {} if stage else {"error": _errors(exc)}
        return _render_fragment(request, point, personal_form, status=422, add_form=form, add_stage=stage, **shown)
    if request.htmx:
        return _render_fragment(request, point, personal_form, flash=_("已新增措施。"))
    messages.success(request, _("已新增措施。"))
    return redirect(safe_next(request, _fallback_url(point, personal_form)))


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk):
    measure = selectors.measure_for(request.user, pk)
    point, personal_form = measure.risk_point, measure.personal_form
    if request.method == "GET":
        return _render_fragment(request, point, personal_form, editing=measure.pk)
    form = MeasureForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_fragment(request, point, personal_form, status=422, editing=measure.pk, edit_form=form)
    data = form.cleaned_data
    try:
        services.measure_update(
            measure=measure,
            actor=request.user,
            version=data["version"],
            content=data["content"],
            responsible=data["responsible"],
            due_date=data["due_date"],
            evidence_note=data["evidence_note"],
            evidence_file=data["evidence_file"],
            clear_evidence=data["clear_evidence"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_fragment(request, point, personal_form, status=422, editing=measure.pk, edit_form=form)
    if request.htmx:
        return _render_fragment(request, point, personal_form, flash=_("已保存。"))
    messages.success(request, _("已保存措施。"))
    return redirect(safe_next(request, _fallback_url(point, personal_form)))


def _measure_action(request, measure, action, success):
    point, personal_form = measure.risk_point, measure.personal_form
    try:
        action()
    except ValidationError as exc:
        if request.htmx:
            return _render_fragment(request, point, personal_form, status=409, error=_errors(exc))
        messages.error(request, _errors(exc))
        return redirect(safe_next(request, _fallback_url(point, personal_form)))
    if request.htmx:
        return _render_fragment(request, point, personal_form, flash=success)
    messages.success(request, success)
    return redirect(safe_next(request, _fallback_url(point, personal_form)))


@require_POST
def measure_delete(request, pk):
    measure = selectors.measure_for(request.user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    return _measure_action(
        request,
        measure,
        lambda: services.measure_delete(measure=measure, actor=request.user, version=version),
        _("已删除措施。"),
    )


@require_POST
def measure_advance(request, pk):
    measure = selectors.measure_for(request.user, pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    return _measure_action(
        request,
        measure,
        lambda: services.measure_advance(
            measure=measure, actor=request.user, version=data["version"], to_state=data["to_state"]
        ),
        _("已更新措施状态。"),
    )


def measure_evidence(request, pk):
    """Serve an evidence file to those who may see the measure; the storage has no public URL."""
    measure = selectors.measure_for(request.user, pk)
    if not measure.evidence_file:
        raise Http404
    name = measure.evidence_name or os.path.basename(measure.evidence_file.name)
    content_type = mimetypes.guess_type(measure.evidence_file.name)[0] or "application/octet-stream"
    response = FileResponse(
        measure.evidence_file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def overdue(request):
    """Overdue measures: the office across every unit, a unit's people their own unit."""
    qs = selectors.overdue_measures(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "measures/overdue.html", {"page_obj": page})


# --- the pledge ---------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def pledge(request, form_pk):
    form = selectors.personal_form_for(request.user, form_pk)
    if request.method == "POST":
        try:
            form = services.pledge_accept(form=form, actor=request.user)
            flash = _("您已作出个人廉政承诺。")
            if not request.htmx:
                messages.success(request, flash)
        except ValidationError as exc:
            flash = _errors(exc)
            if not request.htmx:
                messages.error(request, flash)
        if not request.htmx:
            return redirect(safe_next(request, reverse("measures:pledge", args=[form.pk])))
        return render(
            request, "measures/_pledge.html", {**selectors.pledge_context(user=request.user, form=form), "flash": flash}
        )
    template = "measures/_pledge.html" if request.htmx else "measures/pledge_page.html"
    return render(request, template, selectors.pledge_context(user=request.user, form=form))


@require_http_methods(["GET", "POST"])
def pledge_text_edit(request):
    if not can_edit_pledge_text(request.user):
        raise Http404
    pledge_obj = PledgeText.current()
    form = PledgeTextForm(request.POST or None, initial={"text": pledge_obj.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_text_update(actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已更新个人廉政承诺文本，新打开的附表2将使用新文本。"))
            return redirect("measures:pledge-text")
    return render(request, "measures/pledge_text.html", {"form": form, "pledge": pledge_obj})


# --- 实施细则 ---------------------------------------------------------------------------------------------
def rules_list(request):
    campaign = current_campaign(session=request.session)
    rules_qs = selectors.rules_list(user=request.user, campaign=campaign)
    user = request.user
    can_create = bool(
        campaign
        and user.unit_id
        and manages_unit(user, user.unit)
        and not ImplementationRules.objects.filter(unit_id=user.unit_id, campaign=campaign).exists()
    )
    return render(
        request, "measures/rules_list.html", {"rules_list": rules_qs, "campaign": campaign, "can_create": can_create}
    )


@require_POST
def rules_create(request):
    user = request.user
    if not user.unit_id or not manages_unit(user, user.unit):
        raise Http404
    try:
        rules_doc = services.rules_create(
            unit=user.unit, campaign=current_campaign(session=request.session), actor=user
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("measures:rules-list")
    messages.success(request, _("已根据本单位风险点和防控措施生成实施细则初稿，请修改完善后公示。"))
    return redirect("measures:rules-edit", pk=rules_doc.pk)


def rules_detail(request, pk):
    rules_doc = selectors.rules_for(request.user, pk)
    return render(request, "measures/rules_detail.html", _detail_context(request, rules_doc))


def _detail_context(request, rules_doc, **extra):
    user = request.user
    can_write = can_write_rules(user, rules_doc)
    context = {
        "rules_doc": rules_doc,
        "body_html": render_markdown(rules_doc.body),
        "can_write": can_write,
        "can_review": can_review_rules(user) and rules_doc.state == RulesState.SUBMITTED,
        "editable": can_write and rules_doc.state in services.EDITABLE_RULES_STATES,
        "window_open": selectors.window_open(rules_doc),
        "window_ended": selectors.window_ended(rules_doc),
        "answer_form": AnswerForm(),
        "review_form": ReviewForm(initial={"version": rules_doc.version}),
        **selectors.rules_detail(rules_doc=rules_doc),
    }
    if can_write and rules_doc.state in services.RULES_TRANSITIONS["publicise"]:
        context["publicity_form"] = PublicityForm(initial=PublicityForm.initial_for(rules_doc))
    if can_write and rules_doc.state == RulesState.PUBLICISING:
        context["submit_problems"] = services.submission_problems(rules_doc)
    context.update(extra)
    return context


@require_http_methods(["GET", "POST"])
def rules_edit(request, pk):
    rules_doc = selectors.rules_for(request.user, pk)
    if not can_write_rules(request.user, rules_doc) or rules_doc.state not in services.EDITABLE_RULES_STATES:
        messages.error(request, _("实施细则只能由本单位联络员或负责人在草稿或退回状态下修改。"))
        return redirect("measures:rules-detail", pk=rules_doc.pk)
    initial = {"title": rules_doc.title, "body": rules_doc.body, "version": rules_doc.version}
    form = RulesEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_update(rules_doc=rules_doc, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存实施细则。"))
            return redirect("measures:rules-detail", pk=rules_doc.pk)
    return render(
        request,
        "measures/rules_edit.html",
        {"rules_doc": rules_doc, "form": form, "preview": render_markdown(form["body"].value() or "")},
    )


def _transition(request, pk, call, success, form_class=VersionForm):
    rules_doc = selectors.rules_for(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整，请刷新页面后重试。"))
        return redirect("measures:rules-detail", pk=rules_doc.pk)
    try:
        call(rules_doc, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("measures:rules-detail", pk=rules_doc.pk)
    except PermissionDenied:
        raise
    messages.success(request, success)
    return redirect("measures:rules-detail", pk=rules_doc.pk)


@require_POST
def rules_regenerate(request, pk):
    return _transition(
        request,
        pk,
        lambda r, d: services.rules_regenerate(rules_doc=r, actor=request.user, version=d["version"]),
        _("已按当前风险点和防控措施重新生成正文。"),
    )


@require_http_methods(["GET", "POST"])
def rules_publicise(request, pk):
    rules_doc = selectors.rules_for(request.user, pk)
    if not can_write_rules(request.user, rules_doc):
        raise PermissionDenied
    form = PublicityForm(request.POST or None, initial=PublicityForm.initial_for(rules_doc))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rules_publicise(
                rules_doc=rules_doc,
                actor=request.user,
                version=data["version"],
                start=data["publicity_start"],
                end=data["publicity_end"],
                scope=data["publicity_scope"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已开始公示。公示期间公众可在公示页面阅读并提出意见。"))
            return redirect("measures:rules-detail", pk=rules_doc.pk)
    return render(
        request,
        "measures/rules_publicise.html",
        {"rules_doc": rules_doc, "form": form},
        status=422 if form.errors else 200,
    )


@require_POST
def rules_withdraw(request, pk):
    return _transition(
        request,
        pk,
        lambda r, d: services.rules_withdraw(rules_doc=r, actor=request.user, version=d["version"]),
        _("已撤回公示，实施细则回到草稿状态；修改后须重新公示。"),
    )


@require_POST
def rules_submit(request, pk):
    return _transition(
        request,
        pk,
        lambda r, d: services.rules_submit(rules_doc=r, actor=request.user, version=d["version"]),
        _("已提交实施细则，已通知纪委监察室审核。"),
    )


@require_POST
def rules_approve(request, pk):
    return _transition(
        request,
        pk,
        lambda r, d: services.rules_approve(
            rules_doc=r, actor=request.user, version=d["version"], comment=d["comment"]
        ),
        _("已审核通过，已通知该单位联络员和负责人。"),
        form_class=ReviewForm,
    )


@require_POST
def rules_return(request, pk):
    return _transition(
        request,
        pk,
        lambda r, d: services.rules_return(rules_doc=r, actor=request.user, version=d["version"], comment=d["comment"]),
        _("已退回，已通知该单位联络员和负责人。"),
        form_class=ReviewForm,
    )


@require_POST
def comment_answer(request, pk):
    comment = get_object_or_404(RulesComment.objects.select_related("rules"), pk=pk)
    rules_doc = selectors.rules_for(request.user, comment.rules_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写答复内容。"))
        return redirect("measures:rules-detail", pk=rules_doc.pk)
    try:
        services.rules_comment_answer(comment=comment, actor=request.user, answer=form.cleaned_data["answer"])
    except ValidationError as exc:
        if request.htmx:
            return render(
                request, "measures/rules_detail.html#comments", _detail_context(request, rules_doc), status=409
            )
        messages.error(request, _errors(exc))
    else:
        if request.htmx:
            return render(request, "measures/rules_detail.html#comments", _detail_context(request, rules_doc))
        messages.success(request, _("已答复该条意见。"))
    return redirect("measures:rules-detail", pk=rules_doc.pk)


@login_not_required
@require_http_methods(["GET", "POST"])
def rules_public(request, pk):
    """The public page (公示, R8): readable only while the window is open; 404 before, after and in any other state."""
    rules_doc = selectors.public_rules(pk)
    form = PublicCommentForm(request.POST or None)
    status = 200
    limit_error = ""
    if request.method == "POST":
        key = f"rules-comment:ip:{ratelimit.client_ip(request)}"
        if ratelimit.is_limited(key, limit=COMMENT_RATE_LIMIT, window_seconds=COMMENT_RATE_WINDOW_SECONDS):
            limit_error = _("提交过于频繁，请 10 分钟后再试。(Too many comments; try again in 10 minutes.)")
            status = 429
        else:
            ratelimit.hit(key)
            if form.is_valid():
                try:
                    services.rules_comment_add(rules_doc=rules_doc, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_error(None, _errors(exc))
                else:
                    messages.success(request, _("您的意见已提交，谢谢！单位将在公示期结束后逐条答复。"))
                    return redirect("measures:rules-public", pk=rules_doc.pk)
            status = 422
    context = {
        "rules_doc": rules_doc,
        "body_html": render_markdown(rules_doc.body),
        "form": form,
        "limit_error": limit_error,
    }
    return render(request, "measures/rules_public.html", context, status=status)
