"""Supervision pages of the office: yellow cards and key supervision (R9), warnings (R11), violation cases and
assessments (R10). Views parse input, call one service or selector, and render."""

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import (
    AssessmentForm,
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
from ..models import Assessment, Grade, WarningKind, WarningTarget, YellowCardState
from .view_helpers import (
    page_of,
    post_action,
    require_perm,
)


# --- yellow cards and key supervision ---------------------------------------------------------------------------------
def yellowcard_list(request):
    require_perm(request, "reviews.list_yellow_cards")
    qs = selectors.yellow_cards_for(request.user)
    state = request.GET.get("state", "")
    if state in YellowCardState.values:
        qs = qs.filter(state=state)
    supervisions = selectors.supervisions_for(request.user).filter(state="active")
    return render(
        request,
        "reviews/yellowcard_list.html",
        {
            "page_obj": page_of(request, qs),
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
    return post_action(
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
    return post_action(
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
    return post_action(
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
    return post_action(
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
    return render(request, "reviews/warning_list.html", {"filters": filters, "page_obj": page_of(request, qs)})


def warning_new(request):
    require_perm(request, "reviews.add_warning")
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
    return post_action(
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
    require_perm(request, "reviews.list_violation_cases")
    qs = selectors.violation_cases_for(request.user)
    form = ViolationCaseForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "reviews.add_violation_case")
        if form.is_valid():
            try:
                services.violation_case_record(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("违规违纪案件已登记；该单位当年的考核等次已按规定重新核定。"))
                return redirect("reviews:violation-list")
    return render(request, "reviews/violation_list.html", {"page_obj": page_of(request, qs), "form": form})


# --- assessments --------------------------------------------------------------------------------------------------------------
def assessment_list(request):
    require_perm(request, "reviews.list_assessments")
    qs = selectors.assessments_for(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    return render(
        request,
        "reviews/assessment_list.html",
        {"page_obj": page_of(request, qs), "year": year, "grades": Grade.choices},
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
    require_perm(request, "reviews.edit_assessment")
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
