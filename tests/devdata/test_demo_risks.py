"""The demo data of risk identification: points of the demo file in both campaigns, forms in every state,
idempotent."""

import io

import pytest

from devdata.demo import measures as measures_demo
from devdata.demo import risks as risks_demo
from devdata.demo import units as units_demo
from measures.models import Measure
from risks.models import FormEvent, FormSnapshot, FormState, PowerItem, RiskForm, RiskPoint

pytestmark = pytest.mark.django_db


def _seed():
    out = io.StringIO()
    units_demo.seed(stdout=out)
    risks_demo.seed(stdout=out)
    measures_demo.seed(stdout=out)


def test_demo_seed_has_forms_in_every_state_and_is_idempotent():
    _seed()
    current = units_demo.current_campaign()
    states = set(RiskForm.objects.filter(campaign=current).values_list("state", flat=True))
    assert set(FormState.values) <= states
    counts = (
        RiskPoint.objects.count(),
        PowerItem.objects.count(),
        Measure.objects.count(),
        FormEvent.objects.count(),
        FormSnapshot.objects.count(),
    )
    assert (
        RiskPoint.objects.filter(campaign=current).count()
        == RiskPoint.objects.filter(campaign=units_demo.pilot_campaign()).count()
        > 20
    )
    cb = RiskForm.objects.get(campaign=current, unit__code="xiaojian", kind="unit")
    assert cb.state == FormState.CONFIRMED and "主任" in cb.meeting.attendees
    snapshot = FormSnapshot.objects.filter(form__unit__code="caiwu", form__campaign=current).first()
    assert snapshot is not None and any(
        row["measures"]["pre"] for group in snapshot.content["groups"] for row in group["rows"]
    )
    returned = RiskForm.objects.filter(campaign=current, state=FormState.RETURNED).first()
    assert returned.events.filter(action="return").exclude(comment="").exists()

    _seed()
    assert counts == (
        RiskPoint.objects.count(),
        PowerItem.objects.count(),
        Measure.objects.count(),
        FormEvent.objects.count(),
        FormSnapshot.objects.count(),
    )
