"""The roster import in the browser, for admins: upload → preview → confirm.

Between preview and confirm the upload is held as a file under ``DATA_DIR/roster``, named by a random token
kept in the session; the confirm form echoes the token, which must match. The file is deleted once the
import is confirmed or cancelled, and stale ones are swept on the next upload.
"""

import pickle
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from . import services
from .forms import RosterUploadForm
from .roster import template_bytes

SESSION_KEY = "roster_upload"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}\Z")
STALE_SECONDS = 24 * 3600
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_admin(request) -> None:
    # 404 rather than 403: the page is not advertised to anyone who may not use it.
    if not request.user.has_perm("units.import_roster"):
        raise Http404


def _holding_dir() -> Path:
    return Path(settings.DATA_DIR) / "roster"


def _held_file(request) -> tuple[str, Path] | None:
    held = request.session.get(SESSION_KEY) or {}
    token = held.get("token", "")
    if not TOKEN.match(token):
        return None
    path = _holding_dir() / f"{token}.xlsx"
    return (token, path) if path.is_file() else None


def _plan_file(path: Path) -> Path:
    return path.with_suffix(".plan")


def _discard(request) -> None:
    held = _held_file(request)
    if held is not None:
        held[1].unlink(missing_ok=True)
        _plan_file(held[1]).unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _previewed_plan(request, path: Path):
    """The dry run of the held file, parsed once: later visits to the preview read the kept result (written by this
    server next to the file, never uploaded) instead of parsing the workbook again."""
    kept = _plan_file(path)
    if kept.is_file():
        try:
            with kept.open("rb") as handle:
                return pickle.load(handle)  # noqa: S301 - our own file in DATA_DIR, named by the session's token
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            kept.unlink(missing_ok=True)
    plan = services.roster_import(file=path, actor=request.user, dry_run=True)
    with kept.open("wb") as handle:
        pickle.dump(plan, handle)
    return plan


def _hold(request, upload) -> None:
    _discard(request)
    folder = _holding_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STALE_SECONDS
    for old in [*folder.glob("*.xlsx"), *folder.glob("*.plan")]:
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(32)
    with open(folder / f"{token}.xlsx", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {"token": token, "name": Path(upload.name).name[:200]}


def roster_import(request):
    _require_admin(request)
    form = RosterUploadForm(request.POST, request.FILES) if request.method == "POST" else RosterUploadForm()
    if form.is_bound and form.is_valid():
        _hold(request, form.cleaned_data["file"])
        return redirect("units:roster-preview")
    return render(request, "units/roster_import.html", {"form": form, "max_bytes": settings.UPLOAD_MAX_BYTES})


def roster_preview(request):
    _require_admin(request)
    held = _held_file(request)
    if held is None:
        messages.info(request, _("请先上传花名册文件。"))
        return redirect("units:roster-import")
    token, path = held
    name = request.session[SESSION_KEY].get("name", "")
    if request.method != "POST":
        plan = _previewed_plan(request, path)
        if plan.errors:
            _discard(request)  # a rejected file cannot be confirmed; do not keep it
        return render(request, "units/roster_preview.html", {"plan": plan, "token": token, "name": name})

    if not secrets.compare_digest(request.POST.get("token", ""), token):
        messages.error(request, _("上传已过期或已被新的上传替换，请重新上传。"))
        return redirect("units:roster-import")
    if "cancel" in request.POST:
        _discard(request)
        messages.info(request, _("已取消导入，文件已删除。"))
        return redirect("units:roster-import")
    plan = services.roster_import(file=path, actor=request.user)
    _discard(request)
    if plan.errors:
        return render(request, "units/roster_preview.html", {"plan": plan, "name": name, "confirmed": True})
    summary = "，".join(f"{label} {count}" for label, count in plan.labelled_counts() if count)
    messages.success(request, _("花名册已导入：%(summary)s。") % {"summary": summary or _("没有变更")})
    return redirect("units:roster-import")


def roster_template(request):
    _require_admin(request)
    response = HttpResponse(template_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "花名册模板.xlsx")
    return response
