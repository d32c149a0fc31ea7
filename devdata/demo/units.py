"""Demo data for the organisation: the five pilot units and four second-batch units with their offices, posts and
holders, the demo users (password ``demo12345``, DESIGN §7) and two campaigns: the 2010 pilot with the plan's own
dates (R6) and the current year's campaign, shifted so that today falls inside 查找风险点.

The data lives in ``fixtures/demo/*.json``; ``seed`` is idempotent: rows are found by their natural keys and saved
only when something differs, so a second run writes nothing (and adds no history rows). Later apps' ``demo.py``
files build on the helpers at the bottom (``load_pilot_data``, ``post_by_code``, ``unit_by_code``,
``current_campaign``, ``pilot_campaign``).
"""

import copy
import datetime
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from units.models import Assignment, Batch, Campaign, Office, Phase, Post, Role, Unit, User

DEMO_PASSWORD = "demo12345"  # noqa: S105 — the published demo password (DESIGN §7), not a secret
# A fixed salt makes the hash the same on every run, so an unchanged password is recognised by comparing strings
# instead of running the (deliberately slow) hasher once per user.
_DEMO_SALT = "lianzhengdemo"

#: Unit codes of demo-data.md → the public contract's codes (DESIGN §7).
UNIT_CODES = {"HQ": "houqin", "CB": "xiaojian", "EQ": "shebei", "FN": "caiwu", "AD": "zhaojiu"}

PILOT_CAMPAIGN_NAME = "2010年第一批试点"
#: Today is placed on this day of 查找风险点 in the current campaign: the prepare phase is then just over and the
#: 附表1/附表2 deadline a few days ahead, which is when most of the workflow has something to show.
_DAY_INSIDE_IDENTIFY = 3
#: Everyone held their post since before the pilot started, so both campaigns see the same holders.
_ASSIGNMENT_START = datetime.date(2010, 5, 1)

_SURNAMES = "张李王刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"

# username, full name, role, title, staff number, is_superuser (is_staff follows it)
_SCHOOL_USERS = [
    ("admin", "赵某", Role.ADMIN, "系统管理员", "DEMO-00-0001", True),
    ("reviewer", "钱某", Role.REVIEWER, "纪委监察室", "DEMO-00-0002", False),
    ("leader", "孙某", Role.SCHOOL_LEADER, "校领导(分管纪检监察)", "DEMO-00-0003", False),
]


# --- data files ------------------------------------------------------------------------------------------
def _demo_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "demo"


@cache
def _read_json(name: str) -> dict:
    return json.loads((_demo_dir() / name).read_text(encoding="utf-8"))


def load_pilot_data() -> dict:
    """The five pilot units of demo-data.md: offices, posts, risk points with measures (a fresh copy)."""
    return copy.deepcopy(_read_json("pilot_units.json"))


def load_second_batch_data() -> dict:
    """The second-batch units (offices and posts, no risk points) (a fresh copy)."""
    return copy.deepcopy(_read_json("second_batch_units.json"))


def load_other_records() -> dict:
    """Section 6 of demo-data.md: plan phases, a rules document, a special meeting, complaints, a ballot (a copy)."""
    return copy.deepcopy(_read_json("other_records.json"))


# --- seeding ---------------------------------------------------------------------------------------------
def _apply(model, obj, values: dict):
    """Create ``model(**values)`` when ``obj`` is None, else save only the fields that differ (no-op when equal)."""
    if obj is None:
        return model.objects.create(**values)
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, values[field])
        obj.save(update_fields=changed)
    return obj


def _seed_unit(data: dict) -> Unit:
    unit = Unit.objects.filter(code=data["code"]).first()
    values = {
        "code": data["code"],
        "name": data["name"],
        "kind": data["kind"],
        "batch": data["batch"],
        "is_pilot": data["is_pilot"],
        "sort_order": data["sort_order"],
    }
    return _apply(Unit, unit, values)


def _seed_offices(unit: Unit, offices: list[dict]) -> dict[str, Office]:
    by_code = {}
    for item in offices:
        found = Office.objects.filter(unit=unit, code=item["code"]).first()
        found = found or Office.objects.filter(unit=unit, name=item["name"]).first()
        values = {"unit_id": unit.pk, "code": item["code"], "name": item["name"], "sort_order": item["sort_order"]}
        by_code[item["code"]] = _apply(Office, found, values)
    return by_code


def _seed_posts(unit: Unit, posts: list[dict], offices: dict[str, Office]) -> dict[str, Post]:
    by_code = {}
    for item in posts:
        # Heads usually come before their posts in the file: link them now, the rest in ``_link_heads``.
        head = by_code.get(item["reports_to"])
        office = offices[item["office"]]
        found = Post.objects.filter(unit=unit, code=item["code"]).first()
        found = found or Post.objects.filter(unit=unit, office=office, name=item["name"]).first()
        values = {
            "unit_id": unit.pk,
            "office_id": office.pk,
            "code": item["code"],
            "name": item["name"],
            "rank": item["cadre"],
            "duties": item["duties"],
            "is_key": item["key"],
            "key_area": item["key_area"],
            "sort_order": item["sort_order"],
        }
        if head is not None:
            values["reports_to_id"] = head.pk
        by_code[item["code"]] = _apply(Post, found, values)
    return by_code


def _link_heads(posts: list[dict], by_code: dict[str, Post]) -> None:
    """Second pass: a post's head (reports_to) may come later in the file."""
    for item in posts:
        head = by_code[item["reports_to"]] if item["reports_to"] else None
        _apply(Post, by_code[item["code"]], {"reports_to_id": head.pk if head else None})


