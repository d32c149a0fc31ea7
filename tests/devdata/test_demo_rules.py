"""The demo 实施细则: several states in the current campaign (one publicising now), idempotent."""

import io

import pytest
from django.urls import reverse

from devdata.demo import rules as demo_rules
from devdata.demo import units as units_demo
from measures.models import ImplementationRules, RulesComment, RulesEvent, RulesState

pytestmark = pytest.mark.django_db


def test_demo_rules_seed_is_idempotent_and_one_is_publicised_now(client):
    units_demo.seed(stdout=io.StringIO())
    demo_rules.seed(stdout=io.StringIO())
    first = list(ImplementationRules.objects.order_by("pk").values_list("pk", "state", "version"))
    counts = (RulesEvent.objects.count(), RulesComment.objects.count())
    demo_rules.seed(stdout=io.StringIO())
    assert list(ImplementationRules.objects.order_by("pk").values_list("pk", "state", "version")) == first
    assert (RulesEvent.objects.count(), RulesComment.objects.count()) == counts

    current = units_demo.current_campaign()
    states = dict(ImplementationRules.objects.filter(campaign=current).values_list("unit__code", "state"))
    assert states == {"caiwu": RulesState.PUBLICISING, "xiaojian": RulesState.APPROVED, "shebei": RulesState.DRAFT}
    caiwu = ImplementationRules.objects.get(campaign=current, unit__code="caiwu")
    assert client.get(reverse("measures:rules-public", args=[caiwu.pk])).status_code == 200
    draft = ImplementationRules.objects.get(campaign=current, unit__code="shebei")
    assert client.get(reverse("measures:rules-public", args=[draft.pk])).status_code == 404
