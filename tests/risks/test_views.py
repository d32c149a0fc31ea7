"""Pages: scoping (404), in-place row editing with and without htmx, stale saves, lists, coverage, query counts."""

import datetime
import re

import pytest
from django.urls import reverse

from measures.models import Measure
from risks import services
from risks.models import FormState, RiskForm, RiskPoint, SpecialMeeting
from tests.factories import AssignmentFactory, OfficeFactory, PostFactory, UnitFactory, UserFactory
from units.models import Role

from .conftest import POINT_DATA, make_point

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _current_campaign(campaign):
    """The top bar's campaign is the newest one: the fixture campaign."""
    return campaign


def _post_data(**extra):
    return {**POINT_DATA, **extra}


# --- scoping ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 200),
        ("unit_contact", 200),
        ("unit_leader", 200),
        ("reviewer", 200),
        ("school_leader", 200),
        ("admin_user", 200),
        ("other_staff", 404),
        ("other_unit_leader", 404),
    ],
)
def test_form_detail_is_404_for_people_of_other_units(request, as_user, personal_form, role, status):
    client = as_user(request.getfixturevalue(role))
    assert client.get(reverse("risks:form-detail", args=[personal_form.pk])).status_code == status


def test_r3_staff_of_the_same_unit_without_the_post_gets_404(as_user, unit, personal_form):
    colleague = UserFactory(username="caiwu_other", role=Role.STAFF, unit=unit)
    AssignmentFactory(post=PostFactory(unit=unit), user=colleague)
    assert as_user(colleague).get(reverse("risks:form-detail", args=[personal_form.pk])).status_code == 404


def test_other_units_staff_cannot_post_rows_or_transitions(as_user, other_staff, personal_form, staff):
    services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    point = RiskPoint.objects.get()
    client = as_user(other_staff)
    assert client.post(reverse("risks:point-new", args=[personal_form.pk]), _post_data()).status_code == 404
    edit = reverse("risks:point-edit", args=[personal_form.pk, point.pk])
    assert client.post(edit, _post_data(name="x", version=point.version)).status_code == 404
    assert client.post(reverse("risks:form-submit", args=[personal_form.pk]), {"pledge": "on"}).status_code == 404
    assert RiskPoint.objects.get().name == POINT_DATA["name"]
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.DRAFT


def test_point_list_is_scoped_to_the_unit(as_user, campaign, unit, other_unit, unit_contact):
    make_point(campaign, unit, n=1)
    make_point(campaign, other_unit, n=2)
    response = as_user(unit_contact).get(reverse("risks:point-list"))
    assert response.status_code == 200
    assert [p.unit_id for p in response.context["page_obj"]] == [unit.pk]
    # asking for the other unit by filter does not widen the scope
    response = as_user(unit_contact).get(reverse("risks:point-list"), {"unit": other_unit.pk})
    assert {p.unit_id for p in response.context["page_obj"]} <= {unit.pk}


def test_staff_have_no_point_list(as_user, staff):
    assert as_user(staff).get(reverse("risks:point-list")).status_code == 404


def test_point_list_filters(as_user, reviewer, campaign, unit, post, office):
    key = make_point(campaign, unit, posts=[post], n=1, level=1, category="duty")
    plain_post = PostFactory(unit=unit, office=office, is_key=False)
    other = make_point(campaign, unit, posts=[plain_post], n=2, level=3, category="external")
    unit_level = make_point(campaign, unit, n=3, level=2, category="process")
    client = as_user(reviewer)
    url = reverse("risks:point-list")

    def ids(**params):
        return {p.pk for p in client.get(url, params).context["page_obj"]}

    assert ids(level=1) == {key.pk}
    assert ids(category="external") == {other.pk}
    assert ids(key_post="true") == {key.pk}
    assert ids(key_area="finance") == {key.pk}
    assert ids(post=plain_post.pk) == {other.pk}
    assert ids(office=office.pk) == {key.pk, other.pk}
    assert ids() == {key.pk, other.pk, unit_level.pk}
    services.unit_form(campaign=campaign, unit=unit)
    assert ids(form_state="draft") == {key.pk, other.pk, unit_level.pk}
    assert ids(form_state="approved") == set()
    levels = [p.level for p in client.get(url, {"sort": "-level"}).context["page_obj"]]
    assert levels == sorted(levels, reverse=True)


