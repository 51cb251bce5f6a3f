from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from posyandu.core.models import AuditLog, SystemSettings
from posyandu.growth.policy import DEFAULT_KBM_VERSION, KBM_VERSIONS


class SystemSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    kbm_version = forms.ChoiceField(
        label=_("versi tabel KBM"),
        required=False,
        choices=[("", _("Terbaru (%s)") % DEFAULT_KBM_VERSION)]
        + [(key, f"{key}: {version.source}") for key, version in KBM_VERSIONS.items()],
        help_text=_(
            "Berlaku untuk status N/T yang dihitung sesudah ini. Untuk menghitung ulang "
            "semua kunjungan: posyandu manage recompute_weight_gain"
        ),
    )

    class Meta:
        model = SystemSettings
        fields = ["kbm_version"]


@admin.register(SystemSettings)
class SystemSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SystemSettingsForm
    list_display = ["__str__", "kbm_version", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row holds the settings.
        return not SystemSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "username", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_repr", "object_id"]

    # The trail is evidence: nobody edits or deletes it, not even an admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
