"""Long tables: a form page of 50 rows a page in APPENDIX order with their numbers in the whole form; the form
rows kept in the cache under a digest of what they show, so that every change is on the next page view. (The point
list and the reviewer queue: test_point_list_and_queue.py.)"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from measures.models import Measure
from risks import selectors, services
from risks.appendix import appendix_data, rows_of
from risks.models import RiskPoint
from units.models import Office, Post

from .conftest import make_point
from .test_views import HTMX, _fill, _post_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fragment_cache(settings):
    """The row cache on, as in production, and empty at the start of each test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def long_form(campaign, unit):
    _fill(campaign, unit, 120)
    return services.unit_form(campaign=campaign, unit=unit)


def _page(client, form, page=1):
    response = client.get(reverse("risks:form-detail", args=[form.pk]), {"page": page})
    assert response.status_code == 200
    return response


def _rows(response) -> list[tuple[int, str]]:
    return [(row.row_no, row.name) for row in response.context["rows"]]


def test_r1_pages_of_a_long_form_follow_the_appendix_order_with_numbers_of_the_whole_form(as_user, reviewer, long_form):
    client = as_user(reviewer)
    pages = [_page(client, long_form, n) for n in (1, 2, 3)]
    assert [len(p.context["rows"]) for p in pages] == [50, 50, 20]
    shown = [row for page in pages for row in _rows(page)]
    exported = [(row["no"], row["name"]) for row in rows_of(appendix_data(long_form))]
    assert shown == exported  # the same rows, the same numbers, the same order as the official form
    html = pages[1].content.decode()
    assert "第 51–100 行，共 120 行" in html and "第 2 页 / 共 3 页" in html
    assert 'href="?page=3"' in html and 'href="?page=1"' in html


def test_a_page_past_the_end_shows_the_last_page(as_user, reviewer, long_form):
    response = _page(as_user(reviewer), long_form, 99)
    assert _rows(response)[0][0] == 101


def test_an_edit_shows_on_the_next_view_although_the_rows_are_cached(as_user, reviewer, unit_contact, long_form):
    client = as_user(reviewer)
    first = _rows(_page(client, long_form))[0]
    assert _rows(_page(client, long_form))[0] == first  # the second view came from the cache
    point = RiskPoint.objects.get(name=first[1])
    services.risk_point_update(
        point=point,
        form=long_form,
        actor=unit_contact,
        version=point.version,
        **{**_post_data(), "name": "改过的名称", "posts": list(point.posts.all()), "office": point.office},
    )
    assert "改过的名称" in _page(client, long_form).content.decode()


@pytest.mark.parametrize("change", ["post", "office", "measure"])
def test_renames_and_measure_edits_outside_the_form_show_at_once(as_user, reviewer, long_form, change):
    """The cache key is a digest of the values shown, not a version someone must remember to bump."""
    client = as_user(reviewer)
    before = _page(client, long_form).content.decode()
    if change == "post":
        Post.objects.filter(unit=long_form.unit, name="岗1").update(name="新岗位名")
        expected = "新岗位名"
    elif change == "office":
        Office.objects.filter(unit=long_form.unit, name="科1").update(name="新科室名")
        expected = "新科室名"
    else:
        Measure.objects.filter(risk_point__unit=long_form.unit).update(content="新的防控措施")
        expected = "新的防控措施"
    assert expected not in before
    assert expected in _page(client, long_form).content.decode()


def test_people_with_and_without_edit_rights_get_their_own_rows(as_user, reviewer, unit_contact, long_form):
    edit = 'data-testid="edit-point"'
    assert edit not in _page(as_user(reviewer), long_form).content.decode()
    assert edit in _page(as_user(unit_contact), long_form).content.decode()
    assert edit not in _page(as_user(reviewer), long_form).content.decode()


def test_cached_rows_carry_no_csrf_token_and_deleting_without_javascript_still_works(as_user, unit_contact, long_form):
    client = as_user(unit_contact)
    html = _page(client, long_form).content.decode()
    tbody = html[html.index('data-testid="risk-table"') : html.index('id="point-delete"')]
    assert "csrfmiddlewaretoken" not in tbody
    assert 'form="point-delete"' in tbody  # the delete buttons submit the one form after the table
    assert "csrfmiddlewaretoken" in html[html.index('id="point-delete"') :]
    row = response_row = _page(client, long_form).context["rows"][0]
    response = client.post(
        reverse("risks:point-delete", args=[long_form.pk, row.pk]), {"version": response_row.version}
    )
    assert response.status_code == 302
    assert not RiskPoint.objects.filter(pk=row.pk).exists()


