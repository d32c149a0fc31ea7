"""The risk-point list and the reviewer queue read fresh from the database on every view: no HTML, count or order is
cached, so a change made anywhere (a service or a bulk load) is on the next page view; and the number of
queries does not grow with the campus."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianzheng.models import AuditEvent
from measures.models import Measure
from risks import services
from risks.models import RiskPoint
from units.models import Unit

from .conftest import make_point
from .test_views import _fill, _post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_form(campaign, unit):
    _fill(campaign, unit, 120)
    return services.unit_form(campaign=campaign, unit=unit)


def _table(client) -> str:
    html = client.get(reverse("risks:point-list")).content.decode()
    return html[html.index('data-testid="point-table"') : html.index("</table>")]


def test_point_list_shows_changes_made_behind_the_services_back_at_once(as_user, reviewer, long_form):
    client = as_user(reviewer)
    assert long_form.unit.name in _table(client)
    Unit.objects.filter(pk=long_form.unit_id).update(name="改名后的单位")
    Measure.objects.filter(risk_point__unit=long_form.unit).delete()
    shown = _table(client)
    assert "改名后的单位" in shown and long_form.unit.name not in shown
    assert shown.count('<span class="text-danger">无</span>') == 50  # no measure left on any row of the page


def test_point_list_count_follows_every_service_write_and_a_bulk_load_after_recompute_stats(
    as_user, reviewer, unit_contact, long_form, kept_figures
):
    """The campus list's count comes from the kept figures (unfiltered, or by unit, category and level): a service
    write shows at once; a bulk load around the services shows after ``recompute_stats``, as the README says."""
    from django.core.management import call_command

    kept_figures()
    client = as_user(reviewer)
    url = reverse("risks:point-list")

    def count(**params):
        return client.get(url, params).context["page_obj"].paginator.count

    assert count() == 120
    stray = make_point(long_form.campaign, long_form.unit, n=999)  # a bulk load: no service, no audit event
    assert count() == 120 and count(q="风险") == RiskPoint.objects.filter(name__contains="风险").count()
    call_command("recompute_stats")
    assert count() == 121
    services.risk_point_create(form=long_form, actor=unit_contact, **_post_data(name="新增的风险点"))
    assert count() == 122
    stray.refresh_from_db()
    services.risk_point_delete(point=stray, form=long_form, actor=unit_contact, version=stray.version)
    assert not RiskPoint.objects.filter(pk=stray.pk).exists()
    assert AuditEvent.objects.order_by("-id").first().action == "riskpoint.delete"
    assert count() == 121
    for params in ({"level": "1"}, {"category": "system"}, {"category": "system", "level": "1"}):
        expected = RiskPoint.objects.filter(**params).count()
        assert count(**params) == expected > 0, params
        assert count(unit=long_form.unit_id, **params) == expected
    assert count(level="2") == 0 == RiskPoint.objects.filter(level=2).count()
    assert count(unit=long_form.unit_id) == 121


def test_r7_point_list_measure_counts_follow_a_new_measure_at_once(as_user, reviewer, unit_contact, long_form):
    from measures import services as measure_services

    client = as_user(reviewer)
    url = reverse("risks:point-list")
    first = client.get(url).context["page_obj"][0]
    point = RiskPoint.objects.get(pk=first.pk)
    measure_services.measure_create(point=point, actor=unit_contact, stage="mid", content="新增的中期监控措施")
    again = client.get(url).context["page_obj"][0]
    assert again.pk == first.pk and again.measure_count == first.measure_count + 1 == point.measures.count()


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"unit": "__unit__"}, {"level": "2", "sort": "-name"}])
def test_point_list_queries_do_not_grow_with_the_campus(as_user, reviewer, campaign, unit, params):
    _fill(campaign, unit, 60)
    client = as_user(reviewer)
    params = {k: (str(unit.pk) if v == "__unit__" else v) for k, v in params.items()}
    url = reverse("risks:point-list")
    small = _queries(client, url, params)
    other = Unit.objects.create(code="ZZ9", name="另一个单位", sort_order=99)
    _fill(campaign, other, 200)
    assert _queries(client, url, params) == small


def _confirm(campaign, unit, unit_leader, forms):
    meeting = services.meeting_record(
        unit=unit, campaign=campaign, actor=unit_leader, date=datetime.date(2010, 6, 3), attendees="a", minutes="b"
    )
    for form in forms:
        form.refresh_from_db()
        services.form_confirm(
            form=form, actor=unit_leader, meeting=meeting, confirmation_text="同意", version=form.version
        )


def test_queue_is_read_fresh_after_each_write_and_approving_from_a_row_works(
    as_user, campaign, unit, staff, unit_leader, unit_contact, reviewer, personal_form, the_unit_form
):
    services.risk_point_create(form=personal_form, actor=staff, **_post_data())
    personal_form.refresh_from_db()
    services.form_submit(form=personal_form, actor=staff, pledge=True, version=personal_form.version)
    the_unit_form.refresh_from_db()
    services.form_submit(form=the_unit_form, actor=unit_contact, version=the_unit_form.version)
    _confirm(campaign, unit, unit_leader, [personal_form])
    client = as_user(reviewer)
    assert client.get(reverse("reviews:queue")).context["form_count"] == 1
    personal_form.refresh_from_db()
    the_unit_form.refresh_from_db()
    _confirm(campaign, unit, unit_leader, [the_unit_form])
    response = client.get(reverse("reviews:queue"))
    html = response.content.decode()
    assert response.context["form_count"] == 2
    assert [f.kind for group in response.context["groups"] for f in group["forms"]] == ["unit", "personal"]
    assert "2010年6月3日" in html and unit_leader.display_name in html
    personal_form.refresh_from_db()
    # the row's button submits the page's one form with its own version (what a browser without JS sends)
    response = client.post(
        reverse("risks:form-approve", args=[personal_form.pk]), {"version": personal_form.version, "next": "queue"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("reviews:queue")
    after = client.get(reverse("reviews:queue"))
    assert after.context["form_count"] == 1
    assert [f.pk for group in after.context["groups"] for f in group["forms"]] == [the_unit_form.pk]
    assert f'href="{reverse("risks:form-detail", args=[personal_form.pk])}"' not in after.content.decode()


def test_queue_queries_do_not_grow_with_the_number_of_forms(
    as_user, campaign, unit, staff, unit_leader, unit_contact, reviewer, personal_form, the_unit_form
):
    services.risk_point_create(form=personal_form, actor=staff, **_post_data())
    personal_form.refresh_from_db()
    services.form_submit(form=personal_form, actor=staff, pledge=True, version=personal_form.version)
    _confirm(campaign, unit, unit_leader, [personal_form])
    client = as_user(reviewer)
    url = reverse("reviews:queue")
    one = _queries(client, url)
    the_unit_form.refresh_from_db()
    services.form_submit(form=the_unit_form, actor=unit_contact, version=the_unit_form.version)
    _confirm(campaign, unit, unit_leader, [the_unit_form])
    assert _queries(client, url) == one
