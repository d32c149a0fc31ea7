"""Synthetic campus data for benchmarks and load tests (``manage.py generate_dataset``).

Everything is drawn from ``random.Random(seed)``: the same arguments give the same units, posts, people, forms,
risk points, measures and complaints, row for row (timestamps set by the database aside). Rows are written with
``bulk_create`` in batches, many-to-many links through their through-models, so 20,000 posts take minutes, not
hours. No audit events and no notifications to real people are written: this is data, not a history of actions.

Generated rows are recognisable: unit codes start with ``syn``, user names with ``syn_`` or ``bench_``. The
command refuses a database that holds anything else (the demo, a real campus) unless told ``--force``.

The package sits on top of the apps (``devdata``, DESIGN §4) and imports all of their models.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from measures.models import Measure, MeasureStage, MeasureState
from reviews.models import (
    Deliverable,
    DeliverableKind,
    SelfInspection,
    Submission,
    SubmissionState,
)
from reviews.schedule.services import default_deliverables
from risks.models import (
    FormEvent,
    FormKind,
    FormState,
    PowerItem,
    PowerKind,
    RiskForm,
    RiskPoint,
    RiskScope,
    SpecialMeeting,
)
from units.models import (
    Assignment,
    Batch,
    Campaign,
    KeyArea,
    Office,
    Phase,
    PhaseKind,
    Post,
    Role,
    Unit,
    User,
)

from .supervision import SupervisionSteps
from .vocabulary import (
    _CATEGORY_WEIGHTS,
    _FORM_STATES,
    _HEADS,
    _LEVEL_WEIGHTS,
    _MEASURES,
    _OFFICES,
    _POSTS,
    _RISKS,
    _UNITS,
    BATCH_SIZE,
    BENCH_PASSWORD,
    UNIT_CODE_PREFIX,
    USER_PREFIXES,
    _person_name,
    _pick,
    unit_sizes,
)


class DatasetRefused(Exception):
    """The database holds data that was not generated here (or an earlier dataset); nothing was written."""


@dataclass
class Summary:
    counts: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)
    bench_users: list = field(default_factory=list)
    largest_unit: str = ""


def foreign_data_present() -> bool:
    """Units or users in the database that this generator did not make (the demo, a real campus)."""
    users = User.objects.exclude(Q(username__startswith=USER_PREFIXES[0]) | Q(username__startswith=USER_PREFIXES[1]))
    return Unit.objects.exclude(code__startswith=UNIT_CODE_PREFIX).exists() or users.exists()


def generated_data_present() -> bool:
    return Unit.objects.filter(code__startswith=UNIT_CODE_PREFIX).exists()


class _Generator(SupervisionSteps):
    def __init__(self, *, units: int, posts_per_unit: int, seed: int, stdout=None):
        self.n_units = units
        self.posts_per_unit = posts_per_unit
        self.rng = random.Random(seed)
        self.seed = seed
        self.stdout = stdout
        self.summary = Summary()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self._started = time.perf_counter()

    # --- helpers ---------------------------------------------------------------------------------------------
    def _step(self, label: str, started: float):
        elapsed = time.perf_counter() - started
        self.summary.timings.append((label, elapsed))
        if self.stdout is not None:
            self.stdout.write(f"  {label}: {elapsed:.1f} s")

    def _bulk(self, model, rows):
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.summary.counts[model._meta.label] = self.summary.counts.get(model._meta.label, 0) + len(rows)
        return rows

    def kept_figures(self):
        """The rows above were bulk-loaded around the services: rebuild every kept figure from them."""
        from lianzheng import figures

        figures.rebuild_all()

    def _at(self, days_ago: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days_ago)

    # --- the steps --------------------------------------------------------------------------------------------
    def run(self) -> Summary:
        for label, step in [
            ("单位、科室、岗位 (units, offices, posts)", self.organisation),
            ("人员与任职 (people, assignments)", self.people),
            ("批次、阶段、报送材料 (campaign, phases, deliverables)", self.campaign_and_schedule),
            ("权力事项与风险点 (power items, risk points)", self.risk_points),
            ("防控措施 (measures)", self.measures),
            ("防控表 (forms, meetings, events)", self.forms),
            ("实施细则、信访举报、黄牌、考核 (rules, complaints, cards, assessments)", self.supervision),
            ("通知 (notifications)", self.notifications),
            ("统计数 (kept figures)", self.kept_figures),
        ]:
            started = time.perf_counter()
            step()
            self._step(label, started)
        self.summary.timings.append(("total", time.perf_counter() - self._started))
        return self.summary

    def organisation(self):
        rng = self.rng
        sizes = unit_sizes(rng, self.n_units, self.posts_per_unit)
        taken = set(Unit.objects.values_list("name", flat=True))
        units = []
        for i in range(self.n_units):
            base, kind, area = _UNITS[i % len(_UNITS)]
            name = base if i < len(_UNITS) else f"{base}{i // len(_UNITS) + 1}分部"
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
        self._bulk(Unit, units)
        self.units = units
        self.unit_size = dict(zip([u.code for u in units], sizes, strict=True))

        offices, posts = [], []
        for unit, size in zip(units, sizes, strict=True):
            n_offices = max(1, min(len(_OFFICES), round(size / 8)))
            names = rng.sample(_OFFICES, n_offices)
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
                base = rng.choice(_HEADS) if is_head else rng.choice(_POSTS[area])
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
        self._bulk(Office, offices)
        for post in posts:
            post.office_id = post.office.pk if post.office else None
        self._bulk(Post, posts)
        # Every post of an office reports to the office's head post (the "head of the post" of R9).
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
        self.posts = posts
        self.largest = max(units, key=lambda u: len(u.post_list))
        self.summary.largest_unit = self.largest.code

    def people(self):
        rng = self.rng
        unusable = [make_password(None) for _ in range(64)]  # unusable, and cheap: no hashing per person
        bench_hash = make_password(BENCH_PASSWORD)
        users = []
        for unit in self.units:
            for role, label in ((Role.UNIT_LEADER, "leader"), (Role.UNIT_CONTACT, "contact")):
                users.append(
                    User(
                        username=f"syn_{unit.code}_{label}",
                        full_name=_person_name(rng),
                        role=role,
                        unit=unit,
                        title="处长" if role == Role.UNIT_LEADER else "办公室主任",
                        password=rng.choice(unusable),
                    )
                )
            unit.leader, unit.contact = users[-2], users[-1]
        holders = []
        for n, post in enumerate(self.posts, start=1):
            user = User(
                username=f"syn_u{n:06d}",
                full_name=_person_name(rng),
                role=Role.STAFF,
                unit=post.unit,
                staff_no=f"SYN{n:06d}",
                title=post.rank,
                phone=f"0791-83{rng.randint(100000, 999999)}",
                password=rng.choice(unusable),
            )
            post.holder = user
            holders.append(user)
        largest = self.largest
        bench = [
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
            User(
                username="bench_staff", full_name="工作人员(基准)", role=Role.STAFF, unit=largest, password=bench_hash
            ),
        ]
        self._bulk(User, users + holders + bench)
        self.bench = {u.username: u for u in bench}
        self.reviewer = self.bench["bench_reviewer"]
        start = self.today - datetime.timedelta(days=400)
        assignments = [Assignment(post=post, user=post.holder, start=start) for post in self.posts]
        # bench_staff holds a post of the largest unit (beside its regular holder) so personal pages have data.
        self.bench_post = largest.post_list[-1]
        assignments.append(Assignment(post=self.bench_post, user=self.bench["bench_staff"], start=start))
        # Rotation history (轮岗): some posts had an earlier holder.
        for post in rng.sample(self.posts, len(self.posts) // 20):
            former = rng.choice(holders)
            if former is not post.holder:
                end = start - datetime.timedelta(days=1)
                assignments.append(
                    Assignment(post=post, user=former, start=end - datetime.timedelta(days=700), end=end)
                )
        self._bulk(Assignment, assignments)
        self.summary.bench_users = [(u.username, u.get_role_display(), u.unit.code if u.unit else "") for u in bench]

    def campaign_and_schedule(self):
        rng, today = self.rng, self.today
        campaign = Campaign.objects.create(name=f"{today.year}年度廉政风险防范管理(合成数据)", year=today.year, batch=1)
        through = Campaign.units.through
        self._bulk(through, [through(campaign_id=campaign.pk, unit_id=u.pk) for u in self.units])
        days = lambda n: today + datetime.timedelta(days=n)  # noqa: E731
        spans = {
            PhaseKind.PREPARE: (days(-12), days(-4)),
            PhaseKind.IDENTIFY: (days(-3), days(5)),  # today inside 查找风险点
            PhaseKind.MEASURES: (days(6), days(17)),
            PhaseKind.INSPECT: (days(18), days(29)),
        }
        self._bulk(Phase, [Phase(campaign=campaign, kind=k, start=s, end=e) for k, (s, e) in spans.items()])
        self.campaign = campaign
        deliverables = self._bulk(Deliverable, [Deliverable(**spec) for spec in default_deliverables(campaign)])
        submissions, inspections = [], []
        states = [SubmissionState.MISSING, SubmissionState.SUBMITTED, SubmissionState.ACCEPTED]
        states.append(SubmissionState.RETURNED)
        for u, unit in enumerate(self.units):
            for deliverable in deliverables:
                if deliverable.is_derived or deliverable.phase.kind not in (PhaseKind.PREPARE, PhaseKind.IDENTIFY):
                    continue
                if deliverable.kind == DeliverableKind.SELF_INSPECTION:
                    if deliverable.phase.kind == PhaseKind.PREPARE and rng.random() < 0.7:
                        inspections.append(
                            SelfInspection(
                                unit=unit,
                                phase=deliverable.phase,
                                findings="领导小组对筹备启动阶段工作进行了自查，动员部署到位。",
                                rectification="进一步明确分工，按时报送材料。",
                                submitted_by=unit.contact,
                            )
                        )
                    continue
                weights = [15, 20, 55, 10] if deliverable.phase.kind == PhaseKind.PREPARE else [60, 25, 10, 5]
                state = rng.choices(states, weights)[0]
                if u == 0:  # the first unit shows every state, whatever the size
                    state = states[deliverables.index(deliverable) % len(states)]
                if state == SubmissionState.MISSING:
                    continue
                handed_in = self._at(rng.uniform(1, 8))
                submissions.append(
                    Submission(
                        unit=unit,
                        deliverable=deliverable,
                        state=state,
                        original_name=f"{unit.name}{deliverable.name}.pdf",
                        content_type="application/pdf",
                        size=rng.randint(20_000, 900_000),
                        note="按要求报送。",
                        comment="内容不完整，请补充后重新报送。" if state == SubmissionState.RETURNED else "",
                        submitted_by=unit.contact,
                        submitted_at=handed_in,
                        reviewed_by=self.reviewer if state in ("accepted", "returned") else None,
                        reviewed_at=handed_in + datetime.timedelta(days=1)
                        if state in ("accepted", "returned")
                        else None,
                    )
                )
        self._bulk(Submission, submissions)
        self._bulk(SelfInspection, inspections)

    def risk_points(self):
        rng, campaign = self.rng, self.campaign
        items, item_posts = [], []
        for unit in self.units:
            unit.items = []
            for j in range(rng.randint(4, 8)):
                area = unit.main_area if j % 2 == 0 else rng.choice(list(KeyArea))
                step, _name, _text = rng.choice(_RISKS[area])
                item = PowerItem(
                    unit=unit,
                    name=f"{step}({j + 1})",
                    kind=rng.choice(list(PowerKind)),
                    basis="《江西农业大学有关管理办法》",
                    process="申请→审核→审批→办理→归档",
                    sort_order=j + 1,
                )
                items.append(item)
                unit.items.append(item)
        self._bulk(PowerItem, items)
        item_through = PowerItem.posts.through
        for unit in self.units:
            for item in unit.items:
                for post in rng.sample(unit.post_list, min(3, len(unit.post_list))):
                    item_posts.append(item_through(poweritem_id=item.pk, post_id=post.pk))
        self._bulk(item_through, item_posts)

        points, links = [], []
        leaders = ["分管副处长", "分管副院长", "单位负责人"]
        for unit in self.units:
            order = 0
            for post in unit.post_list:
                if rng.random() < 0.03:
                    continue  # coverage gaps (R13): a few posts without any risk point
                for _ in range(rng.randint(3, 7)):
                    order += 1
                    roll = rng.random()
                    if roll < 0.05 or (roll < 0.2 and post.office is None):
                        scope, office, on_posts = RiskScope.UNIT, None, []
                    elif roll < 0.2:
                        scope, office, on_posts = RiskScope.OFFICE, post.office, []
                    else:
                        scope, office, on_posts = RiskScope.POST, post.office, [post]
                        if rng.random() < 0.1:
                            other = rng.choice(unit.post_list)
                            if other is not post:
                                on_posts.append(other)
                    area = post.key_area or unit.main_area
                    step, name, text = rng.choice(_RISKS[area])
                    point = RiskPoint(
                        campaign=campaign,
                        unit=unit,
                        office=office,
                        scope=scope,
                        code=f"{unit.code}-{order:04d}",
                        power_item=rng.choice(unit.items) if rng.random() < 0.5 else None,
                        business_step=step,
                        name=f"{name}({post.name})" if scope == RiskScope.POST else name,
                        manifestation=text,
                        category=_pick(rng, _CATEGORY_WEIGHTS),
                        level=_pick(rng, _LEVEL_WEIGHTS),
                        responsible_leader=rng.choice(leaders),
                        responsible_person=post.name if scope == RiskScope.POST else "科长",
                        supervisor="纪委监察室",
                        sort_order=order,
                    )
                    point.on_posts = on_posts
                    points.append(point)
        self._bulk(RiskPoint, points)
        through = RiskPoint.posts.through
        links = [through(riskpoint_id=p.pk, post_id=post.pk) for p in points for post in p.on_posts]
        self._bulk(through, links)
        self.points = points

    def measures(self):
        rng = self.rng
        rows = []
        states = [(MeasureState.PLANNED, 50), (MeasureState.IN_EFFECT, 40), (MeasureState.CHECKED, 10)]
        for point in self.points:
            for stage in (MeasureStage.PRE, MeasureStage.MID, MeasureStage.POST):
                if rng.random() < 0.07:
                    continue  # a stage without measures (R7 gap, shown on the coverage page)
                for n in range(rng.randint(1, 2)):
                    state = _pick(rng, states)
                    rows.append(
                        Measure(
                            risk_point=point,
                            stage=stage,
                            content=rng.choice(_MEASURES[stage]),
                            responsible=point.responsible_person,
                            due_date=self.today + datetime.timedelta(days=rng.randint(-20, 60)),
                            state=state,
                            evidence_note="已按要求落实。" if state == MeasureState.CHECKED else "",
                            sort_order=n + 1,
                        )
                    )
                    if len(rows) >= 50_000:
                        self._bulk(Measure, rows)
                        rows = []
        self._bulk(Measure, rows)
        del self.points  # the largest lists; free them before the forms

    def forms(self):
        rng, campaign = self.rng, self.campaign
        meetings = []
        for unit in self.units:
            meeting = SpecialMeeting(
                campaign=campaign,
                unit=unit,
                date=self.today - datetime.timedelta(days=rng.randint(0, 3)),
                attendees=f"{unit.leader.full_name}、{unit.contact.full_name}及班子成员",
                minutes="专题会议对本单位各岗位查找的风险点逐一评估，确定风险等级。",
                recorded_by=unit.contact,
            )
            meetings.append(meeting)
            unit.meeting = meeting
        self._bulk(SpecialMeeting, meetings)
        forms = []
        every_state = [state for state, _weight in _FORM_STATES]
        others = [unit for unit in self.units if unit is not self.largest]
        for unit in self.units:
            # Every state occurs among the unit forms and among the personal forms, whatever the size; the
            # benchmarks' form page (the unit form of the largest unit) is confirmed: the reviewer's case.
            if unit is self.largest:
                unit_state = FormState.CONFIRMED
            elif others.index(unit) < len(every_state):
                unit_state = every_state[others.index(unit)]
            else:
                unit_state = _pick(rng, _FORM_STATES)
            forms.append(self._form(FormKind.UNIT, unit, None, unit_state, unit.contact))
            for post in unit.post_list:
                forms.append(self._form(FormKind.PERSONAL, unit, post, _pick(rng, _FORM_STATES), post.holder))
        personal = [form for form in forms if form.kind == FormKind.PERSONAL]
        for form, state in zip(personal, every_state, strict=False):
            self._set_state(form, state)
        self._bulk(RiskForm, forms)
        events = []
        for form in forms:
            for action, from_state, to_state, actor, comment in self._history(form):
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
        self._bulk(FormEvent, events)

    def _form(self, kind, unit, post, state, filler):
        form = RiskForm(kind=kind, campaign=self.campaign, unit=unit, post=post, filled_by=filler)
        self._set_state(form, state)
        return form

    def _set_state(self, form, state):
        unit = form.unit
        form.state = state
        form.meeting = form.confirmed_by = form.approved_by = None
        form.submitted_at = form.confirmed_at = form.approved_at = form.pledge_accepted_at = None
        form.confirmation_text = ""
        if state == FormState.DRAFT:
            return
        form.submitted_at = self._at(self.rng.uniform(1, 3))
        if form.kind == FormKind.PERSONAL:
            form.pledge_accepted_at = form.submitted_at
        if state in (FormState.CONFIRMED, FormState.APPROVED):
            form.meeting = unit.meeting
            form.confirmed_by = unit.leader
            form.confirmed_at = form.submitted_at + datetime.timedelta(hours=6)
            form.confirmation_text = "经单位领导班子集体研究，同意上报。"
        if state == FormState.APPROVED:
            form.approved_by = self.reviewer
            form.approved_at = form.confirmed_at + datetime.timedelta(hours=20)

    def _history(self, form):
        if form.state == FormState.DRAFT:
            return []
        unit = form.unit
        steps = [("submit", FormState.DRAFT, FormState.SUBMITTED, form.filled_by, "")]
        if form.state == FormState.RETURNED:
            steps.append(("return", FormState.SUBMITTED, FormState.RETURNED, unit.leader, "风险等级评估偏低，请修改。"))
        if form.state in (FormState.CONFIRMED, FormState.APPROVED):
            steps.append(("confirm", FormState.SUBMITTED, FormState.CONFIRMED, unit.leader, ""))
        if form.state == FormState.APPROVED:
            steps.append(("approve", FormState.CONFIRMED, FormState.APPROVED, self.reviewer, ""))
        return steps


def generate(*, units: int, posts_per_unit: int, seed: int = 1, force: bool = False, stdout=None) -> Summary:
    """Build the synthetic campus in one transaction; refuses a database with foreign or earlier generated data."""
    if units < 1 or posts_per_unit < 2:
        raise ValueError("units ≥ 1 and posts_per_unit ≥ 2")
    if generated_data_present():
        raise DatasetRefused("数据库中已有合成数据，请使用新的空数据库。(A generated dataset is already present.)")
    if foreign_data_present() and not force:
        raise DatasetRefused(
            "数据库中已有非合成数据(如演示数据)，为免破坏，已拒绝写入；请用 DATABASE_URL 指定新的数据库，"
            "或加 --force。(The database holds data that was not generated; use a fresh database or --force.)"
        )
    with transaction.atomic():
        summary = _Generator(units=units, posts_per_unit=posts_per_unit, seed=seed, stdout=stdout).run()
    return summary
