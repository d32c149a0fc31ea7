"""Demo data for risk identification (``seed_demo``): the pilot units' power inventory and risk points of
``fixtures/demo/pilot_units.json`` in both campaigns, the special meeting of 校建办, and forms in every state.

Idempotent: power items and points are found by their natural keys (unit + name, campaign + unit + code) and
saved only when something differs; a form is moved through the workflow only while it has no history yet.

The forms are driven through the real services (so every state has its events, audit rows, notifications
and, for approved forms, a snapshot). Snapshots should hold the measures, which live one layer up: so
``seed`` adds the points, and ``measures.demo`` (which runs after it) adds their measures and then calls
``seed_form_states`` here.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from devdata.demo import units as units_demo
from risks import services
from risks.models import FormEvent, FormKind, PowerItem, RiskForm, RiskPoint, RiskScope, SpecialMeeting
from units.models import Unit, User

#: The plan's category names in the demo file are already this app's codes (duty/process/system/external).
_POWER_KIND_BY_WORD = [
    ("采购", "procurement"),
    ("招标", "procurement"),
    ("招租", "allocation"),
    ("录取", "allocation"),
    ("推荐", "allocation"),
    ("计划", "allocation"),
    ("报销", "finance"),
    ("资金", "finance"),
    ("收费", "finance"),
    ("工资", "finance"),
    ("现金", "finance"),
    ("支付", "finance"),
    ("结算", "finance"),
    ("验收", "supervision"),
    ("审核", "approval"),
    ("审批", "approval"),
    ("变更", "approval"),
]


def _kind_for(name: str) -> str:
    return next((kind for word, kind in _POWER_KIND_BY_WORD if word in name), "other")


def _apply(obj, values: dict) -> bool:
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, values[field])
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


def _seed_power_items(unit: Unit, points: list[dict], posts_by_code) -> dict[str, PowerItem]:
    items = {}
    for order, data in enumerate(points, start=1):
        name = data["power_item"]
        item = PowerItem.objects.filter(unit=unit, name=name).first()
        values = {"kind": _kind_for(name), "sort_order": order * 10, "process": data.get("process", "")}
        if item is None:
            item = PowerItem.objects.create(unit=unit, name=name, basis="", **values)
        else:
            _apply(item, {k: v for k, v in values.items() if k != "process"})
        wanted = {posts_by_code[c].pk for c in data["posts"]}
        if set(item.posts.values_list("pk", flat=True)) != wanted:
            item.posts.set(wanted)
        items[name] = item
    return items


def _seed_points(campaign, unit: Unit, points: list[dict], posts_by_code, offices_by_code, items) -> None:
    for order, data in enumerate(points, start=1):
        posts = [posts_by_code[c] for c in data["posts"]]
        office = offices_by_code.get(data.get("office"))
        values = {
            "office": office,
            "scope": RiskScope.POST if posts else RiskScope.OFFICE if office else RiskScope.UNIT,
            "power_item": items.get(data["power_item"]),
            "business_step": "",
            "name": data["name"],
            "manifestation": data["manifestation"],
            "category": data["category"],
            "level": int(data["level"]),
            "responsible_leader": data.get("responsible_leader", ""),
            "responsible_person": data.get("responsible_person", ""),
            "supervisor": "、".join(data.get("supervisor") or []),
            "sort_order": order * 10,
        }
        point = RiskPoint.objects.filter(campaign=campaign, unit=unit, code=data["code"]).first()
        if point is None:
            point = RiskPoint.objects.create(campaign=campaign, unit=unit, code=data["code"], **values)
        else:
            _apply(point, values)
        if set(point.posts.values_list("pk", flat=True)) != {p.pk for p in posts}:
            point.posts.set(posts)


def _offices(unit):
    return {o.code: o for o in unit.offices.all()}


def _posts(unit):
    return {p.code: p for p in unit.posts.all()}


@transaction.atomic
def seed(*, stdout) -> None:
    data = units_demo.load_pilot_data()
    campaigns = [units_demo.pilot_campaign(), units_demo.current_campaign()]
    for unit_data in data["units"]:
        unit = units_demo.unit_by_code(unit_data["code"])
        posts, offices = _posts(unit), _offices(unit)
        items = _seed_power_items(unit, unit_data["risk_points"], posts)
        for campaign in campaigns:
            _seed_points(campaign, unit, unit_data["risk_points"], posts, offices, items)
    stdout.write(f"risks: {PowerItem.objects.count()} 职权事项, {RiskPoint.objects.count()} 风险点 (2 批次)")


# --- forms in every state ----------------------------------------------------------------------------------------
def _user(username) -> User:
    return User.objects.get(username=username)


def _fresh(form) -> bool:
    return not FormEvent.objects.filter(form=form).exists()


def _meeting(*, unit, campaign, on: datetime.date, attendees: str, minutes: str) -> SpecialMeeting:
    found = SpecialMeeting.objects.filter(unit=unit, campaign=campaign, date=on).first()
    if found is not None:
        return found
    return services.meeting_record(
        unit=unit, campaign=campaign, actor=_user(f"{unit.code}_leader"), date=on, attendees=attendees, minutes=minutes
    )


def _cb_meeting(campaign, on: datetime.date) -> SpecialMeeting:
    """校建办's special meeting of the demo data (其他记录: assessment_meeting)."""
    record = next(m for m in units_demo.load_other_records()["assessment_meeting"] if m["unit"] == "xiaojian")
    unit = units_demo.unit_by_code("xiaojian")
    names = [units_demo.post_by_code(code).name for code in record["attendees"]]
    points = "、".join(record["assessed_risk_points"])
    return _meeting(
        unit=unit,
        campaign=campaign,
        on=on,
        attendees="、".join(names),
        minutes=f"逐条评估风险点 {points} 的表现形式、类别和等级，一致同意按评估结果上报。",
    )


