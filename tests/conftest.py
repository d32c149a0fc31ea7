"""Fixtures shared by every suite: one per role, the Celery mode, and the browser launch settings."""

import os

import pytest

from lianzheng.celery import app as celery_app
from tests.factories import AssignmentFactory, OfficeFactory, PostFactory, UnitFactory, UserFactory
from units.models import Role

# Playwright's sync API runs an event loop in the test thread; Django must be told that is fine (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run in-process, except in tests marked `worker`, which talk to a real worker through Redis."""
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def unit(db):
    return UnitFactory(code="caiwu", name="财务处", batch=1, is_pilot=True)


@pytest.fixture
def other_unit(db):
    return UnitFactory(code="shebei", name="设备处", batch=1, is_pilot=True)


@pytest.fixture
def office(unit):
    return OfficeFactory(unit=unit, name="会计核算科")


@pytest.fixture
def post(unit, office):
    return PostFactory(unit=unit, office=office, name="出纳", is_key=True, key_area="finance")


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin", role=Role.ADMIN, unit=None, is_staff=True, is_superuser=True, full_name="管理员"
    )


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", role=Role.REVIEWER, unit=None, full_name="纪委审核人")


@pytest.fixture
def school_leader(db):
    return UserFactory(username="leader", role=Role.SCHOOL_LEADER, unit=None, full_name="校领导")


@pytest.fixture
def unit_leader(unit):
    return UserFactory(username="caiwu_leader", role=Role.UNIT_LEADER, unit=unit, full_name="财务处长")


@pytest.fixture
def unit_contact(unit):
    return UserFactory(username="caiwu_contact", role=Role.UNIT_CONTACT, unit=unit, full_name="财务联络员")


@pytest.fixture
def staff(unit, post):
    user = UserFactory(username="caiwu_staff", role=Role.STAFF, unit=unit, full_name="张某")
    AssignmentFactory(post=post, user=user)
    return user


@pytest.fixture
def other_staff(other_unit):
    return UserFactory(username="shebei_staff", role=Role.STAFF, unit=other_unit, full_name="李某")


ROLE_FIXTURES = ["admin_user", "reviewer", "school_leader", "unit_leader", "unit_contact", "staff", "other_staff"]


@pytest.fixture
def as_user(client):
    """Log the test client in as the given user and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login


# --- browser tests -------------------------------------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def kept_figures(db):
    """Opt-in: a function that rebuilds every kept figure from the rows (call it after building data with factories,
    which bypass the services that keep the figures)."""
    from lianzheng import figures

    def rebuild():
        return figures.rebuild_all()

    return rebuild
