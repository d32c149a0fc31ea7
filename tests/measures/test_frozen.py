"""Frozen is frozen (issue 12 point 3): a measure printed on a 附表 changes only while every form showing its
point is a draft or returned. Submitted and confirmed forms must be returned first; an approved one needs a new
version. Each refusal says why, in the page and in the htmx fragment, and leaves the database as it was."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lianzheng.models import AuditEvent
from measures import services
from measures.models import Measure, MeasureState
from risks.models import FormKind, FormState, RiskForm

from .conftest import make_measure

REFUSED = {
    FormState.SUBMITTED: "退回",
    FormState.CONFIRMED: "退回",
    FormState.APPROVED: "开始新版本",
}
STATES = [FormState.DRAFT, FormState.RETURNED, FormState.SUBMITTED, FormState.CONFIRMED, FormState.APPROVED]


@pytest.fixture
def unit_form(campaign, unit):
    return RiskForm.objects.create(kind=FormKind.UNIT, campaign=campaign, unit=unit)


def _set_state(form, state):
    RiskForm.objects.filter(pk=form.pk).update(state=state)
    form.refresh_from_db()


def _snapshot():
    rows = Measure.objects.order_by("pk").values_list("pk", "content", "state", "version", "personal_form_id")
    return list(rows), AuditEvent.objects.count()


def _actions(point, measure, actor, personal_form=None):
    return {
        "add": lambda: services.measure_create(
            point=point, actor=actor, stage="mid", content="新措施", personal_form=personal_form
        ),
        "edit": lambda: services.measure_update(measure=measure, actor=actor, version=measure.version, content="改写"),
        "delete": lambda: services.measure_delete(measure=measure, actor=actor, version=measure.version),
        "advance": lambda: services.measure_advance(
            measure=measure, actor=actor, version=measure.version, to_state=MeasureState.IN_EFFECT
        ),
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ["add", "edit", "delete", "advance"])
def test_unit_measures_change_only_while_the_unit_form_is_editable(
    campaign, point, unit_form, personal_form, unit_contact, state, action
):
    measure = make_measure(point)
    _set_state(unit_form, state)
    before = _snapshot()
    call = _actions(point, measure, unit_contact)[action]
    if state in REFUSED:
        with pytest.raises(ValidationError) as exc:
            call()
        message = " ".join(exc.value.messages)
        assert str(unit_form) in message and unit_form.get_state_display() in message
        assert REFUSED[state] in message
        assert _snapshot() == before
    else:
        call()
        assert _snapshot() != before


@pytest.mark.parametrize("state", [FormState.SUBMITTED, FormState.CONFIRMED, FormState.APPROVED])
def test_a_unit_measure_is_frozen_by_the_posts_personal_form_too(
    campaign, point, unit_form, personal_form, unit_contact, state
):
    """The point shows on its post's 附表2 as well: that form being under review freezes it."""
    measure = make_measure(point)
    _set_state(personal_form, state)
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.measure_update(measure=measure, actor=unit_contact, version=measure.version, content="改写")
    assert str(personal_form) in " ".join(exc.value.messages)
    assert _snapshot() == before


def test_returning_the_form_unfreezes_the_measures(campaign, point, unit_form, unit_contact):
    measure = make_measure(point)
    _set_state(unit_form, FormState.SUBMITTED)
    with pytest.raises(ValidationError):
        services.measure_update(measure=measure, actor=unit_contact, version=measure.version, content="改写")
    _set_state(unit_form, FormState.RETURNED)
    services.measure_update(measure=measure, actor=unit_contact, version=measure.version, content="改写")
    assert Measure.objects.get(pk=measure.pk).content == "改写"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ["add", "edit", "delete", "advance"])
def test_personal_measures_change_only_while_the_personal_form_is_editable(
    campaign, point, personal_form, staff, state, action
):
    measure = make_measure(point, personal_form=personal_form)
    _set_state(personal_form, state)
    before = _snapshot()
    call = _actions(point, measure, staff, personal_form=personal_form)[action]
    if state in REFUSED:
        with pytest.raises(ValidationError) as exc:
            call()
        message = " ".join(exc.value.messages)
        assert personal_form.get_state_display() in message and REFUSED[state] in message
        assert _snapshot() == before
    else:
        call()
        assert _snapshot() != before


# --- the pages ----------------------------------------------------------------------------------------
def _post(client, action, point, measure, personal_form=None, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if action == "add":
        url = (
            reverse("measures:form-point-measures", args=[personal_form.pk, point.pk])
            if personal_form
            else reverse("measures:point-measures", args=[point.pk])
        )
        return client.post(url, {"stage": "mid", "content": "新措施"}, **headers)
    if action == "edit":
        url = reverse("measures:measure-edit", args=[measure.pk])
        return client.post(url, {"content": "改写", "version": measure.version}, **headers)
    if action == "delete":
        return client.post(
            reverse("measures:measure-delete", args=[measure.pk]), {"version": measure.version}, **headers
        )
    return client.post(
        reverse("measures:measure-advance", args=[measure.pk]),
        {"version": measure.version, "to_state": "in_effect"},
        **headers,
    )


@pytest.mark.parametrize("state", [FormState.SUBMITTED, FormState.APPROVED])
@pytest.mark.parametrize("action", ["add", "edit", "delete", "advance"])
def test_htmx_fragment_refuses_a_frozen_point_and_says_why(
    as_user, campaign, point, unit_form, unit_contact, state, action
):
    measure = make_measure(point)
    _set_state(unit_form, state)
    before = _snapshot()
    response = _post(as_user(unit_contact), action, point, measure)
    assert response.status_code in (409, 422)
    html = response.content.decode()
    assert REFUSED[state] in html and unit_form.get_state_display() in html
    assert _snapshot() == before


@pytest.mark.parametrize("action", ["add", "edit", "delete", "advance"])
def test_personal_measures_page_refuses_a_submitted_form_without_javascript(
    as_user, campaign, point, personal_form, staff, action
):
    measure = make_measure(point, personal_form=personal_form)
    _set_state(personal_form, FormState.SUBMITTED)
    before = _snapshot()
    client = as_user(staff)
    response = _post(client, action, point, measure, personal_form=personal_form, htmx=False)
    if response.status_code == 302:  # delete and advance redirect with the message
        response = client.get(response["Location"])
    html = response.content.decode()
    assert "退回" in html and personal_form.get_state_display() in html
    assert _snapshot() == before


def test_unit_page_hides_edit_buttons_of_frozen_points_only(as_user, campaign, unit, point, unit_form, unit_contact):
    make_measure(point)
    client = as_user(unit_contact)
    url = reverse("measures:unit-measures", args=[unit.code])
    editable = client.get(url).content.decode()
    assert reverse("measures:measure-delete", args=[point.measures.get().pk]) in editable
    _set_state(unit_form, FormState.APPROVED)
    frozen = client.get(url).content.decode()
    assert reverse("measures:measure-delete", args=[point.measures.get().pk]) not in frozen
    assert 'data-testid="add-pre"' not in frozen
    assert "开始新版本" in frozen