def _drive(form, target: str, *, filler, leader, reviewer, meeting=None, comment="") -> None:
    """Move a fresh form along draft → … → target with the real services."""
    if target == "draft" or not _fresh(form):
        return
    pledge = form.kind == FormKind.PERSONAL
    services.form_submit(form=form, version=form.version, actor=filler, pledge=pledge)
    if target == "submitted":
        return
    if target == "returned" and not meeting:
        services.form_return(
            form=form,
            version=form.version,
            actor=leader,
            comment=comment or "风险表现形式写得过于笼统，请结合岗位实际补充。",
        )
        return
    services.form_confirm(
        form=form,
        version=form.version,
        actor=leader,
        meeting=meeting,
        confirmation_text="经单位领导班子研究，同意上报。",
    )
    if target == "confirmed":
        return
    if target == "returned":
        services.form_return(
            form=form, version=form.version, actor=reviewer, comment=comment or "请补充中期监控措施后重新报送。"
        )
        return
    services.form_approve(form=form, version=form.version, actor=reviewer)


@transaction.atomic
def seed_form_states(*, stdout) -> None:
    """Forms in every state for the pilot units (current campaign), and the 2010 pilot's unit forms approved."""
    reviewer = _user("reviewer")
    pilot, current = units_demo.pilot_campaign(), units_demo.current_campaign()
    today = timezone.localdate()

    # 2010: every pilot unit's 附表1 went through, 校建办 with the meeting of 2010-06-03.
    for code in ("houqin", "xiaojian", "shebei", "caiwu", "zhaojiu"):
        unit = units_demo.unit_by_code(code)
        services.ensure_unit_forms(campaign=pilot, unit=unit)
        on = datetime.date(2010, 6, 3)
        meeting = (
            _cb_meeting(pilot, on)
            if code == "xiaojian"
            else _meeting(
                unit=unit, campaign=pilot, on=on, attendees="单位领导班子成员", minutes="评估本单位风险点，同意上报。"
            )
        )
        form = services.unit_form(campaign=pilot, unit=unit)
        _drive(
            form,
            "approved",
            filler=_user(f"{code}_contact"),
            leader=_user(f"{code}_leader"),
            reviewer=reviewer,
            meeting=meeting,
        )

    # This year: one of each state across the pilot units.
    plan = {
        # unit: (unit form state, staff's personal form state)
        "houqin": ("draft", "submitted"),
        "xiaojian": ("confirmed", "confirmed"),
        "shebei": ("submitted", "returned"),
        "caiwu": ("approved", "approved"),
        "zhaojiu": ("returned", "draft"),
    }
    yesterday = today - datetime.timedelta(days=1)
    for code, (unit_state, staff_state) in plan.items():
        unit = units_demo.unit_by_code(code)
        services.ensure_unit_forms(campaign=current, unit=unit)
        leader, contact, staff = _user(f"{code}_leader"), _user(f"{code}_contact"), _user(f"{code}_staff")
        needs_meeting = {"confirmed", "approved"} & {unit_state, staff_state} or code == "zhaojiu"
        meeting = None
        if needs_meeting:
            meeting = (
                _cb_meeting(current, yesterday)
                if code == "xiaojian"
                else _meeting(
                    unit=unit,
                    campaign=current,
                    on=yesterday,
                    attendees="单位领导班子成员、各科室负责人",
                    minutes="逐条评估本单位风险点。",
                )
            )
        staff_post = RiskForm.objects.filter(
            campaign=current, unit=unit, kind=FormKind.PERSONAL, post__assignments__user=staff
        )
        personal = staff_post.first()
        _drive(
            services.unit_form(campaign=current, unit=unit),
            unit_state,
            filler=contact,
            leader=leader,
            reviewer=reviewer,
            meeting=meeting if unit_state != "returned" or code == "zhaojiu" else None,
            comment="单位层面的风险点还不全，请补充后重新报送。",
        )
        if personal is not None:
            _drive(
                personal,
                staff_state,
                filler=staff,
                leader=leader,
                reviewer=reviewer,
                meeting=meeting if staff_state in ("confirmed", "approved") else None,
            )
    stdout.write(f"risks: {RiskForm.objects.count()} 防控表, {FormEvent.objects.count()} 条流转记录")
