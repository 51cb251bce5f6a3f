from collections.abc import Iterable

from django.contrib import admin
from django.db import models

from posyandu.core.admin_audit import AuditedReadsAdmin
from posyandu.measurements.models import PosyanduSession, Visit


@admin.register(PosyanduSession)
class PosyanduSessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("posyandu", "date", "created_by")
    list_filter = ("date",)
    search_fields = ("posyandu__name", "posyandu__code")
    raw_id_fields = ("posyandu",)
    date_hierarchy = "date"


@admin.register(Visit)
class VisitAdmin(AuditedReadsAdmin):
    """Read-mostly: corrections go through the entry form, which recomputes
    z-scores and N/T for the later months; the admin is for looking up."""

    def audited_children(self, objects: Iterable[models.Model]) -> Iterable[models.Model]:
        return [visit.child for visit in objects if isinstance(visit, Visit)]

    list_display = ("child", "measured_on", "weight_kg", "height_cm", "weight_gain", "is_2t")
    list_filter = ("weight_gain", "is_2t", "is_bgm", "period")
    search_fields = ("child__name", "child__nik")
    raw_id_fields = ("child", "posyandu", "session")
    date_hierarchy = "measured_on"

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
