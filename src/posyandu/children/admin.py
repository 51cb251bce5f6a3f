from django.contrib import admin

from posyandu.children.models import Child, ChildTransfer
from posyandu.core.admin_audit import AuditedReadsAdmin


class ChildTransferInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ChildTransfer
    fk_name = "child"
    extra = 0
    can_delete = False
    readonly_fields = ("from_posyandu", "to_posyandu", "transferred_on", "reason", "by")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Child)
class ChildAdmin(AuditedReadsAdmin):
    """Read-only: registry changes go through the app, which checks versions and audits."""

    list_display = ("name", "birth_date", "sex", "mother_name", "posyandu", "status")
    list_filter = ("status", "sex", "posyandu__puskesmas")
    search_fields = ("name", "mother_name", "nik", "local_id")
    list_select_related = ("posyandu",)
    inlines = [ChildTransferInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
