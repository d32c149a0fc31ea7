"""Issue 12: the supervision figures (complaints by stage, yellow cards, key supervisions, warnings, grades per unit
and year) are kept by the services that change them, agree with an independent count after every kind of write,
are checked and repaired by ``recompute_stats``, stay unchanged when a write rolls back, and are what the dashboard
shows."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from lianzheng import figures
from portal import dashboards
from reviews import services
from reviews.models import (
    Assessment,
    Complaint,
    ComplaintState,
    KeySupervision,
    SupervisionFigure,
    Warning,
    WarningKind,
    WarningState,
    WarningTarget,
    YellowCard,
    YellowCardState,
)

pytestmark = pytest.mark.django_db

YEAR = datetime.date.today().year
ONLY = ["reviews.supervision"]


def kept():
    return {(f.unit_id, f.year, f.figure, f.value): f.count for f in SupervisionFigure.objects.all() if f.count}


def counted():
    """Independently: walk every source row."""
    c = Counter()
    for x in Complaint.objects.all():
        c[(x.unit_id, x.year, "complaint", x.state)] += 1
    for card in YellowCard.objects.select_related("post"):
        c[(card.post.unit_id, card.year, "card", card.state)] += 1
    for s in KeySupervision.objects.select_related("yellow_card__post"):
        c[(s.yellow_card.post.unit_id, s.yellow_card.year, "supervision", s.state)] += 1
    for w in Warning.objects.all():
        c[(w.unit_id, w.year, "warning", f"{w.kind}:{w.state}")] += 1
    for a in Assessment.objects.all():
        c[(a.unit_id, a.year, "grade", a.final_grade)] += 1
    return dict(c)


def agrees():
    assert kept() == counted()
    assert figures.differences(ONLY) == {"reviews.supervision": []}
    return True


def submit(unit, post):
    complaint, _code = services.complaint_submit(
        unit=unit, post=post, content="反映该岗位在报销审核中收受好处、放行不合规票据。", anonymous=True
    )
    return complaint


def move(complaint, reviewer, action, **extra):
    complaint.refresh_from_db()
    return services.complaint_transition(
        complaint=complaint, actor=reviewer, action=action, version=complaint.version, **extra
    )


def test_every_kind_of_supervision_write_keeps_the_figures_equal_to_an_independent_count(
    unit, other_unit, key_post, reviewer, unit_leader
):
    first = submit(unit, key_post)  # complaint intake
    assert agrees() and kept() == {(unit.pk, YEAR, "complaint", ComplaintState.RECEIVED): 1}
    second = submit(unit, key_post)
    move(first, reviewer, "check")
    assert agrees()
    move(first, reviewer, "verify", findings="属实")
    move(second, reviewer, "check")
    assert agrees()
    move(second, reviewer, "verify", findings="属实")  # R9: a yellow card is proposed
    assert agrees() and kept()[(unit.pk, YEAR, "card", YellowCardState.PROPOSED)] == 1
    move(first, reviewer, "close", disposition="诫勉谈话", public_reply="已处理")
    assert agrees() and kept()[(unit.pk, YEAR, "complaint", ComplaintState.CLOSED)] == 1
    third = submit(unit, key_post)
    move(third, reviewer, "check")
    move(third, reviewer, "unfound", findings="查无实据")
    assert agrees()

    proposed_card = YellowCard.objects.get()
    card = services.yellow_card_issue(
        card=proposed_card, actor=reviewer, document_no="X-1", version=proposed_card.version
    )
    assert agrees() and kept()[(unit.pk, YEAR, "supervision", "active")] == 1
    supervision = KeySupervision.objects.get()
    services.supervision_end(supervision=supervision, actor=reviewer, note="监管期满", version=supervision.version)
    assert agrees() and (unit.pk, YEAR, "supervision", "active") not in kept()
    card.refresh_from_db()
    services.yellow_card_lift(card=card, actor=reviewer, reason="整改完成。", version=card.version)
    assert agrees() and kept()[(unit.pk, YEAR, "card", YellowCardState.LIFTED)] == 1

    warning = services.warning_create(
        actor=reviewer, kind=WarningKind.TALK, target=WarningTarget.UNIT, unit=unit, reason="制度执行不严", year=YEAR
    )
    assert agrees()
    services.warning_answer(
        warning=warning, actor=unit_leader, response="单位已召开专题会议整改。", version=warning.version
    )
    warning.refresh_from_db()
    assert agrees()
    heavier = services.warning_escalate(warning=warning, actor=reviewer, kind=WarningKind.ADMONISH, reason="整改不力")
    assert agrees()
    assert agrees() and heavier.state == WarningState.ISSUED

    # Assessment with low satisfaction: graded (capped by the card, R10) and a 谈话提醒 proposed (R11).
    assessment = services.assessment_save(
        actor=reviewer,
        unit=unit,
        year=YEAR,
        raw_score=95,
        ballots_good=1,
        ballots_average=5,
        ballots_poor=4,
        version=None,
    )
    assert agrees() and kept()[(unit.pk, YEAR, "grade", assessment.final_grade)] == 1
    proposed = Warning.objects.get(state=WarningState.PROPOSED)
    services.warning_issue(warning=proposed, actor=reviewer, version=proposed.version)
    assert agrees()
    services.assessment_save(
        actor=reviewer,
        unit=other_unit,
        year=YEAR,
        raw_score=80,
        ballots_good=1,
        ballots_average=5,
        ballots_poor=4,
        version=None,
    )
    assert agrees()
    to_dismiss = Warning.objects.get(unit=other_unit, state=WarningState.PROPOSED)
    services.warning_dismiss(warning=to_dismiss, actor=reviewer, reason="另行处理", version=to_dismiss.version)
    assert agrees() and kept()[(other_unit.pk, YEAR, "warning", f"{WarningKind.TALK}:{WarningState.DISMISSED}")] == 1
    services.violation_case_record(actor=reviewer, unit=unit, year=YEAR, title="违规发放津贴")
    assert agrees()

    # And the dashboard shows them.
    block = dashboards.complaints_block(year=YEAR, can_open=True)
    assert {r["state"].value: r["count"] for r in block["rows"] if r["count"]} == {
        ComplaintState.CLOSED: 1,
        ComplaintState.VERIFIED: 1,
        ComplaintState.UNFOUNDED: 1,
    }
    assert dashboards.supervision_block(can_open=True)["supervisions_in_force"] == 0
    grades = dashboards.assessment_block(can_open=True)
    assert grades["year"] == YEAR and grades["unit_total"] == 2
    assert {g["grade"].value: g["count"] for g in grades["grades"] if g["count"]} == Counter(
        Assessment.objects.values_list("final_grade", flat=True)
    )
    assert [a.unit for a in grades["assessments"]] == [other_unit, unit]  # the lowest score first


def test_a_rolled_back_write_leaves_the_supervision_figures_unchanged(unit, key_post, reviewer):
    complaint = submit(unit, key_post)
    before = kept()
    with pytest.raises(RuntimeError), transaction.atomic():
        move(complaint, reviewer, "check")
        assert kept() != before
        raise RuntimeError("the surrounding transaction fails after the write")
    assert kept() == before == counted()


def test_recompute_stats_check_names_a_supervision_difference_and_rebuild_repairs_it(
    unit, other_unit, key_post, reviewer, capsys
):
    complaint = submit(unit, key_post)
    call_command("recompute_stats", "--check", "--only", *ONLY)
    assert "reviews.supervision: ok" in capsys.readouterr().out
    # Changed around the services (a shell, a restore): moved to another unit and closed.
    Complaint.objects.filter(pk=complaint.pk).update(state=ComplaintState.CLOSED, unit=other_unit)
    with pytest.raises(CommandError, match="2 difference"):
        call_command("recompute_stats", "--check", "--only", *ONLY)
    out = capsys.readouterr().out
    assert f"complaint unit={unit.pk} year={YEAR} received: kept 1, rows say 0" in out
    assert f"complaint unit={other_unit.pk} year={YEAR} closed: kept 0, rows say 1" in out
    assert dashboards.complaints_block(year=YEAR, can_open=False)["open"] == 1  # --check wrote nothing
    call_command("recompute_stats", "--only", *ONLY)
    assert agrees()
    assert dashboards.complaints_block(year=YEAR, can_open=False)["open"] == 0
