# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""Issue 12: the schedule's figures are kept by the writes that change them (``reviews.figures``), agree with an
independent count after every kind of write, are checked and repaired by ``recompute_stats``, and are not changed by
a write that rolls back. Overdue stays derived from the due date and today."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from lianzheng import figures
from portal import dashboards
from reviews.schedule import selectors as selectors
from reviews.schedule import services as services
from reviews.schedule.models import (
    DERIVED_KINDS,
    Deliverable,
    DeliverableFigure,
    DeliverableKind,
    Submission,
    SubmissionState,
)
from tests.reviews._schedule import campaign, media, pdf_upload, work_plan  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2010, 6, 10)


def kept_states():
    return {(f.unit_id, f.deliverable_id): f.state for f in DeliverableFigure.objects.all()}


def counted_states():
    """Independently: every stored (document-like) submission not missing, walked one by one."""
    return {
        (s.unit_id, s.deliverable_id): s.state
        for s in Submission.objects.select_related("deliverable")
        if s.deliverable.kind not in DERIVED_KINDS and s.state != SubmissionState.MISSING
    }


def test_submit_return_resubmit_accept_each_keep_the_unit_deliverable_state(
    campaign, work_plan, unit, unit_contact, reviewer, media
):
    key = (unit.pk, work_plan.pk)
    assert kept_states() == {}
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    assert kept_states() == counted_states() == {key: SubmissionState.SUBMITTED}
    s = services.submission_return(actor=reviewer, submission=s, version=s.version, comment="请补充")
    assert kept_states() == counted_states() == {key: SubmissionState.RETURNED}
    s = services.submission_submit(
        actor=unit_contact, unit=unit, deliverable=work_plan, version=s.version, upload=pdf_upload()
    )
    assert kept_states() == counted_states() == {key: SubmissionState.SUBMITTED}
    services.submission_accept(actor=reviewer, submission=s, version=s.version)
    assert kept_states() == counted_states() == {key: SubmissionState.ACCEPTED}
    figure = DeliverableFigure.objects.get()
    assert (figure.campaign_id, figure.phase_id) == (campaign.pk, work_plan.phase_id)


def test_r12_self_inspection_keeps_the_phase_self_inspection_as_submitted(campaign, unit, unit_contact):
    prepare = campaign.phases.get(kind="prepare")
    d = Deliverable.objects.get(phase=prepare, kind=DeliverableKind.SELF_INSPECTION)
    services.self_inspection_save(
        actor=unit_contact, unit=unit, phase=prepare, findings="学习不够深入", rectification="", version=0
    )
    assert kept_states() == counted_states() == {(unit.pk, d.pk): SubmissionState.SUBMITTED}


def test_a_refused_or_rolled_back_write_leaves_the_kept_state_unchanged(
    campaign, work_plan, unit, unit_contact, reviewer, media
):
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    before = kept_states()
    with pytest.raises(ValidationError):  # a stale version: refused inside the transaction
        services.submission_accept(actor=reviewer, submission=s, version=s.version - 1)
    assert kept_states() == before
    with pytest.raises(RuntimeError), transaction.atomic():
        services.submission_accept(actor=reviewer, submission=s, version=s.version)
        assert kept_states()[(unit.pk, work_plan.pk)] == SubmissionState.ACCEPTED
        raise RuntimeError("the surrounding transaction fails after the write")
    assert kept_states() == before == counted_states()


def test_recompute_stats_check_names_a_difference_made_around_the_services_and_rebuild_repairs_it(
    campaign, work_plan, unit, unit_contact, reviewer, media, capsys
):
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    call_command("recompute_stats", "--check", "--only", "reviews.deliverables")
    assert "reviews.deliverables: ok" in capsys.readouterr().out
    # A change made around the services (a shell, a restore): the kept figure no longer agrees.
    Submission.objects.filter(pk=s.pk).update(state=SubmissionState.ACCEPTED)
    with pytest.raises(CommandError, match="1 difference"):
        call_command("recompute_stats", "--check", "--only", "reviews.deliverables")
    out = capsys.readouterr().out
    assert f"unit={unit.pk} deliverable={work_plan.pk}: kept submitted, rows say accepted" in out
    assert kept_states()[(unit.pk, work_plan.pk)] == SubmissionState.SUBMITTED  # --check wrote nothing
    call_command("recompute_stats", "--only", "reviews.deliverables")
    assert kept_states() == counted_states() == {(unit.pk, work_plan.pk): SubmissionState.ACCEPTED}
    call_command("recompute_stats", "--check", "--only", "reviews.deliverables")
    assert figures.differences(["reviews.deliverables"]) == {"reviews.deliverables": []}


def test_overdue_is_never_kept_but_derived_from_the_due_date_and_today(
    campaign, work_plan, unit, unit_contact, reviewer, media
):
    """The same kept rows give different overdue counts on different days; a returned item past its due date is
    overdue on the progress block, the matrix and the unit's page alike."""
    s = services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    services.submission_return(actor=reviewer, submission=s, version=s.version, comment="请补充")
    before_due = work_plan.due_date - datetime.timedelta(days=1)
    after_due = work_plan.due_date + datetime.timedelta(days=1)
    prepare = work_plan.phase

    def overdue_on(day):
        block = dashboards.progress_block(campaign=campaign, today=day)
        row = next(r for r in block["rows"] if r["unit"].pk == unit.pk)
        cell = next(c for c in row["cells"] if c["phase"] == prepare)
        status = selectors.progress_matrix(campaign=campaign, today=day)
        matrix = next(st for u, sts in status["rows"] if u == unit for st in sts if st.deliverable == work_plan)
        page = selectors.unit_progress(unit=unit, campaign=campaign, today=day)
        own = next(st for p in page["phases"] for st in p["statuses"] if st.deliverable == work_plan)
        return cell["overdue"], matrix.overdue, own.overdue

    late = overdue_on(after_due)
    early = overdue_on(before_due)
    assert late[1:] == (True, True) and early[1:] == (False, False)
    # Nothing of the phase was accepted: every deliverable due by then is overdue, the returned one included.
    assert early[0] == 0
    assert late[0] == Deliverable.objects.filter(phase=prepare, due_date__lt=after_due).count() > 0


def test_a_deliverable_moved_to_another_phase_takes_its_kept_states_along(
    campaign, work_plan, unit, unit_contact, reviewer, media
):
    services.submission_submit(actor=unit_contact, unit=unit, deliverable=work_plan, version=0, upload=pdf_upload())
    identify = campaign.phases.get(kind="identify")
    services.deliverable_save(
        actor=reviewer,
        deliverable=work_plan,
        phase=identify,
        kind=work_plan.kind,
        name=work_plan.name,
        due_date=identify.end,
    )
    assert DeliverableFigure.objects.get().phase_id == identify.pk
    assert figures.differences(["reviews.deliverables"]) == {"reviews.deliverables": []}
