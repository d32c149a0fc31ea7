"""Violation cases and the yearly assessment (党风廉政建设责任制考核): bands, the 民主测评 satisfaction rate, the R10 cap with its reason, and the R11 warning proposal."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lianzheng import workflow
from lianzheng.audit import record
from lianzheng.notifications import notify
from units.models import Unit

from ..figures import keep_unit_year
from ..models import (
    Assessment,
    Grade,
    ViolationCase,
    Warning,
    WarningKind,
    WarningSource,
    WarningState,
    WarningTarget,
    YellowCard,
    YellowCardState,
)
from .common import (
    _check_version,
    _require,
    assessment_config,
    reviewers,
    unit_leaders,
)
from .warnings import warning_url


# --- violation cases and assessments (R10, R11) ---------------------------------------------------------------
@transaction.atomic
def violation_case_record(
    *, actor, unit: Unit, year: int, title: str, case_no: str = "", description: str = "", decided_on=None
) -> ViolationCase:
    _require("reviews.add_violation_case", actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写案由。"))
    case = ViolationCase.objects.create(
        unit=unit,
        year=year,
        title=title,
        case_no=(case_no or "").strip(),
        description=(description or "").strip(),
        decided_on=decided_on,
        recorded_by=actor,
    )
    record(actor=actor, action="violation.record", obj=case, summary={"unit": unit.code, "year": year})
    recompute_assessments(unit=unit, year=year, actor=actor)
    keep_unit_year((unit.pk, year))
    return case


def band_for(score) -> tuple[str, str]:
    """The grade by bands and the sentence that explains it."""
    score = Decimal(score)
    for bound, grade in assessment_config()["BANDS"]:
        if score >= Decimal(bound):
            return grade, _("得分 %(score)s ≥ %(bound)s，按分数段评为“%(grade)s”。") % {
                "score": score,
                "bound": bound,
                "grade": Grade(grade).label,
            }
    lowest = assessment_config()["BANDS"][-1][0]
    return Grade.POOR, _("得分 %(score)s < %(bound)s，按分数段评为“差”。") % {"score": score, "bound": lowest}


def satisfaction_rate(*, good: int, fairly_good: int, average: int, poor: int) -> Decimal | None:
    """(好 + 较好) / valid ballots, in percent to one decimal; None without valid ballots."""
    valid = good + fairly_good + average + poor
    if valid == 0:
        return None
    return (Decimal(100 * (good + fairly_good)) / valid).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def r10_reasons(*, unit: Unit, year: int) -> list[str]:
    """Why the unit cannot be 好 in that year (R10): its violation cases and the yellow cards it received."""
    reasons = []
    for case in ViolationCase.objects.filter(unit=unit, year=year).order_by("id"):
        reasons.append(_("本年度发生违规违纪案件：%(title)s") % {"title": case.title})
    cards = YellowCard.objects.filter(
        post__unit=unit, year=year, state__in=[YellowCardState.ISSUED, YellowCardState.LIFTED]
    )
    for card in cards.select_related("post").order_by("id"):
        reasons.append(
            _("本年度岗位“%(post)s”被给予廉政风险黄牌警告(%(no)s)") % {"post": card.post.name, "no": card.document_no}
        )
    return reasons


def _grade(assessment: Assessment) -> None:
    """Fill every derived field: satisfaction, band grade, R10 cap, final grade — each with its reason."""
    config = assessment_config()
    assessment.satisfaction_rate = satisfaction_rate(
        good=assessment.ballots_good,
        fairly_good=assessment.ballots_fairly_good,
        average=assessment.ballots_average,
        poor=assessment.ballots_poor,
    )
    if assessment.satisfaction_rate is None:
        assessment.satisfaction_note = _("未录入民主测评票。")
    else:
        assessment.satisfaction_note = _("满意率 = (好 %(g)s + 较好 %(f)s) / 有效票 %(v)s = %(rate)s%%") % {
            "g": assessment.ballots_good,
            "f": assessment.ballots_fairly_good,
            "v": assessment.ballots_valid,
            "rate": assessment.satisfaction_rate,
        }
    assessment.band_grade, assessment.band_reason = band_for(assessment.raw_score)
    reasons = r10_reasons(unit=assessment.unit, year=assessment.year)
    cap = config["CAP_GRADE"]
    order = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR]
    if reasons and order.index(assessment.band_grade) < order.index(cap):
        assessment.capped = True
        assessment.final_grade = cap
        assessment.cap_reason = _("%(reasons)s。依据实施方案(二、4)，该单位本年度不能评为“好”，最高评为“%(cap)s”。") % {
            "reasons": "；".join(reasons),
            "cap": Grade(cap).label,
        }
    else:
        assessment.capped = False
        assessment.final_grade = assessment.band_grade
        assessment.cap_reason = "；".join(reasons) + (_("(按分数段已不是“好”，无需限制。)") if reasons else "")


def _propose_r11_warning(assessment: Assessment) -> Warning | None:
    """R11: low 民主测评 satisfaction proposes a 谈话提醒 to the unit's leader, once per assessment."""
    threshold = Decimal(str(assessment_config()["SATISFACTION_THRESHOLD"]))
    rate = assessment.satisfaction_rate
    if rate is None or rate >= threshold or assessment.warnings.filter(source=WarningSource.SATISFACTION).exists():
        return None
    leader = unit_leaders(assessment.unit).order_by("id").first()
    target = {"target": WarningTarget.PERSON, "person": leader} if leader else {"target": WarningTarget.UNIT}
    try:
        with transaction.atomic():
            warning = Warning.objects.create(
                kind=WarningKind.TALK,
                state=WarningState.PROPOSED,
                source=WarningSource.SATISFACTION,
                year=assessment.year,
                unit=assessment.unit,
                assessment=assessment,
                reason=_("%(year)s年度党风廉政建设责任制民主测评满意度 %(rate)s%%，低于 %(threshold)s%%(R11)。")
                % {"year": assessment.year, "rate": rate, "threshold": threshold},
                **target,
            )
    except IntegrityError:
        return None
    record(actor=None, action="warning.propose", obj=warning, summary={"rule": "R11", "assessment_id": assessment.pk})
    notify(
        recipients=reviewers(),
        title=_("建议谈话提醒：%(unit)s 民主测评满意度较低") % {"unit": assessment.unit.name},
        url=warning_url(warning),
        dedupe_key=f"warning-proposed:{warning.pk}",
    )
    return warning


