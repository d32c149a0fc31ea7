"""The kept risk figures (risks.figures): each service write leaves the kept row of its unit equal to a count made
independently from the rows; recompute_stats finds and fixes a difference made around the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from lianzheng import figures
from measures import services as measure_services
from measures.models import Measure
from portal import dashboards, unit_dashboard
from risks import services
from risks.models import FormKind, RiskForm, RiskPoint, SpecialMeeting, UnitRiskFigures
from tests.factories import CampaignFactory, PostFactory
from units.models import User

pytestmark = pytest.mark.django_db


def independent(campaign, unit) -> dict:
    """The figures counted straight from the rows, without risks.figures."""
    points = RiskPoint.objects.filter(campaign=campaign, unit=unit)
    complete = [
        p.pk
        for p in points
        if set(Measure.objects.filter(risk_point=p).values_list("stage", flat=True)) >= {"pre", "mid", "post"}
    ]
    links = RiskPoint.posts.through.objects.filter(riskpoint__in=points)
    forms = RiskForm.objects.filter(campaign=campaign, unit=unit)
    counts = {f"{c}:{lv}": n for c, lv, n in points.values_list("category", "level").annotate(n=Count("pk")).order_by()}
    return {
        "points": points.count(),
        "complete": len(complete),
        "covered_posts": links.values("post_id").distinct().count(),
        "posts_with_incomplete": links.exclude(riskpoint_id__in=complete).values("post_id").distinct().count(),
        "by_level_category": counts,
        "forms_total": forms.count(),
        "forms_unit": forms.filter(kind=FormKind.UNIT).count(),
        "forms_states": {s: n for s, n in forms.values_list("state").annotate(n=Count("pk")).order_by()},
    }


def kept(campaign, unit) -> dict:
    row = UnitRiskFigures.objects.get(campaign=campaign, unit=unit)
    forms = dict(row.forms)
    return {
        "points": row.points,
        "complete": row.complete,
        "covered_posts": row.covered_posts,
        "posts_with_incomplete": row.posts_with_incomplete,
        "by_level_category": {k: v for k, v in row.by_level_category.items() if v},
        "forms_total": forms.pop("total", 0),
        "forms_unit": forms.pop("unit_forms", 0),
        "forms_states": {k: v for k, v in forms.items() if v},
    }


def assert_kept(campaign, unit):
    assert kept(campaign, unit) == independent(campaign, unit)
    assert figures.differences() == {name: [] for name in figures.differences()}


def _meeting(form, leader):
    return SpecialMeeting.objects.create(
        campaign=form.campaign,
        unit=form.unit,
        date=datetime.date(2010, 6, 3),
        attendees="处长",
        minutes="评估",
        recorded_by=leader,
    )


def test_r2_r13_point_create_update_delete_keep_the_units_row(
    the_unit_form, unit_contact, campaign, unit, post, point_data
):
    point = services.risk_point_create(form=the_unit_form, actor=unit_contact, posts=[post], **point_data)
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["by_level_category"] == {"system:1": 1}
    assert kept(campaign, unit)["covered_posts"] == 1
    point = services.risk_point_update(
        point=point, form=the_unit_form, actor=unit_contact, version=point.version,
        **{**point_data, "category": "duty", "level": 3, "posts": []},
    )  # fmt: skip
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["by_level_category"] == {"duty:3": 1}
    assert kept(campaign, unit)["covered_posts"] == 0
    services.risk_point_delete(point=point, form=the_unit_form, actor=unit_contact, version=point.version)
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["points"] == 0


def test_r7_measure_add_and_delete_keep_completeness(the_unit_form, unit_contact, campaign, unit, post, point_data):
    point = services.risk_point_create(form=the_unit_form, actor=unit_contact, posts=[post], **point_data)
    made = [
        measure_services.measure_create(point=point, actor=unit_contact, stage=stage, content="措施")
        for stage in ("pre", "mid", "post")
    ]
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["complete"] == 1 and kept(campaign, unit)["posts_with_incomplete"] == 0
    measure_services.measure_delete(measure=made[1], actor=unit_contact, version=made[1].version)
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["complete"] == 0 and kept(campaign, unit)["posts_with_incomplete"] == 1


def test_form_submit_return_approve_reopen_keep_the_form_counts(
    personal_form, staff, unit_leader, reviewer, campaign, unit, point_data
):
    services.risk_point_create(form=personal_form, actor=staff, **point_data)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["forms_states"] == {"submitted": 1}
    services.form_return(form=personal_form, version=personal_form.version, actor=unit_leader, comment="请补充")
    assert kept(campaign, unit)["forms_states"] == {"returned": 1}
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    services.form_confirm(
        form=personal_form,
        version=personal_form.version,
        actor=unit_leader,
        meeting=_meeting(personal_form, unit_leader),
        confirmation_text="同意",
    )
    services.form_approve(form=personal_form, version=personal_form.version, actor=reviewer)
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["forms_states"] == {"approved": 1}
    services.form_reopen(form=personal_form, version=personal_form.version, actor=staff)
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["forms_states"] == {"draft": 1}


def test_creating_the_units_forms_keeps_the_form_counts(campaign, unit, post):
    PostFactory(unit=unit, name="出纳")
    services.ensure_unit_forms(campaign=campaign, unit=unit)
    assert_kept(campaign, unit)
    assert kept(campaign, unit)["forms_total"] == 3 and kept(campaign, unit)["forms_unit"] == 1


def test_a_rolled_back_write_leaves_the_figures_unchanged(personal_form, staff, campaign, unit, point_data):
    services.risk_point_create(form=personal_form, actor=staff, **point_data)
    before = kept(campaign, unit)
    with pytest.raises(RuntimeError), transaction.atomic():
        # The service refreshed the row inside the outer transaction; a later failure rolls both back.
        services.risk_point_create(form=personal_form, actor=staff, **point_data)
        assert kept(campaign, unit)["points"] == 2
        raise RuntimeError("later step failed")
    with pytest.raises(ValidationError):  # an invalid point: refused, nothing written
        services.risk_point_create(form=personal_form, actor=staff, **{**point_data, "level": 9})
    assert kept(campaign, unit) == before == independent(campaign, unit)


def test_recompute_stats_check_reports_a_change_made_around_the_services_and_rebuild_fixes_it(
    the_unit_form, unit_contact, campaign, unit, point_data, capsys
):
    services.risk_point_create(form=the_unit_form, actor=unit_contact, **point_data)
    call_command("recompute_stats", "--check")  # agreement: no error
    RiskPoint.objects.filter(campaign=campaign).update(level=2)
    with pytest.raises(CommandError):
        call_command("recompute_stats", "--check")
    out = capsys.readouterr().out
    assert f"{unit.code} campaign {campaign.pk}: by_level_category system:1 kept 1, rows 0" in out
    assert f"{unit.code} campaign {campaign.pk}: by_level_category system:2 kept 0, rows 1" in out
    call_command("recompute_stats")
    call_command("recompute_stats", "--check")
    assert kept(campaign, unit)["by_level_category"] == {"system:2": 1}


def test_dashboard_risk_blocks_show_the_kept_numbers(the_unit_form, unit_contact, campaign, unit, post, point_data):
    services.risk_point_create(form=the_unit_form, actor=unit_contact, posts=[post], **point_data)
    heat = dashboards.heatmap_block(campaign=campaign)
    assert heat["total"] == 1
    coverage = dashboards.coverage_block(campaign=campaign)
    row = next(r for r in coverage["rows"] if r["unit"].pk == unit.pk)
    assert (row["covered"], row["points"], row["complete"]) == (1, 1, 0)
    own = unit_dashboard.unit_coverage_block(unit=unit, campaign=campaign)
    assert (own["posts"], own["covered"], own["points"], own["complete"]) == (1, 1, 1, 0)
    # A change around the services shows only once the figures are recomputed: the blocks read the kept table.
    RiskPoint.objects.filter(campaign=campaign).delete()
    assert dashboards.heatmap_block(campaign=campaign)["total"] == 1
    figures.rebuild_all()
    assert dashboards.heatmap_block(campaign=campaign)["total"] == 0


def test_form_state_counts_per_unit(personal_form, staff, campaign, unit, point_data):
    from risks.selectors import form_state_counts

    services.risk_point_create(form=personal_form, actor=staff, **point_data)
    services.form_submit(form=personal_form, version=personal_form.version, actor=staff, pledge=True)
    counts = form_state_counts(campaign=campaign)[unit.pk]
    assert counts["total"] == 1 and counts["submitted"] == 1 and counts["draft"] == 0 and counts["unit_forms"] == 0


def test_a_roster_import_changing_a_posts_key_area_keeps_the_key_area_figures(admin_user):
    from risks.models import RiskForm as Form
    from tests.units.test_roster import GOOD_PEOPLE, import_bytes, workbook
    from units.models import Post, Unit

    import_bytes(workbook())
    caiwu = Unit.objects.get(code="caiwu")
    campaign = CampaignFactory(year=2010)
    campaign.units.add(caiwu)
    cashier = Post.objects.get(name="出纳")
    form = Form.objects.create(kind=FormKind.UNIT, campaign=campaign, unit=caiwu)
    contact = User.objects.get(staff_no="T003")
    services.risk_point_create(
        form=form, actor=contact, posts=[cashier], name="现金", manifestation="坐支", category="duty", level=1,
        business_step="收付",
    )  # fmt: skip
    assert kept(campaign, caiwu)["by_level_category"] == {"duty:1": 1}
    assert UnitRiskFigures.objects.get(campaign=campaign, unit=caiwu).by_key_area == {"finance": 1}
    people = [list(row) for row in GOOD_PEOPLE]
    people[0][6] = "工程项目管理"
    assert import_bytes(workbook(people=people)).ok
    area = Post.objects.get(name="出纳").key_area
    assert area != "finance"
    assert UnitRiskFigures.objects.get(campaign=campaign, unit=caiwu).by_key_area == {area: 1}
    assert figures.differences()["risks"] == []


def test_a_post_added_in_the_admin_opens_its_form_and_the_kept_figures_follow(as_user, admin_user, campaign, unit):
    """The admin is a roster change like the import: the new post's 附表2 opens in the running campaign and the
    coverage figures count it (``recompute_stats --check`` agrees), and deleting it does the same."""
    from django.core.management import call_command

    from risks.models import FormKind, RiskForm
    from risks.selectors import unit_figures
    from units.models import Post

    client = as_user(admin_user)
    before = unit_figures(campaign=campaign, unit=unit).posts
    response = client.post(
        reverse("admin:units_post_add"),
        {"unit": unit.pk, "name": "新设岗位", "sort_order": 100, "key_area": "", "rank": "", "duties": "", "code": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(name="新设岗位")
    assert RiskForm.objects.filter(campaign=campaign, post=post, kind=FormKind.PERSONAL).exists()
    assert unit_figures(campaign=campaign, unit=unit).posts == before + 1
    call_command("recompute_stats", "--check")

    RiskForm.objects.filter(post=post).delete()  # a post's forms go before the post (they protect it)
    response = client.post(reverse("admin:units_post_delete", args=[post.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert unit_figures(campaign=campaign, unit=unit).posts == before
    call_command("recompute_stats", "--check")
