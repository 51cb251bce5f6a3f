"""Download the e-PPGBM by-name list of one's area (Puskesmas and Dinkes)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.hierarchy import area_by_key, tree
from posyandu.core.ui import add_service_errors
from posyandu.exchange.forms import EppgbmExportForm
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
