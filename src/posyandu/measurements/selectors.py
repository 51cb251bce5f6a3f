"""Reads of visits and sessions, always within the requesting user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404

from posyandu.accounts.scope import Capability, Scope
from posyandu.areas.models import Posyandu
from posyandu.children.models import Child, ChildStatus
from posyandu.core import audit
from posyandu.measurements.models import PosyanduSession, Visit
from posyandu.policy import BALITA


def visits_for(scope: Scope) -> QuerySet[Visit]:
    """Visits of children in the user's area (by the child's home Posyandu)."""
    return Visit.objects.filter(child__posyandu__in=scope.posyandu()).select_related(
        "child", "posyandu"
    )


def _refused_visit(pk: int) -> None:
    kota_id = (
        Visit.objects.filter(pk=pk)
        .values_list("child__posyandu__kelurahan__kecamatan__kota_id", flat=True)
        .first()
    )
    audit.refused(object_type=Visit._meta.label_lower, object_id=str(pk), kota_id=kota_id)


def visit_for(scope: Scope, pk: int) -> Visit:
    """One visit (404 outside the area); the page shows its child: audited."""
    try:
        visit = get_object_or_404(visits_for(scope), pk=pk)
    except Http404:
        _refused_visit(pk)
        raise
    audit.shown([visit.child])
    return visit


def visit_for_write(scope: Scope, pk: int) -> Visit:
    """A visit the user may correct or delete: 404 outside the area, 403 read-only."""
    visit = visit_for(scope, pk)
    try:
        scope.require_write(Capability.VISITS_WRITE, visit.child.posyandu_id)
    except PermissionDenied:
        _refused_visit(pk)
        raise
    return visit


def sessions_for(scope: Scope) -> QuerySet[PosyanduSession]:
    return PosyanduSession.objects.filter(posyandu__in=scope.posyandu()).select_related("posyandu")


def session_for(scope: Scope, pk: int) -> PosyanduSession:
    return get_object_or_404(sessions_for(scope), pk=pk)


def posyandu_list_for(scope: Scope) -> QuerySet[Posyandu]:
    return scope.posyandu().select_related("kelurahan", "puskesmas")


def posyandu_for(scope: Scope, pk: int) -> Posyandu:
    """One Posyandu, or 404 when it lies outside the user's area."""
    return get_object_or_404(posyandu_list_for(scope), pk=pk)


def child_visits(scope: Scope, child: Child) -> list[Visit]:
    """A child's visits in date order (404 unless the child is in the user's area)."""
    scope.require_read(child.posyandu_id)
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


def month_end(period: dt.date) -> dt.date:
    next_month = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def sasaran_children(scope: Scope, posyandu_ids: list[int], period: dt.date) -> QuerySet[Child]:
    """S of the month starting ``period``: active balita registered at these
    Posyandu (those of them in the user's area), born by the month's end and
    still balita (:data:`~posyandu.policy.BALITA`) at its start."""
    return Child.objects.filter(
        posyandu_id__in=[pk for pk in posyandu_ids if scope.may_read_posyandu(pk)],
        status=ChildStatus.ACTIVE,
        birth_date__gt=BALITA.last_birth_date_aged_out(period),
        birth_date__lte=month_end(period),
    )


def posyandu_month(scope: Scope, posyandu: Posyandu, period: dt.date) -> PosyanduMonth:
    """The register of one Posyandu for one month: each active balita with
    their latest visit and this month's visit (one query each)."""
    scope.require_read(posyandu.pk)
    children = list(sasaran_children(scope, [posyandu.pk], period).order_by("name"))
    ids = [c.pk for c in children]
    # Only the newest visit of each child: loading every earlier one (ten or
    # more per child) made up half of the page's time.
    newest_first = Window(RowNumber(), partition_by=[F("child_id")], order_by=F("period").desc())
    latest = {
        visit.child_id: visit
        for visit in Visit.objects.filter(child_id__in=ids, period__lte=period)
        .annotate(newest=newest_first)
        .filter(newest=1)
    }
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
    """Children of the Posyandu this month, whatever the search."""
    done_total: int
    """Of them, weighed this month, whatever the search."""


def session_table(scope: Scope, session: PosyanduSession, query: str = "") -> SessionTable:
    """Children of the session's Posyandu, split by whether they have this
    month's visit (a child can be weighed only once a month), optionally
    narrowed to names (child or mother) containing ``query``."""
    month = posyandu_month(scope, session.posyandu, session.date.replace(day=1))
    needle = " ".join(query.lower().split())
    rows = [
        r
        for r in month.rows
        if not needle or needle in r.child.name.lower() or needle in r.child.mother_name.lower()
    ]
    audit.shown(r.child for r in rows)
    return SessionTable(
        session=session,
        done=[r for r in rows if r.this_month is not None],
        not_yet=[r for r in rows if r.this_month is None],
        query=query,
        total=len(month.rows),
        done_total=sum(1 for r in month.rows if r.this_month is not None),
    )


@dataclass(frozen=True)
class Participation:
    sasaran: int
    weighed: int

    @property
    def d_over_s(self) -> float | None:
        return self.weighed / self.sasaran if self.sasaran else None


def participation(
    scope: Scope, posyandu_ids: list[int], period: dt.date
) -> dict[int, Participation]:
    """D and S of each Posyandu for the month starting ``period``, in two queries.

    S is :func:`sasaran_children` (as on the Posyandu page); D those of them
    weighed that month.
    """
    sasaran = sasaran_children(scope, posyandu_ids, period)
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
