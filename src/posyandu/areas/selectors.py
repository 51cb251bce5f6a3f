"""Reads of Posyandu for the list and the Posyandu page, within the user's area.

The register itself (children, visits) comes from the children and
measurements apps; these pages are where a Posyandu's data meets.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from posyandu.accounts.scoping import posyandu_scope
from posyandu.areas.models import Posyandu


def posyandu_list_for(user: Any) -> QuerySet[Posyandu]:
    return posyandu_scope(user).select_related("kelurahan", "puskesmas")


def posyandu_for(user: Any, pk: int) -> Posyandu:
    """One Posyandu, or 404 when it lies outside the user's area."""
    return get_object_or_404(posyandu_list_for(user), pk=pk)
