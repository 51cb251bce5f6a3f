"""Scope first (house rule 4): which Posyandu, Puskesmas and Kelurahan a user may see.

Every selector starts from one of these querysets, so a user never sees an
object outside their area and an out-of-area URL answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from posyandu.accounts.models import PUSKESMAS_ROLES, Role
from posyandu.areas.models import Kelurahan, Posyandu, Puskesmas


def _is_system_wide(user: Any) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMIN)


def posyandu_scope(user: Any) -> QuerySet[Posyandu]:
    """The Posyandu the user works with."""
    qs = Posyandu.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if _is_system_wide(user):
        return qs
    if user.role == Role.KADER:
        return qs.filter(pk=user.posyandu_id) if user.posyandu_id else qs.none()
    if user.role in PUSKESMAS_ROLES:
        return qs.filter(puskesmas_id=user.puskesmas_id) if user.puskesmas_id else qs.none()
    if user.role == Role.DINKES:
        return qs.filter(kelurahan__kecamatan__kota_id=user.kota_id) if user.kota_id else qs.none()
    return qs.none()


def puskesmas_scope(user: Any) -> QuerySet[Puskesmas]:
    qs = Puskesmas.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if _is_system_wide(user):
        return qs
    if user.role == Role.DINKES:
        return qs.filter(kota_id=user.kota_id)
    if user.role in PUSKESMAS_ROLES:
        return qs.filter(pk=user.puskesmas_id)
    if user.role == Role.KADER and user.posyandu_id:
        return qs.filter(posyandu_set__pk=user.posyandu_id)
    return qs.none()


def kelurahan_scope(user: Any) -> QuerySet[Kelurahan]:
    """Kelurahan in which the user's Posyandu lie (for address pickers)."""
    qs = Kelurahan.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if _is_system_wide(user):
        return qs
    if user.role == Role.DINKES:
        return qs.filter(kecamatan__kota_id=user.kota_id)
    if user.role in PUSKESMAS_ROLES:
        return qs.filter(puskesmas_set__pk=user.puskesmas_id).distinct()
    if user.role == Role.KADER and user.posyandu_id:
        return qs.filter(posyandu_set__pk=user.posyandu_id)
    return qs.none()
