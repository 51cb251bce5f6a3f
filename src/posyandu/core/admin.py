from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from posyandu.core.models import AuditLog, PolicyChoice


@admin.register(PolicyChoice)
class PolicyChoiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: a choice is made on the app's policy page, which recomputes
    what depends on it; the trail is never edited."""

    list_display = ["policy", "version_id", "in_force_from", "chosen_by_name", "chosen_at", "note"]
    list_filter = ["policy"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

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
