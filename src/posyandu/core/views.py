from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from posyandu.accounts.models import Role
from posyandu.core.models import AuditLog


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 otherwise (for load balancers and the demo)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it starts its work on."""
    user = request.user
    if getattr(user, "role", None) == Role.KADER and getattr(user, "posyandu_id", None):
        return redirect("measurements:posyandu_detail", pk=user.posyandu_id)  # type: ignore[union-attr]
    return redirect("measurements:posyandu_list")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "can_view_audit", False):
        raise Http404
    entries = AuditLog.objects.select_related("user")
    if getattr(request.user, "role", None) == Role.DINKES and not request.user.is_superuser:
        kota_id = getattr(request.user, "kota_id", None)
        entries = entries.filter(kota_id=kota_id) if kota_id is not None else entries.none()
    object_type = request.GET.get("jenis", "")
    if object_type:
        entries = entries.filter(object_type=object_type)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "object_type": object_type})
