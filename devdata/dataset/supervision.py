"""Supervision: each unit's 实施细则, complaints (信访举报) in every stage, yellow cards with the key supervision of
the posts' heads (R9), last year's assessments; and a page of notifications for each benchmark user.
"""

import datetime
import hashlib

from lianzheng.models import Notification
from measures.models import ImplementationRules, RulesState
from reviews.models import (
    Assessment,
    Complaint,
    ComplaintChannel,
    ComplaintConclusion,
    ComplaintState,
    Grade,
    KeySupervision,
    KeySupervisionState,
    YellowCard,
    YellowCardState,
)

from .build import Build
from .words import person_name, pick

_COMPLAINT_STAGE_WEIGHTS = [
    (ComplaintState.RECEIVED, 20),
    (ComplaintState.CHECKING, 25),
    (ComplaintState.VERIFIED, 15),
    (ComplaintState.UNFOUNDED, 20),
    (ComplaintState.CLOSED, 20),
]
#: Assessment grades with their score bands.
_GRADE_BANDS = [(Grade.GOOD, 90, 99), (Grade.FAIRLY_GOOD, 80, 89), (Grade.AVERAGE, 60, 79), (Grade.POOR, 40, 59)]


def supervision(build: Build):
    """One timed step of four parts, in this order (each draws from the random source after the one before)."""
    _rules(build)
    _complaints(build)
    _yellow_cards(build)
    _assessments(build)


def _rules(build: Build):
    """Each unit's 实施细则; the first units show every state, the rest a random one."""
    rng = build.rng
    rules_states = list(RulesState)
    rules = []
    for u, unit in enumerate(build.units):
        state = rules_states[u] if u < len(rules_states) else rng.choice(rules_states)
        start = build.at(rng.uniform(1, 5)) if state != RulesState.DRAFT else None
        rules.append(
            ImplementationRules(
                unit=unit,
                campaign=build.campaign,
                title=f"{unit.name}廉政风险防范管理实施细则",
                body=f"# {unit.name}廉政风险防范管理实施细则\n\n## 一、总则\n\n为加强廉政风险防范管理，制定本细则。\n",
                state=state,
                publicity_start=start,
                publicity_end=start + datetime.timedelta(days=5) if start else None,
                publicity_scope="本单位全体教职工" if start else "",
                submitted_at=start + datetime.timedelta(days=6) if start and state != "publicising" else None,
                approved_at=start + datetime.timedelta(days=7) if state == RulesState.APPROVED else None,
                approved_by=build.reviewer if state == RulesState.APPROVED else None,
            )
        )
    build.bulk(ImplementationRules, rules)


