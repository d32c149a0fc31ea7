"""Demo data for control measures (``seed_demo``): the three stage lists (R7) of every risk point of
``fixtures/demo/pilot_units.json``, in both campaigns. Then the risk forms are moved into their demo states
(``risks.demo.seed_form_states``), so that approved forms freeze their measures in the snapshot.

Idempotent: a measure is found by its point, stage and text.
"""

from django.db import transaction

from devdata.demo import risks as risks_demo
from devdata.demo import units as units_demo
from measures.models import Measure, MeasureState
from risks.models import RiskPoint

STAGES = ("pre", "mid", "post")


@transaction.atomic
def seed(*, stdout) -> None:
    data = units_demo.load_pilot_data()
    by_code = {}
    for unit_data in data["units"]:
        for point in unit_data["risk_points"]:
            by_code[(units_demo.unit_by_code(unit_data["code"]).pk, point["code"])] = point["measures"]
    points = (
        RiskPoint.objects.select_related("campaign")
        .exclude(code="")
        .filter(unit_id__in={unit_id for unit_id, _code in by_code})
    )
    existing = set(Measure.objects.filter(risk_point__in=points).values_list("risk_point_id", "stage", "content"))
    new = []
    for point in points:
        measures = by_code.get((point.unit_id, point.code))
        if not measures:
            continue
        for stage in STAGES:
            for order, content in enumerate(measures.get(stage, []), start=1):
                if (point.pk, stage, content) in existing:
                    continue
                new.append(
                    Measure(
                        risk_point=point,
                        stage=stage,
                        content=content,
                        responsible=point.responsible_person,
                        state=MeasureState.IN_EFFECT if point.campaign.year < 2011 else MeasureState.PLANNED,
                        sort_order=order * 10,
                    )
                )
    Measure.objects.bulk_create(new)
    stdout.write(f"measures: {Measure.objects.count()} 条防控措施")
    risks_demo.seed_form_states(stdout=stdout)
