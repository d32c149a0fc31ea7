"""Demo 实施细则 (``seed_demo``), called from ``measures.demo.seed`` after the measures exist.

In the current campaign: 财务处 publicising now (demo-data.md §6: 处务公开栏+校园网) with one anonymous comment
waiting for an answer, 校建办 approved after its publicity, 设备处 a draft. In the 2010 pilot campaign: 财务处
approved after the plan's window 2010-06-12 … 2010-06-17.

Idempotent: a document is found by unit and campaign and left as it is, except that the publicising one gets a
fresh window when the old one has run out, so the public page always has something to show.
"""

import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from devdata.demo import units as units_demo
from measures.models import ImplementationRules, RulesComment, RulesEvent, RulesState
from measures.services import default_rules_title, rules_draft_text
from units.models import User

SCOPE = "处务公开栏+校园网"
DEMO_COMMENT = "建议在第二章补充网银U盾保管的具体要求，并写明银行对账的时限。"


def _user(username):
    return User.objects.filter(username=username).first()


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _rules(unit, campaign) -> tuple[ImplementationRules, bool]:
    return ImplementationRules.objects.get_or_create(
        unit=unit,
        campaign=campaign,
        defaults={"title": default_rules_title(unit), "body": rules_draft_text(unit=unit, campaign=campaign)},
    )


def _history(rules_doc, steps):
    """Write the timeline once: (actor, action, from, to, comment)."""
    if rules_doc.events.exists():
        return
    for actor, action, from_state, to_state, comment in steps:
        RulesEvent.objects.create(
            rules=rules_doc, actor=actor, action=action, from_state=from_state, to_state=to_state, comment=comment
        )


def _publicising_now(unit, campaign, contact):
    rules_doc, created = _rules(unit, campaign)
    now = timezone.now()
    if created:
        rules_doc.state = RulesState.PUBLICISING
        rules_doc.publicity_scope = SCOPE
    if rules_doc.state == RulesState.PUBLICISING and (
        rules_doc.publicity_end is None or rules_doc.publicity_end <= now or rules_doc.publicity_start > now
    ):
        rules_doc.publicity_start = now - timedelta(days=2)
        rules_doc.publicity_end = now + timedelta(days=3)
    rules_doc.save()
    _history(
        rules_doc,
        [
            (contact, "create", "", RulesState.DRAFT, ""),
            (contact, "publicise", RulesState.DRAFT, RulesState.PUBLICISING, ""),
        ],
    )
    if not rules_doc.comments.exists():
        RulesComment.objects.create(rules=rules_doc, content=DEMO_COMMENT)
    return rules_doc


def _approved(unit, campaign, *, contact, reviewer, start, end):
    rules_doc, created = _rules(unit, campaign)
    if created:
        rules_doc.state = RulesState.APPROVED
        rules_doc.publicity_start = start
        rules_doc.publicity_end = end
        rules_doc.publicity_scope = SCOPE
        rules_doc.submitted_at = end + timedelta(hours=1)
        rules_doc.approved_at = end + timedelta(days=1)
        rules_doc.approved_by = reviewer
        rules_doc.save()
    _history(
        rules_doc,
        [
            (contact, "create", "", RulesState.DRAFT, ""),
            (contact, "publicise", RulesState.DRAFT, RulesState.PUBLICISING, ""),
            (contact, "submit", RulesState.PUBLICISING, RulesState.SUBMITTED, ""),
            (reviewer, "approve", RulesState.SUBMITTED, RulesState.APPROVED, "同意，请抓好落实。"),
        ],
    )
    return rules_doc


def _draft(unit, campaign, contact):
    rules_doc, _created = _rules(unit, campaign)
    _history(rules_doc, [(contact, "create", "", RulesState.DRAFT, "")])
    return rules_doc


@transaction.atomic
def seed(*, stdout) -> None:
    current = units_demo.current_campaign()
    pilot = units_demo.pilot_campaign()
    reviewer = _user("reviewer")
    caiwu, xiaojian, shebei = (units_demo.unit_by_code(code) for code in ("caiwu", "xiaojian", "shebei"))

    _publicising_now(caiwu, current, _user("caiwu_contact"))
    today = timezone.localdate()
    _approved(
        xiaojian,
        current,
        contact=_user("xiaojian_contact"),
        reviewer=reviewer,
        start=_aware(today - timedelta(days=12), 8),
        end=_aware(today - timedelta(days=7), 18),
    )
    _draft(shebei, current, _user("shebei_contact"))
    _approved(
        caiwu,
        pilot,
        contact=_user("caiwu_contact"),
        reviewer=reviewer,
        start=_aware(datetime.date(2010, 6, 12), 8),
        end=_aware(datetime.date(2010, 6, 17), 18),
    )
    counts = {state: ImplementationRules.objects.filter(state=state).count() for state in RulesState.values}
    stdout.write(
        "measures: 实施细则 "
        + ", ".join(f"{RulesState(state).label} {n}" for state, n in counts.items() if n)
        + f" (公示中: /measures/public/rules/{ImplementationRules.objects.get(unit=caiwu, campaign=current).pk}/)"
    )
