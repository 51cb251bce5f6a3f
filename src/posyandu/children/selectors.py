"""Reads of the child registry, always within the requesting user's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from posyandu.accounts.scoping import posyandu_scope
from posyandu.children.models import Child, ChildStatus


def children_for(user: Any) -> QuerySet[Child]:
    """Every child whose home Posyandu is in the user's area."""
    return Child.objects.filter(posyandu__in=posyandu_scope(user)).select_related(
        "posyandu", "kelurahan"
    )


def child_for(user: Any, pk: int) -> Child:
    """One child, or 404 when it does not exist or lies outside the user's area."""
    return get_object_or_404(children_for(user), pk=pk)


def search_children(user: Any, query: str, *, posyandu_id: int | None = None) -> QuerySet[Child]:
    qs = children_for(user)
    if posyandu_id is not None:
        qs = qs.filter(posyandu_id=posyandu_id)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(mother_name__icontains=query) | Q(nik__startswith=query)
        )
    return qs.order_by("name")


def _normalise_name(name: str) -> str:
    return " ".join((name or "").lower().split())


def possible_duplicates(
    *,
    nik: str,
    name: str,
    birth_date: dt.date | None,
    mother_name: str,
    exclude_pk: int | None = None,
) -> QuerySet[Child]:
    """Children city-wide that look like this one: same NIK, or same name,
    birth date and mother. Not scoped: the caller decides what to reveal."""
    condition = Q()
    if nik and "*" not in nik:
        condition |= Q(nik=nik)
    if name and birth_date and mother_name:
        condition |= Q(
            name__iexact=_normalise_name(name),
            birth_date=birth_date,
            mother_name__iexact=_normalise_name(mother_name),
        )
    if not condition:
        return Child.objects.none()
    qs = Child.objects.filter(condition).exclude(status=ChildStatus.DIED)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("posyandu")
