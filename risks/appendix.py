"""The content of 附表1 / 附表2 as plain data: what the Excel and PDF exports print, and what a snapshot freezes.

``appendix_data(form)`` reads the live database once (a fixed number of queries, whatever the number of risk
points) and returns a dict of strings, integers, lists and dicts only, so that ``json.loads(json.dumps(data))``
is equal to ``data``: a ``FormSnapshot.content`` holding it renders byte-for-byte the same PDF as the live form
did at approval time. Labels are resolved in Chinese, whatever the reader's language: these are official forms.

Measures live one layer up (``measures`` imports ``risks``, never the reverse); they are read here through the
``measures`` reverse relation of ``RiskPoint`` without importing that app.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Prefetch
from django.utils import timezone, translation

from units.models import Assignment, Post

from .models import FormKind, RiskCategory, RiskForm, RiskLevel, RiskPoint, RiskScope

#: Bump when the shape changes; the exports accept every schema they know.
SCHEMA = 1

STAGES = ("pre", "mid", "post")

#: The same wording ``measures.PledgeText`` starts with; used when no row has been saved yet.
DEFAULT_PLEDGE = (
    "本人郑重承诺：认真学习并严格遵守党风廉政建设各项规定，正确行使岗位职权，"
    "不利用职务之便谋取私利，不收受可能影响公正执行公务的礼品、礼金和消费卡，"
    "严格落实本岗位廉政风险防控措施，自觉接受组织和群众监督。如有违反，愿接受组织处理。"
)

LEVEL_GROUPS = (
    (RiskScope.UNIT, "一、单位层面"),
    (RiskScope.OFFICE, "二、科室层面"),
    (RiskScope.POST, "三、岗位层面"),
)


def cn_date(value) -> str:
    """2010年6月6日; empty for no date. Aware datetimes are read in the project's time zone."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def _iso(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()
        )
    return value.isoformat()


def _name(user) -> str:
    return user.display_name if user is not None else ""


def pledge_text() -> str:
    """The 个人廉政承诺 admins edit (``measures.PledgeText``), read through the app registry: ``measures`` sits one
    layer up and is never imported here. Falls back to ``LIANZHENG_PLEDGE_TEXT``, then the default wording."""
    try:
        model = apps.get_model("measures", "PledgeText")
    except LookupError:
        model = None
    text = model.objects.filter(pk=1).values_list("text", flat=True).first() if model is not None else None
    return text or getattr(settings, "LIANZHENG_PLEDGE_TEXT", "") or DEFAULT_PLEDGE


def _measure_lists(point: RiskPoint, personal_form_id: int | None) -> dict[str, list[str]]:
    """The point's measures by stage (R7). The unit form shows the common measures only; a personal form adds the
    holder's own (``personal_form``) after them."""
    lists: dict[str, list[str]] = {stage: [] for stage in STAGES}
    own: dict[str, list[str]] = {stage: [] for stage in STAGES}
    for measure in point.measures.all():  # prefetched, ordered stage, sort_order, id
        if measure.stage not in lists:
            continue
        if measure.personal_form_id is None:
            lists[measure.stage].append(measure.content.strip())
        elif personal_form_id is not None and measure.personal_form_id == personal_form_id:
            own[measure.stage].append(measure.content.strip())
    return {stage: lists[stage] + own[stage] for stage in STAGES}


def _points(form: RiskForm) -> list[RiskPoint]:
    posts = Post.objects.select_related("office").order_by("sort_order", "id")
    qs = (
        RiskPoint.objects.filter(campaign_id=form.campaign_id, unit_id=form.unit_id)
        .select_related("office", "power_item")
        .prefetch_related(Prefetch("posts", queryset=posts), "measures")
    )
    if form.kind == FormKind.PERSONAL:
        qs = qs.filter(scope=RiskScope.POST, posts=form.post_id)
    return list(qs.order_by("sort_order", "id").distinct())


def _post_key(post) -> tuple:
    office = post.office
    return (
        office is not None,
        office.sort_order if office else 0,
        office.pk if office else 0,
        post.sort_order,
        post.pk,
    )


def _row_sort_key(point: RiskPoint) -> tuple:
    """Within a level: offices in their order; posts by office then post order; then the point's own order."""
    if point.scope == RiskScope.OFFICE and point.office is not None:
        place = (point.office.sort_order, point.office.pk)
    elif point.scope == RiskScope.POST:
        posts = list(point.posts.all())
        place = _post_key(posts[0]) if posts else (True, 10**9, 0, 0, 0)
    else:
        place = ()
    return (place, point.sort_order, point.pk)


