"""Crafted input never gives a 500 (issue 14, item 9): property-based tests (hypothesis) send odd text — numbers
that are not ids, full-width digits, NUL bytes, huge numbers, paths, nothing at all — in every parameter of the
public forms and of the staff pages' filters, sorts and actions, and require an answer that is not a server error.
The test client raises any exception a view lets escape, so a 500 fails the example that caused it."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risks import services as risk_services
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

ODD = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "0", "-1", "abc", "1e3", "９", "1.5", "99999999999999999999999", "//evil.example", "../..", "\x00",
         "on", "true", "None", "[]", "%s", "{{ x }}", "<script>", "1,2", "-unit", "--", "2010-13-45"]
    ),
)  # fmt: skip
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def params_of(names):
    return st.fixed_dictionaries({}, optional={name: ODD for name in names})


def _ok(response):
    assert response.status_code < 500, response.status_code


@pytest.fixture
def world(unit, other_unit, post, staff, unit_contact, reviewer):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit, other_unit])
    risk_services.forms_open_for_units(campaign=campaign, unit_ids=[unit.pk, other_unit.pk])
    return campaign


# --- public pages (no login) ------------------------------------------------------------------------------------------
@FUZZ
@given(data=params_of(["unit", "post", "person_name", "content", "anonymous", "reporter_name", "reporter_contact",
                       "submission_key"]))  # fmt: skip
def test_public_complaint_form(world, data):
    _ok(Client().post(reverse("reviews:complaint-new"), data))


@FUZZ
@given(data=params_of(["code"]), query=params_of(["unit"]))
def test_public_status_and_post_options(world, data, query):
    client = Client()
    _ok(client.post(reverse("reviews:complaint-status"), data))
    _ok(client.get(reverse("reviews:complaint-post-options"), query))


@FUZZ
@given(data=params_of(["username", "password", "next"]))
def test_login_form(world, data):
    _ok(Client().post(reverse("login"), data))


# --- staff pages: filters, sorts, pages and small actions -------------------------------------------------------------
STAFF_GETS = {
    "risks:point-list": ["unit", "office", "post", "category", "level", "key_area", "key_post", "form_state", "q",
                         "sort", "page"],
    "risks:coverage": ["unit", "state", "sort", "page", "posts_page", "points_page"],
    "risks:form-list": ["state", "kind", "unit", "q", "sort", "page"],
    "reviews:progress": ["campaign", "state", "sort", "page"],
    "reviews:queue": ["page"],
    "reviews:complaint-list": ["unit", "state", "channel", "year", "q", "sort", "page"],
    "reviews:yellowcard-list": ["state", "year", "page"],
    "reviews:assessment-list": ["year", "grade", "page"],
    "access-log": ["q", "form", "action", "since", "page"],
    "units:role-changes": ["page"],
    "notifications": ["page"],
    "dashboard": ["campaign"],
}  # fmt: skip


@FUZZ
@given(pages=st.fixed_dictionaries({name: params_of(names) for name, names in STAFF_GETS.items()}))
def test_office_pages_with_odd_parameters(world, as_user, reviewer, pages):
    client = as_user(reviewer)
    for name, query in pages.items():
        _ok(client.get(reverse(name), query))


@FUZZ
@given(data=params_of(["campaign", "next"]), measure=params_of(["stage", "content", "responsible", "due_date", "next"]))
def test_unit_contact_actions_with_odd_input(world, as_user, unit_contact, unit, data, measure):
    from risks.models import RiskPoint

    client = as_user(unit_contact)
    _ok(client.post(reverse("units:switch-campaign"), data))
    point = RiskPoint.objects.filter(unit=unit).first()
    if point is None:
        form = risk_services.unit_form(campaign=world, unit=unit)
        point = risk_services.risk_point_create(
            form=form, actor=unit_contact, name="现金收付", manifestation="坐支现金。", category="system", level=1,
            business_step="现金收付", responsible_leader="分管副处长", responsible_person="科长", supervisor="审计处",
        )  # fmt: skip
    _ok(client.post(reverse("measures:point-measures", args=[point.pk]), measure))
    _ok(client.get(reverse("risks:point-list"), {"unit": measure.get("stage", ""), "page": measure.get("next", "")}))


POINT_FIELDS = ["name", "manifestation", "category", "level", "scope", "office", "posts", "power_item", "business_step",
                "responsible_leader", "responsible_person", "supervisor", "version"]  # fmt: skip


@FUZZ
@given(
    point=params_of(POINT_FIELDS),
    action=params_of(["version", "pledge", "comment", "confirmation_text", "meeting", "next"]),
    power=params_of(["name", "kind", "basis", "posts", "version"]),
)
def test_form_and_power_item_actions_with_odd_input(world, as_user, unit_contact, reviewer, unit, point, action, power):
    """Adding a risk point, the form's transitions and the power inventory, with odd fields and versions."""
    form = risk_services.unit_form(campaign=world, unit=unit)
    contact = as_user(unit_contact)
    _ok(contact.post(reverse("risks:point-new", args=[form.pk]), point))
    _ok(contact.post(reverse("risks:form-submit", args=[form.pk]), action))
    _ok(contact.post(reverse("risks:power-items", args=[unit.code]), power))
    office = as_user(reviewer)
    for name in ("risks:form-return", "risks:form-approve", "risks:form-reopen"):
        _ok(office.post(reverse(name, args=[form.pk]), action))
    _ok(office.post(reverse("reviews:queue-approve-unit", args=[unit.code]), {"versions": action.get("version", "")}))


@FUZZ
@given(data=params_of(["email"]), lang=params_of(["language", "next"]))
def test_password_reset_and_language_switch(world, data, lang):
    client = Client()
    _ok(client.post(reverse("password_reset"), data))
    _ok(client.post(reverse("set_language"), lang))