# --- row editing ----------------------------------------------------------------------------------------------------
def test_add_a_row_with_htmx_returns_the_table(as_user, staff, personal_form):
    client = as_user(staff)
    form_html = client.get(reverse("risks:point-new", args=[personal_form.pk]), **HTMX)
    assert form_html.status_code == 200
    assert "一旦发生可能构成犯罪" in form_html.content.decode()  # the level's meaning where it is chosen (R2)
    response = client.post(reverse("risks:point-new", args=[personal_form.pk]), _post_data(), **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#form-rows"
    assert POINT_DATA["name"] in response.content.decode()
    assert RiskPoint.objects.count() == 1


def test_add_a_row_without_javascript_redirects(as_user, staff, personal_form):
    response = as_user(staff).post(reverse("risks:point-new", args=[personal_form.pk]), _post_data())
    assert response.status_code == 302
    assert RiskPoint.objects.count() == 1


def test_field_errors_are_shown_next_to_the_field_in_chinese(as_user, staff, personal_form):
    url = reverse("risks:point-new", args=[personal_form.pk])
    response = as_user(staff).post(url, _post_data(name="", level="9"), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="error-name"' in html and 'data-testid="error-level"' in html
    # the service's own checks land next to their field too
    response = as_user(staff).post(url, _post_data(business_step=""), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="error-business_step"' in html and "请选择职权事项" in html
    assert not RiskPoint.objects.exists()


def test_stale_save_is_refused_with_a_message(as_user, staff, personal_form):
    point = services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    client = as_user(staff)
    url = reverse("risks:point-edit", args=[personal_form.pk, point.pk])
    first = client.post(url, _post_data(name="第一个会话", version=point.version), **HTMX)
    assert first.status_code == 200
    second = client.post(url, _post_data(name="第二个会话", version=point.version), **HTMX)
    assert second.status_code == 409
    assert "该记录已被他人修改" in second.content.decode() and "请刷新后重试" in second.content.decode()
    assert RiskPoint.objects.get().name == "第一个会话"


def test_delete_a_row(as_user, staff, personal_form):
    point = services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    response = as_user(staff).post(
        reverse("risks:point-delete", args=[personal_form.pk, point.pk]), {"version": point.version}
    )
    assert response.status_code == 302
    assert not RiskPoint.objects.exists()


def test_rows_of_a_submitted_form_cannot_be_edited(as_user, staff, personal_form):
    point = services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    response = as_user(staff).post(
        reverse("risks:point-edit", args=[personal_form.pk, point.pk]), _post_data(name="x", version=point.version)
    )
    assert response.status_code == 302
    assert RiskPoint.objects.get().name == POINT_DATA["name"]


# --- transitions through the pages -----------------------------------------------------------------------------------
def _shown(form) -> int:
    """The version the form's page shows now (its hidden input)."""
    return RiskForm.objects.get(pk=form.pk).version


def test_pages_walk_the_whole_workflow(as_user, client, staff, unit_leader, reviewer, personal_form):
    services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    detail = reverse("risks:form-detail", args=[personal_form.pk])
    page = as_user(staff).get(detail).content.decode()
    assert 'data-testid="submit-form"' in page and 'data-testid="approve"' not in page
    assert (
        as_user(staff)
        .post(reverse("risks:form-submit", args=[personal_form.pk]), {"pledge": "on", "version": _shown(personal_form)})
        .status_code
        == 302
    )

    leader = as_user(unit_leader)
    no_meeting = leader.post(
        reverse("risks:form-confirm", args=[personal_form.pk]),
        {"confirmation_text": "同意", "version": _shown(personal_form)},
    )
    assert no_meeting.status_code == 422
    assert "请先登记本单位评估风险点的专题会议" in no_meeting.content.decode()
    ok = leader.post(
        reverse("risks:form-confirm", args=[personal_form.pk]),
        {
            "date": "2010-06-03",
            "attendees": "班子成员",
            "minutes": "逐条评估",
            "confirmation_text": "同意报送",
            "version": _shown(personal_form),
        },
    )
    assert ok.status_code == 302
    assert SpecialMeeting.objects.count() == 1

    office = as_user(reviewer)
    assert (
        office.post(
            reverse("risks:form-return", args=[personal_form.pk]), {"comment": "", "version": _shown(personal_form)}
        ).status_code
        == 422
    )
    assert (
        office.post(
            reverse("risks:form-return", args=[personal_form.pk]),
            {"comment": "请补充", "version": _shown(personal_form)},
        ).status_code
        == 302
    )
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.RETURNED
    assert "请补充" in as_user(staff).get(detail).content.decode()


def test_a_transition_by_someone_not_allowed_is_403_and_changes_nothing(as_user, staff, personal_form):
    services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    response = as_user(staff).post(
        reverse("risks:form-approve", args=[personal_form.pk]), {"version": _shown(personal_form)}
    )
    assert response.status_code in (302, 403)
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.SUBMITTED


# --- R4: the queue ---------------------------------------------------------------------------------------------------
def test_r4_reviewer_queue_shows_only_confirmed_forms(
    as_user, campaign, unit, staff, unit_leader, reviewer, personal_form, the_unit_form, unit_contact
):
    services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    services.form_submit(form=the_unit_form, version=the_unit_form.version, actor=unit_contact)
    client = as_user(reviewer)
    assert client.get(reverse("reviews:queue")).context["form_count"] == 0
    meeting = services.meeting_record(
        unit=unit, campaign=campaign, actor=unit_leader, date=datetime.date(2010, 6, 3), attendees="a", minutes="b"
    )
    services.form_confirm(
        form=personal_form, version=personal_form.version, actor=unit_leader, meeting=meeting, confirmation_text="同意"
    )
    response = client.get(reverse("reviews:queue"))
    assert response.context["form_count"] == 1
    assert [f.pk for f in response.context["groups"][0]["forms"]] == [personal_form.pk]


def test_queue_is_for_reviewers_only(as_user, unit_leader):
    assert as_user(unit_leader).get(reverse("reviews:queue")).status_code == 403


def test_batch_approval_from_the_queue(as_user, campaign, unit, staff, unit_leader, reviewer, personal_form):
    services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    meeting = services.meeting_record(
        unit=unit, campaign=campaign, actor=unit_leader, date=datetime.date(2010, 6, 3), attendees="a", minutes="b"
    )
    services.form_confirm(
        form=personal_form, version=personal_form.version, actor=unit_leader, meeting=meeting, confirmation_text="同意"
    )
    page = as_user(reviewer).get(reverse("reviews:queue")).content.decode()
    shown = re.search(r'name="versions" value="([^"]*)"', page).group(1)
    assert shown == f"{personal_form.pk}:{personal_form.version}"
    response = as_user(reviewer).post(reverse("reviews:queue-approve-unit", args=[unit.code]), {"versions": shown})
    assert response.status_code == 302
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.APPROVED


def test_batch_approval_from_a_queue_page_shown_before_a_change_approves_nothing(
    as_user, campaign, unit, staff, unit_leader, reviewer, personal_form
):
    services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    meeting = services.meeting_record(
        unit=unit, campaign=campaign, actor=unit_leader, date=datetime.date(2010, 6, 3), attendees="a", minutes="b"
    )
    services.form_confirm(
        form=personal_form, version=personal_form.version, actor=unit_leader, meeting=meeting, confirmation_text="同意"
    )
    stale = f"{personal_form.pk}:{personal_form.version - 1}"
    response = as_user(reviewer).post(
        reverse("reviews:queue-approve-unit", args=[unit.code]), {"versions": stale}, follow=True
    )
    assert "该记录已被他人修改" in response.content.decode()
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.CONFIRMED
    assert as_user(unit_leader).post(reverse("reviews:queue-approve-unit", args=[unit.code])).status_code == 403


# --- R13 coverage ----------------------------------------------------------------------------------------------------
def test_r13_coverage_lists_posts_without_points_and_points_missing_a_stage(
    as_user, reviewer, campaign, unit, other_unit, post, office, kept_figures
):
    bare = PostFactory(unit=unit, office=office, name="票据管理员")
    complete = make_point(campaign, unit, posts=[post], n=1, name="完整")
    for stage in ("pre", "mid", "post"):
        Measure.objects.create(risk_point=complete, stage=stage, content="措施")
    partial = make_point(campaign, unit, posts=[post], n=2, name="缺后期")
    Measure.objects.create(risk_point=partial, stage="pre", content="措施")
    Measure.objects.create(risk_point=partial, stage="mid", content="措施")
    kept_figures()
    client = as_user(reviewer)

    # The campus view: one row per unit with its counts, and a link to the unit's list of gaps.
    response = client.get(reverse("risks:coverage"))
    row = next(r for r in response.context["page_obj"] if r.unit_id == unit.pk)
    assert (row.posts, row.covered_posts, row.uncovered, row.points, row.incomplete) == (2, 1, 1, 2, 1)
    html = response.content.decode()
    assert f'href="?unit={unit.code}"' in html and "票据管理员" not in html

    # The unit's view names the gaps.
    response = client.get(reverse("risks:coverage"), {"unit": unit.code})
    assert [p.pk for p in response.context["posts_page"]] == [bare.pk]
    assert [(p.pk, p.missing_stages) for p in response.context["points_page"]] == [(partial.pk, ["post"])]
    html = response.content.decode()
    assert "票据管理员" in html and "缺后期" in html and "缺少后期处置" in html
    assert "岗位 1/2 已有风险点；风险点共 2 个，其中 1 个三个阶段都有措施。" in html
    assert client.get(reverse("risks:coverage"), {"unit": "no-such-unit"}).status_code == 404


def test_r13_coverage_table_filters_gaps_sorts_and_pages(as_user, reviewer, campaign, kept_figures):
    from risks.views import COVERAGE_PAGE_UNITS

    units = [UnitFactory(code=f"c{i:02}", sort_order=i) for i in range(COVERAGE_PAGE_UNITS + 5)]
    campaign.units.add(*units)
    for i, grown in enumerate(units):
        posts = [PostFactory(unit=grown) for _ in range(2)]
        if i % 3 == 0:  # every third unit covers both its posts with a complete point
            point = make_point(campaign, grown, posts=posts, n=1)
            for stage in ("pre", "mid", "post"):
                Measure.objects.create(risk_point=point, stage=stage, content="措施")
        elif i % 3 == 1:  # the next leaves one post bare and its point lacks every stage
            make_point(campaign, grown, posts=posts[:1], n=1)
    kept_figures()
    client = as_user(reviewer)
    url = reverse("risks:coverage")
    first = client.get(url).context["page_obj"]
    assert len(first) == COVERAGE_PAGE_UNITS and first.paginator.count >= len(units)
    second = client.get(url, {"page": 2}).context["page_obj"]
    assert not {r.pk for r in first} & {r.pk for r in second}

    complete = client.get(url, {"state": "complete"}).context["page_obj"]
    assert {r.unit.code for r in complete} == {u.code for i, u in enumerate(units) if i % 3 == 0}
    gaps = client.get(url, {"state": "gaps"}).context["page_obj"]
    assert all(r.uncovered or r.incomplete for r in gaps) and units[1].code in {r.unit.code for r in gaps}

    by_gap = list(client.get(url, {"state": "gaps", "sort": "uncovered"}).context["page_obj"])
    assert [r.uncovered for r in by_gap] == sorted((r.uncovered for r in by_gap), reverse=True)
    assert by_gap[0].uncovered == 2
    reverse_gap = list(client.get(url, {"state": "gaps", "sort": "-uncovered"}).context["page_obj"])
    assert reverse_gap[0].uncovered == 1


def test_r13_coverage_of_a_unit_manager_is_their_own_unit(
    as_user, unit_contact, other_unit_leader, staff, campaign, unit, other_unit, post, kept_figures
):
    bare = PostFactory(unit=other_unit, name="他单位的岗位")
    kept_figures()
    response = as_user(unit_contact).get(reverse("risks:coverage"))
    assert response.context["unit"] == unit
    assert [p.pk for p in response.context["posts_page"]] == [post.pk]
    assert "他单位的岗位" not in response.content.decode()
    assert as_user(unit_contact).get(reverse("risks:coverage"), {"unit": other_unit.code}).status_code == 404
    mine = as_user(other_unit_leader).get(reverse("risks:coverage"))
    assert [p.pk for p in mine.context["posts_page"]] == [bare.pk]
    assert as_user(staff).get(reverse("risks:coverage")).status_code == 404


def test_r13_coverage_pages_issue_the_same_queries_at_two_sizes(
    as_user, reviewer, campaign, kept_figures, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(reviewer)
    counts = {"campus": [], "unit": []}
    for size in (3, 40):
        for n in range(size):
            campaign.units.add(UnitFactory(code=f"s{size}-{n}"))
        grown = UnitFactory(code=f"grown{size}")
        campaign.units.add(grown)
        points = _fill(campaign, grown, size * 2)
        Measure.objects.filter(risk_point__in=points[::2], stage="post").delete()  # gaps to list
        PostFactory.create_batch(size, unit=grown)
        kept_figures()
        for key, params in (("campus", {}), ("unit", {"unit": grown.code})):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse("risks:coverage"), params)
            assert response.status_code == 200
            counts[key].append(len(ctx.captured_queries))
        assert response.context["figures"].points == size * 2
        assert response.context["points_page"].paginator.count == size
        assert response.context["posts_page"].paginator.count == size
    assert counts["campus"][0] == counts["campus"][1]
    assert counts["unit"][0] == counts["unit"][1]
    with django_assert_max_num_queries(counts["unit"][1]):
        client.get(reverse("risks:coverage"), {"unit": "grown40"})


# --- power inventory --------------------------------------------------------------------------------------------------
def test_power_inventory_page(as_user, unit_contact, reviewer, staff, other_unit_leader, unit, post):
    url = reverse("risks:power-items", args=[unit.code])
    response = as_user(unit_contact).post(
        url, {"name": "报销审核", "kind": "finance", "posts": [post.pk], "basis": "财务制度"}
    )
    assert response.status_code == 302
    assert "报销审核" in as_user(reviewer).get(url).content.decode()
    assert as_user(reviewer).post(url, {"name": "x", "kind": "other"}).status_code == 403
    assert as_user(staff).get(url).status_code == 404
    assert as_user(other_unit_leader).get(url).status_code == 404


# --- bounded queries --------------------------------------------------------------------------------------------------
def _fill(campaign, unit, count):
    offices = [OfficeFactory(unit=unit, name=f"科{i}") for i in range(3)]
    posts = [PostFactory(unit=unit, office=offices[i % 3], name=f"岗{i}") for i in range(5)]
    points = []
    for i in range(count):
        scope_posts = [posts[i % 5], posts[(i + 1) % 5]] if i % 3 else []
        points.append(make_point(campaign, unit, posts=scope_posts, office=offices[i % 3] if i % 2 else None, n=i))
    Measure.objects.bulk_create(
        [Measure(risk_point=p, stage=s, content="措施") for p in points for s in ("pre", "mid", "post")]
    )
    return points


@pytest.mark.parametrize("page", ["form-detail", "queue", "point-list"])
def test_pages_issue_the_same_number_of_queries_for_10_and_200_points(
    page, as_user, campaign, unit, other_unit, unit_contact, unit_leader, reviewer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counted = None
    for target, n in ((unit, 10), (other_unit, 200)):
        _fill(campaign, target, n)
        form = services.unit_form(campaign=campaign, unit=target)
        leader = (
            unit_leader if target == unit else UserFactory(username="shebei_l", role=Role.UNIT_LEADER, unit=other_unit)
        )
        contact = (
            unit_contact
            if target == unit
            else UserFactory(username="shebei_c", role=Role.UNIT_CONTACT, unit=other_unit)
        )
        services.form_submit(form=form, version=form.version, actor=contact)
        meeting = services.meeting_record(
            unit=target, campaign=campaign, actor=leader, date=datetime.date(2010, 6, 3), attendees="a", minutes="b"
        )
        services.form_confirm(form=form, version=form.version, actor=leader, meeting=meeting, confirmation_text="同意")
        url = {
            "form-detail": reverse("risks:form-detail", args=[form.pk]),
            "queue": reverse("reviews:queue"),
            "point-list": reverse("risks:point-list") + f"?unit={target.pk}",
        }[page]
        client = as_user(reviewer)
        client.get(url)  # warm caches (session, content types)
        if counted is None:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counted = len(ctx.captured_queries)
        else:
            with django_assert_num_queries(counted):
                response = client.get(url)
            assert response.status_code == 200
            if page == "form-detail":  # 200 rows: the first page of 50, numbered 1–50, and the count of all
                rows = response.context["rows"]
                assert [row.row_no for row in rows] == list(range(1, 51))
                assert rows.paginator.count == 200
            elif page == "point-list":
                assert len(response.context["page_obj"]) == 50


def test_admin_pages_and_the_approve_action_go_through_the_service(
    as_user, admin_user, campaign, unit, staff, unit_leader, personal_form
):
    services.risk_point_create(form=personal_form, actor=staff, **POINT_DATA)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    client = as_user(admin_user)
    for name in ("riskform", "riskpoint", "poweritem", "specialmeeting", "formsnapshot"):
        assert client.get(reverse(f"admin:risks_{name}_changelist")).status_code == 200
    changelist = reverse("admin:risks_riskform_changelist")
    client.post(changelist, {"action": "approve_forms", "_selected_action": [personal_form.pk]})
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.SUBMITTED  # not confirmed yet: nothing to approve
    meeting = services.meeting_record(
        unit=unit, campaign=campaign, actor=unit_leader, date=datetime.date(2010, 6, 3), attendees="a", minutes="b"
    )
    services.form_confirm(
        form=personal_form, version=personal_form.version, actor=unit_leader, meeting=meeting, confirmation_text="同意"
    )
    client.post(changelist, {"action": "approve_forms", "_selected_action": [personal_form.pk]})
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.APPROVED
    assert personal_form.snapshots.count() == 1
