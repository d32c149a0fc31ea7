"""Fixtures for the supervision suites: a key post with a holder and a head, complaints in any state."""

import datetime

import pytest

from reviews import services
from reviews.models import Complaint, ComplaintChannel, ComplaintConclusion, ComplaintState
from tests.factories import AssignmentFactory, PostFactory, UserFactory
from units.models import Role

REPORTER_NAME = "举报人王五"
REPORTER_CONTACT = "13912345678"


@pytest.fixture
def head_post(unit, office):
    """物资采购供应中心主任-like head post with its holder."""
    post = PostFactory(unit=unit, office=office, name="核算科科长", is_key=True)
    AssignmentFactory(
        post=post, user=UserFactory(username="caiwu_head", role=Role.STAFF, unit=unit, full_name="科长赵某")
    )
    return post


@pytest.fixture
def key_post(unit, office, head_post):
    post = PostFactory(unit=unit, office=office, name="报销审核会计", is_key=True, reports_to=head_post)
    AssignmentFactory(
        post=post, user=UserFactory(username="caiwu_p05", role=Role.STAFF, unit=unit, full_name="会计钱某")
    )
    return post


@pytest.fixture
def plain_post(unit, office):
    return PostFactory(unit=unit, office=office, name="档案员", is_key=False)


def make_complaint(
    *,
    unit,
    post=None,
    year=2011,
    state=ComplaintState.RECEIVED,
    conclusion=ComplaintConclusion.NONE,
    anonymous=False,
    code=None,
):
    """A complaint in the given state, written directly (for set-ups; the transitions are tested through services)."""
    code = code or services.new_query_code()
    complaint = Complaint.objects.create(
        year=year,
        received_on=datetime.date(year, 3, 1),
        channel=ComplaintChannel.ONLINE,
        state=state,
        conclusion=conclusion,
        anonymous=anonymous,
        reporter_name="" if anonymous else REPORTER_NAME,
        reporter_contact="" if anonymous else REPORTER_CONTACT,
        unit=unit,
        post=post,
        content="反映该岗位在报销审核中收受好处、放行不合规票据。",
        query_code_hash=services.hash_query_code(code),
    )
    complaint.plain_code = code  # for the test only; never stored
    return complaint


@pytest.fixture
def complaint_factory():
    return make_complaint


def verify(complaint, reviewer, findings="经核查属实。"):
    """Take a complaint from received through checking to verified."""
    if complaint.state == ComplaintState.RECEIVED:
        complaint = services.complaint_transition(
            complaint=complaint, version=complaint.version, actor=reviewer, action="check"
        )
    return services.complaint_transition(
        complaint=complaint, version=complaint.version, actor=reviewer, action="verify", findings=findings
    )


def unfound(complaint, reviewer):
    if complaint.state == ComplaintState.RECEIVED:
        complaint = services.complaint_transition(
            complaint=complaint, version=complaint.version, actor=reviewer, action="check"
        )
    return services.complaint_transition(
        complaint=complaint, version=complaint.version, actor=reviewer, action="unfound", findings="查无实据。"
    )
