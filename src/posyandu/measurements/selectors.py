"""Reads of visits and sessions, always within the requesting user's area."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from posyandu.accounts.scoping import posyandu_scope
from posyandu.areas.models import Posyandu
from posyandu.children.models import Child, ChildStatus
from posyandu.measurements.models import PosyanduSession, Visit

BALITA_MAX_AGE_DAYS = 1856


def visits_for(user: Any) -> QuerySet[Visit]:
    """Visits of children in the user's area (by the child's home Posyandu)."""
    return Visit.objects.filter(child__posyandu__in=posyandu_scope(user)).select_related(
        "child", "posyandu"
    )


def visit_for(user: Any, pk: int) -> Visit:
    return get_object_or_404(visits_for(user), pk=pk)


def sessions_for(user: Any) -> QuerySet[PosyanduSession]:
    return PosyanduSession.objects.filter(posyandu__in=posyandu_scope(user)).select_related(
        "posyandu"
    )


def session_for(user: Any, pk: int) -> PosyanduSession:
    return get_object_or_404(sessions_for(user), pk=pk)


def child_visits(child: Child) -> list[Visit]:
    return list(Visit.objects.filter(child=child).order_by("measured_on"))


@dataclass
class RegisterRow:
    child: Child
    latest: Visit | None
    this_month: Visit | None


@dataclass
class PosyanduMonth:
    posyandu: Posyandu
    period: dt.date
    rows: list[RegisterRow]


def sasaran_children(posyandu_ids: list[int], period: dt.date) -> QuerySet[Child]:
    """S of the month starting ``period``: active balita registered at these
    Posyandu, born by the month's end and under 1857 days at its start."""
    return Child.objects.filter(
        posyandu_id__in=posyandu_ids,
        status=ChildStatus.ACTIVE,
        birth_date__gt=period - dt.timedelta(days=BALITA_MAX_AGE_DAYS),
        birth_date__lte=month_end(period),
    )


def posyandu_month(posyandu: Posyandu, period: dt.date) -> PosyanduMonth:
    """The register of one Posyandu for one month: each active balita with
    their latest visit and this month's visit (one query each)."""
    children = list(sasaran_children([posyandu.pk], period).order_by("name"))
    ids = [c.pk for c in children]
    latest: dict[int, Visit] = {}
    for visit in Visit.objects.filter(child_id__in=ids, period__lte=period).order_by("period"):
        latest[visit.child_id] = visit
    rows = []
    for child in children:
        last = latest.get(child.pk)
        rows.append(
            RegisterRow(
                child=child,
                latest=last,
                this_month=last if last is not None and last.period == period else None,
            )
        )
    return PosyanduMonth(posyandu=posyandu, period=period, rows=rows)


@dataclass
class SessionTable:
    """The weighing table of one opening day: who is done this month, who is not."""

    session: PosyanduSession
    done: list[RegisterRow]
    not_yet: list[RegisterRow]
    query: str
    total: int


def session_table(session: PosyanduSession, query: str = "") -> SessionTable:
    """Children of the session's Posyandu, split by whether they have this
    month's visit (a child can be weighed only once a month), optionally
    narrowed to names (child or mother) containing ``query``."""
    month = posyandu_month(session.posyandu, session.date.replace(day=1))
    needle = " ".join(query.lower().split())
    rows = [
        r
        for r in month.rows
        if not needle or needle in r.child.name.lower() or needle in r.child.mother_name.lower()
    ]
    return SessionTable(
        session=session,
        done=[r for r in rows if r.this_month is not None],
        not_yet=[r for r in rows if r.this_month is None],
        query=query,
        total=len(month.rows),
    )


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

    S is :func:`sasaran_children` (as on the Posyandu page); D those of them
    weighed that month.
    """
    sasaran = sasaran_children(posyandu_ids, period)
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
