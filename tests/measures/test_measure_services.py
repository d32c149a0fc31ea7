"""Measures per risk point (R7): create / update / delete / advance, permissions, stale edits, evidence, audit."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from lianzheng.models import AuditEvent
from measures import services
from measures.models import Measure, MeasureStage, MeasureState
from tests.measures.conftest import make_measure

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


WHO_EDITS_UNIT_MEASURES = [
    ("unit_contact", True),
    ("unit_leader", True),
    ("staff", True),  # holds the point's post (R3)
    ("colleague", False),  # same unit, another post
    ("reviewer", False),
    ("school_leader", False),
    ("admin_user", False),
    ("other_staff", False),
    ("other_contact", False),
]


@pytest.mark.parametrize(("role", "allowed"), WHO_EDITS_UNIT_MEASURES)
def test_r7_who_may_add_a_measure(request, point, role, allowed):
    actor = request.getfixturevalue(role)
    if allowed:
        measure = services.measure_create(point=point, actor=actor, stage=MeasureStage.MID, content="每月对账")
        assert measure.stage == "mid" and measure.risk_point == point
        assert AuditEvent.objects.filter(action="measure.create", object_id=str(measure.pk)).exists()
    else:
        with pytest.raises(PermissionDenied):
            services.measure_create(point=point, actor=actor, stage=MeasureStage.MID, content="每月对账")
        assert not Measure.objects.exists()
        assert not AuditEvent.objects.filter(action="measure.create").exists()


@pytest.mark.parametrize(("role", "allowed"), WHO_EDITS_UNIT_MEASURES)
def test_r7_who_may_edit_a_measure(request, point, role, allowed):
    actor = request.getfixturevalue(role)
    measure = make_measure(point, content="旧内容")
    call = lambda: services.measure_update(measure=measure, actor=actor, version=1, content="新内容")  # noqa: E731
    if allowed:
        updated = call()
        assert updated.content == "新内容" and updated.version == 2
    else:
        with pytest.raises(PermissionDenied):
            call()
        measure.refresh_from_db()
        assert (measure.content, measure.version) == ("旧内容", 1)


@pytest.mark.parametrize(("role", "allowed"), WHO_EDITS_UNIT_MEASURES)
def test_r7_who_may_delete_a_measure(request, point, role, allowed):
    actor = request.getfixturevalue(role)
    measure = make_measure(point)
    if allowed:
        services.measure_delete(measure=measure, actor=actor, version=1)
        assert not Measure.objects.exists()
        assert AuditEvent.objects.filter(action="measure.delete").exists()
    else:
        with pytest.raises(PermissionDenied):
            services.measure_delete(measure=measure, actor=actor, version=1)
        assert Measure.objects.filter(pk=measure.pk).exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("unit_contact", True), ("unit_leader", True), ("staff", False), ("reviewer", False), ("other_contact", False)],
)
def test_who_may_mark_a_measure_checked(request, point, role, allowed):
    actor = request.getfixturevalue(role)
    measure = make_measure(point, state=MeasureState.IN_EFFECT, evidence_note="已落实")
    if allowed:
        assert services.measure_advance(measure=measure, actor=actor, version=1, to_state="checked").state == "checked"
    else:
        with pytest.raises(PermissionDenied):
            services.measure_advance(measure=measure, actor=actor, version=1, to_state="checked")
        measure.refresh_from_db()
        assert (measure.state, measure.version) == ("in_effect", 1)


def test_measure_moves_planned_in_effect_checked_one_step_at_a_time(point, unit_contact):
    measure = make_measure(point)
    with pytest.raises(ValidationError):
        services.measure_advance(measure=measure, actor=unit_contact, version=1, to_state="checked")
    measure = services.measure_advance(measure=measure, actor=unit_contact, version=1, to_state="in_effect")
    with pytest.raises(ValidationError, match="佐证材料"):
        services.measure_advance(measure=measure, actor=unit_contact, version=2, to_state="checked")
    services.measure_update(
        measure=measure, actor=unit_contact, version=2, content=measure.content, evidence_note="已执行"
    )
    measure = services.measure_advance(measure=measure, actor=unit_contact, version=3, to_state="checked")
    assert measure.state == "checked"


def test_stale_edit_is_refused_and_nothing_changes(point, unit_contact, unit_leader):
    measure = make_measure(point, content="原文")
    services.measure_update(measure=measure, actor=unit_leader, version=1, content="负责人改的")
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.measure_update(measure=measure, actor=unit_contact, version=1, content="联络员改的")
    with pytest.raises(ValidationError):
        services.measure_delete(measure=measure, actor=unit_contact, version=1)
    measure.refresh_from_db()
    assert (measure.content, measure.version) == ("负责人改的", 2)


def test_r7_each_stage_is_its_own_list(point, unit_contact):
    for stage, text in [("pre", "招标"), ("mid", "监督"), ("post", "追责"), ("pre", "轮岗")]:
        services.measure_create(point=point, actor=unit_contact, stage=stage, content=text)
    from measures.selectors import stage_lists

    lists = stage_lists(point.measures.all())
    assert [s["code"] for s in lists] == ["pre", "mid", "post"]
    assert [[m.content for m in s["measures"]] for s in lists] == [["招标", "轮岗"], ["监督"], ["追责"]]


def test_measure_needs_content_and_a_valid_stage(point, unit_contact):
    with pytest.raises(ValidationError):
        services.measure_create(point=point, actor=unit_contact, stage="pre", content="  ")
    with pytest.raises(ValidationError):
        services.measure_create(point=point, actor=unit_contact, stage="later", content="x")
    assert not Measure.objects.exists()


def test_overdue_is_derived_from_due_date_and_state(point):
    yesterday = date.today() - timedelta(days=1)
    assert make_measure(point, due_date=yesterday).is_overdue
    assert not make_measure(point, due_date=yesterday, state=MeasureState.IN_EFFECT).is_overdue
    assert not make_measure(point, due_date=date.today() + timedelta(days=3)).is_overdue
    assert not make_measure(point).is_overdue


# --- evidence -------------------------------------------------------------------------------------------
def test_evidence_pdf_is_stored_under_a_random_name_outside_the_web_root(point, unit_contact, _media):
    upload = SimpleUploadedFile("整改报告.pdf", PDF, content_type="application/pdf")
    measure = services.measure_create(
        point=point, actor=unit_contact, stage="post", content="追责", evidence_file=upload
    )
    assert measure.evidence_name == "整改报告.pdf"
    assert measure.evidence_file.name.startswith("measures/evidence/") and "整改" not in measure.evidence_file.name
    assert default_storage.exists(measure.evidence_file.name)
    assert len(stored_files(_media)) == 1


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("script.html", b"<script>alert(1)</script>", "只能上传"),
        ("virus.exe", b"MZ\x90\x00", "只能上传"),
        ("fake.pdf", b"<html>not a pdf</html>", "不是真正的"),
        ("fake.png", PDF, "不是真正的"),
    ],
)
def test_evidence_of_a_wrong_type_is_refused_and_nothing_stored(point, unit_contact, _media, name, content, reason):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError, match=reason):
        services.measure_create(point=point, actor=unit_contact, stage="post", content="追责", evidence_file=upload)
    assert not Measure.objects.exists()
    assert stored_files(_media) == []


def test_oversized_evidence_is_refused_and_nothing_stored(point, unit_contact, _media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    measure = make_measure(point)
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048)
    with pytest.raises(ValidationError, match="超过大小上限"):
        services.measure_update(measure=measure, actor=unit_contact, version=1, content="x", evidence_file=upload)
    measure.refresh_from_db()
    assert (measure.version, measure.evidence_file.name) == (1, "")
    assert stored_files(_media) == []


def test_replacing_evidence_deletes_the_old_file_after_commit(
    point, unit_contact, _media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        measure = services.measure_create(
            point=point, actor=unit_contact, stage="post", content="x", evidence_file=SimpleUploadedFile("a.pdf", PDF)
        )
    old = measure.evidence_file.name
    with django_capture_on_commit_callbacks(execute=True):
        measure = services.measure_update(
            measure=measure, actor=unit_contact, version=1, content="x", evidence_file=SimpleUploadedFile("b.png", PNG)
        )
    assert not default_storage.exists(old)
    assert default_storage.exists(measure.evidence_file.name)
    assert measure.evidence_name == "b.png"
    assert io.BytesIO(measure.evidence_file.read()).read().startswith(b"\x89PNG")
