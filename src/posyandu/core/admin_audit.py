"""The Django admin's child pages audited like the app's: every list and record shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse

from posyandu.core import audit


class AuditedReadsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A model admin whose list and change pages note the children they show."""

    def audited_children(self, objects: Iterable[models.Model]) -> Iterable[models.Model]:
        """The children whose data these objects show (the objects themselves by default)."""
        return objects

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit.shown(self.audited_children(changelist.result_list))
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", {}).get("original")
        if shown is not None:
            audit.shown(self.audited_children([shown]))
        return response
