from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from posyandu.cadres.models import Kader, KaderPosting, PinAward, Skill, Training, TrainingDay


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The curriculum's skills: an administrator may reword or retire one; each
    change raises its version, which every later assessment records."""

    list_display = ("code", "package", "label", "curriculum", "version", "is_active")
    list_filter = ("package", "is_active", "curriculum")
    readonly_fields = ("version",)
    ordering = ("package", "order", "code")

    def save_model(self, request: HttpRequest, obj: Skill, form: Any, change: bool) -> None:
        if change and form.changed_data:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Skill | None = None) -> bool:
        # Assessments refer to skills: retire one (is_active) instead of deleting it.
        return False


class KaderPostingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = KaderPosting
    extra = 0
    can_delete = False
    readonly_fields = (
        "posyandu",
        "role",
        "sk_number",
        "sk_date",
        "started_on",
        "ended_on",
        "incentive_eligible",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Kader)
class KaderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only here: the app's pages change kader (scope checked, audited)."""

    list_display = ("name", "posyandu", "phone", "is_active")
    list_filter = ("is_active", "posyandu__puskesmas")
    search_fields = ("name", "nik", "phone")
    list_select_related = ("posyandu",)
    inlines = [KaderPostingInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PinAward)
class PinAwardAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kader", "level", "awarded_on", "puskesmas", "certificate_number")
    list_filter = ("level", "puskesmas")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TrainingDayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TrainingDay
    extra = 0


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "kind", "batch", "starts_on", "ends_on", "puskesmas")
    list_filter = ("kind",)
    inlines = [TrainingDayInline]
