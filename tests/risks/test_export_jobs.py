"""Bulk export: the job (queued → running → done/failed), its ZIP, its pages, and the clean-up of old files."""

import io
import os
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lianzheng.models import AccessLog, AuditEvent
from risks import export_tasks
from risks.export_tasks import cleanup_old_exports, export_job_run, export_job_start
from risks.models import ExportJob, RiskForm
from risks.models_exports import ExportJobState
from tests.factories import OfficeFactory, PostFactory
from tests.risks.test_exports import add_point, build_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """Start a job as the service does; the task is queued on commit, so run the commit callbacks (eager Celery)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = export_job_start(**kwargs)
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def campaign_with_two_units(unit, other_unit, post, staff):
    campaign, unit_form, personal = build_forms(unit, post=post)
    campaign.units.add(other_unit)
    office = OfficeFactory(unit=other_unit, name="采购科")
    buyer = PostFactory(unit=other_unit, office=office, name="采购员", is_key=True)
    add_point(campaign, other_unit, scope="post", office=office, posts=[buyer], name="采购围标串标")
    RiskForm.objects.create(kind="unit", campaign=campaign, unit=other_unit)
    RiskForm.objects.create(kind="personal", campaign=campaign, unit=other_unit, post=buyer)
    return campaign


def test_reviewer_exports_a_whole_campaign_into_one_zip(start, campaign_with_two_units, reviewer, data_dir):
    job = start(actor=reviewer, campaign=campaign_with_two_units)  # eager: runs on commit
    job.refresh_from_db()
    assert job.state == ExportJobState.DONE
    assert job.total == 4 * 2 + 1 and job.done == job.total and job.percent == 100
    path = Path(job.file_path)
    assert path.parent == data_dir / "exports" and path.stat().st_size == job.file_size
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(
            [
                "附表1/附表1_财务处_2010.xlsx",
                "附表1/附表1_财务处_2010.pdf",
                "附表1/附表1_设备处_2010.xlsx",
                "附表1/附表1_设备处_2010.pdf",
                "附表2/附表2_财务处_出纳_张某_2010.xlsx",
                "附表2/附表2_财务处_出纳_张某_2010.pdf",
                "附表2/附表2_设备处_采购员_2010.xlsx",
                "附表2/附表2_设备处_采购员_2010.pdf",
                "风险点汇总表_2010.xlsx",
            ]
        )
        assert archive.read("附表1/附表1_财务处_2010.pdf").startswith(b"%PDF")
        ws = load_workbook(io.BytesIO(archive.read("附表1/附表1_设备处_2010.xlsx"))).active
        assert ws["A2"].value == "设备处部门廉政风险识别防控表"
        register = load_workbook(io.BytesIO(archive.read("风险点汇总表_2010.xlsx"))).active
    assert register.title == "风险点汇总表"
    assert register["A1"].value == "2010年度第一批试点风险点汇总表"
    header = [c.value for c in register[3]]
    assert header[:8] == ["单位", "序号", "层次", "科室", "岗位", "职权(业务)事项", "风险点", "风险表现形式"]
    assert "前期预防" in header and "监督部门" in header and header[-1] == "防控表状态"
    assert register.auto_filter.ref == f"A3:Q{3 + 5}"
    body = [[c.value for c in row] for row in register.iter_rows(min_row=4)]
    assert len(body) == 5  # 4 points of 财务处 + 1 of 设备处, one row each
    assert [r[0] for r in body] == ["财务处"] * 4 + ["设备处"]
    assert body[-1][6] == "采购围标串标" and body[-1][4] == "采购员" and body[-1][10] == "1. 采购围标串标pre措施1"
    assert body[-1][16] == "草稿"
    assert AuditEvent.objects.filter(action="export.start", object_id=str(job.pk)).exists()


def test_export_of_one_unit_holds_only_its_forms(start, campaign_with_two_units, reviewer, other_unit):
    job = start(actor=reviewer, campaign=campaign_with_two_units, unit=other_unit)
    job.refresh_from_db()
    with zipfile.ZipFile(job.file_path) as archive:
        assert all("财务处" not in name for name in archive.namelist())
        assert len(archive.namelist()) == 5


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("admin_user", True), ("reviewer", True), ("school_leader", False), ("unit_leader", False), ("staff", False)],
)
def test_only_the_discipline_office_starts_a_bulk_export(start, request, campaign_with_two_units, who, allowed):
    user = request.getfixturevalue(who)
    if allowed:
        assert start(actor=user, campaign=campaign_with_two_units).pk
    else:
        with pytest.raises(PermissionDenied):
            start(actor=user, campaign=campaign_with_two_units)
        assert not ExportJob.objects.exists()


def test_a_failing_job_records_why(start, campaign_with_two_units, reviewer, monkeypatch, data_dir):
    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(export_tasks, "register_xlsx", broken)
    job = start(actor=reviewer, campaign=campaign_with_two_units)
    job.refresh_from_db()
    assert job.state == ExportJobState.FAILED
    assert "磁盘已满" in job.error and job.error.startswith("导出失败")
    assert job.file_path == "" and job.finished_at is not None
    assert not any((data_dir / "exports").iterdir())  # the partial file is gone


def test_the_task_is_idempotent_and_a_retry_rebuilds_a_failed_job(
    start, campaign_with_two_units, reviewer, monkeypatch
):
    monkeypatch.setattr(export_tasks, "register_xlsx", lambda *a, **k: (_ for _ in ()).throw(OSError("暂时错误")))
    job = start(actor=reviewer, campaign=campaign_with_two_units)
    job.refresh_from_db()
    assert job.state == ExportJobState.FAILED
    monkeypatch.undo()
    export_job_run(job.pk)  # the retry
    job.refresh_from_db()
    assert job.state == ExportJobState.DONE and job.error == "" and job.attempts == 2
    mtime = Path(job.file_path).stat().st_mtime_ns
    export_job_run(job.pk)  # a re-delivered message: nothing to do
    job.refresh_from_db()
    assert job.attempts == 2 and Path(job.file_path).stat().st_mtime_ns == mtime


def test_a_job_interrupted_while_running_is_rebuilt(campaign_with_two_units, reviewer):
    job = ExportJob.objects.create(
        campaign=campaign_with_two_units, created_by=reviewer, state="running", done=3, total=9
    )
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == ExportJobState.DONE and job.done == job.total == 9


# --- pages -------------------------------------------------------------------------------------------------
def test_export_page_starts_a_job_and_shows_progress_and_download(
    django_capture_on_commit_callbacks, as_user, reviewer, campaign_with_two_units
):
    client = as_user(reviewer)
    page = client.get(reverse("risks:export-jobs"))
    assert page.status_code == 200 and "开始导出" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("risks:export-job-new"), {"campaign": campaign_with_two_units.pk, "unit": ""})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("risks:export-job", args=[job.pk])
    response = client.get(response["Location"])
    html = response.content.decode()
    assert "下载 ZIP" in html and reverse("risks:export-job-download", args=[job.pk]) in html
    assert 'hx-trigger="every 1s"' not in html  # finished: polling stops
    download = client.get(reverse("risks:export-job-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert "filename*=UTF-8''" in download["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    # starting the job is a write and is audited; fetching its file is a read, kept in the access log
    assert not AuditEvent.objects.filter(action="export.download").exists()
    entry = AccessLog.objects.get(object_type="risks.ExportJob")
    assert (entry.user, entry.object_id, entry.format, entry.unit_code) == (reviewer, str(job.pk), "zip", "")


def test_running_job_fragment_polls_every_second(as_user, reviewer, campaign_with_two_units):
    job = ExportJob.objects.create(
        campaign=campaign_with_two_units, created_by=reviewer, state="running", done=3, total=9
    )
    response = as_user(reviewer).get(reverse("risks:export-job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html  # the fragment only
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{reverse("risks:export-job", args=[job.pk])}"' in html
    assert 'aria-valuenow="33"' in html and 'width="33%"' in html
    assert "已生成 3 / 9 个文件" in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_failed_job_page_says_why(as_user, reviewer, campaign_with_two_units):
    job = ExportJob.objects.create(
        campaign=campaign_with_two_units, created_by=reviewer, state="failed", error="导出失败：OSError: 磁盘已满"
    )
    html = as_user(reviewer).get(reverse("risks:export-job", args=[job.pk])).content.decode()
    assert "导出失败：OSError: 磁盘已满" in html and "every 1s" not in html


@pytest.mark.parametrize("who", ["school_leader", "unit_leader", "unit_contact", "staff"])
def test_export_pages_are_404_for_everyone_but_the_office(
    start, request, as_user, reviewer, campaign_with_two_units, who
):
    job = start(actor=reviewer, campaign=campaign_with_two_units)
    client = as_user(request.getfixturevalue(who))
    for url in (
        reverse("risks:export-jobs"),
        reverse("risks:export-job", args=[job.pk]),
        reverse("risks:export-job-download", args=[job.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("risks:export-job-new"), {"campaign": campaign_with_two_units.pk}).status_code == 404
    assert ExportJob.objects.count() == 1


def test_export_list_query_count_does_not_grow_with_jobs(
    as_user, reviewer, campaign_with_two_units, django_assert_max_num_queries
):
    client = as_user(reviewer)
    ExportJob.objects.create(campaign=campaign_with_two_units, created_by=reviewer)
    with django_assert_max_num_queries(20) as ctx:
        client.get(reverse("risks:export-jobs"))
    few = len(ctx.captured_queries)
    for _ in range(10):
        ExportJob.objects.create(campaign=campaign_with_two_units, created_by=reviewer)
    with django_assert_max_num_queries(few):
        client.get(reverse("risks:export-jobs"))


# --- clean-up ----------------------------------------------------------------------------------------------
def test_cleanup_removes_files_older_than_the_keep_days(start, settings, campaign_with_two_units, reviewer, data_dir):
    settings.LIANZHENG_EXPORT_KEEP_DAYS = 3
    old = start(actor=reviewer, campaign=campaign_with_two_units)
    new = start(actor=reviewer, campaign=campaign_with_two_units)
    old.refresh_from_db()
    new.refresh_from_db()
    four_days_ago = time.time() - 4 * 86400
    os.utime(old.file_path, (four_days_ago, four_days_ago))
    stray = data_dir / "exports" / "job-999.zip.part"
    stray.write_bytes(b"x")
    os.utime(stray, (four_days_ago, four_days_ago))
    chain_length = AuditEvent.objects.count()
    assert cleanup_old_exports() == 2
    assert not Path(old.file_path).exists() and Path(new.file_path).exists() and not stray.exists()
    old.refresh_from_db()
    assert old.file_path == "" and old.state == ExportJobState.DONE
    assert AuditEvent.objects.count() == chain_length  # the clean-up is not an audited change
    cleanup = AccessLog.objects.get(action="cleanup")
    assert cleanup.user is None and cleanup.detail == {"removed": 2, "keep_days": 3}
    # the keep period is read at call time
    settings.LIANZHENG_EXPORT_KEEP_DAYS = 0
    call_command("cleanup_exports")
    assert not Path(new.file_path).exists()


def test_cleanup_default_keeps_a_week(start, campaign_with_two_units, reviewer):
    job = start(actor=reviewer, campaign=campaign_with_two_units)
    job.refresh_from_db()
    assert cleanup_old_exports(now=timezone.now() + timedelta(days=6)) == 0
    assert cleanup_old_exports(now=timezone.now() + timedelta(days=8)) == 1


def test_cleanup_is_scheduled_daily():
    from lianzheng.celery import app

    app.loader.import_default_modules()  # what a worker or beat does on start (autodiscovery of tasks.py)
    app.finalize()
    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "risks.cleanup_exports" in entries


# --- jobs that lose their worker (issue 14, item 8) ------------------------------------------------------------
def _lost(campaign, reviewer, *, state, minutes_ago, attempts=1):
    ago = timezone.now() - timedelta(minutes=minutes_ago)
    job = ExportJob.objects.create(
        campaign=campaign, created_by=reviewer, state=state, done=37 if state == "running" else 0, total=139,
        attempts=attempts,
    )  # fmt: skip
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=ago if state == "running" else None, created_at=ago)
    return job


def test_the_sweeper_rebuilds_a_job_whose_worker_died_and_gives_up_after_three_runs(
    campaign_with_two_units, reviewer, django_capture_on_commit_callbacks
):
    """A killed worker left a job at "running 37/139" for good: without progress for 10 minutes it is queued again
    (and, tasks running in-process here, rebuilt); a job that keeps dying is marked failed with the reason."""
    stuck = _lost(campaign_with_two_units, reviewer, state="running", minutes_ago=15)
    never = _lost(campaign_with_two_units, reviewer, state="queued", minutes_ago=15, attempts=0)
    hopeless = _lost(campaign_with_two_units, reviewer, state="running", minutes_ago=15, attempts=3)
    busy = _lost(campaign_with_two_units, reviewer, state="running", minutes_ago=2)
    with django_capture_on_commit_callbacks(execute=True):
        counts = export_tasks.sweep_stalled_jobs()
    assert counts == {"requeued": 2, "failed": 1}
    for job in (stuck, never):
        job.refresh_from_db()
        assert job.state == ExportJobState.DONE and job.done == job.total
    hopeless.refresh_from_db()
    assert hopeless.state == ExportJobState.FAILED and "尝试 3 次" in hopeless.error
    busy.refresh_from_db()
    assert busy.state == ExportJobState.RUNNING and busy.done == 37  # still alive: left alone
    assert export_job_run(busy.pk).state == ExportJobState.RUNNING  # a duplicate delivery leaves it to its worker


def test_the_sweeper_is_scheduled_every_few_minutes():
    from lianzheng.celery import app

    app.loader.import_default_modules()
    app.finalize()
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["risks.sweep_export_jobs"] <= 300 and schedule["lianzheng.flush_outbox"] <= 60


def test_the_office_cancels_a_running_job_and_retries_it(
    as_user, reviewer, campaign_with_two_units, data_dir, django_capture_on_commit_callbacks
):
    job = _lost(campaign_with_two_units, reviewer, state="running", minutes_ago=1)
    client = as_user(reviewer)
    page = client.get(reverse("risks:export-job", args=[job.pk])).content.decode()
    assert 'data-testid="export-cancel"' in page and 'data-testid="export-retry"' not in page
    client.post(reverse("risks:export-job-action", args=[job.pk, "cancel"]))
    job.refresh_from_db()
    assert job.state == ExportJobState.CANCELLED
    assert AuditEvent.objects.filter(action="export.cancel").exists()
    # The worker still building it stops at its next file and offers nothing.
    with pytest.raises(export_tasks.ExportCancelled):
        export_tasks._set(job.pk, done=38)
    assert export_job_run(job.pk).state == ExportJobState.CANCELLED
    page = client.get(reverse("risks:export-job", args=[job.pk])).content.decode()
    assert 'data-testid="export-retry"' in page and "hx-trigger" not in page
    with django_capture_on_commit_callbacks(execute=True):  # the rebuild is queued on commit (in-process here)
        response = client.post(reverse("risks:export-job-action", args=[job.pk, "retry"]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ExportJobState.DONE and Path(job.file_path).is_file()
    refused = client.post(reverse("risks:export-job-action", args=[job.pk, "cancel"]), follow=True)
    assert "已结束，不能取消" in refused.content.decode()
    assert client.post(reverse("risks:export-job-action", args=[job.pk, "explode"])).status_code == 404


# PostgreSQL only: cutting the worker's connection needs pg_terminate_backend; SQLite's test database lives in
# memory and would vanish with its connection. CI's second pass runs it.
@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_failure_is_recorded_even_when_the_database_connection_was_cut(
    campaign_with_two_units, reviewer, monkeypatch, django_db_blocker
):
    """The worker's own connection is terminated by the server in the middle of a build (a database restart, a
    network cut); the failure is still recorded, on a fresh connection, instead of leaving the job "running"."""
    import psycopg
    from django.db import connection

    def cut(*args, **kwargs):
        pid = connection.cursor().connection.info.backend_pid
        settings_dict = connection.settings_dict
        with psycopg.connect(
            host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432, user=settings_dict["USER"],
            dbname=settings_dict["NAME"], autocommit=True,
        ) as admin:  # fmt: skip
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        raise OSError("连接中断")

    job = ExportJob.objects.create(campaign=campaign_with_two_units, created_by=reviewer)
    monkeypatch.setattr(export_tasks, "register_xlsx", cut)
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == ExportJobState.FAILED and "连接中断" in job.error
