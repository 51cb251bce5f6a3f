"""Reads of the child registry, always within the requesting user's scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from posyandu.accounts.scope import Capability, Scope
from posyandu.children.models import Child, ChildStatus


def children_for(scope: Scope) -> QuerySet[Child]:
    """Every child whose home Posyandu is in the user's area."""
    return Child.objects.filter(posyandu__in=scope.posyandu()).select_related(
        "posyandu", "kelurahan"
    )


def child_for(scope: Scope, pk: int) -> Child:
    """One child, or 404 when it does not exist or lies outside the user's area."""
    return get_object_or_404(children_for(scope), pk=pk)


def child_for_write(scope: Scope, pk: int, capability: Capability) -> Child:
    """One child the user may change by ``capability``: 404 outside the area, 403 inside
    it for a role that may only read."""
    child = child_for(scope, pk)
    scope.require_write(capability, child.posyandu_id)
    return child


def search_children(scope: Scope, query: str, *, posyandu_id: int | None = None) -> QuerySet[Child]:
    qs = children_for(scope)
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
    birth date and mother. Deliberately unscoped (a duplicate may live in
    another area): the caller shows only what the user's scope allows and
    leaves a vague notice, audited, for the rest."""
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
