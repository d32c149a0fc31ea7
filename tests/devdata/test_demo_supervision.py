"""The supervision demo data (demo-data.md §6) and its idempotency."""

import io
from decimal import Decimal

import pytest

from devdata.demo import supervision as reviews_demo
from devdata.demo import units as units_demo
from devdata.demo.units import post_by_code, unit_by_code
from reviews.models import Assessment, Complaint, Grade, KeySupervision, Warning, WarningSource, YellowCard
from reviews.selectors import complaint_by_code

pytestmark = pytest.mark.django_db


def _seed():
    out = io.StringIO()
    units_demo.seed(stdout=out)
    reviews_demo.seed(stdout=out)
    return out.getvalue()


def test_demo_complaints_give_the_houqin_purchaser_a_yellow_card_and_cap_2011_at_fairly_good():
    output = _seed()

    card = YellowCard.objects.get(post=post_by_code("HQ-P10"), year=2011)
    assert card.state == "issued" and card.document_no == reviews_demo.YELLOW_CARD_DOCUMENT_NO
    supervision = KeySupervision.objects.get(yellow_card=card)
    assert supervision.head_post == post_by_code("HQ-P18")  # R9: the head of the post
    assert supervision.person is not None
    assessment = Assessment.objects.get(unit=unit_by_code("houqin"), year=2011)
    assert (assessment.band_grade, assessment.final_grade, assessment.capped) == (Grade.GOOD, Grade.FAIRLY_GOOD, True)
    assert assessment.satisfaction_rate == Decimal("82.1")  # 46/56
    assert not assessment.unit.violation_cases.filter(year=2011).exists()
    fn = Complaint.objects.get(post=post_by_code("FN-P05"))
    assert (fn.state, fn.conclusion) == ("closed", "unfounded")
    assert {"received", "checking"} <= set(Complaint.objects.values_list("state", flat=True))
    assert Warning.objects.filter(source=WarningSource.SATISFACTION, unit=unit_by_code("zhaojiu")).exists()
    for item in reviews_demo.DEMO_COMPLAINTS:
        assert len(item["code"].replace("-", "")) >= 16
        assert item["code"] in output
        assert complaint_by_code(item["code"]) is not None


def test_demo_seed_is_idempotent():
    _seed()
    counts = [m.objects.count() for m in (Complaint, YellowCard, KeySupervision, Warning, Assessment)]
    _seed()
    assert [m.objects.count() for m in (Complaint, YellowCard, KeySupervision, Warning, Assessment)] == counts
