"""Fixtures shared by the phase-schedule suites (imported by test_schedule*.py and test_reminders*.py)."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews.schedule import services as services
from reviews.schedule.models import Deliverable
from tests.factories import CampaignFactory
from units.models import Phase

#: The pilot's phases as the plan gives them (R6); in tests the dates are data too, passed in here.
PLAN = {
    "prepare": (datetime.date(2010, 5, 20), datetime.date(2010, 5, 28)),
    "identify": (datetime.date(2010, 5, 29), datetime.date(2010, 6, 6)),
    "measures": (datetime.date(2010, 6, 7), datetime.date(2010, 6, 18)),
    "inspect": (datetime.date(2010, 6, 19), datetime.date(2010, 6, 30)),
}


def pdf_upload(name="工作方案.pdf", size=None):
    content = b"%PDF-1.4\n% test\n%%EOF\n"
    if size:
        content = content + b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_upload(name="工作方案.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def campaign(unit, other_unit, reviewer):
    campaign = CampaignFactory(name="2010年第一批试点", year=2010, batch=1)
    campaign.units.set([unit, other_unit])
    for kind, (start, end) in PLAN.items():
        Phase.objects.create(campaign=campaign, kind=kind, start=start, end=end)
    services.deliverables_create_defaults(actor=reviewer, campaign=campaign)
    return campaign


@pytest.fixture
def work_plan(campaign):
    return Deliverable.objects.get(phase__campaign=campaign, name="工作方案")


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a fresh directory, so a test can see exactly what was stored."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    settings.MEDIA_ROOT = root
    return root


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