def _row(point: RiskPoint, number: int, *, personal_form_id: int | None, own_post_id: int | None) -> dict:
    posts = list(point.posts.all()) if point.scope == RiskScope.POST else []
    office = point.office
    if office is None and posts and posts[0].office is not None:
        office = posts[0].office
    others = [p.name for p in posts if p.pk != own_post_id] if own_post_id else []
    return {
        "no": number,
        "code": point.code,
        "scope": point.scope,
        "office": office.name if office is not None else "",
        "posts": "、".join(p.name for p in posts),
        "matter": point.power_item.name if point.power_item_id else point.business_step,
        "name": point.name,
        "manifestation": point.manifestation,
        "category": str(RiskCategory(point.category).label),
        "level": str(RiskLevel(point.level).label),
        "measures": _measure_lists(point, personal_form_id),
        "leader": point.responsible_leader,
        "person": point.responsible_person,
        "supervisor": point.supervisor,
        # 附表2's 监督人 is a person: the responsible leader, else the supervising department.
        "overseer": point.responsible_leader or point.supervisor,
        "remark": f"与{'、'.join(others)}共有" if others else "",
    }


def _groups(points: list[RiskPoint], *, personal_form_id=None, own_post_id=None) -> list[dict]:
    by_scope: dict[str, list[RiskPoint]] = {scope: [] for scope, _label in LEVEL_GROUPS}
    for point in points:
        by_scope.setdefault(point.scope, []).append(point)
    groups, number = [], 0
    for scope, label in LEVEL_GROUPS:
        members = sorted(by_scope.get(scope, []), key=_row_sort_key)
        if not members:
            continue
        rows = []
        for point in members:
            number += 1
            rows.append(_row(point, number, personal_form_id=personal_form_id, own_post_id=own_post_id))
        groups.append({"scope": str(scope), "label": label, "rows": rows})
    return groups


def _publicity(form: RiskForm) -> dict:
    """The unit's 实施细则 publicity for the campaign (R8), if any; read through the reverse relation on Unit."""
    rules = (
        form.unit.implementation_rules.filter(campaign_id=form.campaign_id)
        .annotate(comment_count=Count("comments"))
        .order_by("-id")
        .first()
    )
    if rules is None or not rules.publicity_start:
        return {}
    return {
        "start": cn_date(rules.publicity_start),
        "end": cn_date(rules.publicity_end),
        "scope": rules.publicity_scope,
        "comments": rules.comment_count,
    }


def _holder(post) -> dict:
    assignment = (
        Assignment.objects.current().filter(post_id=post.pk).select_related("user").order_by("-start", "-id").first()
    )
    user = assignment.user if assignment is not None else None
    return {"name": _name(user), "title": (user.title if user is not None else "") or post.rank}


