"""附表2: the holder's own measures per point and the 个人廉政承诺 (configurable text, accepted by the holder)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lianzheng.models import AuditEvent
from measures import services
from measures.models import DEFAULT_PLEDGE_TEXT, Measure, PledgeText
from tests.measures.conftest import make_point

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("staff", True), ("unit_contact", False), ("unit_leader", False), ("colleague", False), ("reviewer", False)],
)
def test_r3_only_the_current_holder_adds_personal_measures(request, point, personal_form, role, allowed):
    actor = request.getfixturevalue(role)
    call = lambda: services.measure_create(  # noqa: E731
        point=point, actor=actor, stage="pre", content="本人签订廉洁承诺", personal_form=personal_form
    )
    if allowed:
        measure = call()
        assert measure.personal_form == personal_form
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not Measure.objects.exists()


def test_personal_measure_must_be_on_a_point_of_the_forms_post(campaign, unit, personal_form, staff):
    elsewhere = make_point(campaign, unit, n=9, name="别的岗位的风险点")
    with pytest.raises(ValidationError):
        services.measure_create(point=elsewhere, actor=staff, stage="pre", content="x", personal_form=personal_form)
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("staff", True), ("unit_contact", False), ("unit_leader", False), ("colleague", False), ("admin_user", False)],
)
def test_who_may_accept_the_pledge(request, personal_form, role, allowed):
    actor = request.getfixturevalue(role)
    if allowed:
        form = services.pledge_accept(form=personal_form, actor=actor)
        assert form.pledge_accepted_at is not None
        event = AuditEvent.objects.get(action="pledge.accept")
        assert event.summary["pledge_text"] == PledgeText.current().text
    else:
        with pytest.raises(PermissionDenied):
            services.pledge_accept(form=personal_form, actor=actor)
        personal_form.refresh_from_db()
        assert personal_form.pledge_accepted_at is None
        assert not AuditEvent.objects.filter(action="pledge.accept").exists()


def test_pledge_is_accepted_once(personal_form, staff):
    services.pledge_accept(form=personal_form, actor=staff)
    with pytest.raises(ValidationError, match="已于"):
        services.pledge_accept(form=personal_form, actor=staff)


def test_pledge_text_is_a_singleton_only_admins_change(admin_user, reviewer):
    assert PledgeText.current().text == str(DEFAULT_PLEDGE_TEXT)
    with pytest.raises(PermissionDenied):
        services.pledge_text_update(actor=reviewer, text="改")
    services.pledge_text_update(actor=admin_user, text="新的承诺文本")
    assert PledgeText.objects.count() == 1
    assert PledgeText.current().text == "新的承诺文本"
    assert PledgeText.current().updated_by == admin_user


def test_pledge_page_and_htmx_accept(as_user, personal_form, staff):
    client = as_user(staff)
    url = reverse("measures:pledge", args=[personal_form.pk])
    page = client.get(url)
    assert page.status_code == 200 and "我已阅读并作出承诺" in page.content.decode()
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="pledge-accepted"' in response.content.decode()


def test_pledge_page_is_404_for_other_units(as_user, personal_form, other_staff):
    assert as_user(other_staff).get(reverse("measures:pledge", args=[personal_form.pk])).status_code == 404


def test_pledge_text_admin_page(as_user, admin_user, unit_contact):
    url = reverse("measures:pledge-text")
    assert as_user(unit_contact).get(url).status_code == 404
    client = as_user(admin_user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "本人承诺：廉洁从业。"}).status_code == 302
    assert PledgeText.current().text == "本人承诺：廉洁从业。"


def test_personal_measures_fragment_lists_only_the_holders_measures(as_user, point, personal_form, staff):
    Measure.objects.create(risk_point=point, stage="pre", content="单位措施")
    Measure.objects.create(risk_point=point, stage="pre", content="个人措施", personal_form=personal_form)
    url = reverse("measures:form-point-measures", args=[personal_form.pk, point.pk])
    html = as_user(staff).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "个人措施" in html and "单位措施" not in html