def test_after_an_htmx_edit_the_table_shows_the_page_of_the_changed_row(as_user, unit_contact, long_form):
    client = as_user(unit_contact)
    row = _page(client, long_form, 3).context["rows"][5]  # row 106
    point = RiskPoint.objects.get(pk=row.pk)
    response = client.post(
        reverse("risks:point-edit", args=[long_form.pk, point.pk]),
        _post_data(
            name="第三页上的行",
            version=point.version,
            posts=[p.pk for p in point.posts.all()],
            office=point.office_id or "",
        ),
        **HTMX,
    )
    assert response.status_code == 200, response.content.decode()[:500]
    assert [r.row_no for r in response.context["rows"]][0] == 101
    assert "第三页上的行" in response.content.decode()


def test_after_an_htmx_delete_the_table_stays_on_the_page_the_user_was_looking_at(as_user, unit_contact, long_form):
    client = as_user(unit_contact)
    form_url = reverse("risks:form-detail", args=[long_form.pk])
    row = _page(client, long_form, 2).context["rows"][0]
    response = client.post(
        reverse("risks:point-delete", args=[long_form.pk, row.pk]),
        {"version": row.version},
        HTTP_HX_CURRENT_URL=f"http://testserver{form_url}?page=2",
        **HTMX,
    )
    assert response.status_code == 200
    assert response.context["rows"].number == 2
    assert response.context["rows"].paginator.count == 119


def test_page_of_point_finds_the_page_of_each_row(long_form):
    order = selectors.form_row_order(long_form)
    assert selectors.page_of_point(long_form, order[0]) == 1
    assert selectors.page_of_point(long_form, order[50]) == 2
    assert selectors.page_of_point(long_form, order[-1]) == 3


def test_r3_a_personal_form_page_lists_its_posts_points_with_the_posts_sharing_them(
    as_user, reviewer, campaign, long_form
):
    post = Post.objects.get(unit=long_form.unit, name="岗0")
    personal = services.form_for_post(campaign=campaign, post=post)
    client = as_user(reviewer)
    shown, page = [], 1
    while True:
        response = _page(client, personal, page)
        shown += [(row.row_no, row.name, row.other_posts) for row in response.context["rows"]]
        if not response.context["rows"].has_next():
            break
        page += 1
    exported = [
        (row["no"], row["name"], row["remark"].removeprefix("与").removesuffix("共有"))
        for row in rows_of(appendix_data(personal))
    ]
    assert shown == exported and len(shown) == RiskPoint.objects.filter(posts=post).count() > 0
    assert any(other for _no, _name, other in shown)  # _fill gives some points a second post


# --- the form page reads fresh: every write shows at once ------------------------------------------------------------
def test_r1_form_layout_follows_every_write_at_once(as_user, reviewer, unit_contact, long_form):
    client = as_user(reviewer)
    assert len(_page(client, long_form, 3).context["rows"]) == 20
    # Written behind the services' back: the form page reads the rows, no cached layout hides it…
    make_point(long_form.campaign, long_form.unit, n=500)
    assert _page(client, long_form, 3).context["rows"].paginator.count == 121
    # …and a service write shows too, each in its APPENDIX place (unit-level points come first).
    services.risk_point_create(form=long_form, actor=unit_contact, **_post_data(name="新的单位层面风险点"))
    first_page = _page(client, long_form, 1)
    assert first_page.context["rows"].paginator.count == 122
    exported = [(row["no"], row["name"]) for row in rows_of(appendix_data(long_form))]
    shown = [row for n in (1, 2, 3) for row in _rows(_page(client, long_form, n))]
    assert shown == exported


def test_r7_a_new_measure_shows_on_the_form_page_at_once(as_user, reviewer, unit_contact, long_form):
    from measures import services as measure_services

    client = as_user(reviewer)
    first = _page(client, long_form).context["rows"][0]
    point = RiskPoint.objects.get(pk=first.pk)
    measure_services.measure_create(point=point, actor=unit_contact, stage="post", content="新增的后期处置措施")
    again = _page(client, long_form)
    assert again.context["rows"][0].stage_post == [*first.stage_post, "新增的后期处置措施"]
    assert "新增的后期处置措施" in again.content.decode()
