"""Reads of Posyandu for the list and the Posyandu page, within the user's area.

The register itself (children, visits) comes from the children and
measurements apps; these pages are where a Posyandu's data meets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from posyandu.accounts.scoping import posyandu_scope
from posyandu.areas.models import Posyandu
from posyandu.children.models import Child, ChildStatus
from posyandu.measurements.models import Visit
from posyandu.measurements.selectors import BALITA_MAX_AGE_DAYS


def posyandu_list_for(user: Any) -> QuerySet[Posyandu]:
    return posyandu_scope(user).select_related("kelurahan", "puskesmas")


def posyandu_for(user: Any, pk: int) -> Posyandu:
    """One Posyandu, or 404 when it lies outside the user's area."""
    return get_object_or_404(posyandu_list_for(user), pk=pk)


def month_end(period: dt.date) -> dt.date:
    next_month = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


@dataclass(frozen=True)
class Participation:
    sasaran: int
    weighed: int

    @property
    def d_over_s(self) -> float | None:
        return self.weighed / self.sasaran if self.sasaran else None


def participation(posyandu_ids: list[int], period: dt.date) -> dict[int, Participation]:
    """D and S of each Posyandu for the month starting ``period``, in two queries.

    S and D follow :func:`posyandu.measurements.selectors.posyandu_month`:
    active balita registered at the Posyandu, and those of them weighed that month.
    """
    sasaran = Child.objects.filter(
        posyandu_id__in=posyandu_ids,
        status=ChildStatus.ACTIVE,
        birth_date__gt=period - dt.timedelta(days=BALITA_MAX_AGE_DAYS),
        birth_date__lte=month_end(period),
    )
    s_counts = dict(
        sasaran.values_list("posyandu_id").annotate(n=Count("pk")).values_list("posyandu_id", "n")
    )
    d_counts = dict(
        Visit.objects.filter(child__in=sasaran, period=period, weight_kg__isnull=False)
        .values_list("child__posyandu_id")
        .annotate(n=Count("child_id", distinct=True))
        .values_list("child__posyandu_id", "n")
    )
    return {
        pk: Participation(sasaran=s_counts.get(pk, 0), weighed=d_counts.get(pk, 0))
        for pk in posyandu_ids
    }
