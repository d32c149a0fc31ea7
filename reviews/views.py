"""Supervision pages: public complaint intake and status, the office's complaint handling, warnings, yellow cards,
key supervision, violation cases and assessments. Views parse input, call one service or selector, and render.
"""

import csv

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lianzheng import ratelimit
from lianzheng.spreadsheet import csv_cell
from units.models import Post, Unit

from . import selectors, services
from .forms import (
    AssessmentForm,
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintRegisterForm,
    ComplaintTransitionForm,
    QueryCodeForm,
    SupervisionEndForm,
    SupervisionReportForm,
    ViolationCaseForm,
    WarningAdoptForm,
    WarningAnswerForm,
    WarningDismissForm,
    WarningEscalateForm,
    WarningFilterForm,
    WarningForm,
    YellowCardIssueForm,
    YellowCardLiftForm,
)
from .models import Assessment, ComplaintState, Grade, WarningKind, WarningTarget, YellowCardState


def _require_perm(request, perm, obj=None):
    if not rules.has_perm(perm, request.user, obj):
        raise PermissionDenied


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _post_action(request, *, form, call, success, invalid, back: str, pk, next_pk=None):
    """Bind a POSTed form, call one service, say what happened, and go back to the object's page.

    ``success`` may be a function of the service's result; ``next_pk`` picks the page to return to from the
    result (an escalated warning is a new row), else ``pk``.
    """
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect(back, pk=pk)
    try:
        result = call(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(back, pk=pk)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(back, pk=next_pk(result) if next_pk else pk)


def _page(request, qs):
    return Paginator(qs, 50).get_page(request.GET.get("page"))


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
    _require_perm(request, "reviews.view_complaint")
    filters = ComplaintFilterForm(request.GET or None, years=selectors.complaint_years())
    data = filters.cleaned_data if filters.is_valid() else {}
    sort = request.GET.get("sort", "")
    qs = selectors.complaint_list(request.user, filters=data, sort=sort)
    template = "reviews/complaint_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"filters": filters, "page_obj": _page(request, qs), "sort": sort})


def complaint_export(request):
    """CSV of the filtered list for the office's ledger. The reporter's identity is deliberately not in it."""
    _require_perm(request, "reviews.view_complaint")
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
    _require_perm(request, "reviews.handle_complaint")
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
        messages.error(request, _errors(exc))
    else:
        message = _("举报已更新为“%(state)s”。") % {"state": complaint.get_state_display()}
        card = complaint.yellow_cards.filter(state=YellowCardState.PROPOSED).first()
        if card is not None:
            message += " " + _("该重点岗位本年度已有两件以上举报查实，系统已提出黄牌警告建议，并通知了纪委监察室。")
        messages.success(request, message)
    return redirect("reviews:complaint-detail", pk=pk)


def complaint_attachment(request, pk, attachment_pk):
    """Stream an attachment to a reviewer; files have no URL of their own."""
    _require_perm(request, "reviews.download_complaint_attachment")
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


# --- yellow cards and key supervision ---------------------------------------------------------------------------------
def yellowcard_list(request):
    _require_perm(request, "reviews.list_yellow_cards")
    qs = selectors.yellow_cards_for(request.user)
    state = request.GET.get("state", "")
    if state in YellowCardState.values:
        qs = qs.filter(state=state)
    supervisions = selectors.supervisions_for(request.user).filter(state="active")
    return render(
        request,
        "reviews/yellowcard_list.html",
        {
            "page_obj": _page(request, qs),
            "state": state,
            "states": YellowCardState.choices,
            "supervisions": supervisions,
        },
    )


def yellowcard_detail(request, pk):
    card = selectors.yellow_card_for(request.user, pk)
    supervision = getattr(card, "supervision", None) if card.state != YellowCardState.PROPOSED else None
    head_post, head = services.head_of(card.post)
    return render(
        request,
        "reviews/yellowcard_detail.html",
        {
            "card": card,
            "supervision": supervision,
            "head_post": head_post,
            "head": head,
            "complaints": selectors.card_complaints(card),
            "issue_form": YellowCardIssueForm(initial={"version": card.version}),
            "lift_form": YellowCardLiftForm(initial={"version": card.version}),
            "history": selectors.history_of(card),
        },
    )


@require_POST
def yellowcard_issue(request, pk):
    card = selectors.yellow_card_for(request.user, pk)
    return _post_action(
        request,
        form=YellowCardIssueForm(request.POST),
        call=lambda d: services.yellow_card_issue(card=card, actor=request.user, **d),
        success=_("黄牌警告已下达，岗位负责人已列入重点监管，并已通知单位负责人。"),
        invalid=_("请填写文号和警告日期。"),
        back="reviews:yellowcard-detail",
        pk=pk,
    )


@require_POST
def yellowcard_lift(request, pk):
    card = selectors.yellow_card_for(request.user, pk)
    return _post_action(
        request,
        form=YellowCardLiftForm(request.POST),
        call=lambda d: services.yellow_card_lift(
            card=card, actor=request.user, reason=d["reason"], version=d["version"]
        ),
        success=_("黄牌警告已撤销。"),
        invalid=_("请说明撤销黄牌的理由(整改情况)。"),
        back="reviews:yellowcard-detail",
        pk=pk,
    )


def supervision_detail(request, pk):
    supervision = selectors.supervision_for(request.user, pk)
    return render(
        request,
        "reviews/supervision_detail.html",
        {
            "supervision": supervision,
            "report_form": SupervisionReportForm(),
            "end_form": SupervisionEndForm(initial={"version": supervision.version}),
            "history": selectors.history_of(supervision),
        },
    )


@require_POST
def supervision_report(request, pk):
    supervision = selectors.supervision_for(request.user, pk)
    return _post_action(
        request,
        form=SupervisionReportForm(request.POST),
        call=lambda d: services.supervision_add_report(supervision=supervision, actor=request.user, **d),
        success=_("监管报告已提交，纪委监察室会收到通知。"),
        invalid=_("请填写报告期和报告内容。"),
        back="reviews:supervision-detail",
        pk=pk,
    )


@require_POST
def supervision_end(request, pk):
    supervision = selectors.supervision_for(request.user, pk)
    return _post_action(
        request,
        form=SupervisionEndForm(request.POST),
        call=lambda d: services.supervision_end(supervision=supervision, actor=request.user, **d),
        success=_("重点监管已结束。"),
        invalid=_("请填写结束日期和说明。"),
        back="reviews:supervision-detail",
        pk=pk,
    )


# --- warnings ------------------------------------------------------------------------------------------------------------
def warning_list(request):
    filters = WarningFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.warning_list(request.user, filters=data)
    return render(request, "reviews/warning_list.html", {"filters": filters, "page_obj": _page(request, qs)})


def warning_new(request):
    _require_perm(request, "reviews.add_warning")
    initial = {"issued_on": timezone.localdate(), "target": WarningTarget.PERSON, "kind": WarningKind.TALK}
    linked = []
    complaint_id = request.GET.get("complaint") or request.POST.get("complaint_ids")
    if complaint_id:
        linked = list(selectors.complaints_for(request.user).filter(pk__in=str(complaint_id).split(",")[:20]))
        if linked:
            c = linked[0]
            initial.update(
                {
                    "unit": c.unit_id,
                    "post": c.post_id,
                    "person": c.person_id,
                    "target": WarningTarget.PERSON
                    if c.person_id
                    else (WarningTarget.POST if c.post_id else WarningTarget.UNIT),
                    "reason": c.findings,
                    "complaint_ids": ",".join(str(x.pk) for x in linked),
                }
            )
    form = WarningForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            warning = services.warning_create(
                actor=request.user,
                kind=data["kind"],
                target=data["target"],
                unit=data["unit"],
                post=data["post"],
                person=data["person"],
                reason=data["reason"],
                issued_on=data["issued_on"],
                complaints=linked,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("%(kind)s已下达，已通知对象及其单位负责人。") % {"kind": warning.get_kind_display()}
            )
            return redirect("reviews:warning-detail", pk=warning.pk)
    return render(request, "reviews/warning_form.html", {"form": form, "linked": linked})


def warning_detail(request, pk):
    warning = selectors.warning_for(request.user, pk)
    show_complaints = rules.has_perm("reviews.view_complaint", request.user)
    return render(
        request,
        "reviews/warning_detail.html",
        {
            "warning": warning,
            "complaints": list(warning.complaints.all()) if show_complaints else [],
            "complaint_count": warning.complaints.count(),
            "adopt_form": WarningAdoptForm(initial={"version": warning.version, "reason": warning.reason}),
            "dismiss_form": WarningDismissForm(initial={"version": warning.version}),
            "answer_form": WarningAnswerForm(initial={"version": warning.version}),
            "escalate_form": WarningEscalateForm(current=warning.kind)
            if warning.kind != WarningKind.ACCOUNTABILITY
            else None,
            "escalations": list(warning.escalations.all()),
            "history": selectors.history_of(warning),
        },
    )


def _warning_action(request, pk, form, call, success, invalid=None):
    warning = selectors.warning_for(request.user, pk)
    return _post_action(
        request,
        form=form,
        call=lambda d: call(warning, d),
        success=success,
        invalid=invalid or _("请填写必填内容后再提交。"),
        back="reviews:warning-detail",
        pk=pk,
        next_pk=lambda result: result.pk,
    )


@require_POST
def warning_adopt(request, pk):
    return _warning_action(
        request,
        pk,
        WarningAdoptForm(request.POST),
        lambda w, d: services.warning_issue(warning=w, actor=request.user, reason=d["reason"], version=d["version"]),
        _("建议已采纳并下达，已通知对象及其单位负责人。"),
    )


@require_POST
def warning_dismiss(request, pk):
    return _warning_action(
        request,
        pk,
        WarningDismissForm(request.POST),
        lambda w, d: services.warning_dismiss(warning=w, actor=request.user, reason=d["reason"], version=d["version"]),
        _("已记录不予采纳。"),
    )


@require_POST
def warning_answer(request, pk):
    return _warning_action(
        request,
        pk,
        WarningAnswerForm(request.POST),
        lambda w, d: services.warning_answer(
            warning=w, actor=request.user, response=d["response"], version=d["version"]
        ),
        _("回复已提交，纪委监察室会收到通知。"),
    )


@require_POST
def warning_escalate(request, pk):
    current = selectors.warning_for(request.user, pk).kind
    return _warning_action(
        request,
        pk,
        WarningEscalateForm(request.POST, current=current),
        lambda w, d: services.warning_escalate(warning=w, actor=request.user, **d),
        lambda new: _("已升级为%(kind)s。") % {"kind": new.get_kind_display()},
        invalid=_("请选择更重的处置方式并填写事由。"),
    )


# --- violation cases --------------------------------------------------------------------------------------------------------
def violation_list(request):
    _require_perm(request, "reviews.list_violation_cases")
    qs = selectors.violation_cases_for(request.user)
    form = ViolationCaseForm(request.POST or None)
    if request.method == "POST":
        _require_perm(request, "reviews.add_violation_case")
        if form.is_valid():
            try:
                services.violation_case_record(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("违规违纪案件已登记；该单位当年的考核等次已按规定重新核定。"))
                return redirect("reviews:violation-list")
    return render(request, "reviews/violation_list.html", {"page_obj": _page(request, qs), "form": form})


# --- assessments --------------------------------------------------------------------------------------------------------------
def assessment_list(request):
    _require_perm(request, "reviews.list_assessments")
    qs = selectors.assessments_for(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    return render(
        request,
        "reviews/assessment_list.html",
        {"page_obj": _page(request, qs), "year": year, "grades": Grade.choices},
    )


def assessment_detail(request, pk):
    assessment = selectors.assessment_for(request.user, pk)
    return render(
        request,
        "reviews/assessment_detail.html",
        {
            "assessment": assessment,
            "config": services.assessment_config(),
            "r11_warnings": list(assessment.warnings.all()),
            "history": selectors.history_of(assessment),
        },
    )


def assessment_edit(request, pk=None):
    _require_perm(request, "reviews.edit_assessment")
    assessment = selectors.assessment_for(request.user, pk) if pk else None
    initial = {}
    if assessment is not None:
        initial = {
            field: getattr(assessment, field)
            for field in AssessmentForm.base_fields
            if field not in ("unit",) and hasattr(assessment, field)
        }
        initial["unit"] = assessment.unit_id
    form = AssessmentForm(request.POST or None, initial=initial)
    if assessment is not None:
        form.fields["unit"].disabled = True
        form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        exists = Assessment.objects.filter(unit=data["unit"], year=data["year"]).first() if assessment is None else None
        if exists is not None:
            form.add_error("year", _("该单位该年度的考核已录入，请在考核详情页修改。"))
            return render(request, "reviews/assessment_form.html", {"form": form, "assessment": None, "exists": exists})
        try:
            saved = services.assessment_save(
                actor=request.user,
                unit=data["unit"],
                year=data["year"],
                raw_score=data["raw_score"],
                score_basis=data["score_basis"],
                ballots_issued=data["ballots_issued"],
                ballots_good=data["ballots_good"],
                ballots_fairly_good=data["ballots_fairly_good"],
                ballots_average=data["ballots_average"],
                ballots_poor=data["ballots_poor"],
                ballots_invalid=data["ballots_invalid"],
                version=data["version"] if assessment is not None else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("考核已保存：%(unit)s %(year)s年度，等次“%(grade)s”。")
                % {"unit": saved.unit.name, "year": saved.year, "grade": saved.get_final_grade_display()},
            )
            return redirect("reviews:assessment-detail", pk=saved.pk)
    return render(request, "reviews/assessment_form.html", {"form": form, "assessment": assessment})
