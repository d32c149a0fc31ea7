"""The approved form's page shows what was approved (issue 12 point 3): it renders from the snapshot frozen at
approval, the same content as its PDF, even when the live rows behind it changed through a side door."""

import pytest
from django.urls import reverse

from risks import services
from risks.appendix import appendix_data
from risks.export_tasks import export_content
from risks.models import FormSnapshot, FormState, RiskPoint
from units.models import Post

from .test_services import _confirmed

pytestmark = pytest.mark.django_db


def _approved(form, staff, unit_leader, reviewer, point_data):
    form = _confirmed(form, staff, unit_leader, point_data)
    form.refresh_from_db()
    return services.form_approve(form=form, actor=reviewer, version=form.version)


def _names(content):
    return [(row["no"], row["name"], row["posts"]) for group in content["groups"] for row in group["rows"]]


def test_approved_form_page_shows_the_snapshot_not_the_renamed_post(
    as_user, personal_form, post, staff, unit_leader, reviewer, point_data
):
    form = _approved(personal_form, staff, unit_leader, reviewer, {**point_data, "name": "审批时的风险点"})
    snapshot = FormSnapshot.objects.get(form=form)
    approved_post = post.name
    # Side doors standing in for the admin or a roster rename: the live rows move on.
    Post.objects.filter(pk=post.pk).update(name="改名后的岗位")
    RiskPoint.objects.filter(campaign=form.campaign).update(name="改名后的风险点")
    live = appendix_data(form)
    assert _names(live) != _names(snapshot.content)

    response = as_user(reviewer).get(reverse("risks:form-detail", args=[form.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["frozen"] == snapshot.content == export_content(form).data
    assert "审批时的风险点" in html and approved_post in html
    assert "改名后的风险点" not in html
    assert 'data-testid="frozen-content"' in html and "内容已冻结" in html


def test_a_form_that_is_not_approved_shows_the_live_rows(as_user, personal_form, post, staff, unit_leader, point_data):
    _confirmed(personal_form, staff, unit_leader, point_data)
    Post.objects.filter(pk=post.pk).update(name="改名后的岗位")
    response = as_user(unit_leader).get(reverse("risks:form-detail", args=[personal_form.pk]))
    personal_form.refresh_from_db()
    assert personal_form.state == FormState.CONFIRMED
    assert response.context["frozen"] is None
    assert "改名后的岗位" in response.content.decode()


def test_a_new_version_shows_live_rows_again(as_user, personal_form, staff, unit_leader, reviewer, point_data):
    form = _approved(personal_form, staff, unit_leader, reviewer, point_data)
    services.form_reopen(form=form, actor=staff, comment="修订", version=form.version)
    response = as_user(reviewer).get(reverse("risks:form-detail", args=[form.pk]))
    assert response.context["frozen"] is None
    assert 'data-testid="risk-table"' in response.content.decode()
