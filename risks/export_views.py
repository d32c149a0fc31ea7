"""Downloads of 附表1 / 附表2 and the bulk-export pages. Thin: check, call, respond."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lianzheng.access_log import log_access
from lianzheng.models import AccessAction
from units.models import Campaign, Unit
from units.selectors import current_campaign

from .export_tasks import (
    CONTENT_TYPES,
    FORMATS,
    SnapshotMismatch,
    ascii_file_name,
    can_export_all,
    export_content,
    export_job_cancel,
    export_job_file,
    export_job_retry,
    export_job_start,
    file_name,
    render_file,
    zip_name,
)
from .models import RiskForm
from .models_exports import ExportJob

#: The same permission as reading the form (risks/rules.py); 404 for anybody else.
READ_FORM_PERM = "risks.read_form"


def attachment(body, *, name: str, fallback: str, content_type: str) -> HttpResponse:
    """A download whose Chinese name survives (RFC 5987 ``filename*``), with an ASCII ``filename`` for old clients."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def form_export(request, pk, fmt):
    """附表1 / 附表2 as xlsx or pdf. An approved form is printed from its frozen snapshot, checked against its hash."""
    if fmt not in FORMATS:
        raise Http404
    form = get_object_or_404(RiskForm.objects.select_related("unit", "campaign", "post"), pk=pk)
    if not request.user.has_perm(READ_FORM_PERM, form):
        raise Http404
    export = export_content(form)
    snapshot_id = export.snapshot.pk if export.snapshot is not None else None
    try:
        body = render_file(export, fmt)
    except SnapshotMismatch:
        log_access(
            action=AccessAction.REFUSED,
            request=request,
            obj=form,
            unit_code=form.unit.code,
            fmt=fmt,
            detail={"snapshot": snapshot_id},
        )
        return HttpResponse(
            _("该防控表的存档内容与通过时记录的 PDF 校验值不一致，已拒绝下载。请联系纪委监察室核查。"),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    log_access(
        request=request,
        obj=form,
        unit_code=form.unit.code,
        fmt=fmt,
        detail={"revision": export.data.get("revision"), "snapshot": snapshot_id},
    )
    return attachment(
        body,
        name=file_name(export.data, fmt),
        fallback=ascii_file_name(export.data, fmt),
        content_type=CONTENT_TYPES[fmt],
    )


# --- bulk exports --------------------------------------------------------------------------------------------
class ExportJobForm(forms.Form):
    campaign = forms.ModelChoiceField(label=gettext_lazy("批次"), queryset=Campaign.objects.all(), empty_label=None)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("单位"),
        queryset=Unit.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部单位（全校）"),
    )


def _reviewer_only(request):
    # Unit staff and leaders do not learn that the page exists.
    if not can_export_all(request.user):
        raise Http404


def _job_for(request, pk) -> ExportJob:
    _reviewer_only(request)
    return get_object_or_404(ExportJob.objects.select_related("campaign", "unit", "created_by"), pk=pk)


@require_GET
def export_jobs(request):
    _reviewer_only(request)
    campaign = current_campaign(session=request.session)
    form = ExportJobForm(initial={"campaign": campaign.pk if campaign else None})
    jobs = ExportJob.objects.select_related("campaign", "unit", "created_by")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "risks/export_jobs.html", {"form": form, "page_obj": page})


@require_POST
def export_job_new(request):
    _reviewer_only(request)
    form = ExportJobForm(request.POST)
    if form.is_valid():
        try:
            job = export_job_start(
                actor=request.user, campaign=form.cleaned_data["campaign"], unit=form.cleaned_data["unit"]
            )
        except ValidationError as exc:
            form.add_error("unit", exc)
        else:
            messages.success(request, _("已开始导出，完成后可在下方下载。"))
            return redirect("risks:export-job", pk=job.pk)
    jobs = ExportJob.objects.select_related("campaign", "unit", "created_by")
    page = Paginator(jobs, 50).get_page(1)
    return render(request, "risks/export_jobs.html", {"form": form, "page_obj": page}, status=422)


@require_GET
def export_job(request, pk):
    """The job's progress: the fragment htmx polls every second while it runs, or the whole page."""
    job = _job_for(request, pk)
    if request.htmx:
        return render(request, "risks/export_jobs.html#job-card", {"job": job})
    return render(request, "risks/export_jobs.html", {"job": job})


@require_GET
def export_job_download(request, pk):
    job = _job_for(request, pk)
    path = export_job_file(job)
    if path is None:
        raise Http404
    log_access(
        request=request,
        obj=job,
        object_repr=zip_name(job),
        unit_code=job.unit.code if job.unit_id else "",
        fmt="zip",
        detail={"size": job.file_size},
    )
    name = zip_name(job)
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES["zip"])
    response["Content-Disposition"] = (
        f"attachment; filename=\"export_{job.pk}.zip\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def export_job_action(request, pk, action):
    """重试 a failed or cancelled job, or 取消 a queued or running one."""
    job = _job_for(request, pk)
    service = {"retry": export_job_retry, "cancel": export_job_cancel}.get(action)
    if service is None:
        raise Http404
    try:
        service(job=job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新开始导出。") if action == "retry" else _("已取消导出。"))
    return redirect("risks:export-job", pk=job.pk)
