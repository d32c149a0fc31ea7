"""``generate_dataset``: deterministic from the seed, counts as asked, every state present, never over other data."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from devdata.dataset import BENCH_PASSWORD, DatasetRefused, generate
from measures.models import ImplementationRules, Measure, RulesState
from reviews.models import Complaint, ComplaintState, Submission, SubmissionState
from risks.models import FormKind, FormState, RiskForm, RiskPoint
from tests.factories import UnitFactory
from units.models import Campaign, Phase, PhaseKind, Post, Unit, User

pytestmark = pytest.mark.django_db


def _signature() -> dict:
    """What two runs with the same seed must agree on."""
    return {
        "counts": {
            model._meta.label: model.objects.count()
            for model in (Unit, Post, User, RiskForm, RiskPoint, Measure, Complaint, Submission)
        },
        "first_points": list(
            RiskPoint.objects.order_by("unit__code", "sort_order").values_list(
                "unit__code", "name", "level", "category", "scope"
            )[:40]
        ),
        "posts": list(Post.objects.order_by("unit__code", "sort_order").values_list("name", "is_key", "key_area")),
        "form_states": list(
            RiskForm.objects.order_by("unit__code", "kind", "post__sort_order").values_list("kind", "state")
        ),
        "holders": list(User.objects.order_by("username").values_list("username", "full_name", "role")),
    }


def _run_in_fresh_db(seed: int) -> dict:
    """Generate, read the signature, and roll everything back, so the next run starts from an empty database."""
    with transaction.atomic():
        generate(units=6, posts_per_unit=8, seed=seed)
        signature = _signature()
        transaction.set_rollback(True)
    assert not Unit.objects.exists()
    return signature


def test_same_seed_same_data_other_seed_other_data():
    first = _run_in_fresh_db(seed=42)
    second = _run_in_fresh_db(seed=42)
    assert first == second
    assert first["first_points"], "the dataset has risk points"
    other = _run_in_fresh_db(seed=43)
    assert other["first_points"] != first["first_points"]


def test_counts_match_the_arguments():
    summary = generate(units=7, posts_per_unit=12, seed=3)
    assert Unit.objects.count() == 7
    assert Post.objects.count() == 7 * 12
    # One unit form per unit and one personal form per post.
    assert RiskForm.objects.filter(kind=FormKind.UNIT).count() == 7
    assert RiskForm.objects.filter(kind=FormKind.PERSONAL).count() == 84
    points = RiskPoint.objects.count()
    assert 3.5 * 84 <= points <= 6.5 * 84, "about five risk points per post"
    assert summary.counts["risks.RiskPoint"] == points
    # Every post holder is a person with a current assignment; key posts are about 30%.
    assert Post.objects.filter(assignments__end__isnull=True).distinct().count() == 84
    assert 0.15 <= Post.objects.filter(is_key=True).count() / 84 <= 0.6


def test_every_state_is_present_and_today_is_inside_identify():
    generate(units=6, posts_per_unit=5, seed=9)
    for kind in (FormKind.UNIT, FormKind.PERSONAL):
        states = set(RiskForm.objects.filter(kind=kind).values_list("state", flat=True))
        assert states == set(FormState.values), kind
    assert set(Submission.objects.values_list("state", flat=True)) >= {
        SubmissionState.SUBMITTED,
        SubmissionState.ACCEPTED,
        SubmissionState.RETURNED,
    }
    assert set(Complaint.objects.values_list("state", flat=True)) == set(ComplaintState.values)
    assert set(ImplementationRules.objects.values_list("state", flat=True)) == set(RulesState.values)
    assert set(Measure.objects.values_list("stage", flat=True)) == {"pre", "mid", "post"}
    # R4 holds in generated data too: every confirmed or approved form has a meeting and a leader's confirmation.
    reached_office = RiskForm.objects.filter(state__in=[FormState.CONFIRMED, FormState.APPROVED])
    assert not reached_office.filter(meeting__isnull=True).exists()
    assert not reached_office.filter(confirmed_by__isnull=True).exists()
    campaign = Campaign.objects.get()
    identify = Phase.objects.get(campaign=campaign, kind=PhaseKind.IDENTIFY)
    assert identify.start <= timezone.localdate() <= identify.end


def test_only_benchmark_users_can_log_in():
    generate(units=2, posts_per_unit=4, seed=1)
    assert authenticate(username="bench_reviewer", password=BENCH_PASSWORD) is not None
    holder = User.objects.filter(username__startswith="syn_u").first()
    assert not holder.has_usable_password()


def test_refuses_a_database_with_other_data_unless_forced():
    UnitFactory(code="caiwu", name="财务处")
    with pytest.raises(DatasetRefused):
        generate(units=2, posts_per_unit=4, seed=1)
    assert Unit.objects.count() == 1, "nothing was written"
    generate(units=2, posts_per_unit=4, seed=1, force=True)
    assert Unit.objects.count() == 3
    with pytest.raises(DatasetRefused):
        generate(units=2, posts_per_unit=4, seed=1, force=True)  # a second dataset on top of the first: never


def test_command_prints_counts_and_benchmark_users():
    out = io.StringIO()
    call_command("generate_dataset", "--units", "3", "--posts-per-unit", "4", "--seed", "5", stdout=out)
    text = out.getvalue()
    assert "units.Post: 12" in text
    assert "bench_reviewer" in text and BENCH_PASSWORD in text
    with pytest.raises(CommandError):
        call_command("generate_dataset", "--units", "3", "--posts-per-unit", "4", stdout=io.StringIO())
