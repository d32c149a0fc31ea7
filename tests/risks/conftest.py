"""Fixtures for risk identification: a campaign with the two units, forms, and a helper to add risk points."""

import pytest

from risks import services
from risks.models import RiskPoint, RiskScope
from tests.factories import CampaignFactory, UserFactory
from units.models import Role


@pytest.fixture
def campaign(unit, other_unit):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit, other_unit])
    return campaign


@pytest.fixture
def personal_form(campaign, post):
    return services.form_for_post(campaign=campaign, post=post)


@pytest.fixture
def the_unit_form(campaign, unit):
    return services.unit_form(campaign=campaign, unit=unit)


@pytest.fixture
def other_unit_leader(other_unit):
    return UserFactory(username="shebei_leader", role=Role.UNIT_LEADER, unit=other_unit, full_name="设备处长")


POINT_DATA = {
    "name": "现金收付",
    "manifestation": "坐支现金、白条抵库。",
    "category": "system",
    "level": 1,
    "business_step": "现金收付与银行存取",
    "responsible_leader": "分管副处长",
    "responsible_person": "科长",
    "supervisor": "审计处",
}


@pytest.fixture
def point_data():
    return dict(POINT_DATA)


def make_point(campaign, unit, *, posts=(), office=None, n=0, **extra) -> RiskPoint:
    """A risk point written directly (for read-side tests; the services are tested on their own)."""
    scope = RiskScope.POST if posts else RiskScope.OFFICE if office else RiskScope.UNIT
    values = {**POINT_DATA, "name": f"风险点{n}", **extra}
    point = RiskPoint.objects.create(campaign=campaign, unit=unit, office=office, scope=scope, sort_order=n, **values)
    if posts:
        point.posts.set(posts)
    return point