def _assessment_summary(assessment) -> dict:
    return {
        "raw_score": assessment.raw_score,
        "satisfaction_rate": assessment.satisfaction_rate,
        "band_grade": assessment.band_grade,
        "capped": assessment.capped,
        "final_grade": assessment.final_grade,
    }


@transaction.atomic
def assessment_save(
    *,
    actor,
    unit: Unit,
    year: int,
    raw_score,
    ballots_good: int = 0,
    ballots_fairly_good: int = 0,
    ballots_average: int = 0,
    ballots_poor: int = 0,
    ballots_invalid: int = 0,
    ballots_issued: int | None = None,
    score_basis: str = "",
    version: int | None,
) -> Assessment:
    """Enter or correct a unit's assessment for a year; grades it (bands, R10 cap) and applies R11."""
    _require("reviews.edit_assessment", actor)
    raw_score = Decimal(str(raw_score))
    if not Decimal(0) <= raw_score <= Decimal(100):
        raise ValidationError(_("考核得分须在 0 到 100 之间。"))
    counts = [ballots_good, ballots_fairly_good, ballots_average, ballots_poor, ballots_invalid]
    if any(c is None or int(c) < 0 for c in counts):
        raise ValidationError(_("测评票数不能为负数。"))
    if ballots_issued is not None and sum(counts) > ballots_issued:
        raise ValidationError(_("收回的测评票(有效票与无效票之和)不能多于发出的票数。"))
    assessment = Assessment.objects.select_for_update(of=("self",)).filter(unit=unit, year=year).first()
    creating = assessment is None
    if creating:
        # None (or 0) stands for "the page showed no assessment yet"; one entered meanwhile makes it stale.
        if version not in (None, 0):
            raise workflow.StaleEdit()
        assessment = Assessment(unit=unit, year=year, entered_by=actor)
    else:
        _check_version(assessment, version)
        assessment.version += 1
    assessment.raw_score = raw_score
    assessment.score_basis = (score_basis or "").strip()
    assessment.ballots_issued = ballots_issued
    assessment.ballots_good, assessment.ballots_fairly_good = ballots_good, ballots_fairly_good
    assessment.ballots_average, assessment.ballots_poor, assessment.ballots_invalid = (
        ballots_average,
        ballots_poor,
        ballots_invalid,
    )
    assessment.entered_by = actor
    _grade(assessment)
    assessment.save()
    record(
        actor=actor,
        action="assessment.create" if creating else "assessment.update",
        obj=assessment,
        summary=_assessment_summary(assessment),
    )
    _propose_r11_warning(assessment)
    keep_unit_year((unit.pk, year))
    return assessment


def recompute_assessments(*, unit: Unit, year: int, actor) -> None:
    """A yellow card or a violation case may arrive after the assessment was entered: regrade it (R10)."""
    assessment = Assessment.objects.select_for_update(of=("self",)).filter(unit=unit, year=year).first()
    if assessment is None:
        return
    before = assessment.final_grade
    _grade(assessment)
    if assessment.final_grade != before or assessment.capped:
        assessment.version += 1
        assessment.save()
        record(actor=actor, action="assessment.regrade", obj=assessment, summary=_assessment_summary(assessment))
