from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from posyandu.accounts.models import User

# The admin is the system administrators' tool (the app's own pages manage logins
# for Puskesmas and Dinkes); its titles name the app, not "Administrasi Django".
admin.site.site_header = _("Posyandu · administrasi sistem")
admin.site.site_title = _("Posyandu · administrasi sistem")
admin.site.index_title = _("Data dan pengaturan sistem")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    """Django's user admin plus the role and the area the role is bound to."""

    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "area",
        "is_active",
        "must_change_password",
    )
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("posyandu", "puskesmas", "kota")
    list_select_related = ("posyandu", "puskesmas", "kota")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Peran dan wilayah"),
            {
                "fields": ("role", "posyandu", "puskesmas", "kota", "must_change_password"),
                "description": _(
                    "Kader: isi posyandu. Bidan, tenaga gizi, admin Puskesmas: isi puskesmas. "
                    "Dinas Kesehatan: isi kota. Administrator: kosongkan."
                ),
            },
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Peran dan wilayah"), {"fields": ("role", "posyandu", "puskesmas", "kota")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # The form shows the three area fields whatever the role: keep the role's own.
        obj.keep_only_role_area()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("wilayah"))
    def area(self, obj: User) -> str:
        return obj.area_label
