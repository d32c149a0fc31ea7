"""Forms are opened by services, never by a GET (issue 12 point 4): when a campaign starts for a unit (created,
copied or a unit added) and when a post is created or its holder begins (roster import). Pages only read and say
in Chinese when a form is not open yet. Opening is idempotent and audited as a system action."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from lianzheng.models import AuditEvent
from risks.models import FormKind, RiskForm
from tests.factories import CampaignFactory, PostFactory, UserFactory
from tests.units.test_roster import import_bytes, person, workbook
from units.campaign_services import campaign_create, campaign_update
from units.models import Role

pytestmark = pytest.mark.django_db

YEAR = 2030
PHASES = {
    "prepare": (date(YEAR, 5, 20), date(YEAR, 5, 28)),
    "identify": (date(YEAR, 5, 29), date(YEAR, 6, 6)),
    "measures": (date(YEAR, 6, 7), date(YEAR, 6, 18)),
    "inspect": (date(YEAR, 6, 19), date(YEAR, 6, 30)),
}


def _counts():
    return RiskForm.objects.count(), AuditEvent.objects.count()


def test_opening_my_forms_and_the_unit_forms_creates_nothing(as_user, unit, post, staff, unit_contact):
    campaign = CampaignFactory()
    campaign.units.set([unit])  # straight to the database: no service opened the forms
    before = _counts()
    mine = as_user(staff).get(reverse("risks:my-forms"))
    assert mine.status_code == 200
    assert "尚未开设" in mine.content.decode() and post.name in mine.content.decode()
    listing = as_user(unit_contact).get(reverse("risks:form-list"))
    assert listing.status_code == 200
    assert "尚未开设" in listing.content.decode()
    assert _counts() == before
    assert not RiskForm.objects.exists()


def test_campaign_create_opens_each_units_unit_form_and_personal_forms(admin_user, unit, other_unit, post):
    second_post = PostFactory(unit=other_unit, name="采购员")
    before = AuditEvent.objects.count()
    campaign = campaign_create(
        actor=admin_user, name="2030年度", year=YEAR, batch=2, units=[unit, other_unit], phases=PHASES
    )
    forms = RiskForm.objects.filter(campaign=campaign)
    assert set(forms.filter(kind=FormKind.UNIT).values_list("unit__code", flat=True)) == {"caiwu", "shebei"}
    assert set(forms.filter(kind=FormKind.PERSONAL).values_list("post_id", flat=True)) == {post.pk, second_post.pk}
    opened = AuditEvent.objects.filter(action="forms.open")
    assert opened.count() == 1 and AuditEvent.objects.count() == before + 2  # campaign.create + forms.open
    assert opened.get().summary["count"] == 4


def test_adding_a_unit_to_a_campaign_opens_its_forms_once(admin_user, unit, other_unit, post):
    campaign = campaign_create(actor=admin_user, name="2030年度", year=YEAR, batch=2, units=[other_unit], phases=PHASES)
    assert not RiskForm.objects.filter(campaign=campaign, unit=unit).exists()
    campaign.refresh_from_db()
    campaign_update(
        actor=admin_user,
        campaign=campaign,
        version=campaign.version,
        name=campaign.name,
        year=YEAR,
        batch=2,
        units=[other_unit, unit],
        phases=PHASES,
    )
    assert RiskForm.objects.filter(campaign=campaign, unit=unit, kind=FormKind.UNIT).count() == 1
    assert RiskForm.objects.filter(campaign=campaign, post=post).count() == 1
    # Idempotent: saving the campaign again, or running the command for old databases, opens nothing more.
    before = _counts()
    opens = AuditEvent.objects.filter(action="forms.open").count()
    campaign.refresh_from_db()
    campaign_update(
        actor=admin_user,
        campaign=campaign,
        version=campaign.version,
        name=campaign.name,
        year=YEAR,
        batch=2,
        units=[other_unit, unit],
        phases=PHASES,
    )
    call_command("open_missing_forms")
    assert RiskForm.objects.count() == before[0]
    assert AuditEvent.objects.filter(action="forms.open").count() == opens


def test_roster_import_of_a_new_post_and_holder_opens_its_personal_form(unit, office):
    campaign = CampaignFactory()  # no phases yet: still running
    campaign.units.set([unit])
    plan = import_bytes(workbook(units=[], people=[person(office="会计核算科", post="稽核", no="T900", name="新人")]))
    assert plan.ok, plan.errors
    form = RiskForm.objects.get(campaign=campaign, kind=FormKind.PERSONAL)
    assert form.post.name == "稽核" and form.unit == unit
    assert RiskForm.objects.filter(campaign=campaign, kind=FormKind.UNIT, unit=unit).exists()
    event = AuditEvent.objects.get(action="forms.open")
    assert event.actor_id is None  # a system action
    # Importing the same file again opens nothing more.
    before = _counts()
    import_bytes(workbook(units=[], people=[person(office="会计核算科", post="稽核", no="T900", name="新人")]))
    assert RiskForm.objects.count() == before[0]
    assert AuditEvent.objects.filter(action="forms.open").count() == 1


def test_a_finished_campaign_gets_no_new_forms_from_the_roster(unit, office):
    old = campaign_create(
        actor=UserFactory(username="adm", role=Role.ADMIN, is_superuser=True, is_staff=True, unit=None),
        name="2010年第一批",
        year=2010,
        batch=2,
        units=[unit],
        phases={k: (s.replace(year=2010), e.replace(year=2010)) for k, (s, e) in PHASES.items()},
    )
    import_bytes(workbook(units=[], people=[person(office="会计核算科", post="稽核", no="T900", name="新人")]))
    assert not RiskForm.objects.filter(campaign=old, post__name="稽核").exists()


def test_command_opens_the_missing_forms_of_an_existing_database(unit, post, capsys):
    campaign = CampaignFactory()
    campaign.units.set([unit])
    call_command("open_missing_forms")
    assert RiskForm.objects.filter(campaign=campaign).count() == 2
    call_command("open_missing_forms")
    assert "opened 0" in capsys.readouterr().out.splitlines()[-1]
