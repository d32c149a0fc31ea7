"""Each role against each organisation page: who sees what, and 404 (not 403) for what they may not know exists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AssignmentFactory, OfficeFactory, PostFactory, UnitFactory, UserFactory
from units.models import Assignment, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role_fixture", "own_unit", "other_unit_status"),
    [
        ("admin_user", 200, 200),
        ("reviewer", 200, 200),
        ("school_leader", 200, 200),
        ("unit_leader", 200, 404),
        ("unit_contact", 200, 404),
        ("staff", 200, 404),
    ],
)
def test_unit_page_by_role(request, as_user, unit, other_unit, role_fixture, own_unit, other_unit_status):
    client = as_user(request.getfixturevalue(role_fixture))
    assert client.get(reverse("units:unit-detail", args=[unit.code])).status_code == own_unit
    assert client.get(reverse("units:unit-detail", args=[other_unit.code])).status_code == other_unit_status


def test_staff_of_one_unit_gets_404_on_another_units_page(as_user, other_staff, unit):
    response = as_user(other_staff).get(reverse("units:unit-detail", args=[unit.code]))
    assert response.status_code == 404
    assert unit.name not in response.content.decode()


def test_unknown_unit_is_404_for_everyone(as_user, reviewer):
    assert as_user(reviewer).get(reverse("units:unit-detail", args=["nosuch"])).status_code == 404


@pytest.mark.parametrize(
    ("role_fixture", "expected"),
    [("admin_user", 200), ("reviewer", 200), ("school_leader", 200), ("unit_leader", 302), ("staff", 302)],
)
def test_unit_list_for_office_side_and_redirect_for_unit_people(request, as_user, unit, role_fixture, expected):
    response = as_user(request.getfixturevalue(role_fixture)).get(reverse("units:unit-list"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == reverse("units:unit-detail", args=[unit.code])


def test_unit_page_shows_offices_posts_key_marks_holders_and_leaders(as_user, staff, unit_leader, unit_contact, post):
    body = as_user(staff).get(reverse("units:unit-detail", args=[post.unit.code])).content.decode()
    assert post.office.name in body
    assert post.name in body
    assert "重点" in body  # the post is a key post
    assert staff.full_name in body  # current holder
    assert unit_leader.full_name in body
    assert unit_contact.full_name in body


def test_rotation_keeps_history_and_shows_only_the_current_holder(as_user, reviewer, post, staff):
    Assignment.objects.filter(post=post, user=staff).update(start="2010-01-01", end="2011-01-01")
    successor = UserFactory(unit=post.unit, full_name="王某")
    AssignmentFactory(post=post, user=successor, start="2011-01-02")
    body = as_user(reviewer).get(reverse("units:unit-detail", args=[post.unit.code])).content.decode()
    assert "王某" in body
    assert staff.full_name not in body
    assert Assignment.objects.filter(post=post).count() == 2


def test_my_posts_lists_only_current_posts(as_user, staff, post):
    body = as_user(staff).get(reverse("units:my-posts")).content.decode()
    assert post.name in body


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow_unit(unit, size):
    for i in range(size):
        office = OfficeFactory(unit=unit, name=f"科室{unit.posts.count() + i}")
        post = PostFactory(unit=unit, office=office, is_key=i % 2 == 0)
        AssignmentFactory(post=post, user=UserFactory(unit=unit, role=Role.STAFF))


def test_unit_page_query_count_does_not_grow_with_posts(as_user, reviewer):
    unit = UnitFactory()
    client = as_user(reviewer)
    url = reverse("units:unit-detail", args=[unit.code])
    _grow_unit(unit, 3)
    small = _queries_for(client, url)
    _grow_unit(unit, 40)
    assert _queries_for(client, url) == small


def test_unit_list_query_count_does_not_grow(as_user, reviewer):
    client = as_user(reviewer)
    url = reverse("units:unit-list")
    for _ in range(3):
        PostFactory()
    small = _queries_for(client, url)
    for _ in range(60):
        PostFactory()
    assert _queries_for(client, url) == small


def test_every_role_reaches_the_dashboard(request, as_user, unit, post):
    for name in ["admin_user", "reviewer", "school_leader", "unit_leader", "unit_contact", "staff"]:
        client = as_user(request.getfixturevalue(name))
        assert client.get(reverse("dashboard")).status_code == 200
        client.logout()


def test_campaign_switch_is_remembered_and_ignores_foreign_redirects(as_user, staff):
    from tests.factories import CampaignFactory

    older, newer = CampaignFactory(year=2010), CampaignFactory(year=2026)
    client = as_user(staff)
    response = client.post(reverse("units:switch-campaign"), {"campaign": older.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.session["campaign_id"] == older.pk
    assert newer.pk != older.pk


@pytest.mark.parametrize(
    ("campaign", "target"), [("abc", "/units/my-posts/"), ("", "/"), ("1e3", "0"), ("-1", "//evil.example/")]
)
def test_a_crafted_campaign_switch_answers_with_a_message_not_a_500(as_user, staff, campaign, target):
    """Issue 14 (9): ``campaign=abc`` and ``next=0`` gave 500; now the switch says the campaign does not exist and
    goes back to a page of this site."""
    client = as_user(staff)
    response = client.post(reverse("units:switch-campaign"), {"campaign": campaign, "next": target}, follow=False)
    assert response.status_code == 302
    assert response["Location"] == (target if target.startswith("/units/") else "/")
    page = client.get(response["Location"])
    assert "所选批次不存在" in page.content.decode()


def test_the_public_post_options_ignore_a_unit_that_is_not_a_number(client, unit, post):
    url = reverse("reviews:complaint-post-options")
    assert client.get(url, {"unit": "abc"}).status_code == 200
    assert post.name not in client.get(url, {"unit": "abc"}).content.decode()
    assert post.name in client.get(url, {"unit": unit.pk}).content.decode()


def test_a_stale_campaign_edit_is_refused_and_nothing_is_overwritten(as_user, reviewer):
    """Two reviewers open the same campaign; the second save is refused with a clear message."""
    from units.models import Campaign, Phase, PhaseKind

    unit = UnitFactory(code="houqin", name="后勤集团", batch=1, is_pilot=True)
    campaign = Campaign.objects.create(name="2010年第一批试点", year=2010, batch=1)
    campaign.units.set([unit])
    dates = {"prepare": ("2010-05-20", "2010-05-28"), "identify": ("2010-05-29", "2010-06-06")}
    dates |= {"measures": ("2010-06-07", "2010-06-18"), "inspect": ("2010-06-19", "2010-06-30")}
    for kind, (start, end) in dates.items():
        Phase.objects.create(campaign=campaign, kind=kind, start=start, end=end)
    post = {"year": 2010, "batch": 1, "units": [unit.pk], "version": campaign.version}
    post |= {f"{k}_{edge}": v for k, (s, e) in dates.items() for edge, v in (("start", s), ("end", e))}
    client = as_user(reviewer)
    url = reverse("units:campaign-edit", args=[campaign.pk])
    first = client.post(url, {**post, "name": "甲的修改"})
    assert first.status_code == 302
    second = client.post(url, {**post, "name": "乙的修改"})  # still carries the version it opened with
    assert second.status_code == 200
    assert "该记录已被他人修改" in second.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "甲的修改"
    assert Phase.objects.get(campaign=campaign, kind=PhaseKind.PREPARE).start.isoformat() == "2010-05-20"
