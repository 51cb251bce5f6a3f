"""Reads of the child registry, always within the requesting user's scope."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from posyandu.accounts.scope import Capability, Scope
from posyandu.children.models import Child, ChildStatus
from posyandu.core import audit


def children_for(scope: Scope) -> QuerySet[Child]:
    """Every child whose home Posyandu is in the user's area."""
    return Child.objects.filter(posyandu__in=scope.posyandu()).select_related(
        "posyandu", "kelurahan"
    )


def refused_child(pk: int) -> None:
    """Leave the refused request in the audit trail of the child's own city."""
    kota_id = (
        Child.objects.filter(pk=pk)
        .values_list("posyandu__kelurahan__kecamatan__kota_id", flat=True)
        .first()
    )
    audit.refused(object_type=Child._meta.label_lower, object_id=str(pk), kota_id=kota_id)


def child_for(scope: Scope, pk: int) -> Child:
    """One child, or 404 when it does not exist or lies outside the user's area.

    The page that asked shows this child's data: audited as shown (or, on
    404, as refused).
    """
    try:
        child = get_object_or_404(children_for(scope), pk=pk)
    except Http404:
        refused_child(pk)
        raise
    audit.shown([child])
    return child


def child_for_write(scope: Scope, pk: int, capability: Capability) -> Child:
    """One child the user may change by ``capability``: 404 outside the area, 403 inside
    it for a role that may only read."""
    child = child_for(scope, pk)
    try:
        scope.require_write(capability, child.posyandu_id)
    except PermissionDenied:
        refused_child(pk)
        raise
    return child


def child_registered_by_form(scope: Scope, client_token: uuid.UUID | None) -> Child | None:
    """The child a registration form (its ``client_token``) already created, if any."""
    if client_token is None:
        return None
    return children_for(scope).filter(client_token=client_token).first()


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


def normalise_name(name: str) -> str:
    """A name as the duplicate rule compares it: case and spacing do not matter."""
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
            name__iexact=normalise_name(name),
            birth_date=birth_date,
            mother_name__iexact=normalise_name(mother_name),
        )
    if not condition:
        return Child.objects.none()
    qs = Child.objects.filter(condition).exclude(status=ChildStatus.DIED)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("posyandu")
