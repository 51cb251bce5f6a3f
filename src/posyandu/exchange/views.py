"""Download the e-PPGBM by-name list of one's area (Puskesmas and Dinkes)."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.hierarchy import area_by_key, tree
from posyandu.core.ui import add_service_errors
from posyandu.exchange import jobs
from posyandu.exchange.forms import EppgbmExportForm, EppgbmImportForm
from posyandu.exchange.models import ImportJob
from posyandu.exchange.services import export_eppgbm

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@login_required
@require_http_methods(["GET", "POST"])
def eppgbm_export(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    scope.hide_unless(Capability.DATA_EXPORT)
    root = scope.home_area()
    if root is None:
        raise Http404
    found = tree(root, scope.posyandu_ids)
    choices = [(a.key, f"{a.name} ({a.level})") for a in found.areas]
    form = EppgbmExportForm(request.POST or None, areas=choices)
    if request.method == "POST" and form.is_valid():
        area = area_by_key(form.cleaned_data["area"])
        fmt = form.cleaned_data["file_format"]
        buffer: io.BytesIO | io.StringIO = io.BytesIO() if fmt == "xlsx" else io.StringIO()
        try:
            export_eppgbm(
                user=scope.user,
                scope=scope,
                area=area,
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
                file_format=fmt,
                out=buffer,
                mask_nik=form.cleaned_data["mask_nik"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            content = buffer.getvalue()
            body = content.encode("utf-8-sig") if isinstance(content, str) else content
            response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
            period = (
                f"{form.cleaned_data['date_from']:%Y%m%d}-{form.cleaned_data['date_to']:%Y%m%d}"
            )
            name = f"eppgbm-{area.code}-{period}.{fmt}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    if not form.is_bound:
        today = timezone.localdate()
        form.initial = {"date_from": today.replace(day=1), "date_to": today, "file_format": "xlsx"}
    return render(request, "exchange/eppgbm_export.html", {"form": form})


# --- import ------------------------------------------------------------------------


def _import_scope(request: HttpRequest) -> Scope:
    scope = Scope.of(request.user)
    scope.hide_unless(Capability.DATA_IMPORT)
    return scope


def _jobs_of(scope: Scope) -> QuerySet[ImportJob]:
    """The user's own uploads (another user's is 404, like anything out of scope)."""
    return ImportJob.objects.filter(user=scope.user) if scope.user else ImportJob.objects.none()


def _job_of(scope: Scope, pk: int) -> ImportJob:
    job = _jobs_of(scope).filter(pk=pk).defer("data", "report").first()
    if job is None:
        raise Http404
    return jobs.mark_stalled(job)


@login_required
@require_http_methods(["GET", "POST"])
def eppgbm_import(request: HttpRequest) -> HttpResponse:
    scope = _import_scope(request)
    max_bytes = settings.POSYANDU_IMPORT_MAX_MB * 1_000_000
    form = EppgbmImportForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        assert scope.user is not None
        job = jobs.submit(user=scope.user, file_name=upload.name, data=upload.read())
        return redirect("exchange:eppgbm_import_job", pk=job.pk)
    recent = _jobs_of(scope).defer("data", "report")[:10]
    return render(
        request,
        "exchange/eppgbm_import.html",
        {"form": form, "recent": recent, "max_mb": settings.POSYANDU_IMPORT_MAX_MB},
    )


@login_required
@require_http_methods(["GET", "POST"])
def eppgbm_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_of(_import_scope(request), pk)
    if request.method == "POST":
        if not jobs.confirm(job):
            messages.error(request, _("Berkas ini tidak menunggu impor lagi."))
        return redirect("exchange:eppgbm_import_job", pk=job.pk)
    progress = jobs.read_progress(job.pk) if job.running else None
    context = {
        "job": job,
        "progress": progress,
        "stage": STAGES.get((progress or {}).get("stage", ""), ""),
        "shown_notes": jobs.SHOWN_NOTES,
    }
    if getattr(request, "htmx", False):
        return render(request, "exchange/eppgbm_import_job.html#status", context)
    return render(request, "exchange/eppgbm_import_job.html", context)


STAGES = {
    "start": _("memulai"),
    "read": _("membaca baris"),
    "match": _("mencocokkan anak"),
    "children": _("mendaftarkan anak"),
    "visits": _("menyimpan pengukuran"),
    "aggregates": _("memperbarui laporan"),
}


@login_required
@require_http_methods(["GET", "POST"])
def eppgbm_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = _jobs_of(_import_scope(request)).filter(pk=pk).only("report", "file_name").first()
    if job is None or not job.report:
        raise Http404
    response = HttpResponse(job.report.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    stem = job.file_name.rsplit(".", 1)[0][:60] or "impor"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
    response["Content-Disposition"] = f'attachment; filename="laporan-{safe}.csv"'
    return response
