"""Redis is not needed to read (issue 12, point 7; DESIGN §6): with the cache and the broker pointed at a closed port,
every page of every role's menu, and the pages the issue names, answer from the database, quickly."""

import logging
import time

import pytest
from django.urls import reverse

from lianzheng import cache as lz_cache
from lianzheng.cache import DegradingRedisCache
from lianzheng.celery import app as celery_app
from portal.navigation import nav_for
from risks import services as risk_services
from tests.conftest import ROLE_FIXTURES
from tests.factories import CampaignFactory

DEAD = "redis://127.0.0.1:1/0"
#: Far above the backend's timeouts (0.1 s connect, 0.2 s answer) and far below a page that waits on Redis.
SANE_SECONDS = 1.0

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "lianzheng.cache.DegradingRedisCache", "LOCATION": DEAD}}
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.broker_url = previous


@pytest.fixture
def filled_campaign(unit, other_unit, post, unit_contact):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit, other_unit])
    form = risk_services.unit_form(campaign=campaign, unit=unit)
    risk_services.risk_point_create(
        form=form,
        actor=unit_contact,
        name="现金收付",
        manifestation="坐支现金、白条抵库。",
        category="system",
        level=1,
        business_step="现金收付与银行存取",
        responsible_leader="分管副处长",
        responsible_person="科长",
        supervisor="审计处",
    )
    form.refresh_from_db()
    return form


def _timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_every_menu_page_answers_from_the_database_with_redis_down(redis_down, filled_campaign, as_user, role, request):
    user = request.getfixturevalue(role)
    client = as_user(user)
    urls = [item["url"] for item in nav_for(user)]
    assert urls  # every role has a menu
    for url in urls:
        response, seconds = _timed_get(client, url)
        assert response.status_code in (200, 302), url
        assert seconds < SANE_SECONDS, (url, seconds)


NAMED_PAGES = {
    # page: roles that may open it (the others get their normal refusal, never a 500)
    "dashboard": ("admin_user", "reviewer", "school_leader", "unit_leader", "unit_contact", "staff", "other_staff"),
    "risks:point-list": ("reviewer", "school_leader", "unit_leader", "unit_contact"),
    "form": ("reviewer", "unit_leader", "unit_contact"),
    "reviews:queue": ("reviewer",),
    "reviews:progress": ("reviewer", "school_leader"),
    "unit-progress": ("reviewer", "unit_leader", "unit_contact"),
    "risks:coverage": ("reviewer", "school_leader"),
}


def _url(name, form):
    if name == "form":
        return reverse("risks:form-detail", args=[form.pk])
    if name == "unit-progress":
        return reverse("reviews:unit-progress", args=[form.unit.code])
    return reverse(name)


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_the_pages_the_issue_names_answer_with_redis_down(redis_down, filled_campaign, as_user, role, request):
    client = as_user(request.getfixturevalue(role))
    for name, allowed in NAMED_PAGES.items():
        response, seconds = _timed_get(client, _url(name, filled_campaign))
        assert response.status_code < 500, name
        if role in allowed:
            assert response.status_code == 200, (name, response.status_code)
        assert seconds < SANE_SECONDS, (name, seconds)


def test_the_point_list_shows_the_points_with_redis_down(redis_down, filled_campaign, as_user, reviewer):
    response = as_user(reviewer).get(reverse("risks:point-list"))
    assert response.context["page_obj"].paginator.count == 1
    assert "现金收付" in response.content.decode()


# --- the backend -----------------------------------------------------------------------------------------------------
@pytest.fixture
def dead_cache():
    lz_cache._last_warning = 0.0
    return DegradingRedisCache(DEAD, {})


def test_a_dead_cache_answers_misses_and_no_ops_without_raising(dead_cache):
    started = time.monotonic()
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.set("k", 1) is None
    assert dead_cache.add("k", 1) is False
    assert dead_cache.get_many(["k", "j"]) == {}
    assert dead_cache.set_many({"k": 1}) == ["k"]  # the keys that were not stored
    assert dead_cache.has_key("k") is False
    assert dead_cache.delete("k") is False
    dead_cache.delete_many(["k", "j"])
    assert dead_cache.get_or_set("k", lambda: 42) == 42  # computed directly
    with pytest.raises(ValueError):
        dead_cache.incr("k")  # as for an absent key
    assert time.monotonic() - started < SANE_SECONDS


def test_a_dead_cache_warns_at_most_once_a_minute(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="lianzheng.cache"):
        for _ in range(5):
            dead_cache.get("k")
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1


def test_a_release_with_changed_templates_gets_new_keys(tmp_path):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("旧模板")
    old = lz_cache.release_id(tmp_path)
    assert lz_cache.release_id(tmp_path) == old  # stable while nothing changes
    page.write_text("新模板")
    assert lz_cache.release_id(tmp_path) != old


def test_the_cache_lives_in_a_redis_database_apart_from_the_brokers():
    from lianzheng.settings import _other_db

    assert _other_db("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert _other_db("redis://:pw@redis:6379/15") == "redis://:pw@redis:6379/0"
