from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from posyandu.accounts.models import Role
from posyandu.areas.forms import AreaCsvForm
from posyandu.areas.importer import import_areas


def _is_admin(user: object) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", "") == Role.ADMIN)


@login_required
def import_areas_view(request: HttpRequest) -> HttpResponse:
    """Admin-only upload of the same CSV as ``manage.py import_areas``."""
    if not _is_admin(request.user):
        raise Http404
    report = None
    if request.method == "POST":
        form = AreaCsvForm(request.POST, request.FILES)
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            report = import_areas(form.cleaned_data["file"].read(), dry_run=dry_run)
            if report.ok and not dry_run:
                messages.success(request, _("Impor berhasil: %s") % report.summary())
            elif report.ok:
                messages.info(request, _("Berkas benar, belum disimpan: %s") % report.summary())
            else:
                messages.error(
                    request,
                    _("%(n)d baris bermasalah; tidak ada yang disimpan.")
                    % {"n": len(report.errors)},
                )
    else:
        form = AreaCsvForm()
    return render(request, "areas/import.html", {"form": form, "report": report})
