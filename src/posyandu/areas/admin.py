from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas


@admin.register(Kota)
class KotaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kota")
    list_filter = ("kota",)
    search_fields = ("code", "name")
    autocomplete_fields = ("kota",)


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kecamatan")
    list_filter = ("kecamatan__kota", "kecamatan")
    search_fields = ("code", "name")
    autocomplete_fields = ("kecamatan",)
    list_select_related = ("kecamatan",)


@admin.register(Puskesmas)
class PuskesmasAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kota", "wilayah_kerja")
    list_filter = ("kota",)
    search_fields = ("code", "name")
    autocomplete_fields = ("kota",)
    filter_horizontal = ("kelurahan",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Puskesmas]:
        return super().get_queryset(request).prefetch_related("kelurahan")

    @admin.display(description=_("wilayah kerja"))
    def wilayah_kerja(self, obj: Puskesmas) -> str:
        return ", ".join(k.name for k in obj.kelurahan.all())


@admin.register(Posyandu)
class PosyanduAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kelurahan", "puskesmas", "is_active")
    list_filter = ("is_active", "puskesmas", "kelurahan__kecamatan")
    search_fields = ("code", "name")
    autocomplete_fields = ("kelurahan", "puskesmas")
    list_select_related = ("kelurahan", "puskesmas")
