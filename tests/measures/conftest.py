"""Fixtures for measures and 实施细则: a campaign with two units, risk points written straight to the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from measures.models import ImplementationRules, Measure, MeasureStage, RulesState
from risks.models import FormKind, RiskForm, RiskPoint, RiskScope
from tests.factories import AssignmentFactory, CampaignFactory, PostFactory, UserFactory
from units.models import Role

POINT_DATA = {
    "manifestation": "坐支现金、白条抵库。",
    "category": "system",
    "level": 1,
    "business_step": "现金收付与银行存取",
    "responsible_leader": "分管副处长",
    "responsible_person": "科长",
    "supervisor": "审计处",
}


def make_point(campaign, unit, *, posts=(), office=None, n=0, **extra) -> RiskPoint:
    scope = RiskScope.POST if posts else RiskScope.OFFICE if office else RiskScope.UNIT
    values = {**POINT_DATA, "name": f"风险点{n}", **extra}
    point = RiskPoint.objects.create(campaign=campaign, unit=unit, office=office, scope=scope, sort_order=n, **values)
    if posts:
        point.posts.set(posts)
    return point


def make_measure(point, stage=MeasureStage.PRE, **extra) -> Measure:
    values = {"content": f"{MeasureStage(stage).label}措施", "responsible": "财务处", **extra}
    return Measure.objects.create(risk_point=point, stage=stage, **values)


def complete(point):
    """Give a point one measure in each of the three stages."""
    for stage in MeasureStage:
        make_measure(point, stage)


@pytest.fixture
def campaign(unit, other_unit):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010)
    campaign.units.set([unit, other_unit])
    return campaign


@pytest.fixture
def point(campaign, unit, post):
    return make_point(campaign, unit, posts=[post], office=post.office, n=1, name="资金支付与账户印鉴")


@pytest.fixture
def other_point(campaign, other_unit):
    return make_point(campaign, other_unit, n=2, name="设备招标采购")


@pytest.fixture
def personal_form(campaign, unit, post):
    return RiskForm.objects.create(kind=FormKind.PERSONAL, campaign=campaign, unit=unit, post=post)


@pytest.fixture
def other_contact(other_unit):
    return UserFactory(username="shebei_contact", role=Role.UNIT_CONTACT, unit=other_unit, full_name="设备联络员")


@pytest.fixture
def colleague(unit, office):
    """A staff member of the same unit who holds another post (not the point's)."""
    user = UserFactory(username="caiwu_colleague", role=Role.STAFF, unit=unit, full_name="王某")
    AssignmentFactory(post=PostFactory(unit=unit, office=office, name="收费员"), user=user)
    return user


@pytest.fixture
def rules_doc(campaign, unit):
    return ImplementationRules.objects.create(
        unit=unit, campaign=campaign, title="财务处廉政风险防范管理实施细则", body="# 细则"
    )


def publicising(rules_doc, *, start_delta=timedelta(hours=-1), end_delta=timedelta(days=3)):
    now = timezone.now()
    ImplementationRules.objects.filter(pk=rules_doc.pk).update(
        state=RulesState.PUBLICISING,
        publicity_start=now + start_delta,
        publicity_end=now + end_delta,
        publicity_scope="处务公开栏+校园网",
    )
    rules_doc.refresh_from_db()
    return rules_doc