def _complaints(build: Build):
    """About one complaint per ten posts; the first ones show every stage."""
    rng, year = build.rng, build.today.year
    complaints = []
    n_complaints = max(len(ComplaintState), len(build.posts) // 10)
    for i in range(n_complaints):
        post = rng.choice(build.posts)
        state = list(ComplaintState)[i] if i < len(ComplaintState) else pick(rng, _COMPLAINT_STAGE_WEIGHTS)
        conclusion = {
            ComplaintState.VERIFIED: ComplaintConclusion.VERIFIED,
            ComplaintState.UNFOUNDED: ComplaintConclusion.UNFOUNDED,
        }.get(state, ComplaintConclusion.NONE)
        if state == ComplaintState.CLOSED:
            conclusion = rng.choice([ComplaintConclusion.VERIFIED, ComplaintConclusion.UNFOUNDED])
        anonymous = rng.random() < 0.6
        # The keyword arguments are evaluated in order: keep the draws below in this order.
        complaints.append(
            Complaint(
                year=year,
                received_on=build.today - datetime.timedelta(days=rng.randint(0, 120)),
                channel=rng.choice(list(ComplaintChannel)),
                state=state,
                conclusion=conclusion,
                anonymous=anonymous,
                reporter_name="" if anonymous else person_name(rng),
                reporter_contact="" if anonymous else f"138{rng.randint(10_000_000, 99_999_999)}",
                unit=post.unit,
                post=post,
                person=post.holder if rng.random() < 0.5 else None,
                content=f"反映{post.unit.name}{post.name}在办理业务中存在不规范行为。",
                query_code_hash=hashlib.sha256(f"synthetic:{build.seed}:{i}".encode()).hexdigest(),
                findings="经初核，反映问题基本属实。" if conclusion == ComplaintConclusion.VERIFIED else "",
                registered_by=build.reviewer,
                handler=build.reviewer if state != ComplaintState.RECEIVED else None,
                concluded_at=build.now if conclusion else None,
                closed_at=build.now if state == ComplaintState.CLOSED else None,
            )
        )
    build.bulk(Complaint, complaints)


def _yellow_cards(build: Build):
    """R9: yellow cards on key posts with verified complaints; issued ones put the head of the post under key
    supervision. The second card has been lifted again."""
    rng = build.rng
    key_posts = [p for p in build.posts if p.is_key and p.reports_to_id]
    cards = []
    for post in rng.sample(key_posts, min(len(key_posts), max(3, len(build.posts) // 500))):
        state = rng.choice([YellowCardState.PROPOSED, YellowCardState.ISSUED, YellowCardState.ISSUED])
        if len(cards) == 1:
            state = YellowCardState.LIFTED
        card = _card(build, post, state, number=len(cards) + 1)
        cards.append(card)
        card.verified = _verified_complaints(build, post, number=len(cards))
    build.bulk(Complaint, [c for card in cards for c in card.verified])
    build.bulk(YellowCard, cards)
    card_through = YellowCard.complaints.through
    complaint_links = [card_through(yellowcard_id=card.pk, complaint_id=c.pk) for card in cards for c in card.verified]
    supervisions = [_key_supervision(build, card) for card in cards if card.state != YellowCardState.PROPOSED]
    build.bulk(card_through, complaint_links)
    build.bulk(KeySupervision, supervisions)


def _card(build: Build, post, state, *, number: int) -> YellowCard:
    year, proposed = build.today.year, state == YellowCardState.PROPOSED
    lifted = state == YellowCardState.LIFTED
    return YellowCard(
        post=post,
        year=year,
        state=state,
        document_no=f"校纪监〔{year}〕{number}号" if not proposed else "",
        issued_on=build.today - datetime.timedelta(days=10) if not proposed else None,
        issued_by=build.reviewer if not proposed else None,
        lifted_on=build.today if lifted else None,
        lifted_by=build.reviewer if lifted else None,
        lift_reason="整改到位。" if lifted else "",
    )


def _verified_complaints(build: Build, post, *, number: int) -> list[Complaint]:
    """The two closed, verified complaints a card rests on (``card.verified``)."""
    return [
        Complaint(
            year=build.today.year,
            received_on=build.today - datetime.timedelta(days=30 + k),
            channel=ComplaintChannel.LETTER,
            state=ComplaintState.CLOSED,
            conclusion=ComplaintConclusion.VERIFIED,
            anonymous=True,
            unit=post.unit,
            post=post,
            content=f"反映{post.name}违规办理业务。",
            query_code_hash=hashlib.sha256(f"synthetic:{build.seed}:card{number}:{k}".encode()).hexdigest(),
            findings="查实。",
            registered_by=build.reviewer,
            handler=build.reviewer,
            concluded_at=build.now,
            closed_at=build.now,
        )
        for k in range(2)
    ]


def _key_supervision(build: Build, card: YellowCard) -> KeySupervision:
    head = card.post.reports_to
    return KeySupervision(
        yellow_card=card,
        head_post=head,
        person=head.holder,
        state=KeySupervisionState.ACTIVE if card.state == YellowCardState.ISSUED else KeySupervisionState.ENDED,
        start=card.issued_on,
        end=build.today if card.state == YellowCardState.LIFTED else None,
        plan="每季度报告一次廉政情况，纪委监察室定期谈话。",
    )


def _assessments(build: Build):
    """Last year's assessment of each unit: a grade, a score in its band and the 民主测评 ballots."""
    rng, year = build.rng, build.today.year
    assessments = []
    for unit in build.units:
        grade, low, high = rng.choices(_GRADE_BANDS, [35, 40, 20, 5])[0]
        score = rng.randint(low, high)
        good, fair, avg, poor = (rng.randint(10, 40) for _ in range(4))
        valid = good + fair + avg + poor
        assessments.append(
            Assessment(
                unit=unit,
                year=year - 1,
                raw_score=score,
                score_basis="年度党风廉政建设责任制考核",
                ballots_issued=valid + 2,
                ballots_good=good,
                ballots_fairly_good=fair,
                ballots_average=avg,
                ballots_poor=poor,
                ballots_invalid=2,
                satisfaction_rate=round(100 * (good + fair) / valid, 1),
                band_grade=grade,
                band_reason=f"得分 {score}",
                final_grade=grade,
                entered_by=build.reviewer,
            )
        )
    build.bulk(Assessment, assessments)


def notifications(build: Build):
    """Sixty notifications per benchmark user, two in three of them read."""
    rows = []
    for user in build.bench.values():
        for n in range(60):
            rows.append(
                Notification(
                    recipient=user,
                    title=f"待办事项提醒 {n + 1}",
                    body="有防控表等待您处理。",
                    url="/risks/",
                    read_at=build.now if n % 3 else None,
                )
            )
    build.bulk(Notification, rows)
