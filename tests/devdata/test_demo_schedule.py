"""The schedule's demo data: both campaigns get their deliverables, the current one submissions in every state,
and reminders have something to send. Idempotent."""

import io

import pytest

from devdata.demo import schedule as demo_schedule
from devdata.demo import units as units_demo
from reviews.schedule.models import Deliverable, LeadingGroupMember, SelfInspection, Submission, SubmissionState
from reviews.schedule.reminders import send_reminders
from reviews.schedule.selectors import progress_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    units_demo.seed(stdout=io.StringIO())
    demo_schedule.seed(stdout=io.StringIO())


def test_r6_demo_pilot_deliverables_use_the_plans_dates(seeded):
    pilot = units_demo.pilot_campaign()
    due = {d.name: d.due_date.isoformat() for d in Deliverable.objects.filter(phase__campaign=pilot)}
    assert due["工作方案"] == "2010-05-28" and due["附表1及全部附表2"] == "2010-06-06"
    assert due["实施细则"] == "2010-06-18" and due["工作总结"] == "2010-06-30"


def test_demo_current_campaign_has_every_state_and_reminders_to_send(seeded):
    matrix = progress_matrix(campaign=units_demo.current_campaign())
    states = {status.state for _unit, statuses in matrix["rows"] for status in statuses}
    assert {"accepted", "submitted", "returned", "missing"} <= states
    assert matrix["totals"]["overdue"] > 0  # the prepare phase is over: missing and returned items are overdue
    assert send_reminders()["sent"] > 0
    assert LeadingGroupMember.objects.filter(role="leader").count() >= 5
    assert SelfInspection.objects.exists()


def test_demo_seed_is_idempotent(seeded):
    counts = (Deliverable.objects.count(), Submission.objects.count(), SelfInspection.objects.count())
    demo_schedule.seed(stdout=io.StringIO())
    assert (Deliverable.objects.count(), Submission.objects.count(), SelfInspection.objects.count()) == counts
    assert Submission.objects.filter(state=SubmissionState.RETURNED).exists()