class _Users:
    """Creates or updates demo users; the password is written only for new users or when it no longer checks."""

    def __init__(self):
        self.password_hash = make_password(DEMO_PASSWORD, salt=_DEMO_SALT)

    def ensure(self, username: str, **values) -> User:
        values = {"username": username, "email": f"{username}@demo.edu.cn", "is_active": True, **values}
        user = User.objects.filter(username=username).first()
        if user is None:
            return User.objects.create(password=self.password_hash, **values)
        if user.password != self.password_hash and not check_password(DEMO_PASSWORD, user.password):
            user.password = self.password_hash
            user.save(update_fields=["password"])
        return _apply(User, user, values)


def _hold(post: Post, user: User) -> None:
    """Give the post to the user unless they held it before: a later rotation (轮岗) is left alone."""
    if not Assignment.objects.filter(post=post, user=user).exists():
        Assignment.objects.create(post=post, user=user, start=_ASSIGNMENT_START)


def _seed_people(users: _Users, unit: Unit, index: int, data: dict, posts: dict[str, Post]) -> None:
    """C_leader holds the head post, C_staff a key post, C_contact no post; every other post gets a holder."""
    leader_post, staff_post = data["demo_users"]["leader_post"], data["demo_users"]["staff_post"]
    people = [
        (f"{unit.code}_leader", Role.UNIT_LEADER, posts[leader_post]),
        (f"{unit.code}_contact", Role.UNIT_CONTACT, None),
        (f"{unit.code}_staff", Role.STAFF, posts[staff_post]),
    ]
    for code, post in posts.items():
        if code not in (leader_post, staff_post):
            people.append((f"{unit.code}_{code.rsplit('-', 1)[-1].lower()}", Role.STAFF, post))
    for number, (username, role, post) in enumerate(people, start=1):
        user = users.ensure(
            username,
            full_name=_SURNAMES[(index * 11 + number) % len(_SURNAMES)] + "某",
            role=role,
            unit_id=unit.pk,
            title=post.name if post else "单位联络员",
            staff_no=f"DEMO-{index:02d}-{number:04d}",
            is_staff=False,
            is_superuser=False,
        )
        if post is not None:
            _hold(post, user)


def _seed_school_users(users: _Users) -> None:
    for username, full_name, role, title, staff_no, superuser in _SCHOOL_USERS:
        users.ensure(
            username,
            full_name=full_name,
            role=role,
            unit_id=None,
            title=title,
            staff_no=staff_no,
            is_staff=superuser,
            is_superuser=superuser,
        )


def _plan_phases() -> list[tuple[str, datetime.date, datetime.date]]:
    phases = load_other_records()["implementation_plan"]["phases"]
    return [(p["code"], datetime.date.fromisoformat(p["start"]), datetime.date.fromisoformat(p["end"])) for p in phases]


def _current_phases(today: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """The plan's phases, same lengths and gaps, moved so that today is a few days into 查找风险点."""
    plan = _plan_phases()
    identify_start = next(start for kind, start, _end in plan if kind == "identify")
    shift = today - (identify_start + datetime.timedelta(days=_DAY_INSIDE_IDENTIFY))
    return [(kind, start + shift, end + shift) for kind, start, end in plan]


def _current_campaign_name(year: int) -> str:
    return f"{year}年度廉政风险防范管理"


def _seed_campaign(*, name: str, year: int, units: list[Unit], phases) -> Campaign:
    campaign = _apply(
        Campaign,
        Campaign.objects.filter(year=year, name=name).first(),
        {"name": name, "year": year, "batch": Batch.FIRST},
    )
    campaign.units.set(units)
    for kind, start, end in phases:
        phase = Phase.objects.filter(campaign=campaign, kind=kind).first()
        _apply(Phase, phase, {"campaign_id": campaign.pk, "kind": kind, "start": start, "end": end})
    return campaign


@transaction.atomic
def seed(*, stdout) -> None:
    users = _Users()
    _seed_school_users(users)
    units = {"pilot": [], "second": []}
    batches = [("pilot", load_pilot_data()["units"]), ("second", load_second_batch_data()["units"])]
    index = 0
    for batch, unit_list in batches:
        for data in unit_list:
            index += 1
            unit = _seed_unit(data)
            offices = _seed_offices(unit, data["offices"])
            posts = _seed_posts(unit, data["posts"], offices)
            _link_heads(data["posts"], posts)
            _seed_people(users, unit, index, data, posts)
            units[batch].append(unit)

    _seed_campaign(name=PILOT_CAMPAIGN_NAME, year=2010, units=units["pilot"], phases=_plan_phases())
    today = timezone.localdate()
    _seed_campaign(
        name=_current_campaign_name(today.year),
        year=today.year,
        units=units["pilot"] + units["second"],
        phases=_current_phases(today),
    )
    stdout.write(
        f"units: {len(units['pilot'])} 试点单位 + {len(units['second'])} 第二批单位, "
        f"{Post.objects.count()} 岗位, {User.objects.count()} 用户, 2 批次"
    )


# --- helpers for the other apps' demo.py -------------------------------------------------------------------
def unit_by_code(code: str) -> Unit:
    """A unit by its contract code (``houqin``) or its demo-data code (``HQ``)."""
    return Unit.objects.get(code=UNIT_CODES.get(code, code))


def post_by_code(code: str) -> Post:
    """A post by its demo-data code, e.g. ``HQ-P10`` (采购员)."""
    return Post.objects.select_related("unit", "office", "reports_to").get(code=code)


def pilot_campaign() -> Campaign:
    """The 2010 pilot campaign with the plan's own dates."""
    return Campaign.objects.get(year=2010, name=PILOT_CAMPAIGN_NAME)


def current_campaign() -> Campaign:
    """This year's campaign, whose 查找风险点 phase contains today (as of the last seed)."""
    year = timezone.localdate().year
    return Campaign.objects.get(year=year, name=_current_campaign_name(year))
