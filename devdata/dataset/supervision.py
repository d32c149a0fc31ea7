"""The supervision part of the synthetic campus: 实施细则, complaints, yellow cards and key supervision, assessments,
and the benchmark users' notifications. A mixin of ``generator._Generator`` (its ``rng``, ``units``, ``posts``, ``_bulk``…)."""

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

from .vocabulary import _person_name, _pick


class SupervisionSteps:
    """Steps of ``_Generator.run`` that write the supervision records."""

    def supervision(self):
        """实施细则, complaints, yellow cards with key supervision (R9), and last year's assessments, in this
        order (the draws follow one another from the same generator)."""
        self._implementation_rules()
        self._complaints()
        self._cards_and_key_supervision()
        self._assessments()

    def _implementation_rules(self):
        rng = self.rng
        rules_states = list(RulesState)
        rules = []
        for u, unit in enumerate(self.units):
            state = rules_states[u] if u < len(rules_states) else rng.choice(rules_states)
            start = self._at(rng.uniform(1, 5)) if state != RulesState.DRAFT else None
            rules.append(
                ImplementationRules(
                    unit=unit,
                    campaign=self.campaign,
                    title=f"{unit.name}廉政风险防范管理实施细则",
                    body=f"# {unit.name}廉政风险防范管理实施细则\n\n## 一、总则\n\n为加强廉政风险防范管理，制定本细则。\n",
                    state=state,
                    publicity_start=start,
                    publicity_end=start + datetime.timedelta(days=5) if start else None,
                    publicity_scope="本单位全体教职工" if start else "",
                    submitted_at=start + datetime.timedelta(days=6) if start and state != "publicising" else None,
                    approved_at=start + datetime.timedelta(days=7) if state == RulesState.APPROVED else None,
                    approved_by=self.reviewer if state == RulesState.APPROVED else None,
                )
            )
        self._bulk(ImplementationRules, rules)

    def _complaints(self):
        rng, year = self.rng, self.today.year
        complaints = []
        stage_weights = [
            (ComplaintState.RECEIVED, 20),
            (ComplaintState.CHECKING, 25),
            (ComplaintState.VERIFIED, 15),
            (ComplaintState.UNFOUNDED, 20),
            (ComplaintState.CLOSED, 20),
        ]
        n_complaints = max(len(ComplaintState), len(self.posts) // 10)
        for i in range(n_complaints):
            post = rng.choice(self.posts)
            state = list(ComplaintState)[i] if i < len(ComplaintState) else _pick(rng, stage_weights)
            conclusion = {
                ComplaintState.VERIFIED: ComplaintConclusion.VERIFIED,
                ComplaintState.UNFOUNDED: ComplaintConclusion.UNFOUNDED,
            }.get(state, ComplaintConclusion.NONE)
            if state == ComplaintState.CLOSED:
                conclusion = rng.choice([ComplaintConclusion.VERIFIED, ComplaintConclusion.UNFOUNDED])
            anonymous = rng.random() < 0.6
            complaints.append(
                Complaint(
                    year=year,
                    received_on=self.today - datetime.timedelta(days=rng.randint(0, 120)),
                    channel=rng.choice(list(ComplaintChannel)),
                    state=state,
                    conclusion=conclusion,
                    anonymous=anonymous,
                    reporter_name="" if anonymous else _person_name(rng),
                    reporter_contact="" if anonymous else f"138{rng.randint(10_000_000, 99_999_999)}",
                    unit=post.unit,
                    post=post,
                    person=post.holder if rng.random() < 0.5 else None,
                    content=f"反映{post.unit.name}{post.name}在办理业务中存在不规范行为。",
                    query_code_hash=hashlib.sha256(f"synthetic:{self.seed}:{i}".encode()).hexdigest(),
                    findings="经初核，反映问题基本属实。" if conclusion == ComplaintConclusion.VERIFIED else "",
                    registered_by=self.reviewer,
                    handler=self.reviewer if state != ComplaintState.RECEIVED else None,
                    concluded_at=self.now if conclusion else None,
                    closed_at=self.now if state == ComplaintState.CLOSED else None,
                )
            )
        self._bulk(Complaint, complaints)

    def _cards_and_key_supervision(self):
        rng, year = self.rng, self.today.year
        # R9: yellow cards on key posts with verified complaints; issued ones put the head of the post under
        # key supervision.
        key_posts = [p for p in self.posts if p.is_key and p.reports_to_id]
        cards, complaint_links, supervisions = [], [], []
        card_through = YellowCard.complaints.through
        for post in rng.sample(key_posts, min(len(key_posts), max(3, len(self.posts) // 500))):
            state = rng.choice([YellowCardState.PROPOSED, YellowCardState.ISSUED, YellowCardState.ISSUED])
            if len(cards) == 1:
                state = YellowCardState.LIFTED
            card = YellowCard(
                post=post,
                year=year,
                state=state,
                document_no=f"校纪监〔{year}〕{len(cards) + 1}号" if state != YellowCardState.PROPOSED else "",
                issued_on=self.today - datetime.timedelta(days=10) if state != YellowCardState.PROPOSED else None,
                issued_by=self.reviewer if state != YellowCardState.PROPOSED else None,
                lifted_on=self.today if state == YellowCardState.LIFTED else None,
                lifted_by=self.reviewer if state == YellowCardState.LIFTED else None,
                lift_reason="整改到位。" if state == YellowCardState.LIFTED else "",
            )
            cards.append(card)
            card.verified = [
                Complaint(
                    year=year,
                    received_on=self.today - datetime.timedelta(days=30 + k),
                    channel=ComplaintChannel.LETTER,
                    state=ComplaintState.CLOSED,
                    conclusion=ComplaintConclusion.VERIFIED,
                    anonymous=True,
                    unit=post.unit,
                    post=post,
                    content=f"反映{post.name}违规办理业务。",
                    query_code_hash=hashlib.sha256(f"synthetic:{self.seed}:card{len(cards)}:{k}".encode()).hexdigest(),
                    findings="查实。",
                    registered_by=self.reviewer,
                    handler=self.reviewer,
                    concluded_at=self.now,
                    closed_at=self.now,
                )
                for k in range(2)
            ]
        self._bulk(Complaint, [c for card in cards for c in card.verified])
        self._bulk(YellowCard, cards)
        for card in cards:
            complaint_links += [card_through(yellowcard_id=card.pk, complaint_id=c.pk) for c in card.verified]
            if card.state != YellowCardState.PROPOSED:
                head = card.post.reports_to
                supervisions.append(
                    KeySupervision(
                        yellow_card=card,
                        head_post=head,
                        person=head.holder,
                        state=KeySupervisionState.ACTIVE
                        if card.state == YellowCardState.ISSUED
                        else KeySupervisionState.ENDED,
                        start=card.issued_on,
                        end=self.today if card.state == YellowCardState.LIFTED else None,
                        plan="每季度报告一次廉政情况，纪委监察室定期谈话。",
                    )
                )
        self._bulk(card_through, complaint_links)
        self._bulk(KeySupervision, supervisions)

    def _assessments(self):
        rng, year = self.rng, self.today.year
        assessments = []
        bands = [(Grade.GOOD, 90, 99), (Grade.FAIRLY_GOOD, 80, 89), (Grade.AVERAGE, 60, 79), (Grade.POOR, 40, 59)]
        for unit in self.units:
            grade, low, high = rng.choices(bands, [35, 40, 20, 5])[0]
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
                    entered_by=self.reviewer,
                )
            )
        self._bulk(Assessment, assessments)

    def notifications(self):
        rows = []
        for user in self.bench.values():
            for n in range(60):
                rows.append(
                    Notification(
                        recipient=user,
                        title=f"待办事项提醒 {n + 1}",
                        body="有防控表等待您处理。",
                        url="/risks/",
                        read_at=self.now if n % 3 else None,
                    )
                )
        self._bulk(Notification, rows)
