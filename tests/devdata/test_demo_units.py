"""The demo data foundation: ``seed_demo`` is idempotent, the contract's users log in, and the units, posts and
campaigns match demo-data.md and the plan (R5, R6)."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from devdata.demo import units as demo
from units.models import Assignment, Campaign, Office, Phase, PhaseKind, Post, Role, Unit, User

PILOT_UNITS = {"houqin": "后勤集团", "xiaojian": "校建办", "shebei": "设备处", "caiwu": "财务处", "zhaojiu": "招就处"}
CONTRACT_USERS = {"admin": Role.ADMIN, "reviewer": Role.REVIEWER, "leader": Role.SCHOOL_LEADER} | {
    f"{code}_{suffix}": role
    for code in PILOT_UNITS
    for suffix, role in (("leader", Role.UNIT_LEADER), ("contact", Role.UNIT_CONTACT), ("staff", Role.STAFF))
}
PROJECT_APPS = ["lianzheng", "units", "risks", "measures", "reviews"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the whole module, inside a transaction rolled back at the end (each test adds a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded_db(seeded, db):
    return None


def _row_counts(models) -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in models}


def _org_models():
    models = [Unit, Office, Post, User, Assignment, Campaign, Phase, Campaign.units.through]
    return models + [model.history.model for model in (Unit, Office, Post, User, Assignment)]


def _snapshot():
    return {
        "units": list(Unit.objects.order_by("pk").values()),
        "offices": list(Office.objects.order_by("pk").values()),
        "posts": list(Post.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "phases": list(Phase.objects.order_by("pk").values()),
    }


def test_seed_demo_twice_leaves_the_organisation_and_its_history_unchanged(seeded_db):
    counts, snapshot = _row_counts(_org_models()), _snapshot()

    call_command("seed_demo", stdout=StringIO())

    assert _row_counts(_org_models()) == counts
    assert _snapshot() == snapshot


def test_seed_demo_twice_changes_no_row_count_in_any_app(seeded_db):
    models = [model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()]
    counts = _row_counts(models)

    call_command("seed_demo", stdout=StringIO())

    assert _row_counts(models) == counts


@pytest.mark.parametrize("username", sorted(CONTRACT_USERS))
def test_every_contract_user_logs_in_with_the_demo_password_and_sees_the_dashboard(seeded_db, client, username):
    user = User.objects.get(username=username)
    assert user.role == CONTRACT_USERS[username]
    assert user.email == f"{username}@demo.edu.cn"

    assert client.login(username=username, password="demo12345")
    assert client.get(reverse("dashboard")).status_code == 200


def test_admin_is_a_superuser_and_unit_users_belong_to_their_unit(seeded_db):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for code in PILOT_UNITS:
        for suffix in ("leader", "contact", "staff"):
            assert User.objects.get(username=f"{code}_{suffix}").unit.code == code


def test_r5_the_five_pilot_units_are_the_first_batch(seeded_db):
    pilots = Unit.objects.filter(is_pilot=True)
    assert {u.code: u.name for u in pilots} == PILOT_UNITS
    assert set(pilots.values_list("batch", flat=True)) == {1}
    second = Unit.objects.exclude(code__in=PILOT_UNITS)
    assert second.count() >= 2
    assert set(second.values_list("batch", flat=True)) == {2}
    assert set(demo.pilot_campaign().units.values_list("code", flat=True)) == set(PILOT_UNITS)


def test_r6_the_pilot_campaign_has_the_plans_phase_dates(seeded_db):
    phases = {p.kind: (p.start, p.end) for p in demo.pilot_campaign().phases.all()}
    d = datetime.date
    assert phases == {
        PhaseKind.PREPARE: (d(2010, 5, 20), d(2010, 5, 28)),
        PhaseKind.IDENTIFY: (d(2010, 5, 29), d(2010, 6, 6)),
        PhaseKind.MEASURES: (d(2010, 6, 7), d(2010, 6, 18)),
        PhaseKind.INSPECT: (d(2010, 6, 19), d(2010, 6, 30)),
    }


def test_the_current_campaigns_identify_phase_contains_today(seeded_db):
    campaign = demo.current_campaign()
    today = timezone.localdate()
    identify = campaign.phases.get(kind=PhaseKind.IDENTIFY)
    assert identify.start <= today <= identify.end
    assert set(campaign.units.values_list("code", flat=True)) >= set(PILOT_UNITS)
    # Same lengths and gaps as the plan's phases.
    lengths = [(p.end - p.start).days for p in campaign.phases.order_by("start")]
    plan = [(p.end - p.start).days for p in demo.pilot_campaign().phases.order_by("start")]
    assert lengths == plan


def test_seeding_on_another_day_moves_the_current_campaign_with_it(seeded_db, monkeypatch):
    today = timezone.localdate()
    other_day = today + datetime.timedelta(days=1)
    if other_day.year != today.year:
        other_day = today - datetime.timedelta(days=1)
    campaigns = Campaign.objects.count()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: other_day)

    call_command("seed_demo", stdout=StringIO())

    identify = demo.current_campaign().phases.get(kind=PhaseKind.IDENTIFY)
    assert identify.start <= other_day <= identify.end
    assert Campaign.objects.count() == campaigns


def test_posts_match_the_data_file(seeded_db):
    for unit_data in demo.load_pilot_data()["units"] + demo.load_second_batch_data()["units"]:
        for item in unit_data["posts"]:
            post = demo.post_by_code(item["code"])
            assert post.unit.code == unit_data["code"]
            assert post.is_key == item["key"], item["code"]
            assert post.key_area == item["key_area"]
            assert post.rank == item["cadre"]
            assert post.duties
            assert (post.reports_to.code if post.reports_to else None) == item["reports_to"]


def test_every_post_has_a_current_holder_and_staff_hold_a_key_post_with_risk_points(seeded_db):
    assert not Post.objects.exclude(assignments__in=Assignment.objects.current()).exists()
    for unit_data in demo.load_pilot_data()["units"]:
        code = unit_data["code"]
        staff_post = Post.objects.get(assignments__user__username=f"{code}_staff")
        assert staff_post.is_key
        assert any(staff_post.code in point["posts"] for point in unit_data["risk_points"])
        assert Post.objects.get(assignments__user__username=f"{code}_leader").reports_to is None


def test_helpers_find_units_by_either_code(seeded_db):
    assert demo.unit_by_code("HQ") == demo.unit_by_code("houqin")
    assert demo.post_by_code("HQ-P10").reports_to.code == "HQ-P18"
