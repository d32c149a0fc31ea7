"""The entry point: ``generate`` refuses a database with data that is not its own, then runs the steps in order in
one transaction and returns the ``Summary`` (rows per model, seconds per step, the benchmark users).
"""

import time

from django.db import transaction
from django.db.models import Q

from lianzheng import figures
from units.models import Unit, User

from .build import UNIT_CODE_PREFIX, USER_PREFIXES, Build, Summary
from .organisation import organisation, people
from .points import measures, risk_points
from .risk_forms import forms
from .schedule import campaign_and_schedule
from .supervision import notifications, supervision


class DatasetRefused(Exception):
    """The database holds data that was not generated here (or an earlier dataset); nothing was written."""


def foreign_data_present() -> bool:
    """Units or users in the database that this generator did not make (the demo, a real campus)."""
    users = User.objects.exclude(Q(username__startswith=USER_PREFIXES[0]) | Q(username__startswith=USER_PREFIXES[1]))
    return Unit.objects.exclude(code__startswith=UNIT_CODE_PREFIX).exists() or users.exists()


def generated_data_present() -> bool:
    return Unit.objects.filter(code__startswith=UNIT_CODE_PREFIX).exists()


def kept_figures(build: Build):
    """The rows above were bulk-loaded around the services: rebuild every kept figure from them."""
    figures.rebuild_all()


#: The steps, timed one by one under these labels (printed by the command, kept in ``Summary.timings``). Their
#: order is part of the data: every step draws from the same random source after the ones before.
STEPS = [
    ("单位、科室、岗位 (units, offices, posts)", organisation),
    ("人员与任职 (people, assignments)", people),
    ("批次、阶段、报送材料 (campaign, phases, deliverables)", campaign_and_schedule),
    ("权力事项与风险点 (power items, risk points)", risk_points),
    ("防控措施 (measures)", measures),
    ("防控表 (forms, meetings, events)", forms),
    ("实施细则、信访举报、黄牌、考核 (rules, complaints, cards, assessments)", supervision),
    ("通知 (notifications)", notifications),
    ("统计数 (kept figures)", kept_figures),
]


def _run(build: Build) -> Summary:
    for label, step in STEPS:
        started = time.perf_counter()
        step(build)
        build.record_timing(label, started)
    build.summary.timings.append(("total", time.perf_counter() - build.started))
    return build.summary


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
        summary = _run(Build(units=units, posts_per_unit=posts_per_unit, seed=seed, stdout=stdout))
    return summary
