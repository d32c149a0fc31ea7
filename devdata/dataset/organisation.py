"""The organisation: units, offices and posts (with who reports to whom), then the people who hold the posts, the
benchmark users and the assignments, a few of them past ones (轮岗).
"""

import datetime
import random

from django.contrib.auth.hashers import make_password

from units.models import Assignment, Batch, KeyArea, Office, Post, Role, Unit, User

from .build import BATCH_SIZE, BENCH_PASSWORD, UNIT_CODE_PREFIX, Build
from .words import HEADS, OFFICES, POSTS, UNITS, person_name


def unit_sizes(rng: random.Random, units: int, posts_per_unit: int) -> list[int]:
    """Posts per unit: around the mean, some units larger, some smaller, the total exactly units × mean."""
    sizes = [posts_per_unit] * units
    for i in range(0, units - 1, 2):
        delta = rng.randint(0, posts_per_unit // 2)
        sizes[i] += delta
        sizes[i + 1] -= delta
    rng.shuffle(sizes)
    return sizes


# --- units, offices, posts ---------------------------------------------------------------------------------------
def organisation(build: Build):
    sizes = unit_sizes(build.rng, build.n_units, build.posts_per_unit)
    build.units = _units(build)
    build.posts = _offices_and_posts(build, sizes)
    _reporting_lines(build.posts)
    build.largest = max(build.units, key=lambda u: len(u.post_list))
    build.summary.largest_unit = build.largest.code


def _units(build: Build) -> list[Unit]:
    """The units, named after a real campus's; past the word list, as numbered branches (…2分部)."""
    taken = set(Unit.objects.values_list("name", flat=True))
    units = []
    for i in range(build.n_units):
        base, kind, area = UNITS[i % len(UNITS)]
        name = base if i < len(UNITS) else f"{base}{i // len(UNITS) + 1}分部"
        if name in taken:
            name = f"{name}(合成)"
        taken.add(name)
        units.append(
            Unit(
                code=f"{UNIT_CODE_PREFIX}{i + 1:04d}",
                name=name,
                kind=kind,
                batch=Batch.FIRST if i < 5 else Batch.SECOND,
                is_pilot=i < 5,
                sort_order=i + 1,
            )
        )
        units[-1].main_area = area
    return build.bulk(Unit, units)


def _offices_and_posts(build: Build, sizes: list[int]) -> list[Post]:
    """Each unit's offices and its posts; the first post of each office is the office's head."""
    rng = build.rng
    offices, posts = [], []
    for unit, size in zip(build.units, sizes, strict=True):
        n_offices = max(1, min(len(OFFICES), round(size / 8)))
        names = rng.sample(OFFICES, n_offices)
        unit_offices = [
            Office(unit=unit, code=f"O{j + 1:02d}", name=name, sort_order=j + 1) for j, name in enumerate(names)
        ]
        offices.extend(unit_offices)
        unit.office_list = unit_offices
        unit.post_list = []
        per_name: dict = {}
        for k in range(size):
            office = unit_offices[k % n_offices] if k % 11 != 10 else None  # a few posts belong to no office
            is_head = k < n_offices
            area = unit.main_area if rng.random() < 0.6 else rng.choice(list(KeyArea))
            base = rng.choice(HEADS) if is_head else rng.choice(POSTS[area])
            key = (office.name if office else "", base)
            per_name[key] = per_name.get(key, 0) + 1
            name = base if per_name[key] == 1 else f"{base}{per_name[key]}"
            is_key = is_head or rng.random() < 0.27
            post = Post(
                unit=unit,
                office=office,
                code=f"P{k + 1:04d}",
                name=name,
                rank="科级" if is_head else rng.choice(["科员", "主任科员", "副科级", "专业技术岗"]),
                duties=f"负责{office.name if office else unit.name}{base}相关工作。",
                is_key=is_key,
                key_area=area if is_key or rng.random() < 0.2 else "",
                sort_order=k + 1,
            )
            post.is_head = is_head
            posts.append(post)
            unit.post_list.append(post)
    build.bulk(Office, offices)
    for post in posts:
        post.office_id = post.office.pk if post.office else None
    return build.bulk(Post, posts)


def _reporting_lines(posts: list[Post]):
    """Every post of an office reports to the office's head post (the "head of the post" of R9)."""
    heads = {}
    for post in posts:
        if post.is_head and post.office_id:
            heads[post.office_id] = post
    updates = []
    for post in posts:
        head = heads.get(post.office_id)
        if head is not None and head is not post:
            post.reports_to = head
            updates.append(post)
    Post.objects.bulk_update(updates, ["reports_to"], batch_size=BATCH_SIZE)


# --- people ------------------------------------------------------------------------------------------------------
def people(build: Build):
    unusable = [make_password(None) for _ in range(64)]  # unusable, and cheap: no hashing per person
    bench_hash = make_password(BENCH_PASSWORD)
    officers = _unit_officers(build, unusable)
    holders = _holders(build, unusable)
    bench = _bench_users(build.largest, bench_hash)
    build.bulk(User, officers + holders + bench)
    build.bench = {u.username: u for u in bench}
    build.reviewer = build.bench["bench_reviewer"]
    _assignments(build, holders)
    build.summary.bench_users = [(u.username, u.get_role_display(), u.unit.code if u.unit else "") for u in bench]


def _unit_officers(build: Build, unusable: list[str]) -> list[User]:
    """Each unit's leader and contact person (``unit.leader``, ``unit.contact``)."""
    users = []
    for unit in build.units:
        for role, label in ((Role.UNIT_LEADER, "leader"), (Role.UNIT_CONTACT, "contact")):
            users.append(
                User(
                    username=f"syn_{unit.code}_{label}",
                    full_name=person_name(build.rng),
                    role=role,
                    unit=unit,
                    title="处长" if role == Role.UNIT_LEADER else "办公室主任",
                    password=build.rng.choice(unusable),
                )
            )
        unit.leader, unit.contact = users[-2], users[-1]
    return users


def _holders(build: Build, unusable: list[str]) -> list[User]:
    """One person per post (``post.holder``), who cannot log in."""
    rng = build.rng
    holders = []
    for n, post in enumerate(build.posts, start=1):
        user = User(
            username=f"syn_u{n:06d}",
            full_name=person_name(rng),
            role=Role.STAFF,
            unit=post.unit,
            staff_no=f"SYN{n:06d}",
            title=post.rank,
            phone=f"0791-83{rng.randint(100000, 999999)}",
            password=rng.choice(unusable),
        )
        post.holder = user
        holders.append(user)
    return holders


def _bench_users(largest: Unit, bench_hash: str) -> list[User]:
    """The users the benchmarks log in as, one per role; the unit people belong to the largest unit."""
    return [
        User(username="bench_reviewer", full_name="审核人(基准)", role=Role.REVIEWER, password=bench_hash),
        User(username="bench_leader", full_name="校领导(基准)", role=Role.SCHOOL_LEADER, password=bench_hash),
        User(
            username="bench_contact",
            full_name="联络员(基准)",
            role=Role.UNIT_CONTACT,
            unit=largest,
            password=bench_hash,
        ),
        User(
            username="bench_unit_leader",
            full_name="单位负责人(基准)",
            role=Role.UNIT_LEADER,
            unit=largest,
            password=bench_hash,
        ),
        User(username="bench_staff", full_name="工作人员(基准)", role=Role.STAFF, unit=largest, password=bench_hash),
    ]


def _assignments(build: Build, holders: list[User]):
    rng = build.rng
    start = build.today - datetime.timedelta(days=400)
    assignments = [Assignment(post=post, user=post.holder, start=start) for post in build.posts]
    # bench_staff holds a post of the largest unit (beside its regular holder) so personal pages have data.
    bench_post = build.largest.post_list[-1]
    assignments.append(Assignment(post=bench_post, user=build.bench["bench_staff"], start=start))
    # Rotation history (轮岗): some posts had an earlier holder.
    for post in rng.sample(build.posts, len(build.posts) // 20):
        former = rng.choice(holders)
        if former is not post.holder:
            end = start - datetime.timedelta(days=1)
            assignments.append(Assignment(post=post, user=former, start=end - datetime.timedelta(days=700), end=end))
    build.bulk(Assignment, assignments)