def _sheet_name(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return (text.strip() or "Sheet")[:31]


def appendix_data(form: RiskForm) -> dict:
    """Everything 附表1 (unit form) or 附表2 (personal form) prints, as JSON-safe data."""
    with translation.override("zh-hans"):
        form = (
            RiskForm.objects.select_related(
                "campaign", "unit", "post", "post__office", "meeting", "filled_by", "confirmed_by", "approved_by"
            )
            .filter(pk=form.pk)
            .get()
        )
        points = _points(form)
        campaign, unit = form.campaign, form.unit
        as_of = form.approved_at or form.confirmed_at or form.submitted_at or form.created_at
        data = {
            "schema": SCHEMA,
            "appendix": form.appendix_number,
            "kind": form.kind,
            "form_id": form.pk,
            "revision": form.revision,
            "state": form.state,
            "year": campaign.year,
            "campaign": campaign.name,
            "unit": unit.name,
            "unit_code": unit.code,
            "as_of": _iso(as_of),
            "point_count": len(points),
        }
        if form.kind == FormKind.UNIT:
            data.update(_unit_form(form, points))
        else:
            data.update(_personal_form(form, points))
        return data


def _unit_form(form: RiskForm, points: list[RiskPoint]) -> dict:
    meeting = form.meeting
    return {
        "title": f"{form.unit.name}部门廉政风险识别防控表",
        "subtitle": f"（{form.campaign.year}年度 {form.campaign.name}）",
        "sheet_name": _sheet_name(form.unit.name),
        "filename": f"附表1_{form.unit.name}_{form.campaign.year}",
        "header": {
            "filled_by": _name(form.filled_by),
            "phone": form.filled_by.phone if form.filled_by is not None else "",
            "fill_date": cn_date(form.submitted_at),
        },
        "groups": _groups(points),
        "footer": {
            "meeting_date": cn_date(meeting.date) if meeting is not None else "",
            "meeting_attendees": meeting.attendees if meeting is not None else "",
            "confirmation": form.confirmation_text,
            "confirmed_by": _name(form.confirmed_by),
            "confirmed_date": cn_date(form.confirmed_at),
            "publicity": _publicity(form),
            # The office takes the form in when the leadership's confirmation sends it there (R4).
            "received_date": cn_date(form.confirmed_at),
        },
    }


def _personal_form(form: RiskForm, points: list[RiskPoint]) -> dict:
    post = form.post
    holder = _holder(post)
    return {
        "title": "个人廉政风险识别防控表",
        "subtitle": f"（{form.campaign.year}年度）",
        "sheet_name": _sheet_name(post.name),
        "filename": "_".join(
            part for part in ("附表2", form.unit.name, post.name, holder["name"], str(form.campaign.year)) if part
        ),
        "header": {
            "office": post.office.name if post.office_id else "",
            "holder": holder["name"],
            "holder_title": holder["title"],
            "post": post.name,
            "is_key": "是" if post.is_key else "否",
            "duties": post.duties,
        },
        "groups": _groups(points, personal_form_id=form.pk, own_post_id=post.pk),
        "footer": {
            "pledge": pledge_text(),
            "pledge_signed_by": holder["name"] if form.pledge_accepted_at else "",
            "pledge_date": cn_date(form.pledge_accepted_at),
            "office_opinion": "",
            "leader_opinion": form.confirmation_text,
            "leader_signed_by": _name(form.confirmed_by),
            "leader_date": cn_date(form.confirmed_at),
        },
    }


def rows_of(data: dict) -> list[dict]:
    """All rows of the table, in order (the groups flattened)."""
    return [row for group in data.get("groups", []) for row in group["rows"]]


def numbered(items: list[str]) -> str:
    """Several measures in one cell: ``1. … 2. …``, one per line (APPENDIX.md)."""
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, 1))


SCOPE_LABELS = {"unit": "单位", "office": "科室", "post": "岗位"}


def register_data(campaign, *, unit=None) -> dict:
    """风险点汇总表: every point of the campaign (or of one unit), one row each, unit by unit in 附表1 order.

    Reads the live points, whatever the state of the forms, with the unit form's state alongside.
    """
    with translation.override("zh-hans"):
        posts = Post.objects.select_related("office").order_by("sort_order", "id")
        qs = (
            RiskPoint.objects.filter(campaign_id=campaign.pk)
            .select_related("unit", "office", "power_item")
            .prefetch_related(Prefetch("posts", queryset=posts), "measures")
        )
        if unit is not None:
            qs = qs.filter(unit_id=unit.pk)
        by_unit: dict[int, list[RiskPoint]] = {}
        for point in qs.order_by("sort_order", "id"):
            by_unit.setdefault(point.unit_id, []).append(point)
        states = {
            form.unit_id: str(form.get_state_display())
            for form in RiskForm.objects.filter(campaign_id=campaign.pk, kind=FormKind.UNIT)
        }
        units = sorted({p.unit for points in by_unit.values() for p in points}, key=lambda u: (u.sort_order, u.code))
        rows = []
        for each in units:
            for row in rows_of({"groups": _groups(by_unit[each.pk])}):
                rows.append(
                    {
                        **row,
                        "unit": each.name,
                        "form_no": row["no"],
                        "scope_label": SCOPE_LABELS.get(row["scope"], ""),
                        "state": states.get(each.pk, ""),
                    }
                )
        newest = max((p.updated_at for points in by_unit.values() for p in points), default=None)
        scope = unit.name if unit is not None else "全校"
        return {
            "rows": rows,
            "subtitle": f"（{campaign.year}年度 {campaign.name} · {scope} · 共 {len(rows)} 个风险点）",
            "as_of": _iso(newest),
        }
