"""The risk forms: one unit form (附表1) per unit and one personal form (附表2) per post, in every state, each unit's
special meeting (R4), and the events of each form's history so far.
"""

import datetime

from risks.models import FormEvent, FormKind, FormState, RiskForm, SpecialMeeting

from .build import Build
from .words import FORM_STATES, pick


def forms(build: Build):
    _meetings(build)
    rows = _forms(build)
    build.bulk(RiskForm, rows)
    _events(build, rows)


def _meetings(build: Build):
    """Each unit's special meeting (``unit.meeting``), where its confirmed forms were agreed."""
    meetings = []
    for unit in build.units:
        meeting = SpecialMeeting(
            campaign=build.campaign,
            unit=unit,
            date=build.today - datetime.timedelta(days=build.rng.randint(0, 3)),
            attendees=f"{unit.leader.full_name}、{unit.contact.full_name}及班子成员",
            minutes="专题会议对本单位各岗位查找的风险点逐一评估，确定风险等级。",
            recorded_by=unit.contact,
        )
        meetings.append(meeting)
        unit.meeting = meeting
    build.bulk(SpecialMeeting, meetings)


def _forms(build: Build) -> list[RiskForm]:
    rng = build.rng
    rows = []
    every_state = [state for state, _weight in FORM_STATES]
    others = [unit for unit in build.units if unit is not build.largest]
    for unit in build.units:
        # Every state occurs among the unit forms and among the personal forms, whatever the size; the
        # benchmarks' form page (the unit form of the largest unit) is confirmed: the reviewer's case.
        if unit is build.largest:
            unit_state = FormState.CONFIRMED
        elif others.index(unit) < len(every_state):
            unit_state = every_state[others.index(unit)]
        else:
            unit_state = pick(rng, FORM_STATES)
        rows.append(_form(build, FormKind.UNIT, unit, None, unit_state, unit.contact))
        for post in unit.post_list:
            rows.append(_form(build, FormKind.PERSONAL, unit, post, pick(rng, FORM_STATES), post.holder))
    personal = [form for form in rows if form.kind == FormKind.PERSONAL]
    for form, state in zip(personal, every_state, strict=False):
        _set_state(build, form, state)
    return rows


def _form(build: Build, kind, unit, post, state, filler) -> RiskForm:
    form = RiskForm(kind=kind, campaign=build.campaign, unit=unit, post=post, filled_by=filler)
    _set_state(build, form, state)
    return form


def _set_state(build: Build, form: RiskForm, state):
    """Put ``form`` in ``state`` with the timestamps, meeting and people that state implies (R4)."""
    unit = form.unit
    form.state = state
    form.meeting = form.confirmed_by = form.approved_by = None
    form.submitted_at = form.confirmed_at = form.approved_at = form.pledge_accepted_at = None
    form.confirmation_text = ""
    if state == FormState.DRAFT:
        return
    form.submitted_at = build.at(build.rng.uniform(1, 3))
    if form.kind == FormKind.PERSONAL:
        form.pledge_accepted_at = form.submitted_at
    if state in (FormState.CONFIRMED, FormState.APPROVED):
        form.meeting = unit.meeting
        form.confirmed_by = unit.leader
        form.confirmed_at = form.submitted_at + datetime.timedelta(hours=6)
        form.confirmation_text = "经单位领导班子集体研究，同意上报。"
    if state == FormState.APPROVED:
        form.approved_by = build.reviewer
        form.approved_at = form.confirmed_at + datetime.timedelta(hours=20)


def _events(build: Build, rows: list[RiskForm]):
    events = []
    for form in rows:
        for action, from_state, to_state, actor, comment in _history(build, form):
            events.append(
                FormEvent(
                    form=form,
                    actor=actor,
                    action=action,
                    from_state=from_state,
                    to_state=to_state,
                    comment=comment,
                )
            )
    build.bulk(FormEvent, events)


def _history(build: Build, form: RiskForm) -> list[tuple]:
    """The workflow steps that led to the form's state: (action, from, to, actor, comment)."""
    if form.state == FormState.DRAFT:
        return []
    unit = form.unit
    steps = [("submit", FormState.DRAFT, FormState.SUBMITTED, form.filled_by, "")]
    if form.state == FormState.RETURNED:
        steps.append(("return", FormState.SUBMITTED, FormState.RETURNED, unit.leader, "风险等级评估偏低，请修改。"))
    if form.state in (FormState.CONFIRMED, FormState.APPROVED):
        steps.append(("confirm", FormState.SUBMITTED, FormState.CONFIRMED, unit.leader, ""))
    if form.state == FormState.APPROVED:
        steps.append(("approve", FormState.CONFIRMED, FormState.APPROVED, build.reviewer, ""))
    return steps
