"""Complaint pages: the public intake and status query (no login), and the office's list, registration, handling,
attachments and ledger export. The reporter's identity is shown to reviewers alone, on the complaint's own page."""

import csv

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lianzheng import ratelimit
from lianzheng.spreadsheet import csv_cell
from units.models import Post, Unit

from .. import selectors, services
from ..forms import (
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintRegisterForm,
    ComplaintTransitionForm,
    QueryCodeForm,
)
from ..models import ComplaintState, YellowCardState
from .view_helpers import (
    error_text,
    page_of,
    require_perm,
)


# --- public: intake and status ------------------------------------------------------------------------------------
def _limited(request, *, scope: str, limit_key: str, window_key: str) -> bool:
    """Count this request against the client's budget; True when the budget is already spent."""
    config = services.complaint_config()
    key = f"complaint-{scope}:ip:{ratelimit.client_ip(request)}"
    if ratelimit.is_limited(key, limit=config[limit_key], window_seconds=config[window_key]):
        return True
    ratelimit.hit(key)
    return False


def _too_many(request, template, context, *, window_seconds: int):
    context = {
        **context,
        "throttled": _("操作过于频繁，请 %(minutes)s 分钟后再试。如情况紧急，请直接拨打纪委监察室举报电话或来访。")
        % {"minutes": max(1, window_seconds // 60)},
    }
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(window_seconds)
    return response


@login_not_required
@never_cache
def complaint_new(request):
    """网上举报: anyone, without logging in. The query code is shown on the response page once and never again."""
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES)
        config = services.complaint_config()
        if _limited(request, scope="intake", limit_key="INTAKE_LIMIT", window_key="INTAKE_WINDOW_SECONDS"):
            return _too_many(
                request, "reviews/complaint_new.html", {"form": form}, window_seconds=config["INTAKE_WINDOW_SECONDS"]
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint, code = services.complaint_submit(
                    unit=data["unit"],
                    post=data["post"],
                    person_name=data["person_name"],
                    content=data["content"],
                    anonymous=data["anonymous"],
                    reporter_name=data["reporter_name"],
                    reporter_contact=data["reporter_contact"],
                    files=data["attachments"],
                    submission_key=data["submission_key"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # Rendered, not redirected: the code must not travel in a URL or sit in a session.
                return render(
                    request,
                    "reviews/complaint_done.html",
                    {"code": services.format_query_code(code), "received_on": complaint.received_on},
                )
    else:
        form = ComplaintForm()
    return render(request, "reviews/complaint_new.html", {"form": form})


@login_not_required
@never_cache
def complaint_status(request):
    """Query by code (POST only). Shows the stage and the public reply — nothing else, and the same message for
    every code that matches nothing."""
    form = QueryCodeForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        config = services.complaint_config()
        if _limited(request, scope="status", limit_key="STATUS_LIMIT", window_key="STATUS_WINDOW_SECONDS"):
            return _too_many(
                request, "reviews/complaint_status.html", context, window_seconds=config["STATUS_WINDOW_SECONDS"]
            )
        complaint = selectors.complaint_by_code(form.data.get("code", "")) if form.is_valid() else None
        if complaint is None:
            context["not_found"] = True
        else:
            context["result"] = {
                "stage": complaint.get_state_display(),
                "state": complaint.state,
                "public_reply": complaint.public_reply,
                "steps": _public_steps(complaint.state),
            }
        context["form"] = QueryCodeForm()  # never echo the code back into the page
    return render(request, "reviews/complaint_status.html", context)


def _public_steps(state: str) -> list[dict]:
    order = [ComplaintState.RECEIVED, ComplaintState.CHECKING, "concluded", ComplaintState.CLOSED]
    reached = {
        ComplaintState.RECEIVED: 0,
        ComplaintState.CHECKING: 1,
        ComplaintState.VERIFIED: 2,
        ComplaintState.UNFOUNDED: 2,
        ComplaintState.CLOSED: 3,
    }[state]
    labels = [_("受理"), _("初核"), _("核查结论"), _("办结")]
    return [{"label": labels[i], "done": i <= reached, "current": i == reached} for i in range(len(order))]


# --- complaints: the office -----------------------------------------------------------------------------------------
def complaint_list(request):
    require_perm(request, "reviews.view_complaint")
    filters = ComplaintFilterForm(request.GET or None, years=selectors.complaint_years())
    data = filters.cleaned_data if filters.is_valid() else {}
    sort = request.GET.get("sort", "")
    qs = selectors.complaint_list(request.user, filters=data, sort=sort)
    template = "reviews/complaint_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"filters": filters, "page_obj": page_of(request, qs), "sort": sort})


def complaint_export(request):
    """CSV of the filtered list for the office's ledger. The reporter's identity is deliberately not in it."""
    require_perm(request, "reviews.view_complaint")
    filters = ComplaintFilterForm(request.GET or None, years=selectors.complaint_years())
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.complaint_list(request.user, filters=data, sort=request.GET.get("sort", ""))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''complaints.csv"
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            _("编号"),
            _("受理日期"),
            _("来源渠道"),
            _("被举报单位"),
            _("被举报岗位"),
            _("办理阶段"),
            _("核查结论"),
            _("处理意见"),
        ]
    )
    for c in qs.iterator(chunk_size=500):
        writer.writerow(
            csv_cell(value)  # a text beginning with = + - @ stays text in a spreadsheet
            for value in [
                c.number,
                c.received_on.isoformat(),
                c.get_channel_display(),
                c.unit.name,
                c.post.name if c.post else "",
                c.get_state_display(),
                c.get_conclusion_display() if c.conclusion else "",
                c.disposition,
            ]
        )
    services.record_export(actor=request.user, count=qs.count())
    return response


def complaint_register(request):
    require_perm(request, "reviews.handle_complaint")
    form = ComplaintRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint, code = services.complaint_submit(
                actor=request.user,
                channel=data["channel"],
                received_on=data["received_on"],
                unit=data["unit"],
                post=data["post"],
                person=data["person"],
                person_name=data["person_name"],
                content=data["content"],
                anonymous=data["anonymous"],
                reporter_name=data["reporter_name"],
                reporter_contact=data["reporter_contact"],
                files=data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            response = render(
                request,
                "reviews/complaint_registered.html",
                {"complaint": complaint, "code": services.format_query_code(code)},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "reviews/complaint_register.html", {"form": form})


TRANSITION_BUTTONS = {
    ComplaintState.RECEIVED: [("check", _("开始初核"), "btn-primary")],
    ComplaintState.CHECKING: [("verify", _("查实"), "btn-danger"), ("unfound", _("查无实据"), "btn-secondary")],
    ComplaintState.VERIFIED: [("close", _("办结"), "btn-success")],
    ComplaintState.UNFOUNDED: [("close", _("办结"), "btn-success")],
    ComplaintState.CLOSED: [],
}


def complaint_detail(request, pk):
    complaint = selectors.complaint_for(request.user, pk)
    form = ComplaintTransitionForm(
        initial={
            "version": complaint.version,
            "findings": complaint.findings,
            "disposition": complaint.disposition,
            "public_reply": complaint.public_reply,
        }
    )
    return render(
        request,
        "reviews/complaint_detail.html",
        {
            "complaint": complaint,
            # The rule itself, not user.has_perm: a superuser passes every has_perm, and still may not see this.
            "can_see_reporter": rules.has_perm("reviews.view_reporter", request.user, complaint),
            "form": form,
            "buttons": TRANSITION_BUTTONS[complaint.state],
            "history": selectors.history_of(complaint),
            "cards": list(complaint.yellow_cards.select_related("post")),
            "warnings": list(complaint.warnings.all()),
        },
    )


@require_POST
def complaint_transition(request, pk):
    complaint = selectors.complaint_for(request.user, pk)
    form = ComplaintTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整，请重试。"))
        return redirect("reviews:complaint-detail", pk=pk)
    data = form.cleaned_data
    try:
        complaint = services.complaint_transition(
            complaint=complaint,
            actor=request.user,
            action=data["action"],
            version=data["version"],
            findings=data["findings"],
            disposition=data["disposition"],
            public_reply=data["public_reply"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        message = _("举报已更新为“%(state)s”。") % {"state": complaint.get_state_display()}
        card = complaint.yellow_cards.filter(state=YellowCardState.PROPOSED).first()
        if card is not None:
            message += " " + _("该重点岗位本年度已有两件以上举报查实，系统已提出黄牌警告建议，并通知了纪委监察室。")
        messages.success(request, message)
    return redirect("reviews:complaint-detail", pk=pk)


def complaint_attachment(request, pk, attachment_pk):
    """Stream an attachment to a reviewer; files have no URL of their own."""
    require_perm(request, "reviews.download_complaint_attachment")
    complaint = selectors.complaint_for(request.user, pk)
    attachment = get_object_or_404(complaint.attachments, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def complaint_post_options(request):
    """htmx: the posts of the chosen unit, for the complaint forms' post drop-down."""
    chosen = request.GET.get("unit", "")
    unit = Unit.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    posts = Post.objects.filter(unit=unit).select_related("unit") if unit else Post.objects.none()
    return render(request, "reviews/_post_options.html", {"posts": posts})


complaint_post_options_public = login_not_required(complaint_post_options)
